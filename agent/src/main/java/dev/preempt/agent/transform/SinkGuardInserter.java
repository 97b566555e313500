package dev.preempt.agent.transform;

import dev.preempt.runtime.cfi.Sink;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Backward edges: inserts a call to {@code dev.preempt.runtime.cfi.SinkGuard} at the entry of the JDK
 * methods that implement a CFI sink. The inserted code is straight-line and comes before any frame, so
 * the class's frames stay valid; it pushes at most two values. JDK classes are retransformed, which allows
 * changing method bodies only: that is all this does. Before {@code super()} in a constructor it loads an
 * argument only, never {@code this}.
 */
public final class SinkGuardInserter {
    static final String GUARD = "dev/preempt/runtime/cfi/SinkGuard";

    /**
     * The {@code SinkGuard} method a target calls, given the locals in {@link Target#slots()} in order.
     * {@code CHECK} also gets the sink's ordinal; the others decide the sink from their arguments (a mode
     * string, an option set, whether a channel is connected), so a read-only open costs no stack walk.
     */
    enum Guard {
        CHECK("check", "(Ljava/lang/Object;I)V"),
        /** Self-protection: given the {@code Class} reflected on. */
        REFLECT_ON("reflectOn", "(Ljava/lang/Class;)V"),
        RANDOM_ACCESS_OPEN("checkRandomAccessOpen", "(Ljava/lang/Object;Ljava/lang/String;)V"),
        CHANNEL_OPEN("checkChannelOpen", "(Ljava/lang/Object;Ljava/util/Set;)V"),
        MOVE("checkMove", "(Ljava/lang/Object;Ljava/lang/Object;)V"),
        DATAGRAM_SEND("checkDatagramSend", "(Ljava/nio/channels/DatagramChannel;Ljava/lang/Object;)V");

        final String method;
        final String desc;

        Guard(String method, String desc) {
            this.method = method;
            this.desc = desc;
        }
    }

    /**
     * One guarded JDK method. {@code slots} are the locals passed to the guard (arguments, or {@code this}
     * at 0 for an instance method); for {@code CHECK} one slot, the detail, or -1 for none. {@code sink} is
     * what {@code CHECK} checks, or for the other guards the sink they check first (null for self-protection).
     */
    record Target(String owner, String name, String desc, Guard guard, Sink sink, int... slots) {
        Target(String owner, String name, String desc, int slot, Sink sink) {
            this(owner, name, desc, sink == null ? Guard.REFLECT_ON : Guard.CHECK, sink, slot);
        }

        @Override
        public String toString() {
            return owner + "." + name + (desc == null ? "" : desc) + " -> " + guard.method;
        }
    }

    private static final String OIS = "java/io/ObjectInputStream";
    private static final String LOOKUP = "java/lang/invoke/MethodHandles$Lookup";
    private static final String DATAGRAM = "sun/nio/ch/DatagramChannelImpl";

