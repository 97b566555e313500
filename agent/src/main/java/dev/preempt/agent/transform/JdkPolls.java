package dev.preempt.agent.transform;

import dev.preempt.runtime.log.PreemptLog;
import java.util.List;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodTooLargeException;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.AnnotationNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Back-edge polls in a curated set of JDK classes whose loops can run long on input the app controls
 * (jdk.polls=on): the backtracking regex matcher, the array sorts, big-number arithmetic. Each class, and
 * why a yield there is safe, is in {@link #CLASSES} and docs/scheduler.md ("Polls in JDK code").
 *
 * <p>The rewrite is the app's loop rewrite ({@link LoopStripMiner}, {@link SafepointInserter}) restricted to
 * what a retransformation allows and the JDK needs: instructions are added to method bodies (and one local
 * to a strip-mined loop), never a method, field or signature; no method-entry poll; nothing in
 * {@code <clinit>}; nothing in a method marked {@code @IntrinsicCandidate} (its body must stay the JIT's
 * reference shape, and when intrinsified it runs without a poll anyway); native and abstract methods have
 * no body. Every poll calls {@code Safepoint.jdkPoll}, whose slow path yields only where no runtime or
 * JDK machinery is on the thread's stack.
 */
public final class JdkPolls {
    /** One entry of the curated set: a class (or, ending in {@code $}, a class's nested classes) and why it is there. */
    public record Entry(String internalName, String why) {
        boolean matches(String className) {
            return internalName.endsWith("$") ? className.startsWith(internalName) : className.equals(internalName);
        }
    }

    /** The curated set, in the order {@code info} lists it. */
    public static final List<Entry> CLASSES = List.of(
            new Entry("java/util/regex/Pattern", "regex compilation and the matcher's node chain (ReDoS)"),
            new Entry("java/util/regex/Pattern$", "the backtracking matcher's nodes (Loop, Curly, CharPropertyGreedy, ...)"),
            new Entry("java/util/regex/Matcher", "find, replaceAll, split loops"),
            new Entry("java/util/Arrays", "sort, fill, equals, hashCode on app arrays"),
            new Entry("java/util/DualPivotQuicksort", "primitive sorts"),
            new Entry("java/util/TimSort", "object sorts with a comparator (List.sort, Arrays.sort)"),
            new Entry("java/util/ComparableTimSort", "object sorts in natural order"),
            new Entry("java/math/BigInteger", "multiply, pow, divide, toString of big numbers"),
            new Entry("java/math/MutableBigInteger", "division and gcd under BigInteger and BigDecimal"),
            new Entry("java/math/BigDecimal", "scaling, division and toString of big decimals"));

    static final String POLL_NAME = "jdkPoll";
    private static final String INTRINSIC = "Ljdk/internal/vm/annotation/IntrinsicCandidate;";

    private JdkPolls() {}

    /** Whether {@code className} (internal name) is in the curated set. */
    public static boolean covers(String className) {
        for (Entry e : CLASSES) {
            if (e.matches(className)) {
                return true;
            }
        }
        return false;
    }

    /** The modules whose classes get polls: the runtime must be readable from them. */
    public static final List<String> MODULES = List.of("java.base");

    /**
     * The class with back-edge polls, or null when it has no loop to poll. A method the polls would push
     * past 64 KiB keeps the class as it was (the JDK's curated classes have none).
     */
    public static byte[] rewrite(String className, byte[] bytes) {
        ClassReader reader = new ClassReader(bytes);
        ClassNode cn = new ClassNode(Opcodes.ASM9);
        reader.accept(cn, ClassReader.EXPAND_FRAMES);
        boolean changed = false;
        for (MethodNode m : cn.methods) {
            if (m.name.equals("<clinit>") || isIntrinsic(m)) {
                continue;
            }
            changed |= SafepointInserter.insertBackEdges(m, LoopStripMiner.mine(m, true, ClassRewriter.plainFields(cn)));
        }
        if (!changed) {
            return null;
        }
        for (MethodNode m : cn.methods) {
            retarget(m);
        }
        ClassWriter cw = new ClassWriter(reader, 0);
        cn.accept(cw);
        try {
            return cw.toByteArray();
        } catch (MethodTooLargeException e) {
            PreemptLog.info("JDK class " + className.replace('/', '.') + " keeps its code: polls would make "
                    + e.getMethodName() + " too large");
            return null;
        }
    }

    private static boolean isIntrinsic(MethodNode m) {
        for (List<AnnotationNode> list : java.util.Arrays.asList(m.visibleAnnotations, m.invisibleAnnotations)) {
            if (list != null && list.stream().anyMatch(a -> a.desc.equals(INTRINSIC))) {
                return true;
            }
        }
        return false;
    }

    /** Points the inserted polls at {@code Safepoint.jdkPoll}, the guarded slow path. */
    private static void retarget(MethodNode m) {
        for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext()) {
            if (SafepointInserter.isPoll(n)) {
                ((MethodInsnNode) n).name = POLL_NAME;
            }
        }
    }
}
