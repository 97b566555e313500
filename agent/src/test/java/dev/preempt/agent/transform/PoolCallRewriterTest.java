package dev.preempt.agent.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.preempt.agent.options.AgentConfig;
import dev.preempt.runtime.threads.JdkPools;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * The JDK-pool rewrite: its table covers every executor-less async method the JDK (the one running the test)
 * declares, the bridge has each redirected descriptor, and rewritten javac output verifies and computes the
 * same (with no scheduler running the bridge is the JDK call).
 */
class PoolCallRewriterTest {
    private static final ClassRewriter REWRITER = new ClassRewriter(AgentConfig.defaults());

    /** Every public {@code *Async}/{@code delayedExecutor} method without an Executor parameter, as owner.name+desc. */
    private static List<Method> executorLess(Class<?> type) {
        return Arrays.stream(type.getMethods())
                .filter(m -> m.getDeclaringClass() == type && !m.isBridge() && (m.getName().endsWith("Async") || m.getName().equals("delayedExecutor")))
                .filter(m -> !Arrays.asList(m.getParameterTypes()).contains(Executor.class)).toList();
    }

    @Test
    void everyAsyncMethodWithoutAnExecutorIsRedirectedToABridgeOfTheSameStackEffect() {
        Set<String> bridges = new HashSet<>();
        for (Method m : JdkPools.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                bridges.add(m.getName() + Type.getMethodDescriptor(m));
            }
        }
        List<String> missing = new ArrayList<>();
        int seen = 0;
        for (Class<?> type : List.of(CompletableFuture.class, CompletionStage.class)) {
            String owner = Type.getInternalName(type);
            for (Method m : executorLess(type)) {
                seen++;
                String desc = Type.getMethodDescriptor(m);
                boolean covered = Modifier.isStatic(m.getModifiers())
                        ? PoolCallRewriter.STATICS.contains(owner + "." + m.getName() + desc) && bridges.contains(m.getName() + desc)
                        : PoolCallRewriter.isStageMethod(owner, m.getName(), desc) && bridges.contains(m.getName() + "(L" + owner + ";" + desc.substring(1));
                if (!covered) {
                    missing.add(owner + "." + m.getName() + desc);
                }
            }
        }
        assertEquals(2 + 1 + 15 + 14, seen, "the JDK's executor-less async methods (supplyAsync, runAsync, delayedExecutor; 15 on CompletableFuture; 14 on CompletionStage)");
        assertTrue(missing.isEmpty(), "not redirected: " + missing);
        for (String s : PoolCallRewriter.STATICS) {
            if (s.startsWith("java/util/concurrent/Executors.")) {
                assertTrue(bridges.contains(s.substring(s.indexOf('.') + 1)), s);
            }
        }
    }

    private static byte[] bytes(Class<?> c) throws IOException {
        try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
            return in.readAllBytes();
        }
    }

    private static List<MethodInsnNode> bridgeCalls(ClassNode cn, String method) {
        MethodNode m = cn.methods.stream().filter(x -> x.name.equals(method)).findFirst().orElseThrow();
        return StreamSupport.stream(m.instructions.spliterator(), false)
                .filter(n -> n instanceof MethodInsnNode mi && mi.owner.equals(PoolCallRewriter.BRIDGE)).map(n -> (MethodInsnNode) n).toList();
    }

    @Test
    void rewrittenCallsVerifyAndComputeTheSame() throws Exception {
        byte[] out = REWRITER.rewrite("dev/preempt/agent/transform/PoolShapes", bytes(PoolShapes.class));
        assertNotNull(out);
        ClassNode cn = new ClassNode();
        new ClassReader(out).accept(cn, 0);
        List<String> futures = bridgeCalls(cn, "futures").stream().map(mi -> mi.name).toList();
        assertTrue(futures.containsAll(List.of("supplyAsync", "thenApplyAsync", "thenCombineAsync", "runAsync", "handleAsync", "completeAsync")), futures.toString());
        for (String receiver : List.of("CompletableFuture", "CompletionStage")) {
            assertEquals(1, bridgeCalls(cn, "futures").stream()
                    .filter(mi -> mi.name.equals("thenApplyAsync") && mi.desc.startsWith("(Ljava/util/concurrent/" + receiver + ";")).count(),
                    "thenApplyAsync on a " + receiver + ", receiver first");
        }
        List<MethodInsnNode> pools = bridgeCalls(cn, "pools");
        assertEquals(1, pools.size(), "the pool cast to ForkJoinPool stays the JDK's: " + pools.stream().map(mi -> mi.name + mi.desc).toList());

        SafepointInserterTest.ByteLoader loader = new SafepointInserterTest.ByteLoader();
        Class<?> c = loader.define(PoolShapes.class.getName(), out);
        assertEquals(PoolShapes.futures(), c.getMethod("futures").invoke(null));
        assertEquals(PoolShapes.pools(), c.getMethod("pools").invoke(null));
        assertEquals("23 null 22 3 5 c", PoolShapes.futures());
    }

    @Test
    void withoutTheSchedulerTheBridgeIsTheJdksPool() throws Exception {
        // No scheduler runs in this JVM: the bridge must hand back exactly what the JDK does.
        assertEquals(Executors.newWorkStealingPool(3).getClass(), JdkPools.newWorkStealingPool(3).getClass());
        assertTrue(JdkPools.supplyAsync(() -> Thread.currentThread().getName()).join().startsWith("ForkJoinPool.commonPool-worker-"));
    }
}
