package dev.preempt.agent.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * The JDK methods CFI guards exist in this JDK with the descriptors the table names (a JDK that renamed
 * one would leave its sink unguarded silently), and each gets its check as its first call.
 */
class SinkGuardInserterTest {

    private static byte[] jdkClass(String internalName) throws Exception {
        try (InputStream in = ClassLoader.getSystemResourceAsStream(internalName + ".class")) {
            if (in != null) return in.readAllBytes();
        }
        var module = Class.forName(internalName.replace('/', '.'), false, null).getModule();
        try (InputStream in = module.getResourceAsStream(internalName + ".class")) {
            return in.readAllBytes();
        }
    }

    @Test
    void everyGuardedJdkMethodExistsAndIsCheckedAtEntry() throws Exception {
        List<String> missing = new ArrayList<>();
        for (String owner : SinkGuardInserter.CLASSES) {
            byte[] out = SinkGuardInserter.rewrite(owner, jdkClass(owner));
            assertNotNull(out, owner);
            ClassNode cn = new ClassNode();
            new ClassReader(out).accept(cn, 0);
            for (SinkGuardInserter.Target t : SinkGuardInserter.TARGETS) {
                if (!t.owner().equals(owner)) continue;
                MethodNode m = cn.methods.stream().filter(x -> x.name.equals(t.name()) && (t.desc() == null || x.desc.equals(t.desc())))
                        .findFirst().orElse(null);
                if (m == null) {
                    missing.add(t.owner() + "." + t.name() + (t.desc() == null ? "" : t.desc()));
                    continue;
                }
                MethodInsnNode first = (MethodInsnNode) java.util.stream.StreamSupport.stream(m.instructions.spliterator(), false)
                        .filter(n -> n instanceof MethodInsnNode).findFirst().orElseThrow();
                assertEquals(SinkGuardInserter.GUARD, first.owner, t.toString());
                assertEquals(t.guard().method, first.name, t.toString());
                assertEquals(t.guard().desc, first.desc, t.toString());
                assertSlotsFitTheGuard(t, m);
            }
        }
        assertEquals(List.of(), missing, "guarded JDK methods missing from JDK " + Runtime.version());
    }

    /** Each slot passed is an argument (or this) of a type the guard's parameter accepts: a wrong slot would fail to verify or pass the wrong value. */
    private static void assertSlotsFitTheGuard(SinkGuardInserter.Target t, MethodNode m) throws ClassNotFoundException {
        List<Type> locals = new ArrayList<>();
        if ((m.access & Opcodes.ACC_STATIC) == 0) locals.add(Type.getObjectType(t.owner()));
        for (Type a : Type.getArgumentTypes(m.desc)) {
            locals.add(a);
            if (a.getSize() == 2) locals.add(null);
        }
        Type[] params = Type.getArgumentTypes(t.guard().desc);
        int passed = t.guard() == SinkGuardInserter.Guard.CHECK ? params.length - 1 : params.length;
        assertEquals(passed, t.slots().length, t + ": slots for " + t.guard().desc);
        for (int i = 0; i < passed; i++) {
            int slot = t.slots()[i];
            if (slot < 0) continue;
            Type local = locals.get(slot);
            assertTrue(local != null && (local.getSort() == Type.OBJECT || local.getSort() == Type.ARRAY), t + ": slot " + slot + " is " + local);
            Class<?> param = Class.forName(params[i].getClassName(), false, null);
            Class<?> arg = local.getSort() == Type.ARRAY ? Object[].class : Class.forName(local.getClassName(), false, null);
            assertTrue(param.isAssignableFrom(arg), t + ": slot " + slot + " (" + arg.getName() + ") is no " + param.getName());
        }
    }

    @Test
    void fileWritesUdpAndForeignLinkingAreGuardedWhereEveryPathGoesThrough() {
        List<String> guarded = SinkGuardInserter.TARGETS.stream()
                .map(t -> t.owner() + "." + t.name() + " " + t.guard() + " " + (t.sink() == null ? "-" : t.sink().id())).toList();
        for (String expected : List.of(
                "java/io/RandomAccessFile.<init> RANDOM_ACCESS_OPEN file.write",
                "java/nio/channels/FileChannel.open CHANNEL_OPEN file.write",
                "java/nio/file/Files.newByteChannel CHANNEL_OPEN file.write",
                "java/nio/channels/AsynchronousFileChannel.open CHANNEL_OPEN file.write",
                "java/nio/file/Files.copy CHECK file.write",
                "java/nio/file/Files.move MOVE file.write",
                "sun/nio/ch/DatagramChannelImpl.bind CHECK socket.bind",
                "sun/nio/ch/DatagramChannelImpl.connect CHECK socket.connect",
                "sun/nio/ch/DatagramChannelImpl.send DATAGRAM_SEND socket.connect",
                "java/lang/foreign/SymbolLookup.libraryLookup CHECK native.load",
                "jdk/internal/foreign/abi/AbstractLinker.downcallHandle0 CHECK native.link")) {
            assertTrue(guarded.contains(expected), expected + " in " + guarded);
        }
    }

    @Test
    void classesOutsideTheTableAreLeftAlone() throws Exception {
        assertEquals(null, SinkGuardInserter.rewrite("java/lang/String", jdkClass("java/lang/String")));
    }
}
