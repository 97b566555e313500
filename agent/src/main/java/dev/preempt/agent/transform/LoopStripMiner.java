package dev.preempt.agent.transform;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Strip-mines innermost counted loops so that a poll costs nothing per iteration and the JIT can still
 * unroll and vectorise them. A poll (a volatile read) at every back-edge of a vectorisable loop made it
 * 4.6-5x slower (docs/architecture.md, JDK facts), because C2 cannot vectorise across it. The javac shape
 *
 * <pre>
 * head:  iload i; [bound]; if_icmpge exit; body; iinc i 1; goto head; exit:
 * </pre>
 *
 * becomes, with a new local {@code lim},
 *
 * <pre>
 * outer: iload i; [bound]; ldc strip; invokestatic LoopStrip.limit; istore lim
 * head:  iload i; iload lim; if_icmpge check; body; iinc i 1; goto head      // the JIT's counted loop
 * check: iload i; [bound]; if_icmpge exit; Safepoint.poll(); goto outer; exit:
 * </pre>
 *
 * so the poll runs once per strip of up to {@code strip} iterations. Only loops that are provably the same
 * after the change are touched: the body makes no call (see bodyIsClosed for the measured reason), nothing
 * in it writes {@code i} or the bound's variables or fields, no jump enters it from outside, it holds no
 * other loop, no try/catch and no monitor, and the operand stack is empty at the head. Everything else gets
 * an ordinary back-edge poll from {@link SafepointInserter}.
 *
 * <p>Frames: {@code outer} gets the head's old frame; {@code head}, {@code check} and every frame inside the
 * loop get {@code lim} as an int, so the class keeps valid stack map frames with no recomputation (the
 * method must have been read with {@code EXPAND_FRAMES}).
 */
public final class LoopStripMiner {
    static final String STRIP_OWNER = "dev/preempt/runtime/safepoint/LoopStrip";

    private LoopStripMiner() {}

    /**
     * Strip-mines the eligible loops of {@code m}; returns the back-edges it handled (their loops poll
     * once per strip, so the generic inserter must not poll them again).
     */
    public static Set<AbstractInsnNode> mine(MethodNode m, boolean hasFrames) {
        return mine(m, hasFrames, Set.of());
    }

    /**
     * As {@link #mine(MethodNode, boolean)}; {@code plainFields} names ({@code owner.name}) the class's own
     * non-volatile fields, which a bound may read: the JIT may hoist such a read out of the loop anyway, so
     * reading it once per strip is a behaviour the memory model already allows.
     */
    public static Set<AbstractInsnNode> mine(MethodNode m, boolean hasFrames, Set<String> plainFields) {
        Set<AbstractInsnNode> handled = new HashSet<>();
        if (m.name.equals("<clinit>") || m.instructions.size() == 0) {
            return handled;
        }
        for (CountedLoop loop : find(m, hasFrames, plainFields)) {
            handled.add(loop.backEdge);
            handled.add(rewrite(m, loop, hasFrames));
        }
        return handled;
    }

    /** One recognised loop: positions refer to the instruction list before any rewrite. */
    private record CountedLoop(LabelNode head, FrameNode headFrame, VarInsnNode loadI, List<AbstractInsnNode> bound,
                               JumpInsnNode exitTest, IincInsnNode step, JumpInsnNode backEdge, int bodySize) {}

    private static List<CountedLoop> find(MethodNode m, boolean hasFrames, Set<String> plainFields) {
        List<CountedLoop> loops = new ArrayList<>();
        AbstractInsnNode[] insns = m.instructions.toArray();
        for (int g = 0; g < insns.length; g++) {
            if (insns[g] instanceof JumpInsnNode j && j.getOpcode() == Opcodes.GOTO) {
                int h = m.instructions.indexOf(j.label);
                if (h < g) {
                    CountedLoop loop = match(m, insns, h, g, hasFrames, plainFields);
                    if (loop != null) {
                        loops.add(loop);
                    }
                }
            }
        }
        return loops;
    }

