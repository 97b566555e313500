package dev.preempt.runtime.cfi;

import java.lang.StackWalker.StackFrame;
import java.util.Iterator;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The calling chain of a check, as CFI sees it: the first {@link #DEPTH} app frames (classes of neither
 * the JDK nor preempt) above the check, innermost first. Walked with {@link StackWalker} only when a
 * sink is reached or an unseen edge is reported, never on a forward edge's fast path.
 */
final class CallerFrames {
    /** App frames in a signature: enough to tell a gadget chain from the app's own call of the same sink. */
    static final int DEPTH = 3;

    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();

    /**
     * @param app       up to DEPTH app frames, {@code class.method}, innermost first; {@code count} are set
     * @param innermost the class of the innermost app frame, or null
     * @param directApp whether the first frame below the sink's own class is app code
     */
    record Frames(String[] app, int count, String innermost, boolean directApp) {
        String signature() {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < count; i++) {
                if (i > 0) b.append(" < ");
                b.append(app[i]);
            }
            return b.toString();
        }
    }

    private CallerFrames() {}

    /** Frames above a JDK sink method (the first frame outside preempt is the sink itself). */
    static Frames aboveSink() {
        return WALKER.walk(new Collector(true));
    }

    /** Frames of an app call site (the first frame outside preempt is the app's caller). */
    static Frames atCallSite() {
        return WALKER.walk(new Collector(false));
    }

    static boolean isJdk(Class<?> c) {
        ClassLoader l = c.getClassLoader();
        return l == null || l == PLATFORM;
    }

    static boolean isPreempt(Class<?> c) {
        return isPreemptName(c.getName());
    }

    /**
     * preempt's own packages: the agent, the runtime, the timers and the shaded libraries. Not every
     * {@code dev.preempt.*}: the samples and benchmarks are apps to the agent.
     */
    static boolean isPreemptName(String className) {
        return className.startsWith("dev.preempt.")
                && (className.startsWith("dev.preempt.runtime.") || className.startsWith("dev.preempt.agent.")
                        || className.startsWith("dev.preempt.timer.") || className.startsWith("dev.preempt.shaded."));
    }

    /**
     * Names stable from run to run: a hidden class's address suffix, a proxy's number and the number of a
     * proxy's dynamic module ({@code jdk.proxy3.$Proxy12}: modules are numbered in the order class loaders
     * first make a proxy of public interfaces, so another library making one first shifts them) are dropped.
     */
    static String stableName(String className) {
        int slash = className.indexOf('/');
        if (slash >= 0) {
            className = className.substring(0, slash);
        }
        if (className.startsWith("jdk.proxy")) {
            int end = "jdk.proxy".length();
            while (end < className.length() && Character.isDigit(className.charAt(end))) end++;
            className = "jdk.proxy" + className.substring(end);
        }
        int proxy = className.indexOf("$Proxy");
        if (proxy >= 0) {
            int end = proxy + 6;
            while (end < className.length() && Character.isDigit(className.charAt(end))) end++;
            className = className.substring(0, proxy + 6) + className.substring(end);
        }
        return className;
    }

    /** A class, not a lambda: the JDK's walk gets no lambda-metafactory class in the runtime's own code path. */
    private static final class Collector implements Function<Stream<StackFrame>, Frames> {
        private final boolean sinkFrameFirst;

        Collector(boolean sinkFrameFirst) {
            this.sinkFrameFirst = sinkFrameFirst;
        }

        @Override
        public Frames apply(Stream<StackFrame> frames) {
            String[] app = new String[DEPTH];
            int n = 0;
            String innermost = null;
            Class<?> sinkClass = null;
            boolean sinkSeen = !sinkFrameFirst;
            int direct = -1; // -1 unknown, 0 no, 1 yes
            Iterator<StackFrame> it = frames.iterator();
            while (it.hasNext() && n < DEPTH) {
                StackFrame f = it.next();
                Class<?> c = f.getDeclaringClass();
                if (isPreempt(c)) {
                    continue;
                }
                if (!sinkSeen) {
                    sinkSeen = true;
                    sinkClass = c;
                    continue;
                }
                boolean jdk = isJdk(c);
                if (direct < 0 && c != sinkClass) {
                    direct = jdk ? 0 : 1;
                }
                if (!jdk) {
                    if (n == 0) innermost = stableName(c.getName());
                    app[n++] = stableName(c.getName()) + "." + f.getMethodName();
                }
            }
            return new Frames(app, n, innermost, direct == 1);
        }
    }
}
