package dev.preempt.agent.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.preempt.agent.options.AgentConfig;
import dev.preempt.runtime.safepoint.LoopStrip;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;

/** Which loop shapes are strip-mined, and that each still computes what it did, at the edges too. */
class LoopStripMinerTest {
    private static final ClassRewriter REWRITER = new ClassRewriter(AgentConfig.defaults());

    private static byte[] rewrittenShapes() throws Exception {
        byte[] in;
        try (var is = LoopShapes.class.getResourceAsStream("LoopShapes.class")) {
            in = is.readAllBytes();
        }
        return REWRITER.rewrite(LoopShapes.class.getName().replace('.', '/'), in);
    }

    @Test
    void everyCountedShapeIsStripMinedAndTheOthersAreNot() throws Exception {
        ClassNode cn = new ClassNode();
        new ClassReader(rewrittenShapes()).accept(cn, 0);
        Map<String, Long> strips = cn.methods.stream().collect(Collectors.toMap(m -> m.name,
                m -> StreamSupport.stream(m.instructions.spliterator(), false)
                        .filter(n -> n instanceof MethodInsnNode mi && mi.owner.equals(LoopStripMiner.STRIP_OWNER)).count()));
        List<String> missed = new ArrayList<>();
        for (Method m : LoopShapes.class.getDeclaredMethods()) {
            long n = strips.getOrDefault(m.getName(), 0L);
            boolean expected = !m.getName().startsWith("notCounted");
            if ((n > 0) != expected) missed.add(m.getName() + "=" + n);
        }
        assertTrue(missed.isEmpty(), "strip-mined counted shapes only: " + missed);
    }

    @Test
    void everyShapeGivesTheSameResultsAndExceptionsAfterStripMining() throws Exception {
        Class<?> rewritten = new SafepointInserterTest.ByteLoader().define(LoopShapes.class.getName(), rewrittenShapes());
        for (int n : new int[] {0, 1, 2, 4095, 4096, 4097, 10_001}) {
            Object before = new LoopShapes(n);
            Object after = rewritten.getConstructor(int.class).newInstance(n);
            int[] arr = new int[n];
            for (int i = 0; i < n; i++) arr[i] = i % 5 - 2;
            List<Integer> list = new ArrayList<>();
            for (int i = 0; i < n; i++) list.add(i);
            for (Method m : LoopShapes.class.getDeclaredMethods()) {
                if (!java.lang.reflect.Modifier.isPublic(m.getModifiers())) continue;
                for (Object[] args : argsFor(m, n, arr, list)) {
                    Method r = rewritten.getMethod(m.getName(), m.getParameterTypes());
                    assertEquals(outcome(m, before, args), outcome(r, after, args), m.getName() + java.util.Arrays.toString(args));
                }
            }
        }
    }

    private static List<Object[]> argsFor(Method m, int n, int[] arr, List<Integer> list) {
        Class<?>[] p = m.getParameterTypes();
        List<Object[]> all = new ArrayList<>();
        if (p.length == 0) {
            all.add(new Object[0]);
        } else if (p.length == 1 && p[0] == int.class) {
            for (int v : new int[] {n, -n, 0, 7}) all.add(new Object[] {v});
        } else if (p.length == 1 && p[0] == long.class) {
            for (long v : new long[] {n, -n, 0, Long.MAX_VALUE - 3 * n, Long.MIN_VALUE}) {
                if (v < 100_000) all.add(new Object[] {v});
            }
        } else if (p.length == 2 && p[0] == int.class) {
            all.add(new Object[] {0, n});
            all.add(new Object[] {n, 0});
            all.add(new Object[] {Integer.MAX_VALUE - n, Integer.MAX_VALUE});
            all.add(new Object[] {Integer.MIN_VALUE, Integer.MIN_VALUE + n});
        } else if (p.length == 1 && p[0] == int[].class) {
            all.add(new Object[] {arr});
        } else if (p.length == 2 && p[0] == int[].class) {
            all.add(new Object[] {arr, n});
            all.add(new Object[] {null, n});
        } else if (p[0] == String.class) {
            all.add(new Object[] {"x".repeat(n)});
            all.add(new Object[] {null});
        } else if (p[0] == List.class) {
            all.add(new Object[] {list});
        } else {
            throw new AssertionError("no arguments for " + m);
        }
        return all;
    }

    /** The result, or the exception's class and message. */
    private static Object outcome(Method m, Object target, Object[] args) throws IllegalAccessException {
        if (m.getName().equals("inclusive") && Objects.equals(args[1], Integer.MAX_VALUE)) return "skipped: never ends";
        if (m.getName().equals("notCountedNotEqual") && ((int) args[0]) < 0) return "skipped: runs 2^32 times";
        try {
            return m.invoke(java.lang.reflect.Modifier.isStatic(m.getModifiers()) ? null : target, args);
        } catch (InvocationTargetException e) {
            return e.getCause().getClass().getName() + ": " + e.getCause().getMessage();
        }
    }