    /** Every guarded JDK method, by sink. Overloads that delegate to a guarded one are not listed again. */
    static final List<Target> TARGETS = List.of(
            // The private start(Redirect[]) that start() and startPipeline both call (JDK 9 to 25): a pipeline's
            // processes are each checked; start() alone missed them.
            new Target("java/lang/ProcessBuilder", "start", "([Ljava/lang/ProcessBuilder$Redirect;)Ljava/lang/Process;", 0, Sink.PROCESS_START),
            new Target("java/lang/Runtime", "exit", "(I)V", -1, Sink.JVM_EXIT),
            new Target("java/lang/Runtime", "halt", "(I)V", -1, Sink.JVM_EXIT),
            new Target("java/lang/Runtime", "load0", "(Ljava/lang/Class;Ljava/lang/String;)V", 2, Sink.NATIVE_LOAD),
            new Target("java/lang/Runtime", "loadLibrary0", "(Ljava/lang/Class;Ljava/lang/String;)V", 2, Sink.NATIVE_LOAD),
            // Every operation of InitialContext and InitialDirContext on a name (lookup, lookupLink, list, bind,
            // search, getAttributes, ...) first resolves the name's context here (JDK 8 to 25): a URL name
            // (ldap://host/x) goes to that host whatever the operation, so all are checked, not lookup alone.
            new Target("javax/naming/InitialContext", "getURLOrDefaultInitCtx", "(Ljava/lang/String;)Ljavax/naming/Context;", 1, Sink.JNDI_LOOKUP),
            new Target("javax/naming/InitialContext", "getURLOrDefaultInitCtx", "(Ljavax/naming/Name;)Ljavax/naming/Context;", 1, Sink.JNDI_LOOKUP),
            new Target(OIS, "readObject", "()Ljava/lang/Object;", -1, Sink.DESERIALIZE),
            // Every class the stream brings (objects, arrays, readResolve replacements, what HashMap checks of
            // its table) goes through this private method, whether or not a serial filter is set (JDK 9 to 25),
            // and exactly these are what a jdk.serialFilter sees: so the learned set is a working allowlist.
            new Target(OIS, "filterCheck", "(Ljava/lang/Class;I)V", 1, Sink.DESERIALIZE_CLASS),
            new Target("java/lang/ClassLoader", "defineClass",
                    "(Ljava/lang/String;[BIILjava/security/ProtectionDomain;)Ljava/lang/Class;", 1, Sink.CLASS_DEFINE),
            new Target("java/lang/ClassLoader", "defineClass",
                    "(Ljava/lang/String;Ljava/nio/ByteBuffer;Ljava/security/ProtectionDomain;)Ljava/lang/Class;", 1, Sink.CLASS_DEFINE),
            new Target(LOOKUP, "defineClass", "([B)Ljava/lang/Class;", -1, Sink.CLASS_DEFINE),
            new Target(LOOKUP, "defineHiddenClass", null, -1, Sink.CLASS_DEFINE),
            new Target(LOOKUP, "defineHiddenClassWithClassData", null, -1, Sink.CLASS_DEFINE),
            new Target("java/io/FileOutputStream", "<init>", "(Ljava/io/File;Z)V", 1, Sink.FILE_WRITE),
            new Target("java/nio/file/Files", "newOutputStream", "(Ljava/nio/file/Path;[Ljava/nio/file/OpenOption;)Ljava/io/OutputStream;", 0, Sink.FILE_WRITE),
            // Every RandomAccessFile constructor ends here (String and File ones, ZipFile's open-and-delete).
            new Target("java/io/RandomAccessFile", "<init>", "(Ljava/io/File;Ljava/lang/String;Z)V", Guard.RANDOM_ACCESS_OPEN,
                    Sink.FILE_WRITE, 1, 2),
            // The OpenOption... overloads build the set and call these; Files.createFile and createTempFile come here too.
            new Target("java/nio/channels/FileChannel", "open", "(Ljava/nio/file/Path;Ljava/util/Set;[Ljava/nio/file/attribute/FileAttribute;)"
                    + "Ljava/nio/channels/FileChannel;", Guard.CHANNEL_OPEN, Sink.FILE_WRITE, 0, 1),
            new Target("java/nio/file/Files", "newByteChannel", "(Ljava/nio/file/Path;Ljava/util/Set;[Ljava/nio/file/attribute/FileAttribute;)"
                    + "Ljava/nio/channels/SeekableByteChannel;", Guard.CHANNEL_OPEN, Sink.FILE_WRITE, 0, 1),
            new Target("java/nio/channels/AsynchronousFileChannel", "open", "(Ljava/nio/file/Path;Ljava/util/Set;"
                    + "Ljava/util/concurrent/ExecutorService;[Ljava/nio/file/attribute/FileAttribute;)Ljava/nio/channels/AsynchronousFileChannel;",
                    Guard.CHANNEL_OPEN, Sink.FILE_WRITE, 0, 1),
            new Target("java/nio/file/Files", "copy", "(Ljava/nio/file/Path;Ljava/nio/file/Path;[Ljava/nio/file/CopyOption;)Ljava/nio/file/Path;",
                    1, Sink.FILE_WRITE),
            new Target("java/nio/file/Files", "move", "(Ljava/nio/file/Path;Ljava/nio/file/Path;[Ljava/nio/file/CopyOption;)Ljava/nio/file/Path;",
                    Guard.MOVE, Sink.FILE_WRITE, 0, 1),
            new Target("java/io/File", "delete", "()Z", 0, Sink.FILE_DELETE),
            new Target("java/io/File", "deleteOnExit", "()V", 0, Sink.FILE_DELETE),
            // java.io.File's other mutations go to java.io.FileSystem directly, not through a stream or Files.
            new Target("java/io/File", "createNewFile", "()Z", 0, Sink.FILE_WRITE),
            new Target("java/io/File", "renameTo", "(Ljava/io/File;)Z", Guard.MOVE, Sink.FILE_WRITE, 0, 1),
            new Target("java/io/File", "mkdir", "()Z", 0, Sink.FILE_WRITE),
            new Target("java/io/File", "setLastModified", "(J)Z", 0, Sink.FILE_WRITE),
            new Target("java/io/File", "setReadOnly", "()Z", 0, Sink.FILE_WRITE),
            new Target("java/io/File", "setWritable", "(ZZ)Z", 0, Sink.FILE_WRITE),
            new Target("java/io/File", "setReadable", "(ZZ)Z", 0, Sink.FILE_WRITE),
            new Target("java/io/File", "setExecutable", "(ZZ)Z", 0, Sink.FILE_WRITE),
            // The file's name is made inside; the detail is the directory (null: java.io.tmpdir).
            new Target("java/io/File", "createTempFile", "(Ljava/lang/String;Ljava/lang/String;Ljava/io/File;)Ljava/io/File;", 2, Sink.FILE_WRITE),
            new Target("java/nio/file/Files", "createDirectory", "(Ljava/nio/file/Path;[Ljava/nio/file/attribute/FileAttribute;)Ljava/nio/file/Path;",
                    0, Sink.FILE_WRITE),
            new Target("java/nio/file/Files", "createSymbolicLink",
                    "(Ljava/nio/file/Path;Ljava/nio/file/Path;[Ljava/nio/file/attribute/FileAttribute;)Ljava/nio/file/Path;", 0, Sink.FILE_WRITE),
            new Target("java/nio/file/Files", "createLink", "(Ljava/nio/file/Path;Ljava/nio/file/Path;)Ljava/nio/file/Path;", 0, Sink.FILE_WRITE),
            new Target("java/nio/file/Files", "setAttribute",
                    "(Ljava/nio/file/Path;Ljava/lang/String;Ljava/lang/Object;[Ljava/nio/file/LinkOption;)Ljava/nio/file/Path;", 0, Sink.FILE_WRITE),
            new Target("java/nio/file/Files", "setPosixFilePermissions", "(Ljava/nio/file/Path;Ljava/util/Set;)Ljava/nio/file/Path;", 0, Sink.FILE_WRITE),
            new Target("java/nio/file/Files", "setOwner", "(Ljava/nio/file/Path;Ljava/nio/file/attribute/UserPrincipal;)Ljava/nio/file/Path;",
                    0, Sink.FILE_WRITE),
            new Target("java/nio/file/Files", "setLastModifiedTime", "(Ljava/nio/file/Path;Ljava/nio/file/attribute/FileTime;)Ljava/nio/file/Path;",
                    0, Sink.FILE_WRITE),
            new Target("java/nio/file/Files", "delete", "(Ljava/nio/file/Path;)V", 0, Sink.FILE_DELETE),
            new Target("java/nio/file/Files", "deleteIfExists", "(Ljava/nio/file/Path;)Z", 0, Sink.FILE_DELETE),
            new Target("java/net/Socket", "connect", "(Ljava/net/SocketAddress;I)V", 1, Sink.SOCKET_CONNECT),
            new Target("sun/nio/ch/SocketChannelImpl", "connect", "(Ljava/net/SocketAddress;)Z", 1, Sink.SOCKET_CONNECT),
            new Target("java/net/ServerSocket", "bind", "(Ljava/net/SocketAddress;I)V", 1, Sink.SOCKET_BIND),
            new Target("sun/nio/ch/ServerSocketChannelImpl", "bind",
                    "(Ljava/net/SocketAddress;I)Ljava/nio/channels/ServerSocketChannel;", 1, Sink.SOCKET_BIND),
            // AsynchronousSocketChannel.connect (both overloads) and AsynchronousServerSocketChannel.bind (Linux, JDK 7 to 25).
            new Target("sun/nio/ch/UnixAsynchronousSocketChannelImpl", "implConnect", null, 1, Sink.SOCKET_CONNECT),
            new Target("sun/nio/ch/AsynchronousServerSocketChannelImpl", "bind",
                    "(Ljava/net/SocketAddress;I)Ljava/nio/channels/AsynchronousServerSocketChannel;", 1, Sink.SOCKET_BIND),
            // DatagramSocket delegates to DatagramSocketAdaptor, which calls these (JDK 15 to 25); send(DatagramPacket) ends in send.
            new Target(DATAGRAM, "bind", "(Ljava/net/SocketAddress;)Ljava/nio/channels/DatagramChannel;", 1, Sink.SOCKET_BIND),
            new Target(DATAGRAM, "connect", "(Ljava/net/SocketAddress;Z)Ljava/nio/channels/DatagramChannel;", 1, Sink.SOCKET_CONNECT),
            new Target(DATAGRAM, "send", "(Ljava/nio/ByteBuffer;Ljava/net/SocketAddress;)I", Guard.DATAGRAM_SEND, Sink.SOCKET_CONNECT, 0, 2),
            // FFM: a library opened and a native function linked without System.load.
            new Target("java/lang/foreign/SymbolLookup", "libraryLookup", "(Ljava/lang/String;Ljava/lang/foreign/Arena;)Ljava/lang/foreign/SymbolLookup;",
                    0, Sink.NATIVE_LOAD),
            new Target("java/lang/foreign/SymbolLookup", "libraryLookup", "(Ljava/nio/file/Path;Ljava/lang/foreign/Arena;)Ljava/lang/foreign/SymbolLookup;",
                    0, Sink.NATIVE_LOAD),
            // Both Linker.downcallHandle overloads come here.
            new Target("jdk/internal/foreign/abi/AbstractLinker", "downcallHandle0",
                    "(Ljava/lang/foreign/FunctionDescriptor;[Ljava/lang/foreign/Linker$Option;)Ljava/lang/invoke/MethodHandle;", 1, Sink.NATIVE_LINK),
            new Target("javax/script/ScriptEngineManager", "getEngineByName", null, 1, Sink.SCRIPT_ENGINE),
            new Target("javax/script/ScriptEngineManager", "getEngineByExtension", null, 1, Sink.SCRIPT_ENGINE),
            new Target("javax/script/ScriptEngineManager", "getEngineByMimeType", null, 1, Sink.SCRIPT_ENGINE),
            // Self-protection: reflective handles on preempt's own classes.
            new Target("java/lang/Class", "getDeclaredField", null, 0, null),
            new Target("java/lang/Class", "getDeclaredFields", null, 0, null),
            new Target("java/lang/Class", "getDeclaredMethod", null, 0, null),
            new Target("java/lang/Class", "getDeclaredMethods", null, 0, null),
            new Target("java/lang/Class", "getDeclaredConstructor", null, 0, null),
            new Target("java/lang/Class", "getDeclaredConstructors", null, 0, null),
            new Target("java/lang/invoke/MethodHandles", "privateLookupIn", null, 0, null));

