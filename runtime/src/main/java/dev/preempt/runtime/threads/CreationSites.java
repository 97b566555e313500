package dev.preempt.runtime.threads;

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
 * first time a site decides each way; read by the report.
 */
public final class CreationSites {
    private static final Map<String, Site> SITES = new ConcurrentHashMap<>();

    private CreationSites() {}

    /** One creation site: {@code com.acme.Server.accept(Server.java:42) new Thread}, with its counts. */
    public record Snapshot(String site, long mapped, long kept, String keptBecause) {}

    private static final class Site {
        final LongAdder mapped = new LongAdder();
        final LongAdder kept = new LongAdder();
        volatile String keptBecause;
    }

    static void mapped(String site) {
        Site s = SITES.computeIfAbsent(site, k -> new Site());
        if (s.mapped.sum() == 0 && PreemptLog.enabled(PreemptLog.Level.INFO)) {
            PreemptLog.once(PreemptLog.Level.INFO, "site-mapped:" + site, "thread creation at " + site + ": mapped onto preempt's scheduler");
        }
        s.mapped.increment();
    }

    static void kept(String site, String because) {
        Site s = SITES.computeIfAbsent(site, k -> new Site());
        s.keptBecause = because;
        PreemptLog.once(PreemptLog.Level.INFO, "site-kept:" + site + because, "thread creation at " + site + ": kept as a platform thread (" + because + ")");
        s.kept.increment();
    }

    /** Every site seen so far, most threads first. */
    public static List<Snapshot> snapshot() {
        List<Snapshot> out = new ArrayList<>();
        SITES.forEach((k, v) -> out.add(new Snapshot(k, v.mapped.sum(), v.kept.sum(), v.keptBecause)));
        out.sort(Comparator.comparingLong((Snapshot s) -> -(s.mapped() + s.kept())).thenComparing(Snapshot::site));
        return out;
    }
}