    private static CountedLoop match(MethodNode m, AbstractInsnNode[] insns, int h, int g, boolean hasFrames,
                                     Set<String> plainFields) {
        LabelNode head = (LabelNode) insns[h];
        int k = h + 1;
        FrameNode frame = null;
        while (k < g && (insns[k] instanceof LineNumberNode || insns[k] instanceof FrameNode || insns[k] instanceof LabelNode)) {
            if (insns[k] instanceof FrameNode f) frame = f;
            k++;
        }
        if (hasFrames && (frame == null || frame.type != Opcodes.F_NEW || !frame.stack.isEmpty())) {
            return null;
        }
        if (!(insns[k] instanceof VarInsnNode loadI) || loadI.getOpcode() != Opcodes.ILOAD) {
            return null;
        }
        List<AbstractInsnNode> bound = new ArrayList<>();
        int b = k + 1;
        while (b < g && !(insns[b] instanceof JumpInsnNode)) {
            bound.add(insns[b++]);
        }
        if (b >= g || !(insns[b] instanceof JumpInsnNode exit) || exit.getOpcode() != Opcodes.IF_ICMPGE
                || m.instructions.indexOf(exit.label) <= g || !simpleBound(bound, plainFields)) {
            return null;
        }
        int s = g - 1;
        while (s > b && (insns[s] instanceof LabelNode || insns[s] instanceof LineNumberNode || insns[s] instanceof FrameNode)) {
            s--;
        }
        if (!(insns[s] instanceof IincInsnNode step) || step.var != loadI.var || step.incr != 1) {
            return null;
        }
        if (!bodyIsClosed(m, insns, h, b, s, g, loadI.var, bound)) {
            return null;
        }
        return new CountedLoop(head, frame, loadI, bound, exit, step, (JumpInsnNode) insns[g], s - b);
    }

    /**
     * The bound is re-evaluated once per strip instead of once per iteration, so it must be a pure read
     * that the body cannot change: a constant, a local, the class's own non-volatile field, or the length
     * of an array held in one of those.
     */
    private static boolean simpleBound(List<AbstractInsnNode> bound, Set<String> plainFields) {
        if (bound.isEmpty() || bound.stream().anyMatch(n -> n.getOpcode() < 0)) {
            return false;
        }
        List<AbstractInsnNode> b = bound.get(bound.size() - 1).getOpcode() == Opcodes.ARRAYLENGTH
                ? bound.subList(0, bound.size() - 1) : bound;
        if (b.size() == 1) {
            AbstractInsnNode n = b.get(0);
            int op = n.getOpcode();
            return op == Opcodes.ILOAD || op == Opcodes.ALOAD || (op >= Opcodes.ICONST_M1 && op <= Opcodes.ICONST_5)
                    || op == Opcodes.BIPUSH || op == Opcodes.SIPUSH
                    || (op == Opcodes.LDC && ((LdcInsnNode) n).cst instanceof Integer)
                    || (op == Opcodes.GETSTATIC && plainFields.contains(key((FieldInsnNode) n)));
        }
        return b.size() == 2 && b.get(0).getOpcode() == Opcodes.ALOAD && b.get(1).getOpcode() == Opcodes.GETFIELD
                && plainFields.contains(key((FieldInsnNode) b.get(1)));
    }

    private static String key(FieldInsnNode f) {
        return f.owner + "." + f.name;
    }

