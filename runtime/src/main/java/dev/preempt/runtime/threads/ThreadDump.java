package dev.preempt.runtime.threads;

import dev.preempt.runtime.scheduler.PreemptScheduler;
import dev.preempt.runtime.scheduler.ScheduledThread;
import dev.preempt.runtime.telemetry.ThreadEntry;
import dev.preempt.runtime.telemetry.ThreadsMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@link ThreadsMXBean} of one scheduler: every thread on it, a mapped one shown as the app's thread
 * (its object's name and id, its group, daemon status and priority), the others as the virtual threads
 * they are.
 */
public final class ThreadDump implements ThreadsMXBean {
    private final PreemptScheduler scheduler;

    public ThreadDump(PreemptScheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public List<ThreadEntry> getThreads() {
        Map<Thread, MappedThreads.Live> mapped = new IdentityHashMap<>();
        for (MappedThreads.Live l : MappedThreads.live()) {
            mapped.put(l.runner(), l);
        }
        List<ThreadEntry> out = new ArrayList<>();
        for (ScheduledThread st : scheduler.threads()) {
            Thread v = st.thread();
            Thread.State state = v.getState();
            if (state == Thread.State.TERMINATED) {
                continue;
            }
            MappedThreads.Live l = mapped.get(v);
            Thread app = l != null ? l.app() : v;
            ThreadGroup group = l != null ? l.rec().group : null;
            Object blocker = LockSupport.getBlocker(v);
            out.add(new ThreadEntry(app.getName(), app.threadId(), v.threadId(), l != null,
                    (state == Thread.State.NEW ? Thread.State.RUNNABLE : state).name(), st.priority(), l == null || l.rec().daemon,
                    group == null ? null : group.getName(), st.carrier(), st.cpuNanos(),
                    MappedThreadInfo.lockName(blocker),
                    Arrays.stream(v.getStackTrace()).map(StackTraceElement::toString).toList()));
        }
        return out;
    }
}
