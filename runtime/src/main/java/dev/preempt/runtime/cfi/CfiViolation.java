package dev.preempt.runtime.cfi;

/**
 * Thrown by {@code cfi=enforce} at a refused sink or call edge, in the app's thread, where the JDK
 * method would have run. A {@link SecurityException}, which code that copes with a security manager's
 * refusals already expects from such calls.
 */
public final class CfiViolation extends SecurityException {
    private static final long serialVersionUID = 1L;

    CfiViolation(String message) {
        super(message);
        // Start the trace at the refused call, as if the JDK method had thrown: preempt's frames say nothing to the app.
        StackTraceElement[] t = getStackTrace();
        int i = 0;
        while (i < t.length - 1 && CallerFrames.isPreemptName(t[i].getClassName())) i++;
        setStackTrace(java.util.Arrays.copyOfRange(t, i, t.length));
    }
}
