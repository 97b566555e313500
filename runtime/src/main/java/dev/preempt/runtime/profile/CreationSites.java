package dev.preempt.runtime.profile;

import dev.preempt.runtime.log.PreemptLog;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The app's thread-creation sites as the runtime saw them run: how many threads each created that preempt
 * mapped onto its scheduler, and how many it kept as platform threads (and why). Logged at {@code info} the
 * first time a site decides each way; counted by the thread bridges ({@code threads=map}), read by the report.
 */
public final class CreationSites {
    private static final Map<String, Site> SITES = new ConcurrentHashMap<>();

    private CreationSites() {}

    private static final class Site {
        final LongAdder mapped = new LongAdder();
        final LongAdder kept = new LongAdder();
        volatile String keptBecause;
    }

    /** A thread created at {@code site} runs on preempt's scheduler (from the thread bridges). */
    public static void mapped(String site) {
        Site s = SITES.computeIfAbsent(site, k -> new Site());
        if (s.mapped.sum() == 0 && PreemptLog.enabled(PreemptLog.Level.INFO)) {
            PreemptLog.once(PreemptLog.Level.INFO, "site-mapped:" + site, "thread creation at " + site + ": mapped onto preempt's scheduler");
        }
        s.mapped.increment();
    }

    /** A thread created at {@code site} stays a platform thread, {@code because} (from the thread bridges). */
    public static void kept(String site, String because) {
        Site s = SITES.computeIfAbsent(site, k -> new Site());
        s.keptBecause = because;
        PreemptLog.once(PreemptLog.Level.INFO, "site-kept:" + site + because, "thread creation at " + site + ": kept as a platform thread (" + because + ")");
        s.kept.increment();
    }

    /** Every site seen so far ({@code com.acme.Server.accept(Server.java:42) new Thread}), most threads first. */
    public static List<ProfileSnapshot.CreationSite> snapshot() {
        List<ProfileSnapshot.CreationSite> out = new ArrayList<>();
        SITES.forEach((k, v) -> out.add(new ProfileSnapshot.CreationSite(k, v.mapped.sum(), v.kept.sum(), v.keptBecause)));
        out.sort(Comparator.comparingLong(ProfileSnapshot.CreationSite::threads).reversed()
                .thenComparing(ProfileSnapshot.CreationSite::site));
        return out;
    }
}
