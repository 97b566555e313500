package dev.preempt.agent.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.preempt.agent.options.AgentConfig;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * The threads=map rewrite on javac output: which calls go to the bridge, which overrides a subclass gets,
 * and that the rewritten classes pass the JVM's verifier and still behave the same when no scheduler runs
 * (the bridge then passes everything through: that is how an unmapped JVM must behave).
 */
class ThreadMapRewriterTest {
    private static final ClassRewriter REWRITER = new ClassRewriter(AgentConfig.defaults());
    private static final String BRIDGE = "dev/preempt/runtime/threads/ThreadBridge";

    private static byte[] bytes(Class<?> c) throws IOException {
        try (InputStream in = c.getResourceAsStream(c.getSimpleName().isEmpty() ? null : c.getName().substring(c.getName().lastIndexOf('.') + 1) + ".class")) {
            return in.readAllBytes();
        }
    }

    private static ClassNode node(byte[] b) {
        ClassNode cn = new ClassNode();
        new ClassReader(b).accept(cn, 0);
        return cn;
    }

    private static List<MethodInsnNode> bridgeCalls(MethodNode m) {
        return StreamSupport.stream(m.instructions.spliterator(), false)
                .filter(n -> n instanceof MethodInsnNode mi && mi.owner.equals(BRIDGE)).map(n -> (MethodInsnNode) n).toList();
    }

    private static MethodNode method(ClassNode cn, String name) {
        return cn.methods.stream().filter(m -> m.name.equals(name)).findFirst().orElseThrow();
    }

    @Test
    void creationSitesAndFinalMethodsGoToTheBridge() throws IOException {
        byte[] out = REWRITER.rewrite("dev/preempt/agent/transform/ThreadShapes", bytes(ThreadShapes.class));
        assertNotNull(out);
        ClassNode cn = node(out);
        List<String> plain = bridgeCalls(method(cn, "plainThread")).stream().map(mi -> mi.name).toList();
        assertTrue(plain.containsAll(List.of("adopt", "join", "isAlive")), plain.toString());
        List<MethodInsnNode> pools = bridgeCalls(method(cn, "pools"));
        assertEquals(2, pools.stream().filter(mi -> mi.name.equals("threadFactory")).count(), "the TPE constructor and newCachedThreadPool get a factory");
        MethodNode p = method(cn, "pools");
        boolean swapBeforeCtor = StreamSupport.stream(p.instructions.spliterator(), false)
                .anyMatch(n -> n.getOpcode() == Opcodes.SWAP && n.getNext() instanceof MethodInsnNode mi && mi.name.equals("<init>")
                        && mi.desc.contains("ThreadFactory;Ljava/util/concurrent/RejectedExecutionHandler;"));
        assertTrue(swapBeforeCtor, "the factory is swapped in before the handler");
        MethodNode lambda = cn.methods.stream().filter(m -> m.name.startsWith("lambda$plainThread")).findFirst().orElseThrow();
        assertTrue(bridgeCalls(lambda).stream().anyMatch(mi -> mi.name.equals("currentThread")), "Thread.currentThread() is bridged");
    }

    @Test
    void callsThatEnumerateThreadsGoToThreadVisibility() throws IOException {
        ClassNode cn = node(REWRITER.rewrite("dev/preempt/agent/transform/ThreadShapes", bytes(ThreadShapes.class)));
        List<String> calls = StreamSupport.stream(method(cn, "enumeration").instructions.spliterator(), false)
                .filter(n -> n instanceof MethodInsnNode mi && mi.owner.equals(ThreadVisibilityRewriter.VISIBILITY))
                .map(n -> ((MethodInsnNode) n).name + ((MethodInsnNode) n).desc).toList();
        assertEquals(List.of("activeCount(Ljava/lang/ThreadGroup;)I", "enumerate(Ljava/lang/ThreadGroup;[Ljava/lang/Thread;)I",
                "enumerate(Ljava/lang/ThreadGroup;[Ljava/lang/Thread;Z)I", "threadActiveCount()I", "threadEnumerate([Ljava/lang/Thread;)I",
                "getThreadMXBean()Ljava/lang/management/ThreadMXBean;"), calls);
    }

    @Test
    void subclassGetsOverridesExceptWhatItDeclaresAndItsSuperCallIsRedirected() throws IOException {
        byte[] out = REWRITER.rewrite("dev/preempt/agent/transform/ThreadShapes$Sub", bytes(ThreadShapes.Sub.class));
        ClassNode cn = node(out);
        for (String m : List.of("start", "isInterrupted", "getState", "getStackTrace", "setContextClassLoader")) {
            MethodNode added = method(cn, m);
            assertTrue((added.access & Opcodes.ACC_SYNTHETIC) != 0, m + " is added, marked synthetic");
            assertEquals(m, bridgeCalls(added).get(0).name);
        }
        MethodNode interrupt = method(cn, "interrupt");
        assertFalse((interrupt.access & Opcodes.ACC_SYNTHETIC) != 0, "the app's own interrupt() is kept");
        assertEquals("interrupt", bridgeCalls(interrupt).get(0).name, "its super.interrupt() goes to the bridge");
        MethodNode init = method(cn, "<init>");
        assertEquals("constructed", bridgeCalls(init).get(0).name);
        AbstractInsnNode superCall = StreamSupport.stream(init.instructions.spliterator(), false)
                .filter(n -> n instanceof MethodInsnNode mi && mi.name.equals("<init>")).findFirst().orElseThrow();
        assertTrue(superCall.getNext().getOpcode() == Opcodes.ALOAD, "constructed(this) right after super(...)");
    }

    @Test
    void retransformationAddsNoMethods() throws IOException {
        byte[] out = REWRITER.rewrite("dev/preempt/agent/transform/ThreadShapes$Sub", bytes(ThreadShapes.Sub.class),
                ClassLoader.getSystemClassLoader(), true);
        assertEquals(node(bytes(ThreadShapes.Sub.class)).methods.size(), node(out).methods.size());
    }

    @Test
    void rewrittenClassesVerifyAndBehaveTheSameWithoutAScheduler() throws Exception {
        SafepointInserterTest.ByteLoader loader = new SafepointInserterTest.ByteLoader();
        loader.define(ThreadShapes.Sub.class.getName(), REWRITER.rewrite("dev/preempt/agent/transform/ThreadShapes$Sub", bytes(ThreadShapes.Sub.class)));
        Class<?> c = loader.define(ThreadShapes.class.getName(), REWRITER.rewrite("dev/preempt/agent/transform/ThreadShapes", bytes(ThreadShapes.class)));
        assertEquals(ThreadShapes.plainThread(), c.getMethod("plainThread").invoke(null));
        assertEquals(ThreadShapes.subclass(), c.getMethod("subclass").invoke(null));
        assertEquals(ThreadShapes.pools(), c.getMethod("pools").invoke(null));
        assertEquals(ThreadShapes.enumeration(), c.getMethod("enumeration").invoke(null));
        assertEquals("self=true direct=true all=true mx=true", ThreadShapes.enumeration());
    }
}
