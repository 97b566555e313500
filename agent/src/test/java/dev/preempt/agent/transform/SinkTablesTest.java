package dev.preempt.agent.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * The sink tables are complete for this JDK: every public method and constructor of the JDK classes that
 * create processes, write, move, delete, link or change permissions of files, open connections or
 * listeners, look up JNDI names, deserialise, define classes, load native code or link downcalls, or
 * evaluate scripts is either guarded ({@link SinkGuardInserter#TARGETS}), reaches a guarded method through
 * the JDK's own code (found by following the calls in its bytecode, {@link #reaches}), or is listed in
 * {@link #UNGUARDED} with the reason it is not. A JDK that adds a method fails this test until it is
 * classified, so an addition cannot slip through silently.
 */
class SinkTablesTest {
    private static final String READ = "reads or queries only";
    private static final String OPEN = "acts on a stream, channel or socket already opened (its open is the sink)";
    private static final String CONFIG = "configures the object; nothing reaches the OS";
    private static final String PROVIDER = "GAP: a FileSystemProvider called directly by app code bypasses the Files guards (docs/limits.md)";

    /** Abstract JDK types and the implementation whose code runs on this JDK (Linux), followed when the type has none. */
    private static final Map<String, String> IMPLEMENTATIONS = Map.of(
            "java/nio/channels/SocketChannel", "sun/nio/ch/SocketChannelImpl",
            "java/nio/channels/ServerSocketChannel", "sun/nio/ch/ServerSocketChannelImpl",
            "java/nio/channels/DatagramChannel", "sun/nio/ch/DatagramChannelImpl",
            "java/nio/channels/AsynchronousSocketChannel", "sun/nio/ch/UnixAsynchronousSocketChannelImpl",
            "java/nio/channels/AsynchronousServerSocketChannel", "sun/nio/ch/UnixAsynchronousServerSocketChannelImpl",
            "java/net/DatagramSocket", "sun/nio/ch/DatagramSocketAdaptor",
            "java/nio/channels/FileChannel", "sun/nio/ch/FileChannelImpl",
            "java/lang/foreign/Linker", "jdk/internal/foreign/abi/AbstractLinker",
            "sun/nio/ch/AsynchronousSocketChannelImpl", "sun/nio/ch/UnixAsynchronousSocketChannelImpl");

    /** Per class: method names (every overload) not guarded, and why. */
    static final Map<Class<?>, Map<String, String>> UNGUARDED = new LinkedHashMap<>();

    private static void unguarded(Class<?> c, String reason, String... names) {
        Map<String, String> m = UNGUARDED.computeIfAbsent(c, k -> new HashMap<>());
        for (String n : names) m.put(n, reason);
    }

    static {
        unguarded(ProcessBuilder.class, CONFIG, "<init>", "command", "directory", "environment", "inheritIO", "redirectError",
                "redirectErrorStream", "redirectInput", "redirectOutput");
        unguarded(Runtime.class, READ, "availableProcessors", "freeMemory", "getRuntime", "maxMemory", "totalMemory", "version");
        unguarded(Runtime.class, "memory management; no process, file or code", "gc", "runFinalization");
        unguarded(Runtime.class, "registers app code to run at exit: the hook's own calls are checked when it runs",
                "addShutdownHook", "removeShutdownHook");
        unguarded(System.class, READ, "arraycopy", "console", "currentTimeMillis", "getLogger", "getProperties", "getProperty",
                "getSecurityManager", "getenv", "identityHashCode", "inheritedChannel", "lineSeparator", "mapLibraryName", "nanoTime");
        unguarded(System.class, "memory management; no process, file or code", "gc", "runFinalization");
        unguarded(System.class, "changes the JVM's own state (properties, standard streams), not the OS's", "clearProperty", "setErr", "setIn",
                "setOut", "setProperties", "setProperty");
        unguarded(System.class, "throws UnsupportedOperationException since JDK 24", "setSecurityManager");
        unguarded(java.io.File.class, READ, "<init>", "canExecute", "canRead", "canWrite", "compareTo", "equals", "exists", "getAbsoluteFile",
                "getAbsolutePath", "getCanonicalFile", "getCanonicalPath", "getFreeSpace", "getName", "getParent", "getParentFile", "getPath",
                "getTotalSpace", "getUsableSpace", "hashCode", "isAbsolute", "isDirectory", "isFile", "isHidden", "lastModified", "length", "list",
                "listFiles", "listRoots", "toPath", "toString", "toURI", "toURL");
        unguarded(java.io.FileOutputStream.class, OPEN, "close", "getChannel", "getFD", "write");
        unguarded(java.io.FileOutputStream.class, "wraps a file descriptor the app already holds (its open was the sink)", "<init>");
        unguarded(java.io.FileWriter.class, "wraps a file descriptor the app already holds (its open was the sink)", "<init>");
        unguarded(java.io.RandomAccessFile.class, OPEN, "close", "getChannel", "getFD", "getFilePointer", "length", "read", "readBoolean",
                "readByte", "readChar", "readDouble", "readFloat", "readFully", "readInt", "readLine", "readLong", "readShort", "readUTF",
                "readUnsignedByte", "readUnsignedShort", "seek", "setLength", "skipBytes", "write", "writeBoolean", "writeByte", "writeBytes",
                "writeChar", "writeChars", "writeDouble", "writeFloat", "writeInt", "writeLong", "writeShort", "writeUTF");
        unguarded(java.nio.file.Files.class, READ, "exists", "find", "getAttribute", "getFileStore", "getLastModifiedTime", "getOwner",
                "getPosixFilePermissions", "isDirectory", "isExecutable", "isHidden", "isReadable", "isRegularFile", "isSameFile",
                "isSymbolicLink", "isWritable", "list", "newBufferedReader", "newDirectoryStream", "notExists", "probeContentType", "readAllLines",
                "readAttributes", "readSymbolicLink", "size", "walk", "walkFileTree");
        unguarded(java.nio.file.Files.class, "GAP: a view's setters (PosixFileAttributeView.setPermissions, setTimes, setOwner) change "
                + "attributes unchecked (docs/limits.md)", "getFileAttributeView");
        unguarded(java.nio.channels.FileChannel.class, OPEN, "force", "lock", "map", "position", "read", "size", "transferFrom", "transferTo",
                "truncate", "tryLock", "write");
        unguarded(java.nio.channels.AsynchronousFileChannel.class, OPEN, "force", "lock", "read", "size", "truncate", "tryLock", "write");
        unguarded(java.nio.file.spi.FileSystemProvider.class, READ, "checkAccess", "exists", "getFileAttributeView", "getFileStore",
                "getFileSystem", "getPath", "getScheme", "installedProviders", "isHidden", "isSameFile", "newDirectoryStream", "readAttributes",
                "readAttributesIfExists", "readSymbolicLink");
        unguarded(java.nio.file.spi.FileSystemProvider.class, PROVIDER, "copy", "createDirectory", "createLink", "createSymbolicLink", "delete",
                "deleteIfExists", "move", "newAsynchronousFileChannel", "newByteChannel", "newFileChannel", "newOutputStream", "setAttribute");
        unguarded(java.nio.file.spi.FileSystemProvider.class, "opens a zip or custom file system: its writes go through that provider, "
                + "whose writes to the default file system are checked", "newFileSystem");
        unguarded(java.net.Socket.class, READ, "getChannel", "getInetAddress", "getKeepAlive", "getLocalAddress", "getLocalPort",
                "getLocalSocketAddress", "getOOBInline", "getOption", "getPort", "getReceiveBufferSize", "getRemoteSocketAddress", "getReuseAddress",
                "getSendBufferSize", "getSoLinger", "getSoTimeout", "getTcpNoDelay", "getTrafficClass", "isBound", "isClosed", "isConnected",
                "isInputShutdown", "isOutputShutdown", "supportedOptions", "toString");
        unguarded(java.net.Socket.class, CONFIG, "<init>", "setKeepAlive", "setOOBInline", "setOption", "setPerformancePreferences",
                "setReceiveBufferSize", "setReuseAddress", "setSendBufferSize", "setSoLinger", "setSoTimeout", "setSocketImplFactory",
                "setTcpNoDelay", "setTrafficClass");
        unguarded(java.net.Socket.class, OPEN, "close", "getInputStream", "getOutputStream", "sendUrgentData", "shutdownInput", "shutdownOutput");
        unguarded(java.net.Socket.class, "a client's local address: no connection and no listener (connect is the sink)", "bind");
        unguarded(java.net.ServerSocket.class, READ, "getChannel", "getInetAddress", "getLocalPort", "getLocalSocketAddress", "getOption",
                "getReceiveBufferSize", "getReuseAddress", "getSoTimeout", "isBound", "isClosed", "supportedOptions", "toString");
        unguarded(java.net.ServerSocket.class, CONFIG, "<init>", "setOption", "setPerformancePreferences", "setReceiveBufferSize",
                "setReuseAddress", "setSoTimeout", "setSocketFactory");
        unguarded(java.net.ServerSocket.class, OPEN, "accept", "close");
        unguarded(java.net.DatagramSocket.class, READ, "getBroadcast", "getChannel", "getInetAddress", "getLocalAddress", "getLocalPort",
                "getLocalSocketAddress", "getOption", "getPort", "getReceiveBufferSize", "getRemoteSocketAddress", "getReuseAddress",
                "getSendBufferSize", "getSoTimeout", "getTrafficClass", "isBound", "isClosed", "isConnected", "supportedOptions");
        unguarded(java.net.DatagramSocket.class, CONFIG, "setBroadcast", "setDatagramSocketImplFactory", "setOption", "setReceiveBufferSize",
                "setReuseAddress", "setSendBufferSize", "setSoTimeout", "setTrafficClass");
        unguarded(java.net.DatagramSocket.class, OPEN, "close", "disconnect", "receive");
        unguarded(java.net.DatagramSocket.class, "multicast membership of a socket already bound (the bind was the sink)", "joinGroup", "leaveGroup");
        unguarded(java.nio.channels.SocketChannel.class, READ, "getLocalAddress", "getRemoteAddress", "isConnected", "isConnectionPending",
                "socket", "validOps");
        unguarded(java.nio.channels.SocketChannel.class, OPEN, "finishConnect", "read", "shutdownInput", "shutdownOutput", "write");
        unguarded(java.nio.channels.SocketChannel.class, CONFIG, "open", "setOption");
        unguarded(java.nio.channels.SocketChannel.class, "a client's local address: no connection and no listener (connect is the sink)", "bind");
        unguarded(java.nio.channels.ServerSocketChannel.class, READ, "getLocalAddress", "socket", "validOps");
        unguarded(java.nio.channels.ServerSocketChannel.class, CONFIG, "open", "setOption");
        unguarded(java.nio.channels.ServerSocketChannel.class, OPEN, "accept");
        unguarded(java.nio.channels.DatagramChannel.class, READ, "getLocalAddress", "getRemoteAddress", "isConnected", "socket", "validOps");
        unguarded(java.nio.channels.DatagramChannel.class, CONFIG, "open", "setOption");
        unguarded(java.nio.channels.DatagramChannel.class, OPEN, "disconnect", "read", "receive", "write");
        unguarded(java.nio.channels.AsynchronousSocketChannel.class, READ, "getLocalAddress", "getRemoteAddress", "provider");
        unguarded(java.nio.channels.AsynchronousSocketChannel.class, CONFIG, "open", "setOption");
        unguarded(java.nio.channels.AsynchronousSocketChannel.class, OPEN, "read", "shutdownInput", "shutdownOutput", "write");
        unguarded(java.nio.channels.AsynchronousSocketChannel.class, "a client's local address: no connection and no listener (connect is the sink)",
                "bind");
        unguarded(java.nio.channels.AsynchronousServerSocketChannel.class, READ, "getLocalAddress", "provider");
        unguarded(java.nio.channels.AsynchronousServerSocketChannel.class, CONFIG, "open", "setOption");
        unguarded(java.nio.channels.AsynchronousServerSocketChannel.class, OPEN, "accept");
        unguarded(java.net.URL.class, READ, "<init>", "equals", "getAuthority", "getDefaultPort", "getFile", "getHost", "getPath", "getPort",
                "getProtocol", "getQuery", "getRef", "getUserInfo", "hashCode", "of", "sameFile", "toExternalForm", "toString", "toURI");
        unguarded(java.net.URL.class, "the protocol handler connects through Socket.connect or SocketChannelImpl.connect (guarded) for http(s) "
                + "and ftp; file: and jar: only read", "getContent", "openConnection", "openStream");
        unguarded(java.net.URL.class, "sets the JVM's handler factory once; the handlers' connections are checked", "setURLStreamHandlerFactory");
        unguarded(java.net.http.HttpClient.class, READ, "authenticator", "connectTimeout", "cookieHandler", "executor", "followRedirects",
                "isTerminated", "proxy", "sslContext", "sslParameters", "version");
        unguarded(java.net.http.HttpClient.class, CONFIG, "newBuilder", "newHttpClient", "newWebSocketBuilder");
        unguarded(java.net.http.HttpClient.class, "connects through SocketChannelImpl.connect (guarded)", "send", "sendAsync");
        unguarded(java.net.http.HttpClient.class, "stops the client's own connections and threads", "awaitTermination", "close", "shutdown",
                "shutdownNow");
        unguarded(javax.naming.InitialContext.class, CONFIG, "<init>", "addToEnvironment", "close", "getEnvironment", "getNameInNamespace",
                "removeFromEnvironment");
        unguarded(javax.naming.InitialContext.class, "names only: composes two names, contacts nothing", "composeName");
        unguarded(javax.naming.directory.InitialDirContext.class, CONFIG, "<init>");
        unguarded(java.io.ObjectInputStream.class, OPEN, "available", "close", "read", "readBoolean", "readByte", "readChar", "readDouble",
                "readFloat", "readFully", "readInt", "readLine", "readLong", "readShort", "readUTF", "readUnsignedByte", "readUnsignedShort",
                "skipBytes");
        unguarded(java.io.ObjectInputStream.class, CONFIG, "<init>", "getObjectInputFilter", "registerValidation", "setObjectInputFilter");
        unguarded(ClassLoader.class, READ, "getDefinedPackage", "getDefinedPackages", "getName", "getParent", "getPlatformClassLoader",
                "getResource", "getResourceAsStream", "getResources", "getSystemClassLoader", "getSystemResource", "getSystemResourceAsStream",
                "getSystemResources", "getUnnamedModule", "isRegisteredAsParallelCapable", "resources");
        unguarded(ClassLoader.class, CONFIG, "clearAssertionStatus", "setClassAssertionStatus", "setDefaultAssertionStatus",
                "setPackageAssertionStatus");
        unguarded(ClassLoader.class, "loads a class through the loader's own defineClass (checked when app code defines)", "loadClass");
        unguarded(java.lang.invoke.MethodHandles.Lookup.class, READ, "accessClass", "dropLookupMode", "ensureInitialized", "findClass",
                "hasFullPrivilegeAccess", "hasPrivateAccess", "in", "lookupClass", "lookupModes", "previousLookupClass", "revealDirect", "toString");
        unguarded(java.lang.invoke.MethodHandles.Lookup.class, "a method handle lookup: a forward edge, checked at the app's call site "
                + "(CallGuardInserter), not a sink", "bind", "findConstructor", "findGetter", "findSetter", "findSpecial", "findStatic",
                "findStaticGetter", "findStaticSetter", "findStaticVarHandle", "findVarHandle", "findVirtual", "unreflect", "unreflectConstructor",
                "unreflectGetter", "unreflectSetter", "unreflectSpecial", "unreflectVarHandle");
        unguarded(java.lang.foreign.SymbolLookup.class, "searches a library already loaded (its load was the sink)", "find", "findOrThrow",
                "loaderLookup", "or");
        unguarded(java.lang.foreign.Linker.class, READ, "canonicalLayouts", "defaultLookup", "nativeLinker");
        unguarded(java.lang.foreign.Linker.class, "makes a Java method callable from native code: no native code is reached by it", "upcallStub");
        unguarded(javax.script.ScriptEngineManager.class, CONFIG, "<init>", "get", "getBindings", "getEngineFactories", "put",
                "registerEngineExtension", "registerEngineMimeType", "registerEngineName", "setBindings");
    }

    @Test
    void everyPublicMethodOfTheSinkClassesIsGuardedReachesAGuardOrIsListedWithItsReason() {
        List<String> unclassified = new ArrayList<>();
        for (Class<?> c : UNGUARDED.keySet()) {
            Map<String, String> listed = UNGUARDED.get(c);
            for (Executable e : publicMembers(c)) {
                String name = e instanceof Constructor<?> ? "<init>" : e.getName();
                String owner = Type.getInternalName(c);
                String desc = e instanceof Method m ? Type.getMethodDescriptor(m) : Type.getConstructorDescriptor((Constructor<?>) e);
                if (listed.containsKey(name) || guarded(owner, name, desc) || reaches(owner, name, desc)) {
                    continue;
                }
                unclassified.add(c.getName() + "." + name + desc);
            }
        }
        assertEquals(List.of(), unclassified, "public JDK methods neither guarded, reaching a guard, nor listed with a reason (JDK "
                + Runtime.version() + ")");
    }

    @Test
    void everyListedNameIsAPublicMemberOfThisJdk() {
        List<String> stale = new ArrayList<>();
        UNGUARDED.forEach((c, listed) -> {
            Set<String> names = new HashSet<>();
            publicMembers(c).forEach(e -> names.add(e instanceof Constructor<?> ? "<init>" : e.getName()));
            listed.keySet().stream().filter(n -> !names.contains(n)).forEach(n -> stale.add(c.getName() + "." + n));
        });
        assertEquals(List.of(), stale, "listed as unguarded but not a public member: remove from the table");
    }

    private static List<Executable> publicMembers(Class<?> c) {
        List<Executable> out = new ArrayList<>();
        for (Method m : c.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) out.add(m);
        }
        for (Constructor<?> k : c.getDeclaredConstructors()) {
            if (Modifier.isPublic(k.getModifiers())) out.add(k);
        }
        return out;
    }

    private static boolean guarded(String owner, String name, String desc) {
        for (SinkGuardInserter.Target t : SinkGuardInserter.TARGETS) {
            if (t.sink() != null && t.owner().equals(owner) && t.name().equals(name) && (t.desc() == null || t.desc().equals(desc))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the JDK's code of the method calls a guarded method, following static, special, virtual and
     * interface calls as written (and {@link #IMPLEMENTATIONS} where an abstract type has no code), at most
     * {@link #MAX_DEPTH} calls deep (deeper, nearly everything reaches something: class loading, logging,
     * error paths). A path that only some arguments take counts: this is a tripwire for methods nobody
     * looked at, not a proof.
     */
    private static final int MAX_DEPTH = 4;

    static boolean reaches(String owner, String name, String desc) {
        ArrayDeque<String[]> work = new ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        work.add(new String[] {owner, name, desc, "0"});
        while (!work.isEmpty() && seen.size() < 2_000) {
            String[] m = work.poll();
            if (!seen.add(m[0] + "." + m[1] + m[2])) continue;
            if (!m[0].equals(owner) || !m[1].equals(name) || !m[2].equals(desc)) {
                if (guarded(m[0], m[1], m[2])) return true;
            }
            Code code = code(m[0], m[1], m[2]);
            if (code == null) continue;
            if (!code.owner().equals(m[0]) && guarded(code.owner(), m[1], m[2])) return true;
            if (Integer.parseInt(m[3]) == MAX_DEPTH) continue;
            for (AbstractInsnNode n : code.method().instructions) {
                if (n instanceof MethodInsnNode call && isJdk(call.owner)) {
                    work.add(new String[] {call.owner, call.name, call.desc, String.valueOf(Integer.parseInt(m[3]) + 1)});
                }
            }
        }
        return false;
    }

    private static boolean isJdk(String internalName) {
        return internalName.startsWith("java/") || internalName.startsWith("javax/") || internalName.startsWith("sun/")
                || internalName.startsWith("jdk/");
    }

    private static final Map<String, ClassNode> CLASSES = new HashMap<>();

    private record Code(String owner, MethodNode method) {}

    /**
     * The method's code: in the implementation of an abstract type ({@link #IMPLEMENTATIONS}) first, else in
     * the owner or its superclasses; null if none has code.
     */
    private static Code code(String owner, String name, String desc) {
        String impl = IMPLEMENTATIONS.get(owner);
        if (impl != null) {
            Code c = inHierarchy(impl, name, desc);
            if (c != null) return c;
        }
        return inHierarchy(owner, name, desc);
    }

    private static Code inHierarchy(String owner, String name, String desc) {
        for (String c = owner; c != null; ) {
            ClassNode cn = node(c);
            if (cn == null) return null;
            for (MethodNode m : cn.methods) {
                if (m.name.equals(name) && m.desc.equals(desc) && m.instructions.size() > 0) return new Code(c, m);
            }
            c = cn.superName;
        }
        return null;
    }

    private static ClassNode node(String internalName) {
        return CLASSES.computeIfAbsent(internalName, n -> {
            try {
                Class<?> c = Class.forName(n.replace('/', '.'), false, ClassLoader.getPlatformClassLoader());
                try (InputStream in = c.getModule().getResourceAsStream(n + ".class")) {
                    if (in == null) return null;
                    ClassNode cn = new ClassNode();
                    new ClassReader(in.readAllBytes()).accept(cn, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
                    return cn;
                }
            } catch (ClassNotFoundException | LinkageError e) {
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
