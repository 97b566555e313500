package dev.preempt.agent.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.preempt.agent.options.OptionParser;
import java.io.InputStream;
import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.ConstantDynamic;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * The receiver and bootstrap guards on real javac output and on an ASM-built class with app bootstraps:
 * which sites get a check under each cfi.types, site names, and that the rewritten classes verify and
 * behave the same (null receivers, mixed argument sizes, lambdas and string concatenation left alone).
 */
public class ReceiverGuardTest {
    private static final String SHAPES = "dev/preempt/agent/transform/ReceiverShapes";

    private static byte[] bytes(Class<?> c) throws Exception {
        try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
            return in.readAllBytes();
        }
    }

    private static List<String> registered = new ArrayList<>();

    private static byte[] rewrite(String options, String name, byte[] bytes) throws Exception {
        var config = OptionParser.parse(options, Map.of());
        registered = new ArrayList<>();
        CallGuardInserter inserter = new CallGuardInserter(config.cfiTypes(), (site, type, called) -> {
            registered.add(site + (called == null ? "" : " " + type + "." + called));
            return dev.preempt.runtime.cfi.CallGuard.register(site, type, called);
        });
        ClassNode cn = new ClassNode();
        new ClassReader(bytes).accept(cn, ClassReader.EXPAND_FRAMES);
        boolean changed = false;
        for (MethodNode m : cn.methods) {
            changed |= inserter.insert(cn.name, m);
        }
        if (!changed) return null;
        ClassWriter cw = new ClassWriter(0);
        cn.accept(cw);
        return cw.toByteArray();
    }

    private static List<String> guardCalls(byte[] b) {
        ClassNode cn = new ClassNode();
        new ClassReader(b).accept(cn, 0);
        return cn.methods.stream().flatMap(m -> StreamSupport.stream(m.instructions.spliterator(), false))
                .filter(n -> n instanceof MethodInsnNode mi && mi.owner.equals(CallGuardInserter.GUARD))
                .map(n -> ((MethodInsnNode) n).name).toList();
    }

    @Test
    void appInterfaceCallSitesGetAReceiverCheckAndJdkInterfacesDoNot() throws Exception {
        byte[] out = rewrite("cfi=learn,schedule=off,cfi.types=interfaces", SHAPES, bytes(ReceiverShapes.class));
        assertNotNull(out);
        assertEquals(List.of("receiver", "receiver", "receiver"), guardCalls(out), "area, label, and the null receiver's area");
        String d = "dev.preempt.agent.transform.ReceiverShapes.dispatch()Ljava/lang/String;";
        String shape = " dev.preempt.agent.transform.ReceiverShapes$Shape.";
        assertEquals(List.of(d + "#v0" + shape + "area", d + "#v1" + shape + "label", d + "#v2" + shape + "area"), registered);
    }

    @Test
    void cfiTypesNamesVirtualCallsAndNoneSwitchesReceiverChecksOff() throws Exception {
        byte[] out = rewrite("cfi=learn,schedule=off,cfi.types=interfaces;dev.preempt.agent.transform.ReceiverShapes$Counter",
                SHAPES, bytes(ReceiverShapes.class));
        assertEquals(4, guardCalls(out).size(), "the three interface sites and Counter.next");
        assertTrue(registered.stream().anyMatch(s -> s.endsWith("ReceiverShapes$Counter.next")), registered::toString);
        assertNull(rewrite("cfi=learn,schedule=off,cfi.types=none", SHAPES, bytes(ReceiverShapes.class)));
        assertNull(rewrite("cfi=learn,schedule=off", SHAPES, bytes(ReceiverShapes.class)), "none is the default");
        byte[] jdk = rewrite("cfi=learn,schedule=off,cfi.types=java.util.List", SHAPES, bytes(ReceiverShapes.class));
        assertTrue(registered.stream().allMatch(s -> s.contains(" java.util.List.")), registered::toString);
        assertEquals(registered.size(), guardCalls(jdk).size());
    }

    @Test
    void rewrittenReceiverSitesVerifyAndBehaveTheSame() throws Exception {
        byte[] out = rewrite("cfi=learn,schedule=off,cfi.types=interfaces;java.util.List;dev.preempt.agent.transform.ReceiverShapes$Counter",
                SHAPES, bytes(ReceiverShapes.class));
        Class<?> c = new SafepointInserterTest.ByteLoader().define(ReceiverShapes.class.getName(), out);
        assertEquals(ReceiverShapes.dispatch(), c.getMethod("dispatch").invoke(null));
    }

    // --- invokedynamic and dynamic constants with app bootstraps -------------------------------------------

    /** An app bootstrap: links name() to a constant string. */
    public static CallSite bootstrap(MethodHandles.Lookup lookup, String name, MethodType type, String value) {
        return new ConstantCallSite(MethodHandles.constant(String.class, value + ":" + name).asType(type));
    }

    /** An app constant bootstrap. */
    public static Object constant(MethodHandles.Lookup lookup, String name, Class<?> type, int n) {
        return name + "=" + n;
    }

    private static final String INDY = "dev/preempt/agent/transform/IndyShapes";

    /** A class whose run() links one app indy, one app condy and a JDK string concatenation. */
    private static byte[] indyShapes() {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, INDY, null, "java/lang/Object", null);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "run", "()Ljava/lang/String;", null, null);
        mv.visitCode();
        String test = "dev/preempt/agent/transform/ReceiverGuardTest";
        Handle bsm = new Handle(Opcodes.H_INVOKESTATIC, test, "bootstrap",
                "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;Ljava/lang/String;)Ljava/lang/invoke/CallSite;", false);
        mv.visitInvokeDynamicInsn("greeting", "()Ljava/lang/String;", bsm, "hello");
        Handle cbsm = new Handle(Opcodes.H_INVOKESTATIC, test, "constant",
                "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/Class;I)Ljava/lang/Object;", false);
        mv.visitLdcInsn(new ConstantDynamic("answer", "Ljava/lang/Object;", cbsm, 42));
        Handle concat = new Handle(Opcodes.H_INVOKESTATIC, "java/lang/invoke/StringConcatFactory", "makeConcatWithConstants",
                "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;Ljava/lang/String;[Ljava/lang/Object;)Ljava/lang/invoke/CallSite;", false);
        mv.visitInvokeDynamicInsn("makeConcatWithConstants", "(Ljava/lang/String;Ljava/lang/Object;)Ljava/lang/String;", concat, "\u0001 \u0001");
        mv.visitInsn(Opcodes.ARETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    @Test
    void appBootstrapsAreWrappedAndJdkBootstrapsAreNot() throws Exception {
        byte[] out = rewrite("cfi=learn,schedule=off", INDY, indyShapes());
        ClassNode cn = new ClassNode();
        new ClassReader(out).accept(cn, 0);
        List<String> bootstraps = new ArrayList<>();
        for (var n : cn.methods.get(0).instructions) {
            if (n instanceof InvokeDynamicInsnNode indy) bootstraps.add(indy.bsm.getOwner() + "." + indy.bsm.getName());
            if (n instanceof LdcInsnNode ldc && ldc.cst instanceof ConstantDynamic c) {
                bootstraps.add(c.getBootstrapMethod().getOwner() + "." + c.getBootstrapMethod().getName());
            }
        }
        assertEquals(List.of(CallGuardInserter.BOOTSTRAP_GUARD + ".callSite", CallGuardInserter.BOOTSTRAP_GUARD + ".constant",
                "java/lang/invoke/StringConcatFactory.makeConcatWithConstants"), bootstraps);
        String run = "dev.preempt.agent.transform.IndyShapes.run()Ljava/lang/String;";
        assertEquals(List.of(run + "#d0", run + "#d1"), registered);
    }

    @Test
    void wrappedBootstrapsLinkAsTheOriginalsDo() throws Exception {
        Class<?> plain = new SafepointInserterTest.ByteLoader().define(INDY.replace('/', '.'), indyShapes());
        Class<?> guarded = new SafepointInserterTest.ByteLoader().define(INDY.replace('/', '.'), rewrite("cfi=learn,schedule=off", INDY, indyShapes()));
        Object expected = plain.getMethod("run").invoke(null);
        assertEquals("hello:greeting answer=42", expected);
        assertEquals(expected, guarded.getMethod("run").invoke(null));
    }
}