    private static boolean bodyIsClosed(MethodNode m, AbstractInsnNode[] insns, int h, int exitIdx, int stepIdx, int g,
                                        int iVar, List<AbstractInsnNode> bound) {
        Set<Integer> boundVars = new HashSet<>();
        Set<String> boundFields = new HashSet<>();
        for (AbstractInsnNode n : bound) {
            if (n instanceof VarInsnNode v) boundVars.add(v.var);
            if (n instanceof FieldInsnNode f) boundFields.add(f.name);
        }
        for (int x = exitIdx + 1; x < g; x++) {
            AbstractInsnNode n = insns[x];
            int op = n.getOpcode();
            // No calls: a call could move a bound held in a field; and strip-mining loops with calls (16 per
            // poll, bounds that no call can move) made a StringBuilder loop 1.87x stock where a poll per
            // iteration costs 1.2x (4 forks, medians): C2 optimises the plain loop with calls better.
            if ((op >= Opcodes.INVOKEVIRTUAL && op <= Opcodes.INVOKEDYNAMIC) || op == Opcodes.JSR || op == Opcodes.RET
                    || op == Opcodes.MONITORENTER || n instanceof TableSwitchInsnNode || n instanceof LookupSwitchInsnNode) {
                return false;
            }
            if (n instanceof VarInsnNode v && op >= Opcodes.ISTORE && op <= Opcodes.ASTORE
                    && (v.var == iVar || boundVars.contains(v.var))) {
                return false;
            }
            if (n instanceof FieldInsnNode f && (op == Opcodes.PUTFIELD || op == Opcodes.PUTSTATIC) && boundFields.contains(f.name)) {
                return false;
            }
            if (n instanceof IincInsnNode inc && x != stepIdx && (inc.var == iVar || boundVars.contains(inc.var))) {
                return false;
            }
            if (n instanceof JumpInsnNode j && x != g) {
                int t = m.instructions.indexOf(j.label);
                if (t <= h) return false; // an inner back-edge: not an innermost loop
            }
        }
        // No jump from outside may land inside (h, g]: the new local would be undefined there. Jumps to
        // the head itself are entries (older javac enters loops that way) and are moved to the new outer
        // label by rewrite(); a switch entering at the head is left alone.
        for (int x = 0; x < insns.length; x++) {
            if (x >= h && x <= g) continue;
            if (insns[x] instanceof JumpInsnNode j) {
                int t = m.instructions.indexOf(j.label);
                if (t > h && t <= g) return false;
            } else if (insns[x] instanceof TableSwitchInsnNode || insns[x] instanceof LookupSwitchInsnNode) {
                List<LabelNode> targets = insns[x] instanceof TableSwitchInsnNode t
                        ? concat(t.labels, t.dflt) : concat(((LookupSwitchInsnNode) insns[x]).labels, ((LookupSwitchInsnNode) insns[x]).dflt);
                for (LabelNode l : targets) {
                    int t = m.instructions.indexOf(l);
                    if (t >= h && t <= g) return false;
                }
            }
        }
        for (TryCatchBlockNode tc : m.tryCatchBlocks) {
            int start = m.instructions.indexOf(tc.start);
            int end = m.instructions.indexOf(tc.end);
            int handler = m.instructions.indexOf(tc.handler);
            if ((start < g && end > h) || (handler >= h && handler <= g)) return false;
        }
        return true;
    }

    private static List<LabelNode> concat(List<LabelNode> labels, LabelNode dflt) {
        List<LabelNode> all = new ArrayList<>(labels);
        all.add(dflt);
        return all;
    }

    private static int stripFor(int bodySize) {
        // Bigger bodies take longer per iteration: keep a strip around the same few hundred microseconds
        // at worst, while tight (vectorisable) bodies get long strips the JIT can unroll.
        return bodySize <= 16 ? 4096 : bodySize <= 64 ? 1024 : 256;
    }

