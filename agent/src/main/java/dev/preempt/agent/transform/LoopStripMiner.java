package dev.preempt.agent.transform;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Strip-mines innermost counted loops so that a poll costs nothing per iteration and the JIT can still
 * unroll and vectorise them, as C2 does itself for its own safepoint polls ({@code -XX:LoopStripMiningIter},
 * JDK 10+): a poll (a volatile read) at every back-edge is a barrier C2 cannot move a load across, and
 * stops it unrolling and vectorising (docs/architecture.md, JDK facts: 4.6-5x on a vectorisable loop). {@link CountedLoops} says
 * which loops are counted; each becomes, with a new local {@code lim} of the index's type,
 *
 * <pre>
 * outer: if (!(i CMP bound)) goto exit          // the real test (top-tested loops only)
 *        Safepoint.poll()                       // once per strip
 *        lim = LoopStrip.limitUp(i, bound, span) // or limitDown; all entries come through outer
 * head:  ...the loop, its test comparing i with lim, and going to outer when it fails...
 * </pre>
 *
 * and a bottom-tested loop ({@code do/while}) asks the real test after its inner back-edge instead, then
 * goes to outer. Same behaviour: {@code lim} lies between {@code i} and {@code bound}, so whenever the test
 * against {@code lim} goes on, the test against {@code bound} would have gone on too; when it stops, the
 * real test decides. The bound is a pure read the loop cannot change, so reading it once per strip instead
 * of once per iteration is unobservable. At most {@code span / step} iterations run between two polls.
 *
 * <p>Where the poll sits matters to C2 (JDK 25, measured on a 65,536-element sum): with the poll at the
 * bottom of the outer loop, after its exit test, the inner loop ran 3.8x slower than a plain loop as soon
 * as there was more than one strip (18.6 against 4.8 us; one strip was as fast as plain, which is why the
 * 4,096-element kernels never showed it); with the poll at the top, before the strip's bound is computed,
 * it ran at plain speed (4.2 us), a bottom-tested loop too (4.4 against 5.0 us).
 *
 * <p>Frames: {@code outer} gets the head's (or a rotated loop's entry's) old frame; every frame inside the
 * loop gets {@code lim}, so the class keeps valid stack map frames with no recomputation (the method must
 * have been read with {@code EXPAND_FRAMES}).
 */
public final class LoopStripMiner {
    static final String STRIP_OWNER = "dev/preempt/runtime/safepoint/LoopStrip";

    private LoopStripMiner() {}

    /**
     * Strip-mines the eligible loops of {@code m}; returns the back-edges it handled (their loops poll
     * once per strip, so the generic inserter must not poll them again). {@code plainFields} names
     * ({@code owner.name}) the class's own non-volatile fields, which a bound may read.
     */
    public static Set<AbstractInsnNode> mine(MethodNode m, boolean hasFrames, Set<String> plainFields) {
        Set<AbstractInsnNode> handled = new HashSet<>();
        if (m.name.equals("<clinit>") || m.instructions.size() == 0) {
            return handled;
        }
        CountedLoops.Found found = CountedLoops.find(m, hasFrames, plainFields);
        List<CountedLoop> loops = found.counted();
        if (loops.isEmpty() && found.plain().isEmpty()) {
            return handled;
        }
        // Innermost loops never overlap, so one slot serves every loop's lim (one pair for long ones): frames
        // outside a loop leave it TOP. A fresh slot per loop made a method of 4,800 loops carry 4,800 locals
        // in each frame.
        int intLim = m.maxLocals;
        int longLim = intLim + 1;
        m.maxLocals += 3;
        m.maxStack += 6; // i, bound (2 slots each when long) and span for LoopStrip; the stack is empty at the head
        Entries jumpsTo = new Entries(m);
        for (CountedLoop loop : loops) {
            handled.add(loop.backEdge());
            handled.addAll(loop.innerBackEdges());
            handled.addAll(rewrite(m, loop, hasFrames, loop.isLong() ? longLim : intLim, jumpsTo));
        }
        for (CountedLoops.PlainLoop loop : found.plain()) {
            handled.addAll(countIterations(m, loop, hasFrames, intLim, jumpsTo));
        }
        return handled;
    }

