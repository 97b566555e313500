package dev.preempt.runtime.profile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where late polls sat: the method and line of each poll that yielded more than a threshold after the
 * slice's end, with how often and how late. Late polls are rare (at most one per slice, and only the late
 * ones), so a shared concurrent map is cheap here; bounded to {@link #MAX_SITES} distinct sites.
 */
final class PollSites {
    static final int MAX_SITES = 10_000;

    private final Map<String, Site> sites = new ConcurrentHashMap<>();
    private final LongAdder droppedSites = new LongAdder();

    private static final class Site {
        final LongAdder count = new LongAdder();
        final LongAdder totalNanos = new LongAdder();
        final AtomicLong maxNanos = new AtomicLong();
    }

    void record(String site, long pastNanos) {
        Site s = sites.get(site);
        if (s == null) {
            if (sites.size() >= MAX_SITES) {
                droppedSites.increment();
                return;
            }
            s = sites.computeIfAbsent(site, k -> new Site());
        }
        s.count.increment();
        s.totalNanos.add(pastNanos);
        s.maxNanos.accumulateAndGet(pastNanos, Math::max);
    }

    /** The sites, most total lateness first. */
    List<ProfileSnapshot.LateSite> rows() {
        List<ProfileSnapshot.LateSite> out = new ArrayList<>();
        sites.forEach((k, s) -> out.add(new ProfileSnapshot.LateSite(k, s.count.sum(), s.totalNanos.sum(), s.maxNanos.get())));
        out.sort(Comparator.comparingLong(ProfileSnapshot.LateSite::totalPastNanos).reversed());
        return out;
    }

    long droppedSites() {
        return droppedSites.sum();
    }
}
