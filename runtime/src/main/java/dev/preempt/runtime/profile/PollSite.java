package dev.preempt.runtime.profile;

/** The site of a poll: the code that was running when a thread reached it. */
public final class PollSite {
    private static final StackWalker WALKER = StackWalker.getInstance();

    private PollSite() {}

    /**
     * The calling thread's first frame outside preempt's runtime, as {@code class.method(File.java:line)}.
     * Walks the stack (microseconds), so it is asked for late polls only, and only when someone records them.
     */
    public static String ofCaller() {
        return WALKER.walk(frames -> frames
                .filter(f -> !f.getClassName().startsWith("dev.preempt.runtime."))
                .findFirst()
                .map(f -> f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")")
                .orElse("(unknown)"));
    }
}