    /**
     * Iterations per strip. Bigger bodies take longer per iteration: keep a strip around the same few tens
     * of microseconds at worst, while tight (vectorisable) bodies get long strips the JIT can unroll. A body
     * that calls may spend any time in its callee: the JDK's code has no polls, nor has an app leaf that
     * only calls the JDK, so its strips are short. Short strips cost: 64 made a loop calling a lambda 1.7x
     * stock (LoopKernelBench.callsLambda), one calling a leaf 1.6x; 256 ran a sum at plain speed.
     */
    static int stripFor(CountedLoop loop) {
        if (loop.calls()) {
            return CALLING_STRIP;
        }
        int size = loop.bodySize();
        return size <= 16 ? 4096 : size <= 64 ? 1024 : 256;
    }

    /** Iterations between polls of a loop that calls: 256 calls of 100 ns are 26 us. */
    static final int CALLING_STRIP = 256;

    /** Rewrites one loop; returns the jumps it made that go backwards (they must get no poll of their own). */
    private static List<AbstractInsnNode> rewrite(MethodNode m, CountedLoop loop, boolean hasFrames, int lim,
                                                  Entries jumpsTo) {
        InsnList insns = m.instructions;
        boolean wide = loop.isLong();
        FrameNode outerFrame = hasFrames ? copy(loop.entryFrame()) : null;
        Set<AbstractInsnNode> inside = Collections.newSetFromMap(new IdentityHashMap<>());
        for (AbstractInsnNode x = loop.head(); x != loop.backEdge().getNext(); x = x.getNext()) {
            inside.add(x);
            if (hasFrames && x instanceof FrameNode f) addLocal(f, lim, wide);
        }
        // The real test, copied before the loop's own test is changed.
        InsnList realTest = new InsnList();
        for (AbstractInsnNode n = loop.testStart(); n != loop.test(); n = n.getNext()) realTest.add(n.clone(null));
        int realJump = loop.test().getOpcode(); // before a test against zero is widened below
        List<AbstractInsnNode> bound = loop.bound().isEmpty() ? List.of(new InsnNode(Opcodes.ICONST_0)) : loop.bound();

        LabelNode outer = new LabelNode();
        jumpsTo.move(loop.entry(), outer, inside); // every entry now comes through outer
        for (TryCatchBlockNode tc : m.tryCatchBlocks) {
            if (tc.start == loop.head()) tc.start = outer; // a try around the loop covers outer too
        }
        // outer: [real test, for a top-tested loop]; poll; lim = LoopStrip.limit(i, bound, span)
        InsnList pre = new InsnList();
        pre.add(outer);
        if (outerFrame != null) pre.add(outerFrame);
        if (!loop.bottomTest()) {
            pre.add(realTest);
            pre.add(jumpsTo.jump(realJump, loop.test().label)); // the exit may be the head of another strip-mined loop
        }
        pre.add(new MethodInsnNode(Opcodes.INVOKESTATIC, SafepointInserter.OWNER, SafepointInserter.NAME, SafepointInserter.DESC, false));
        long span = Math.min(Integer.MAX_VALUE, (long) stripFor(loop) * loop.minStep());
        pre.add(new VarInsnNode(wide ? Opcodes.LLOAD : Opcodes.ILOAD, loop.iVar()));
        for (AbstractInsnNode n : bound) pre.add(n.clone(null));
        pre.add(new LdcInsnNode((int) span));
        pre.add(new MethodInsnNode(Opcodes.INVOKESTATIC, STRIP_OWNER, loop.up() ? "limitUp" : "limitDown",
                wide ? "(JJI)J" : "(III)I", false));
        pre.add(new VarInsnNode(wide ? Opcodes.LSTORE : Opcodes.ISTORE, lim));
        if (loop.entry() != loop.head()) pre.add(new JumpInsnNode(Opcodes.GOTO, loop.entry())); // rotated: on to its test
        insns.insertBefore(loop.head(), pre);

        // The loop's own test compares with lim.
        VarInsnNode loadLim = new VarInsnNode(wide ? Opcodes.LLOAD : Opcodes.ILOAD, lim);
        if (loop.bound().isEmpty()) {
            insns.insert(loop.testStart(), loadLim); // i CMP 0 becomes i CMP lim
            loop.test().setOpcode(loop.test().getOpcode() - Opcodes.IFEQ + Opcodes.IF_ICMPEQ);
        } else {
            insns.insertBefore(loop.bound().get(0), loadLim);
            for (AbstractInsnNode n : loop.bound()) insns.remove(n);
        }
        if (!loop.bottomTest()) {
            loop.test().label = outer; // the strip is over: back to the real test
            return List.of(loop.test());
        }
        // A bottom-tested loop: when the strip is over, the real test leaves (falling through, as before) or
        // jumps to the next strip.
        LabelNode nextStrip = new LabelNode();
        InsnList post = new InsnList();
        post.add(realTest);
        post.add(new JumpInsnNode(realJump, nextStrip));
        insns.insert(loop.backEdge(), post);
        JumpInsnNode outerBackEdge = new JumpInsnNode(Opcodes.GOTO, outer);
        appendOutOfLine(m, nextStrip, hasFrames ? copy(loop.headFrame()) : null, outerBackEdge);
        return List.of(outerBackEdge);
    }

