package dev.preempt.runtime.safepoint;

import java.lang.StackWalker.StackFrame;
import java.util.Iterator;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Whether a thread that reached a poll in the JDK's own code ({@link Safepoint#jdkPoll}) and was asked to
 * yield may do so there. Asked only on the slow path, after the scheduler has found that this very thread
 * is a preempt-scheduled virtual thread whose slice is over: at most once per slice per thread.
 *
 * <p>The rule: walk the stack from the poll towards the thread's start. The first frame that is the app's
 * (a class of a class loader other than the boot and platform loaders, and not preempt's) allows the
 * yield: everything between it and the poll is JDK code that the app called, and the frames below it are
 * the thread's own start (the runtime's thread body, the JDK's {@code VirtualThread.run}), which an app
 * poll already yields over. Before that frame, any of these refuses it:
 * <ul>
 *   <li>preempt's own classes (the runtime compiles globs to regexes and sorts rows; a thread inside the
 *       runtime may hold a lock the scheduler or a carrier needs, and a carrier that blocks on it while the
 *       holder waits in the run queue can stall for ever);</li>
 *   <li>the virtual-thread machinery ({@code java.lang.VirtualThread}, {@code Thread}, {@code jdk.internal.vm}),
 *       class loading (any {@code ClassLoader}, {@code jdk.internal.loader}), class initialisers (a yield there
 *       is pinned anyway), method-handle linkage ({@code java.lang.invoke}), JFR ({@code jdk.jfr},
 *       {@code jdk.internal.event});</li>
 *   <li>JDK code that takes locks a carrier may need: {@code java.util.concurrent} (pools, locks; not the fork/join
 *       task classes, which only run a computation in the calling thread), I/O and
 *       charsets ({@code java.io}, {@code java.nio}, {@code sun.nio}: {@code PrintStream} writes under a
 *       {@code ReentrantLock} that the runtime's own log to stderr takes too), {@code java.util.logging},
 *       {@code java.security}, and the JDK's internals ({@code jdk.internal}, {@code sun}).</li>
 * </ul>
 * A stack with no app frame at all (a JDK thread) refuses too. A refusal costs the thread this slice's
 * request only: the timer asks again a slice later, by when it may have returned to app code.
 */
public final class JdkPollGuard {
    private static final StackWalker WALKER = StackWalker.getInstance(Set.of(StackWalker.Option.RETAIN_CLASS_REFERENCE));
    private static final String[] REFUSED_PACKAGES = {
        "jdk.internal.", "jdk.jfr.", "sun.", "java.lang.invoke.", "java.lang.ref.",
        "java.util.concurrent.", "java.io.", "java.nio.", "java.util.logging.", "java.security.",
    };
    /**
     * Classes of refused packages that run a computation in the calling thread and hold nothing: big-number
     * multiplication runs its Toom-Cook halves as {@code RecursiveTask.invoke()} even when not parallel
     * (measured: 2,131 requests to a {@code BigInteger.pow} hog refused in one run before these were allowed).
     */
    private static final Set<String> COMPUTING_TASKS = Set.of("java.util.concurrent.ForkJoinTask",
            "java.util.concurrent.RecursiveTask", "java.util.concurrent.RecursiveAction", "java.util.concurrent.CountedCompleter");
    private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();

    private JdkPollGuard() {}

    /**
     * Null when the calling thread, at a poll in JDK code, may yield; otherwise why not: the frame that
     * refuses ({@code class.method}) or "no app frame" (see the class comment for the rule).
     */
    public static String refusal() {
        return WALKER.walk(FirstVerdict.INSTANCE);
    }

    /**
     * Loads and links what a walk needs (StackWalker's classes, the stream it hands out), so that the first
     * slice to end inside JDK code does not pay for it. Called once when the scheduler starts.
     */
    public static void warm() {
        refusal();
    }

    /**
     * The walk, as a class rather than lambdas: a lambda is linked on its first call, which spins a class
     * with the JDK's class-file library; in the slow path of a poll that cost the first preemption of a
     * JDK hog tens of milliseconds (measured under load).
     */
    private static final class FirstVerdict implements Function<Stream<StackFrame>, String> {
        static final FirstVerdict INSTANCE = new FirstVerdict();

        @Override
        public String apply(Stream<StackFrame> frames) {
            boolean belowPoll = false;
            for (Iterator<StackFrame> it = frames.iterator(); it.hasNext(); ) {
                StackFrame f = it.next();
                if (f.getDeclaringClass() == Safepoint.class) {
                    belowPoll = true; // the frames above Safepoint.jdkPoll are the scheduler's slow path and this guard
                    continue;
                }
                if (!belowPoll) {
                    continue;
                }
                Boolean v = verdict(f);
                if (v != null) {
                    return v ? null : f.getClassName() + "." + f.getMethodName();
                }
            }
            return "no app frame";
        }
    }

    /** TRUE: an app frame, yield; FALSE: a refused frame; null: JDK code that decides nothing, look further. */
    private static Boolean verdict(StackFrame f) {
        Class<?> c = f.getDeclaringClass();
        String name = c.getName();
        if (f.getMethodName().equals("<clinit>") || name.startsWith("dev.preempt.")) {
            return Boolean.FALSE;
        }
        ClassLoader loader = c.getClassLoader();
        if (loader != null && loader != PLATFORM) {
            return Boolean.TRUE; // the app's, whatever it extends: its own polls yield there already
        }
        if (COMPUTING_TASKS.contains(name)) {
            return null;
        }
        for (String p : REFUSED_PACKAGES) {
            if (name.startsWith(p)) {
                return Boolean.FALSE;
            }
        }
        return ClassLoader.class.isAssignableFrom(c) || Thread.class.isAssignableFrom(c) ? Boolean.FALSE : null;
    }
}