    /**
     * Loops entered at their bottom test, as javac before 1.5 and ecj write them:
     * {@code goto test; head: body; test: if (cond) goto head}. With and without stack map frames.
     */
    @Test
    void rotatedLoopsEnteredAtTheirTestAreStripMinedOrCounted() throws Exception {
        for (int version : new int[] {Opcodes.V1_1, Opcodes.V17}) {
            ClassWriter cw = new ClassWriter(version >= Opcodes.V1_6 ? ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS : ClassWriter.COMPUTE_MAXS);
            cw.visit(version, Opcodes.ACC_PUBLIC, "Rotated", null, "java/lang/Object", null);
            // static int sum(int n) { int s = 0, i = 0; goto test; head: s += i; i++; test: if (i < n) goto head; return s; }
            MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "sum", "(I)I", null, null);
            mv.visitCode();
            Label head = new Label();
            Label test = new Label();
            mv.visitInsn(Opcodes.ICONST_0);
            mv.visitVarInsn(Opcodes.ISTORE, 1);
            mv.visitInsn(Opcodes.ICONST_0);
            mv.visitVarInsn(Opcodes.ISTORE, 2);
            mv.visitJumpInsn(Opcodes.GOTO, test);
            mv.visitLabel(head);
            mv.visitVarInsn(Opcodes.ILOAD, 1);
            mv.visitVarInsn(Opcodes.ILOAD, 2);
            mv.visitInsn(Opcodes.IADD);
            mv.visitVarInsn(Opcodes.ISTORE, 1);
            mv.visitIincInsn(2, 1);
            mv.visitLabel(test);
            mv.visitVarInsn(Opcodes.ILOAD, 2);
            mv.visitVarInsn(Opcodes.ILOAD, 0);
            mv.visitJumpInsn(Opcodes.IF_ICMPLT, head);
            mv.visitVarInsn(Opcodes.ILOAD, 1);
            mv.visitInsn(Opcodes.IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
            // static int count(java.util.Iterator it) { int c = 0; goto test; head: it.next(); c++; test: if (it.hasNext()) goto head; return c; }
            mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "count", "(Ljava/util/Iterator;)I", null, null);
            mv.visitCode();
            head = new Label();
            test = new Label();
            mv.visitInsn(Opcodes.ICONST_0);
            mv.visitVarInsn(Opcodes.ISTORE, 1);
            mv.visitJumpInsn(Opcodes.GOTO, test);
            mv.visitLabel(head);
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, "java/util/Iterator", "next", "()Ljava/lang/Object;", true);
            mv.visitInsn(Opcodes.POP);
            mv.visitIincInsn(1, 1);
            mv.visitLabel(test);
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, "java/util/Iterator", "hasNext", "()Z", true);
            mv.visitJumpInsn(Opcodes.IFNE, head);
            mv.visitVarInsn(Opcodes.ILOAD, 1);
            mv.visitInsn(Opcodes.IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
            cw.visitEnd();
            byte[] out = REWRITER.rewrite("Rotated", cw.toByteArray());
            ClassNode cn = new ClassNode();
            new ClassReader(out).accept(cn, 0);
            Map<String, List<String>> calls = cn.methods.stream().collect(Collectors.toMap(m -> m.name,
                    m -> StreamSupport.stream(m.instructions.spliterator(), false)
                            .filter(n -> n instanceof MethodInsnNode).map(n -> ((MethodInsnNode) n).name).toList()));
            assertTrue(calls.get("sum").contains("limitUp"), "version " + version + ": the rotated counted loop is strip-mined: " + calls);
            assertEquals(1, java.util.Collections.frequency(calls.get("count"), "poll"), "version " + version + ": the rotated iterator loop polls once, outside its counted inner loop");
            Class<?> c = new SafepointInserterTest.ByteLoader().define("Rotated", out);
            for (int n : new int[] {-5, 0, 1, 63, 64, 65, 4096, 4097, 100_000}) {
                int expected = 0;
                for (int i = 0; i < n; i++) expected += i;
                assertEquals(expected, c.getMethod("sum", int.class).invoke(null, n), "sum n=" + n);
                List<Integer> l = java.util.Collections.nCopies(Math.max(0, n), 1);
                assertEquals(l.size(), c.getMethod("count", java.util.Iterator.class).invoke(null, l.iterator()), "count n=" + n);
            }
        }
    }

    @Test
    void stripLimitsStayBetweenTheIndexAndTheBoundAndSaturate() {
        assertEquals(Integer.MAX_VALUE, LoopStrip.limitUp(Integer.MAX_VALUE - 10, Integer.MAX_VALUE, 4096));
        assertEquals(Integer.MIN_VALUE, LoopStrip.limitDown(Integer.MIN_VALUE + 10, Integer.MIN_VALUE, 4096));
        assertEquals(100, LoopStrip.limitUp(0, 100, 4096));
        assertEquals(4096, LoopStrip.limitUp(0, 100_000, 4096));
        assertEquals(-4096, LoopStrip.limitDown(0, -100_000, 4096));
        assertEquals(Long.MAX_VALUE, LoopStrip.limitUp(Long.MAX_VALUE - 10, Long.MAX_VALUE, 4096));
        assertEquals(Long.MIN_VALUE, LoopStrip.limitDown(Long.MIN_VALUE + 10, Long.MIN_VALUE, 4096));
        assertEquals(5L, LoopStrip.limitDown(10L, 5L, 4096));
    }
}