    /** Rewrites one loop; returns the new outer back-edge (already preceded by its poll). */
    private static AbstractInsnNode rewrite(MethodNode m, CountedLoop loop, boolean hasFrames) {
        InsnList insns = m.instructions;
        int lim = m.maxLocals;
        m.maxLocals += 1;
        m.maxStack += 3; // i, bound, strip for LoopStrip.limit; the stack is empty at the head

        if (hasFrames) {
            // Every frame strictly inside the loop, and the head's, now also holds lim.
            int from = insns.indexOf(loop.head);
            int to = insns.indexOf(loop.backEdge);
            AbstractInsnNode[] all = insns.toArray();
            for (int x = from; x <= to; x++) {
                if (all[x] instanceof FrameNode f && f != loop.headFrame) {
                    addIntLocal(f, lim);
                }
            }
        }
        FrameNode outerFrame = hasFrames ? copy(loop.headFrame) : null;
        if (hasFrames) {
            addIntLocal(loop.headFrame, lim);
        }

        // outer: lim = LoopStrip.limit(i, bound, strip); every entry into the loop now comes through here.
        LabelNode outer = new LabelNode();
        int from = insns.indexOf(loop.head);
        int to = insns.indexOf(loop.backEdge);
        for (AbstractInsnNode n : insns.toArray()) {
            if (n instanceof JumpInsnNode j && j.label == loop.head) {
                int at = insns.indexOf(j);
                if (at < from || at > to) {
                    j.label = outer;
                }
            }
        }
        InsnList pre = new InsnList();
        pre.add(outer);
        if (outerFrame != null) pre.add(outerFrame);
        pre.add(new VarInsnNode(Opcodes.ILOAD, loop.loadI.var));
        for (AbstractInsnNode n : loop.bound) pre.add(n.clone(null));
        pre.add(new LdcInsnNode(stripFor(loop.bodySize)));
        pre.add(new MethodInsnNode(Opcodes.INVOKESTATIC, STRIP_OWNER, "limit", "(III)I", false));
        pre.add(new VarInsnNode(Opcodes.ISTORE, lim));
        insns.insertBefore(loop.head, pre);

        // head: the exit test now compares with lim and leaves through check
        LabelNode check = new LabelNode();
        LabelNode exit = loop.exitTest.label;
        for (AbstractInsnNode n : loop.bound) insns.remove(n);
        insns.insert(loop.loadI, new VarInsnNode(Opcodes.ILOAD, lim));
        loop.exitTest.label = check;

        // check: the real bound; out of the loop, or poll and start the next strip
        InsnList post = new InsnList();
        post.add(check);
        if (hasFrames) post.add(copy(loop.headFrame));
        post.add(new VarInsnNode(Opcodes.ILOAD, loop.loadI.var));
        for (AbstractInsnNode n : loop.bound) post.add(n.clone(null));
        post.add(new JumpInsnNode(Opcodes.IF_ICMPGE, exit));
        post.add(new MethodInsnNode(Opcodes.INVOKESTATIC, SafepointInserter.OWNER, SafepointInserter.NAME, SafepointInserter.DESC, false));
        JumpInsnNode outerBackEdge = new JumpInsnNode(Opcodes.GOTO, outer);
        post.add(outerBackEdge);
        insns.insert(loop.backEdge, post);
        return outerBackEdge;
    }

    /** Sets local slot {@code slot} of an expanded frame to int, padding unused slots with TOP. */
    private static void addIntLocal(FrameNode f, int slot) {
        List<Object> locals = f.local == null ? new ArrayList<>() : new ArrayList<>(f.local);
        int slots = 0;
        for (Object o : locals) {
            slots += (o == Opcodes.LONG || o == Opcodes.DOUBLE) ? 2 : 1;
        }
        while (slots < slot) {
            locals.add(Opcodes.TOP);
            slots++;
        }
        if (slots == slot) {
            locals.add(Opcodes.INTEGER);
        } else {
            return; // the slot is already described (cannot happen: lim is a fresh slot past maxLocals)
        }
        f.local = locals;
    }

    private static FrameNode copy(FrameNode f) {
        return new FrameNode(Opcodes.F_NEW, f.local.size(), f.local.toArray(), f.stack.size(), f.stack.toArray());
    }

}
