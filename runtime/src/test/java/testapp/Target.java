package testapp;

/**
 * An app class for runtime tests that load it again in throwaway class loaders: outside {@code dev.preempt},
 * because CFI refuses every call into preempt's own classes (self-protection).
 */
public final class Target {
    public Target() {}

    public int answer() {
        return 42;
    }
}
