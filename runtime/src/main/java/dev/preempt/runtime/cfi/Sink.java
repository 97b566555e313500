package dev.preempt.runtime.cfi;

/**
 * The sensitive JDK operations whose entry CFI guards (backward edges). The agent inserts
 * {@code SinkGuard.check(detail, sink.ordinal())}, or a {@code SinkGuard} method that picks the sink from the
 * arguments, at the entry of the JDK methods that implement each one; the policy names a sink by
 * {@link #id()}: ids are a contract, new sinks are appended and none is renamed.
 */
public enum Sink {
    PROCESS_START("process.start", false, false),
    JVM_EXIT("jvm.exit", false, false),
    JNDI_LOOKUP("jndi.lookup", false, false),
    DESERIALIZE("deserialize", false, false),
    /** One class resolved while deserialising: the class name is part of what is learned. */
    DESERIALIZE_CLASS("deserialize.class", true, false),
    /**
     * Checked only when the code calling the class loader is the app's: the JDK's own loaders define every
     * app class on behalf of whatever app frame triggered the load, which says nothing about that frame.
     */
    CLASS_DEFINE("class.define", false, true),
    NATIVE_LOAD("native.load", false, false),
    FILE_WRITE("file.write", false, false),
    FILE_DELETE("file.delete", false, false),
    SOCKET_CONNECT("socket.connect", false, false),
    SOCKET_BIND("socket.bind", false, false),
    SCRIPT_ENGINE("script.engine", false, false),
    /** A native function linked through the FFM API ({@code Linker.downcallHandle}): callable with no System.load. */
    NATIVE_LINK("native.link", false, false);

    private static final Sink[] ALL = values();

    private final String id;
    private final boolean detailLearned;
    private final boolean directOnly;

    Sink(String id, boolean detailLearned, boolean directOnly) {
        this.id = id;
        this.detailLearned = detailLearned;
        this.directOnly = directOnly;
    }

    /** The name in policies and audit records ({@code process.start}). */
    public String id() { return id; }

    /** Whether the detail (a class name) is part of a learned entry, not only of rules and the audit. */
    public boolean detailLearned() { return detailLearned; }

    /** Whether only a direct call from app code is checked (see {@link #CLASS_DEFINE}). */
    public boolean directOnly() { return directOnly; }

    static Sink byOrdinal(int ordinal) {
        return ALL[ordinal];
    }

    /** The sink with this policy name, or null. */
    public static Sink byId(String id) {
        for (Sink s : ALL) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        return null;
    }
}
