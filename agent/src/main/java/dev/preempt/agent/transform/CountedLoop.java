package dev.preempt.agent.transform;

import java.util.List;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;

/**
 * One innermost loop that {@link CountedLoops} proved counted: a local {@code i} ({@code int} or {@code long})
 * moves towards an invariant bound by constant steps, at least one of them on every iteration, and a
 * test {@code i CMP bound} that runs on every iteration decides whether to go on. Positions are nodes of
 * the method before any rewrite.
 *
 * @param head       the loop's first label (target of the back-edge)
 * @param headFrame  the expanded frame at the head (null without frames)
 * @param backEdge   the jump to the head that closes the loop (a {@code GOTO}, or the test itself at the bottom)
 * @param test       the conditional jump of the counted test
 * @param testStart  the first instruction that pushes the test's operands
 * @param bottomTest whether the test is the back-edge (do/while, kotlinc) or at the top, leaving the loop (javac for/while)
 * @param iVar       the index local
 * @param isLong     whether the index is a {@code long} (compared with {@code LCMP})
 * @param bound      the instructions that push the bound (a pure read the loop cannot change)
 * @param iFirst     whether the test pushes {@code i} before the bound
 * @param stay       the condition on {@code (i, bound)} that keeps the loop going: {@link Opcodes#IFLT} (i &lt; n),
 *                   {@code IFLE}, {@code IFGT} or {@code IFGE}
 * @param minStep    the smallest absolute step made on every iteration (&gt;= 1)
 * @param calls      whether the body calls methods
 * @param bodySize   real instructions between head and back-edge, a cost estimate
 * @param innerBackEdges other jumps to the head from inside (continue), each after the step
 * @param entry      where the loop is entered: its head, or for a rotated loop (old javac, ecj: {@code goto
 *                   test; head: body; test: if (i < n) goto head}) the label of its bottom test
 * @param entryFrame the expanded frame at {@code entry} (null without frames)
 */
record CountedLoop(LabelNode head, FrameNode headFrame, AbstractInsnNode backEdge, JumpInsnNode test,
                   AbstractInsnNode testStart, boolean bottomTest, int iVar, boolean isLong,
                   List<AbstractInsnNode> bound, boolean iFirst, int stay, long minStep, boolean calls, int bodySize,
                   List<AbstractInsnNode> innerBackEdges, LabelNode entry, FrameNode entryFrame) {

    /** Whether the loop counts towards larger values of {@code i}. */
    boolean up() {
        return stay == Opcodes.IFLT || stay == Opcodes.IFLE;
    }
}