    /**
     * Appends {@code label: [frame] code...} after the method's last instruction (which never falls
     * through), for a block that only jumps reach. A loop whose back-edge is conditional leaves by falling
     * through; the code there may use locals the loop's head frame does not know (a {@code do/while} that
     * first assigns a variable in its body: seen in ByteBuddy's {@code StreamDrainer.drain}), so the
     * fall-through must stay a fall-through, with no frame of ours, and the new block goes elsewhere. Its
     * frame is the head's (with the new local): the state at the back-edge was already assignable to it.
     */
    private static void appendOutOfLine(MethodNode m, LabelNode label, FrameNode frame, AbstractInsnNode... code) {
        m.instructions.add(label);
        if (frame != null) m.instructions.add(frame);
        for (AbstractInsnNode n : code) m.instructions.add(n);
    }

    /**
     * Iterations between two polls of a loop that is not counted: a body that calls may spend any time in
     * its callee, one that does not runs a few instructions per iteration.
     */
    static int countFor(CountedLoops.PlainLoop loop) {
        return loop.calls() ? CALLING_STRIP : 1024;
    }

    /**
     * Polls a loop that is not counted once per {@link #countFor} iterations, with a counter that makes its
     * inner loop a counted one for the JIT (its own exits stay as they are):
     *
     * <pre>
     * outer: Safepoint.poll(); cnt = N
     * head:  ...the loop...
     *        if (--cnt > 0) goto head    // the JIT's counted loop: no poll, no barrier inside
     *        goto outer                  // (after a conditional back-edge, out of line: see appendOutOfLine)
     * </pre>
     * A volatile read per iteration is a barrier the JIT cannot move a load across: an iterator loop paid
     * 13x for it. Returns the new jumps, which must get no poll of their own.
     */
    private static List<AbstractInsnNode> countIterations(MethodNode m, CountedLoops.PlainLoop loop, boolean hasFrames,
                                                          int cnt, Entries jumpsTo) {
        InsnList insns = m.instructions;
        FrameNode outerFrame = hasFrames ? copy(loop.entryFrame()) : null;
        Set<AbstractInsnNode> inside = Collections.newSetFromMap(new IdentityHashMap<>());
        for (AbstractInsnNode x = loop.head(); x != loop.backEdge().getNext(); x = x.getNext()) {
            inside.add(x);
            if (hasFrames && x instanceof FrameNode f) addLocal(f, cnt, false);
        }
        LabelNode outer = new LabelNode();
        jumpsTo.move(loop.entry(), outer, inside);
        for (TryCatchBlockNode tc : m.tryCatchBlocks) {
            if (tc.start == loop.head()) tc.start = outer;
        }
        InsnList pre = new InsnList();
        pre.add(outer);
        if (outerFrame != null) pre.add(outerFrame);
        pre.add(new MethodInsnNode(Opcodes.INVOKESTATIC, SafepointInserter.OWNER, SafepointInserter.NAME, SafepointInserter.DESC, false));
        pre.add(new LdcInsnNode(countFor(loop)));
        pre.add(new VarInsnNode(Opcodes.ISTORE, cnt));
        if (loop.entry() != loop.head()) pre.add(new JumpInsnNode(Opcodes.GOTO, loop.entry())); // rotated: on to its test
        insns.insertBefore(loop.head(), pre);

        JumpInsnNode back = loop.backEdge();
        JumpInsnNode inner = new JumpInsnNode(Opcodes.IFGT, loop.head());
        JumpInsnNode outerBackEdge = new JumpInsnNode(Opcodes.GOTO, outer);
        if (back.getOpcode() == Opcodes.GOTO) {
            InsnList post = new InsnList();
            post.add(new IincInsnNode(cnt, -1));
            post.add(new VarInsnNode(Opcodes.ILOAD, cnt));
            post.add(inner);
            post.add(outerBackEdge);
            insns.insertBefore(back, post);
            insns.remove(back);
        } else {
            // A conditional back-edge keeps its fall-through exit; going on now passes the counter out of line.
            LabelNode count = new LabelNode();
            back.label = count;
            appendOutOfLine(m, count, hasFrames ? copy(loop.headFrame()) : null,
                    new IincInsnNode(cnt, -1), new VarInsnNode(Opcodes.ILOAD, cnt), inner, outerBackEdge);
        }
        return List.of(back, inner, outerBackEdge);
    }

