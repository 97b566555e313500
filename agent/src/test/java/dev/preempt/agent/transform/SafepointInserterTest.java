package dev.preempt.agent.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.preempt.agent.options.AgentConfig;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;

/** The poll rewrite on single classes: where polls go, and that the result loads and runs verified. */
class SafepointInserterTest {

    private static final ClassRewriter REWRITER = new ClassRewriter(AgentConfig.defaults());

    /** Polls per method of a rewritten class. */
    private static Map<String, Long> pollsPerMethod(byte[] bytes) {
        ClassNode cn = new ClassNode();
        new ClassReader(bytes).accept(cn, 0);
        return cn.methods.stream().collect(Collectors.toMap(m -> m.name,
                m -> java.util.stream.StreamSupport.stream(m.instructions.spliterator(), false).filter(SafepointInserter::isPoll).count()));
    }

    @Test
    void loopsGetABackEdgePollLeavesWithoutLoopsGetNone() throws Exception {
        byte[] in = Samples.loopsAndLeaves();
        byte[] out = REWRITER.rewrite("Shapes", in);
        assertNotNull(out);
        Map<String, Long> polls = pollsPerMethod(out);
        assertEquals(1L, polls.get("sum"), "a counted loop: one poll, once per strip");
        assertEquals(0L, polls.get("leaf"), "a leaf without loops pays nothing");
        assertEquals(1L, polls.get("caller"), "a method that calls gets an entry poll");
        assertEquals(0L, polls.get("<clinit>"), "never in <clinit>");
        Class<?> c = new ByteLoader().define("Shapes", out);
        Method sum = c.getMethod("sum", int.class);
        assertEquals(4950, sum.invoke(null, 100));
        assertEquals(42, c.getMethod("caller").invoke(null));
    }

    @Test
    void countedLoopIsStripMinedAndComputesTheSameResultsAtTheEdges() throws Exception {
        byte[] out = REWRITER.rewrite("Shapes", Samples.loopsAndLeaves());
        ClassNode cn = new ClassNode();
        new ClassReader(out).accept(cn, 0);
        MethodNode sum = cn.methods.stream().filter(m -> m.name.equals("sum")).findFirst().orElseThrow();
        boolean strip = java.util.stream.StreamSupport.stream(sum.instructions.spliterator(), false)
                .anyMatch(n -> n instanceof org.objectweb.asm.tree.MethodInsnNode mi && mi.owner.equals(LoopStripMiner.STRIP_OWNER));
        assertEquals(true, strip, "the counted loop was strip-mined");
        Method m = new ByteLoader().define("Shapes", out).getMethod("sum", int.class);
        for (int n : new int[] {0, 1, 4095, 4096, 4097, 10_000, 100_000}) {
            int expected = 0;
            for (int i = 0; i < n; i++) expected += i;
            assertEquals(expected, m.invoke(null, n), "n=" + n);
        }
    }

    @Test
    void javacLoopsGiveTheSameResultsAfterStripMining() throws Exception {
        String name = StripTargets.class.getName();
        byte[] in;
        try (var is = StripTargets.class.getResourceAsStream("StripTargets.class")) {
            in = is.readAllBytes();
        }
        byte[] out = REWRITER.rewrite(name.replace('.', '/'), in);
        ClassNode cn = new ClassNode();
        new ClassReader(out).accept(cn, 0);
        long strips = cn.methods.stream().flatMap(m -> java.util.stream.StreamSupport.stream(m.instructions.spliterator(), false))
                .filter(n -> n instanceof org.objectweb.asm.tree.MethodInsnNode mi && mi.owner.equals(LoopStripMiner.STRIP_OWNER)).count();
        assertEquals(true, strips >= 7, "field, static, local-array and innermost matmul loops are strip-mined: " + strips);
        Class<?> rewritten = new ByteLoader().define(name, out);
        for (int n : new int[] {0, 1, 4096, 10_001}) {
            Object before = new StripTargets(n);
            Object after = rewritten.getConstructor(int.class).newInstance(n);
            for (String m : new String[] {"sumField", "sumToFieldLimit", "sumToStaticLimit", "sumWithJdkCalls", "callMovesTheFieldBound"}) {
                if (n == 0 && m.equals("sumToFieldLimit")) continue;
                assertEquals(StripTargets.class.getMethod(m).invoke(before), rewritten.getMethod(m).invoke(after), m + " n=" + n);
            }
            assertEquals(StripTargets.class.getMethod("withBreakAndContinue", int.class).invoke(before, 5000),
                    rewritten.getMethod("withBreakAndContinue", int.class).invoke(after, 5000));
            assertEquals(StripTargets.class.getMethod("boundChangesInBody", int.class).invoke(before, 20),
                    rewritten.getMethod("boundChangesInBody", int.class).invoke(after, 20));
        }
        assertEquals(StripTargets.nearIntMax(Integer.MAX_VALUE - 5000), rewritten.getMethod("nearIntMax", int.class).invoke(null, Integer.MAX_VALUE - 5000));
        assertEquals(StripTargets.matmul(37), rewritten.getMethod("matmul", int.class).invoke(null, 37));
    }

