package dev.preempt.agent.transform;

import java.util.HashMap;
import java.util.Map;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;

/**
 * Inserts {@code Safepoint.poll()} at loop back-edges and method entries, so that a thread whose slice
 * is over reaches a yield within one loop iteration or one call.
 *
 * <ul>
 *   <li>Back-edge: before every jump or switch whose target lies earlier in the method. Every loop,
 *       whatever its shape (javac, Kotlin, Scala, hand-written bytecode, exception-handler retry loops),
 *       has one.</li>
 *   <li>Method entry: only in methods that call app code. A leaf without loops, or a loop-free method
 *       that only calls the JDK, runs a bounded number of its own instructions and is covered by its
 *       caller's polls, so it pays nothing (and stays inlinable).</li>
 *   <li>Never in {@code <clinit>}: a yield there cannot unmount (the thread is pinned), so it would only
 *       cost.</li>
 * </ul>
 * The poll is an argument-less static call with no result: the operand stack and locals are the same
 * before and after it, so the existing stack map frames remain valid.
 */
public final class SafepointInserter {
    static final String OWNER = "dev/preempt/runtime/safepoint/Safepoint";
    static final String NAME = "poll";
    static final String DESC = "()V";

    private SafepointInserter() {}

    /**
     * Inserts the polls of one method, except at the back-edges in {@code exempt} (loops that
     * {@link LoopStripMiner} already polls once per strip); true if any was inserted.
     */
    public static boolean insert(MethodNode m, java.util.Set<AbstractInsnNode> exempt) {
        return insert(m, exempt, true);
    }

    /**
     * As {@link #insert(MethodNode, java.util.Set)} but at back-edges only, never at the method's entry: for
     * the JDK's code ({@link JdkPolls}), whose calls all stay inside the JDK.
     */
    public static boolean insertBackEdges(MethodNode m, java.util.Set<AbstractInsnNode> exempt) {
        return insert(m, exempt, false);
    }

    private static boolean insert(MethodNode m, java.util.Set<AbstractInsnNode> exempt, boolean atEntry) {
        if (m.instructions.size() == 0 || m.name.equals("<clinit>")
                || (m.access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
            return false;
        }
        InsnList insns = m.instructions;
        Map<LabelNode, Integer> labelIndex = new HashMap<>();
        boolean calls = false;
        int i = 0;
        for (AbstractInsnNode n = insns.getFirst(); n != null; n = n.getNext(), i++) {
            if (n instanceof LabelNode l) {
                labelIndex.put(l, i);
            }
            calls |= callsAppCode(n);
        }
        boolean inserted = !exempt.isEmpty();
        i = 0;
        for (AbstractInsnNode n = insns.getFirst(); n != null; n = n.getNext(), i++) {
            if (!exempt.contains(n) && isBackEdge(n, i, labelIndex)) {
                insns.insertBefore(n, poll());
                inserted = true; // inserted before n, so never visited: i keeps counting original nodes
            }
        }
        if (atEntry && calls) {
            insns.insert(poll());
            inserted = true;
        }
        return inserted;
    }

    /**
     * Whether {@code n} is a call that can run app code again. Calls to JDK classes and invokedynamic (its
     * bootstraps are the JDK's; the lambdas it makes are app methods with their own polls) do not count,
     * nor do the calls preempt inserts. So a loop-free method that only calls into the JDK gets no entry
     * poll: it runs a bounded number of its own instructions, and any recursion through it passes through
     * an app method that calls app code, which has one. Measured: an entry poll in a method that drives a
     * JDK stream pipeline cost 1.25x on that kernel.
     */
    private static boolean callsAppCode(AbstractInsnNode n) {
        if (!(n instanceof MethodInsnNode mi)) {
            return false;
        }
        String o = mi.owner;
        return !(o.equals(OWNER) || o.equals(LoopStripMiner.STRIP_OWNER) || o.startsWith("java/") || o.startsWith("javax/")
                || o.startsWith("jdk/") || o.startsWith("sun/") || o.startsWith("["));
    }

    static boolean isPoll(AbstractInsnNode n) {
        return n instanceof MethodInsnNode mi && mi.getOpcode() == Opcodes.INVOKESTATIC
                && mi.owner.equals(OWNER) && mi.name.equals(NAME) && mi.desc.equals(DESC);
    }

    private static boolean isBackEdge(AbstractInsnNode n, int index, Map<LabelNode, Integer> labels) {
        if (n instanceof JumpInsnNode j) {
            // JSR is a subroutine call, not a loop; its RET is not a jump to an earlier label either.
            return j.getOpcode() != Opcodes.JSR && labels.getOrDefault(j.label, Integer.MAX_VALUE) < index;
        }
        if (n instanceof TableSwitchInsnNode t) {
            return labels.getOrDefault(t.dflt, Integer.MAX_VALUE) < index
                    || t.labels.stream().anyMatch(l -> labels.getOrDefault(l, Integer.MAX_VALUE) < index);
        }
        if (n instanceof LookupSwitchInsnNode s) {
            return labels.getOrDefault(s.dflt, Integer.MAX_VALUE) < index
                    || s.labels.stream().anyMatch(l -> labels.getOrDefault(l, Integer.MAX_VALUE) < index);
        }
        return false;
    }

    private static MethodInsnNode poll() {
        return new MethodInsnNode(Opcodes.INVOKESTATIC, OWNER, NAME, DESC, false);
    }
}