    /** Internal names of the classes that hold a guarded method. */
    public static final Set<String> CLASSES = TARGETS.stream().map(Target::owner).collect(Collectors.toUnmodifiableSet());

    private SinkGuardInserter() {}

    /** The class with its guarded methods' entries checked, or null if it holds none. */
    public static byte[] rewrite(String className, byte[] bytes) {
        if (!CLASSES.contains(className)) {
            return null;
        }
        ClassNode cn = new ClassNode(Opcodes.ASM9);
        new ClassReader(bytes).accept(cn, 0);
        boolean changed = false;
        for (MethodNode m : cn.methods) {
            if ((m.access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
                continue;
            }
            for (Target t : TARGETS) {
                if (t.owner().equals(className) && t.name().equals(m.name) && (t.desc() == null || t.desc().equals(m.desc))) {
                    m.instructions.insert(entryCheck(t));
                    m.maxStack += 2;
                    changed = true;
                    break;
                }
            }
        }
        if (!changed) {
            return null;
        }
        ClassWriter cw = new ClassWriter(0);
        cn.accept(cw);
        return cw.toByteArray();
    }

    private static InsnList entryCheck(Target t) {
        InsnList l = new InsnList();
        for (int slot : t.slots()) {
            l.add(slot < 0 ? new InsnNode(Opcodes.ACONST_NULL) : new VarInsnNode(Opcodes.ALOAD, slot));
        }
        if (t.guard() == Guard.CHECK) {
            l.add(new IntInsnNode(Opcodes.BIPUSH, t.sink().ordinal()));
        }
        l.add(new MethodInsnNode(Opcodes.INVOKESTATIC, GUARD, t.guard().method, t.guard().desc, false));
        return l;
    }
}
