package dev.preempt.runtime.threads;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Shutdown hooks stay platform threads: the JDK starts them while the JVM is going down, when preempt's
 * carriers (daemon threads) may already be winding down. The app keeps its own object as the key for
 * {@code removeShutdownHook}.
 */
final class ShutdownHooks {
    private static final Map<Thread, Thread> STAND_INS = new IdentityHashMap<>();

    private ShutdownHooks() {}

    /** The thread to register with the JDK for the app's hook. */
    static synchronized Thread platformFor(Thread hook) {
        MappedThread rec = hook.getClass() == Thread.class ? null : MappedThreads.record(hook);
        if (rec == null) {
            return hook;
        }
        if (!hook.isVirtual()) {
            rec.kept = true; // a subclass instance: its start() will go to the JDK
            return hook;
        }
        if (rec.started) {
            throw new IllegalArgumentException("Hook already running");
        }
        Thread existing = STAND_INS.get(hook);
        if (existing != null) {
            return existing; // the JDK then says "Hook previously registered"
        }
        Thread p = new Thread(rec.group, rec::runDirectly, hook.getName());
        p.setDaemon(rec.daemon);
        STAND_INS.put(hook, p);
        return p;
    }

    static synchronized Thread remove(Thread hook) {
        return STAND_INS.remove(hook);
    }
}