    @Test
    void aLoopEnteredByAJumpToItsHeadIsStillRightAfterStripMining() throws Exception {
        // static int f(int n, boolean skip) { int i = 0; if (skip) goto head; i = 1; head: while (i < n) i++; return i; }
        // The shape older javac and other compilers emit: the head is reached by a jump from before the loop.
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, "Entry", null, "java/lang/Object", null);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "f", "(IZ)I", null, null);
        mv.visitCode();
        Label head = new Label();
        Label exit = new Label();
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitVarInsn(Opcodes.ISTORE, 2);
        mv.visitVarInsn(Opcodes.ILOAD, 1);
        mv.visitJumpInsn(Opcodes.IFNE, head);
        mv.visitInsn(Opcodes.ICONST_1);
        mv.visitVarInsn(Opcodes.ISTORE, 2);
        mv.visitLabel(head);
        mv.visitVarInsn(Opcodes.ILOAD, 2);
        mv.visitVarInsn(Opcodes.ILOAD, 0);
        mv.visitJumpInsn(Opcodes.IF_ICMPGE, exit);
        mv.visitIincInsn(2, 1);
        mv.visitJumpInsn(Opcodes.GOTO, head);
        mv.visitLabel(exit);
        mv.visitVarInsn(Opcodes.ILOAD, 2);
        mv.visitInsn(Opcodes.IRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        byte[] out = REWRITER.rewrite("Entry", cw.toByteArray());
        Method f = new ByteLoader().define("Entry", out).getMethod("f", int.class, boolean.class);
        assertEquals(10_000, f.invoke(null, 10_000, true));
        assertEquals(10_000, f.invoke(null, 10_000, false));
        assertEquals(1, f.invoke(null, 0, false));
    }

    @Test
    void aMethodNearThe64KiBLimitKeepsItsCodeWithoutPollsAndTheRestIsRewritten() throws Exception {
        // big(): 4,800 tiny loops of 13 bytes, 62,406 bytes of code; a 3-byte poll in each would make 76,806.
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, "Big", null, "java/lang/Object", null);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "big", "(I)I", null, null);
        mv.visitCode();
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitVarInsn(Opcodes.ISTORE, 1);
        for (int k = 0; k < 4800; k++) {
            // i = 0; do { i++; } while (i < n && i < 2) written so that it is not a javac counted loop
            Label head = new Label();
            mv.visitInsn(Opcodes.ICONST_0);
            mv.visitVarInsn(Opcodes.ISTORE, 2);
            mv.visitLabel(head);
            mv.visitIincInsn(2, 1);
            mv.visitIincInsn(1, 1);
            mv.visitVarInsn(Opcodes.ILOAD, 2);
            mv.visitInsn(Opcodes.ICONST_2);
            mv.visitJumpInsn(Opcodes.IF_ICMPLT, head);
        }
        mv.visitVarInsn(Opcodes.ILOAD, 1);
        mv.visitInsn(Opcodes.IRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        Samples.leafWithLoop(cw);
        cw.visitEnd();
        byte[] in = cw.toByteArray();
        byte[] out = REWRITER.rewrite("Big", in);
        Map<String, Long> polls = pollsPerMethod(out);
        assertEquals(0L, polls.get("big"), "no room for polls: left as it was");
        assertEquals(1L, polls.get("loop"), "the rest of the class is still rewritten");
        Class<?> c = new ByteLoader().define("Big", out);
        assertEquals(9600, c.getMethod("big", int.class).invoke(null, 5));
    }

    @Test
    void stripLimitSaturatesNearIntMax() {
        assertEquals(Integer.MAX_VALUE, dev.preempt.runtime.safepoint.LoopStrip.limit(Integer.MAX_VALUE - 10, Integer.MAX_VALUE, 4096));
        assertEquals(100, dev.preempt.runtime.safepoint.LoopStrip.limit(0, 100, 4096));
        assertEquals(4096, dev.preempt.runtime.safepoint.LoopStrip.limit(0, 100_000, 4096));
    }

    @Test
    void classWithNothingToPollIsLeftUnchanged() {
        assertNull(REWRITER.rewrite("OnlyLeaves", Samples.onlyLeaves()));
    }

    @Test
    void java1dot1ClassWithJsrRetLoopIsRewrittenAndStillVerifies() throws Exception {
        byte[] in = Samples.jsrLoop();
        byte[] out = REWRITER.rewrite("Jsr", in);
        assertNotNull(out);
        assertEquals(1L, pollsPerMethod(out).get("count"));
        assertEquals(Opcodes.V1_1, new ClassReader(out).readUnsignedShort(4) << 16 | new ClassReader(out).readUnsignedShort(6));
        Class<?> c = new ByteLoader().define("Jsr", out);
        assertEquals(10, c.getMethod("count", int.class).invoke(null, 10));
    }

    @Test
    void virtualThreadCreationIsRedirectedToTheBridge() {
        ClassNode cn = new ClassNode();
        cn.visit(Opcodes.V21, Opcodes.ACC_PUBLIC, "Vt", null, "java/lang/Object", null);
        MethodVisitor mv = cn.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "go", "(Ljava/lang/Runnable;)Ljava/lang/Thread;", null, null);
        mv.visitCode();
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Thread", "startVirtualThread", "(Ljava/lang/Runnable;)Ljava/lang/Thread;", false);
        mv.visitInsn(Opcodes.ARETURN);
        mv.visitMaxs(1, 1);
        mv.visitEnd();
        MethodNode m = cn.methods.get(0);
        assertEquals(true, ThreadCallRewriter.rewrite(m));
        var call = (org.objectweb.asm.tree.MethodInsnNode) m.instructions.get(1);
        assertEquals(ThreadCallRewriter.BRIDGE, call.owner);
        assertEquals("(Ljava/lang/Runnable;)Ljava/lang/Thread;", call.desc);
    }

    /** Defines classes from bytes; linking runs the JVM's verifier on them. */
    static final class ByteLoader extends ClassLoader {
        ByteLoader() {
            super(SafepointInserterTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            // The rewritten copy must not be found through the parent (which has the original).
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                return c != null ? c : super.loadClass(name, resolve);
            }
        }

        Class<?> define(String name, byte[] b) {
            Class<?> c = defineClass(name, b, 0, b.length);
            resolveClass(c);
            return c;
        }
    }

    /** Classes made with ASM so each test controls the exact bytecode shape. */
    static final class Samples {
        static byte[] loopsAndLeaves() {
            ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
            cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, "Shapes", null, "java/lang/Object", null);
            // static int sum(int n) { int s = 0; for (int i = 0; i < n; i++) s += i; return s; }
            MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "sum", "(I)I", null, null);
            mv.visitCode();
            Label head = new Label();
            Label exit = new Label();
            mv.visitInsn(Opcodes.ICONST_0);
            mv.visitVarInsn(Opcodes.ISTORE, 1);
            mv.visitInsn(Opcodes.ICONST_0);
            mv.visitVarInsn(Opcodes.ISTORE, 2);
            mv.visitLabel(head);
            mv.visitVarInsn(Opcodes.ILOAD, 2);
            mv.visitVarInsn(Opcodes.ILOAD, 0);
            mv.visitJumpInsn(Opcodes.IF_ICMPGE, exit);
            mv.visitVarInsn(Opcodes.ILOAD, 1);
            mv.visitVarInsn(Opcodes.ILOAD, 2);
            mv.visitInsn(Opcodes.IADD);
            mv.visitVarInsn(Opcodes.ISTORE, 1);
            mv.visitIincInsn(2, 1);
            mv.visitJumpInsn(Opcodes.GOTO, head);
            mv.visitLabel(exit);
            mv.visitVarInsn(Opcodes.ILOAD, 1);
            mv.visitInsn(Opcodes.IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
            leaf(cw);
            // static int caller() { return leaf(); }
            mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "caller", "()I", null, null);
            mv.visitCode();
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, "Shapes", "leaf", "()I", false);
            mv.visitInsn(Opcodes.IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
            // static { leaf(); }
            mv = cw.visitMethod(Opcodes.ACC_STATIC, "<clinit>", "()V", null, null);
            mv.visitCode();
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, "Shapes", "leaf", "()I", false);
            mv.visitInsn(Opcodes.POP);
            mv.visitInsn(Opcodes.RETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
            cw.visitEnd();
            return cw.toByteArray();
        }

        static byte[] onlyLeaves() {
            ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
            cw.visit(Opcodes.V1_8, Opcodes.ACC_PUBLIC, "OnlyLeaves", null, "java/lang/Object", null);
            leaf(cw);
            cw.visitEnd();
            return cw.toByteArray();
        }

        /** static int loop(int n) { int i = 0; do { i++; } while (i < n); return i; } */
        static void leafWithLoop(ClassWriter cw) {
            MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "loop", "(I)I", null, null);
            mv.visitCode();
            Label head = new Label();
            mv.visitInsn(Opcodes.ICONST_0);
            mv.visitVarInsn(Opcodes.ISTORE, 1);
            mv.visitLabel(head);
            mv.visitIincInsn(1, 1);
            mv.visitVarInsn(Opcodes.ILOAD, 1);
            mv.visitVarInsn(Opcodes.ILOAD, 0);
            mv.visitJumpInsn(Opcodes.IF_ICMPLT, head);
            mv.visitVarInsn(Opcodes.ILOAD, 1);
            mv.visitInsn(Opcodes.IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        }

        private static void leaf(ClassWriter cw) {
            MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "leaf", "()I", null, null);
            mv.visitCode();
            mv.visitIntInsn(Opcodes.BIPUSH, 42);
            mv.visitInsn(Opcodes.IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        }

        /**
         * Version 45.3 (Java 1.1) with a loop whose body is a JSR subroutine, as old javac emitted for
         * finally blocks: static int count(int n) { int c = 0; while (c < n) { try { } finally { c++; } } return c; }
         */
        static byte[] jsrLoop() {
            ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
            cw.visit(Opcodes.V1_1, Opcodes.ACC_PUBLIC, "Jsr", null, "java/lang/Object", null);
            MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "count", "(I)I", null, null);
            mv.visitCode();
            Label head = new Label();
            Label exit = new Label();
            Label sub = new Label();
            mv.visitInsn(Opcodes.ICONST_0);
            mv.visitVarInsn(Opcodes.ISTORE, 1);
            mv.visitLabel(head);
            mv.visitVarInsn(Opcodes.ILOAD, 1);
            mv.visitVarInsn(Opcodes.ILOAD, 0);
            mv.visitJumpInsn(Opcodes.IF_ICMPGE, exit);
            mv.visitJumpInsn(Opcodes.JSR, sub);
            mv.visitJumpInsn(Opcodes.GOTO, head);
            mv.visitLabel(sub);
            mv.visitVarInsn(Opcodes.ASTORE, 2);
            mv.visitIincInsn(1, 1);
            mv.visitVarInsn(Opcodes.RET, 2);
            mv.visitLabel(exit);
            mv.visitVarInsn(Opcodes.ILOAD, 1);
            mv.visitInsn(Opcodes.IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
            cw.visitEnd();
            return cw.toByteArray();
        }
    }
}