    /**
     * The jumps of a method by target. A loop's entries move to its outer label; a jump the rewrite adds
     * (a real test leaving a loop) may target the head of another loop, before or after that loop's
     * rewrite, and must then come through that loop's outer label too, or its strip bound is unset there.
     */
    private static final class Entries {
        private final Map<LabelNode, List<JumpInsnNode>> byTarget = new HashMap<>();
        private final Map<LabelNode, LabelNode> moved = new HashMap<>();

        Entries(MethodNode m) {
            for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext()) {
                if (n instanceof JumpInsnNode j) byTarget.computeIfAbsent(j.label, l -> new ArrayList<>()).add(j);
            }
        }

        /** Moves the jumps to {@code entry} from outside {@code inside} to {@code outer}. */
        void move(LabelNode entry, LabelNode outer, Set<AbstractInsnNode> inside) {
            for (JumpInsnNode j : byTarget.getOrDefault(entry, List.of())) {
                // j.label: an earlier rewrite may have sent this jump elsewhere (a loop's test, now its strip's end)
                if (!inside.contains(j) && j.label == entry) j.label = outer;
            }
            byTarget.remove(entry);
            moved.put(entry, outer);
        }

        /** A new jump from outside any loop to {@code target}. */
        JumpInsnNode jump(int opcode, LabelNode target) {
            JumpInsnNode j = new JumpInsnNode(opcode, moved.getOrDefault(target, target));
            byTarget.computeIfAbsent(j.label, l -> new ArrayList<>()).add(j);
            return j;
        }
    }

    /** Sets local slot {@code slot} of an expanded frame to int or long, padding unused slots with TOP. */
    private static void addLocal(FrameNode f, int slot, boolean wide) {
        List<Object> locals = f.local == null ? new ArrayList<>() : new ArrayList<>(f.local);
        int slots = 0;
        for (Object o : locals) {
            slots += (o == Opcodes.LONG || o == Opcodes.DOUBLE) ? 2 : 1;
        }
        if (slots > slot) {
            return; // cannot happen: lim is a fresh slot past maxLocals
        }
        while (slots < slot) {
            locals.add(Opcodes.TOP);
            slots++;
        }
        locals.add(wide ? Opcodes.LONG : Opcodes.INTEGER);
        f.local = locals;
    }

    private static FrameNode copy(FrameNode f) {
        return new FrameNode(Opcodes.F_NEW, f.local.size(), f.local.toArray(), f.stack.size(), f.stack.toArray());
    }
}
