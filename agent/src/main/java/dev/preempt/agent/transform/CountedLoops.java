package dev.preempt.agent.transform;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
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
 * Finds the innermost counted loops of a method, whatever the compiler and the way the loop was written,
 * by what the bytecode does rather than by one compiler's shape:
 *
 * <ul>
 *   <li>the loop is one contiguous range {@code [head, backEdge]} entered only at its head, holding no
 *       other loop, no JSR/RET and no monitor; try/catch blocks lie wholly inside it, wholly around it, or
 *       apart from it;</li>
 *   <li>its test {@code i CMP bound} ({@code <, <=, >, >=}; {@code int}, or {@code long} through
 *       {@code LCMP}; either operand order; an {@code int} compared with zero) is either the first thing
 *       the loop does, leaving it (javac's {@code for}, {@code while}, enhanced {@code for}) or its
 *       conditional back-edge ({@code do/while}, kotlinc);</li>
 *   <li>{@code i} changes only by constant steps in the direction of the test ({@code IINC}, or
 *       {@code load; const; add/sub; store}), one of which no path through an iteration can skip;</li>
 *   <li>the bound is a pure read the loop cannot change: constants, locals it never writes, lengths of
 *       arrays ({@code String.length()} too: both are immutable), and the class's own non-volatile fields
 *       when the loop neither calls nor writes them (the JIT may hoist such a read anyway, so reading it
 *       once per strip is a behaviour the memory model already allows).</li>
 * </ul>
 * A bottom-tested loop's bound is read once before its first iteration, which the original does after it:
 * so there the bound must also be unable to throw (no array length, no field of an object other than an
 * unwritten {@code this}).
 */
final class CountedLoops {
    private CountedLoops() {}

    /**
     * An innermost loop that is not counted but is closed as a counted one must be (one contiguous range
     * entered at its head, one back-edge, try blocks that fit): {@link LoopStripMiner} counts its iterations.
     */
    record PlainLoop(LabelNode head, FrameNode headFrame, JumpInsnNode backEdge, boolean calls, LabelNode entry,
                     FrameNode entryFrame) {}

    /** The innermost loops of a method: counted ones, and the other closed ones. */
    record Found(List<CountedLoop> counted, List<PlainLoop> plain) {}

    static Found find(MethodNode m, boolean hasFrames, Set<String> plainFields) {
        List<CountedLoop> loops = new ArrayList<>();
        List<PlainLoop> plain = new ArrayList<>();
        AbstractInsnNode[] insns = m.instructions.toArray();
        InsnList list = m.instructions;
        // Every jump and switch edge, once: {source, target} by index.
        List<int[]> edges = new ArrayList<>();
        Map<LabelNode, Integer> lastJumpTo = new HashMap<>();
        for (int x = 0; x < insns.length; x++) {
            for (LabelNode t : targets(insns[x])) {
                edges.add(new int[] {x, list.indexOf(t)});
                if (insns[x] instanceof JumpInsnNode) lastJumpTo.put(t, x);
            }
        }
        for (int g = 0; g < insns.length; g++) {
            if (insns[g] instanceof JumpInsnNode j && j.getOpcode() != Opcodes.JSR) {
                int h = list.indexOf(j.label);
                if (h < g && lastJumpTo.get(j.label) == g) {
                    Matcher matcher = new Matcher(m, insns, edges, h, g, hasFrames, plainFields);
                    CountedLoop loop = matcher.match();
                    if (loop != null) {
                        loops.add(loop);
                    } else if (matcher.closed) {
                        plain.add(new PlainLoop((LabelNode) insns[h], matcher.frame, j, matcher.calls(),
                                matcher.entry(), matcher.entryFrame()));
                    }
                }
            }
        }
        return new Found(loops, plain);
    }

    /** Matches one candidate loop {@code [h, g]}. */
    private static final class Matcher {
        private final MethodNode m;
        private final AbstractInsnNode[] insns;
        private final List<int[]> edges;
        private final InsnList list;
        private final int h;
        private final int g;
        private final boolean hasFrames;
        private final Set<String> plainFields;
        private final List<AbstractInsnNode> innerBackEdges = new ArrayList<>();
        /** Whether the loop is closed (see PlainLoop): set by match() whether or not it is counted. */
        boolean closed;
        FrameNode frame;
        /** The label inside the loop where a rotated loop is entered (see CountedLoop#entry), or -1. */
        private int rotatedEntry = -1;

        Matcher(MethodNode m, AbstractInsnNode[] insns, List<int[]> edges, int h, int g, boolean hasFrames, Set<String> plainFields) {
            this.m = m;
            this.insns = insns;
            this.edges = edges;
            this.list = m.instructions;
            this.h = h;
            this.g = g;
            this.hasFrames = hasFrames;
            this.plainFields = plainFields;
        }

        CountedLoop match() {
            int k = h + 1;
            FrameNode frame = null;
            while (k < g && isPseudo(insns[k])) {
                if (insns[k] instanceof FrameNode f) frame = f;
                k++;
            }
            if (hasFrames && (frame == null || frame.type != Opcodes.F_NEW || !frame.stack.isEmpty())) {
                return null;
            }
            if (!closedRegion() || !tryBlocksFit()) {
                return null;
            }
            this.frame = frame;
            closed = innerBackEdges.isEmpty();
            if (rotatedEntry >= 0 && hasFrames && entryFrame() == null) {
                closed = false;
                return null;
            }
            JumpInsnNode back = (JumpInsnNode) insns[g];
            boolean bottom = back.getOpcode() != Opcodes.GOTO;
            int testIdx;
            int start;
            if (bottom) {
                testIdx = g;
                start = operandsStart(testIdx);
                if (start <= h || !stackEmptyBefore(start)) return null;
                if (rotatedEntry >= 0 && !onlyPseudoBetween(rotatedEntry, start)) return null;
            } else if (rotatedEntry >= 0) {
                return null;
            } else {
                testIdx = k;
                while (testIdx < g && !(insns[testIdx] instanceof JumpInsnNode)) testIdx++;
                if (testIdx >= g || list.indexOf(((JumpInsnNode) insns[testIdx]).label) <= g) return null;
                start = k;
                if (operandsStart(testIdx) != start) return null;
            }
            return matchTest(frame, back, bottom, (JumpInsnNode) insns[testIdx], start, testIdx);
        }

        private CountedLoop matchTest(FrameNode frame, JumpInsnNode back, boolean bottom, JumpInsnNode test, int start, int testIdx) {
            int op = test.getOpcode();
            boolean isLong = false;
            int end = testIdx; // operands are insns[start, end)
            int cond;
            if (op >= Opcodes.IF_ICMPEQ && op <= Opcodes.IF_ICMPLE) {
                cond = op - Opcodes.IF_ICMPEQ + Opcodes.IFEQ;
            } else if (op >= Opcodes.IFEQ && op <= Opcodes.IFLE) {
                cond = op;
                if (insns[testIdx - 1].getOpcode() == Opcodes.LCMP) {
                    isLong = true;
                    end = testIdx - 1;
                }
            } else {
                return null;
            }
            List<List<AbstractInsnNode>> ops = split(start, end);
            if (ops == null) return null;
            List<AbstractInsnNode> a = ops.get(0);
            List<AbstractInsnNode> b = ops.size() > 1 ? ops.get(1) : List.of();
            int loadOp = isLong ? Opcodes.LLOAD : Opcodes.ILOAD;
            int stay = bottom ? cond : negate(cond);
            int iVar;
            List<AbstractInsnNode> bound;
            boolean iFirst;
            long[] steps;
            if (isLocalLoad(a, loadOp) && (steps = steps(((VarInsnNode) a.get(0)).var, isLong)) != null) {
                iVar = ((VarInsnNode) a.get(0)).var;
                bound = b;
                iFirst = true;
            } else if (isLocalLoad(b, loadOp) && (steps = steps(((VarInsnNode) b.get(0)).var, isLong)) != null) {
                iVar = ((VarInsnNode) b.get(0)).var;
                bound = a;
                iFirst = false;
                stay = swap(stay);
            } else {
                return null;
            }
            if (stay == Opcodes.IFEQ || stay == Opcodes.IFNE) return null;
            boolean up = stay == Opcodes.IFLT || stay == Opcodes.IFLE;
            long minStep = unconditionalStep(iVar, steps, up);
            boolean calls = calls();
            if (minStep <= 0 || !invariant(bound, calls, bottom)) return null;
            return new CountedLoop((LabelNode) insns[h], frame, back, test, insns[start], bottom, iVar, isLong, bound,
                    iFirst, stay, minStep, calls, codeSize(), innerBackEdges, entry(), entryFrame());
        }

        /** Real instructions between head and back-edge (labels, frames and line numbers left out). */
        private int codeSize() {
            int n = 0;
            for (int x = h; x <= g; x++) {
                if (!isPseudo(insns[x])) n++;
            }
            return n;
        }

        LabelNode entry() {
            return rotatedEntry < 0 ? (LabelNode) insns[h] : (LabelNode) insns[rotatedEntry];
        }

        /** The frame at the entry; null if there is none or it does not have an empty stack. */
        FrameNode entryFrame() {
            if (rotatedEntry < 0) return frame;
            for (int x = rotatedEntry; x < insns.length && isPseudo(insns[x]); x++) {
                if (insns[x] instanceof FrameNode f) {
                    return f.type == Opcodes.F_NEW && f.stack.isEmpty() ? f : null;
                }
            }
            return null;
        }

        private boolean onlyPseudoBetween(int from, int to) {
            for (int x = from; x < to; x++) {
                if (!isPseudo(insns[x])) return false;
            }
            return true;
        }

        /** Labels, frames and line numbers: no code. */
        private static boolean isPseudo(AbstractInsnNode n) {
            return n instanceof LabelNode || n instanceof FrameNode || n instanceof LineNumberNode;
        }

        /**
         * No other loop inside, no jump into the middle from outside, nothing that makes the body's paths
         * hard to follow (JSR/RET, monitors); switches only jump forward. Jumps back to the head from inside
         * are {@code continue}s, kept in {@link #innerBackEdges}.
         */
        private boolean closedRegion() {
            for (int x = h; x <= g; x++) {
                int op = insns[x].getOpcode();
                if (op == Opcodes.JSR || op == Opcodes.RET || op == Opcodes.MONITORENTER || op == Opcodes.MONITOREXIT) return false;
                if (x == g) continue;
                for (LabelNode t : targets(insns[x])) {
                    int ti = list.indexOf(t);
                    if (ti == h && insns[x] instanceof JumpInsnNode) {
                        innerBackEdges.add(insns[x]);
                    } else if (ti <= x) {
                        return false;
                    }
                }
            }
            boolean enteredAtHead = false;
            for (int[] e : edges) {
                int x = e[0];
                int ti = e[1];
                if (x >= h && x <= g) continue;
                if (ti > h && ti <= g) {
                    // A rotated loop: every entry from outside goes to one label, and the head is not reached
                    // from before it (the code before it ends in a jump).
                    if (!(insns[x] instanceof JumpInsnNode) || (rotatedEntry >= 0 && rotatedEntry != ti)) return false;
                    rotatedEntry = ti;
                }
                if (ti == h) {
                    if (!(insns[x] instanceof JumpInsnNode)) return false;
                    enteredAtHead = true;
                }
            }
            if (rotatedEntry >= 0) {
                int p = h - 1;
                while (p >= 0 && isPseudo(insns[p])) p--;
                int op = p < 0 ? -1 : insns[p].getOpcode();
                boolean noFallThrough = op == Opcodes.GOTO || (op >= Opcodes.IRETURN && op <= Opcodes.RETURN) || op == Opcodes.ATHROW;
                if (enteredAtHead || !noFallThrough || !innerBackEdges.isEmpty()) return false;
            }
            return true;
        }

        /** Try blocks wholly inside the loop, wholly around it or apart from it; no handler entering it from outside. */
        private boolean tryBlocksFit() {
            for (TryCatchBlockNode tc : m.tryCatchBlocks) {
                int s = list.indexOf(tc.start);
                int e = list.indexOf(tc.end);
                int hd = list.indexOf(tc.handler);
                boolean around = s <= h && e > g;
                boolean inside = s > h && e <= g + 1;
                boolean apart = e <= h || s > g;
                if (!(around || inside || apart)) return false;
                if (!inside && hd >= h && hd <= g) return false;
                if (inside && hd == h) return false;
            }
            return true;
        }

        /** Where the operands of the conditional jump at {@code testIdx} begin, or -1 if they are not a simple read. */
        private int operandsStart(int testIdx) {
            int op = insns[testIdx].getOpcode();
            int need;
            int x = testIdx - 1;
            if (op >= Opcodes.IF_ICMPEQ && op <= Opcodes.IF_ICMPLE) {
                need = 2;
            } else if (x >= 0 && insns[x].getOpcode() == Opcodes.LCMP) {
                need = 2;
                x--;
            } else {
                need = 1;
            }
            int have = 0;
            for (; x > h; x--) {
                Integer n = net(insns[x]);
                if (n == null) return -1;
                have += n;
                if (have == need) return x;
            }
            return -1;
        }

        /** The operands in {@code [start, end)}, one list per pushed value; null if they are not simple reads. */
        private List<List<AbstractInsnNode>> split(int start, int end) {
            List<List<AbstractInsnNode>> ops = new ArrayList<>();
            int have = 0;
            for (int x = start; x < end; x++) {
                Integer n = net(insns[x]);
                if (n == null) return null;
                if (n == 1) {
                    ops.add(new ArrayList<>());
                }
                have += n;
                if (ops.isEmpty()) return null;
                ops.get(ops.size() - 1).add(insns[x]);
            }
            return have == ops.size() && have >= 1 && have <= 2 ? ops : null;
        }

        /** Values pushed minus values popped, for the instructions a bound may be made of; null for any other. */
        private static Integer net(AbstractInsnNode n) {
            int op = n.getOpcode();
            if ((op >= Opcodes.ICONST_M1 && op <= Opcodes.LCONST_1) || op == Opcodes.BIPUSH || op == Opcodes.SIPUSH
                    || op == Opcodes.ILOAD || op == Opcodes.LLOAD || op == Opcodes.ALOAD || op == Opcodes.GETSTATIC) {
                return 1;
            }
            if (op == Opcodes.LDC) {
                Object c = ((LdcInsnNode) n).cst;
                return c instanceof Integer || c instanceof Long ? 1 : null;
            }
            if (op == Opcodes.GETFIELD || op == Opcodes.ARRAYLENGTH || op == Opcodes.I2L || isStringLength(n)) {
                return 0;
            }
            return null;
        }

        private static boolean isStringLength(AbstractInsnNode n) {
            return n instanceof MethodInsnNode mi && mi.getOpcode() == Opcodes.INVOKEVIRTUAL && mi.owner.equals("java/lang/String")
                    && mi.name.equals("length") && mi.desc.equals("()I");
        }

        /** The stack is empty where a bottom test's operands begin: after a statement, or at a frame that says so. */
        private boolean stackEmptyBefore(int start) {
            int x = start - 1;
            while (x > h && (insns[x] instanceof LabelNode || insns[x] instanceof LineNumberNode)) x--;
            AbstractInsnNode n = insns[x];
            int op = n.getOpcode();
            if (n instanceof FrameNode f) return f.stack == null || f.stack.isEmpty();
            if (n instanceof MethodInsnNode mi) return Type.getReturnType(mi.desc) == Type.VOID_TYPE && x > h;
            return op == Opcodes.IINC || (op >= Opcodes.ISTORE && op <= Opcodes.ASTORE) || (op >= Opcodes.IASTORE && op <= Opcodes.SASTORE)
                    || op == Opcodes.POP || op == Opcodes.POP2 || op == Opcodes.PUTFIELD || op == Opcodes.PUTSTATIC;
        }

        private static boolean isLocalLoad(List<AbstractInsnNode> operand, int loadOp) {
            return operand.size() == 1 && operand.get(0).getOpcode() == loadOp;
        }

        /**
         * The steps of {@code var} inside the loop, as {index, step} pairs flattened; null if it is written
         * in any other way. A step is {@code IINC var c} or {@code load var; const; add|sub; store var}.
         */
        private long[] steps(int var, boolean isLong) {
            List<Long> found = new ArrayList<>();
            int store = isLong ? Opcodes.LSTORE : Opcodes.ISTORE;
            for (int x = h; x <= g; x++) {
                AbstractInsnNode n = insns[x];
                if (n instanceof IincInsnNode inc && inc.var == var) {
                    if (isLong) return null;
                    found.add((long) x);
                    found.add((long) inc.incr);
                } else if (n instanceof VarInsnNode v && v.var == var && v.getOpcode() >= Opcodes.ISTORE && v.getOpcode() <= Opcodes.ASTORE) {
                    Long c = v.getOpcode() == store && x >= h + 3 ? addStep(x, var, isLong) : null;
                    if (c == null) return null;
                    found.add((long) x);
                    found.add(c);
                }
            }
            if (found.isEmpty()) return null;
            long[] r = new long[found.size()];
            for (int i = 0; i < r.length; i++) r[i] = found.get(i);
            return r;
        }

        /** The constant of {@code load var; const; add|sub; store var} ending at {@code x}, or null. */
        private Long addStep(int x, int var, boolean isLong) {
            AbstractInsnNode load = insns[x - 3];
            AbstractInsnNode c = insns[x - 2];
            int arith = insns[x - 1].getOpcode();
            if (load.getOpcode() != (isLong ? Opcodes.LLOAD : Opcodes.ILOAD) || ((VarInsnNode) load).var != var) return null;
            Long value = constant(c);
            if (value == null) return null;
            if (arith == (isLong ? Opcodes.LADD : Opcodes.IADD)) return value;
            if (arith == (isLong ? Opcodes.LSUB : Opcodes.ISUB)) return -value;
            return null;
        }

        private static Long constant(AbstractInsnNode n) {
            int op = n.getOpcode();
            if (op >= Opcodes.ICONST_M1 && op <= Opcodes.ICONST_5) return (long) (op - Opcodes.ICONST_0);
            if (op == Opcodes.LCONST_0 || op == Opcodes.LCONST_1) return (long) (op - Opcodes.LCONST_0);
            if (op == Opcodes.BIPUSH || op == Opcodes.SIPUSH) return (long) ((org.objectweb.asm.tree.IntInsnNode) n).operand;
            if (op == Opcodes.LDC && ((LdcInsnNode) n).cst instanceof Number num
                    && (num instanceof Integer || num instanceof Long)) return num.longValue();
            return null;
        }

        /**
         * The absolute step of a step that every iteration makes, or 0 if there is none or a step goes the
         * wrong way. Every iteration passes instruction {@code s} if no jump inside the loop before it lands
         * after it, and no jump back to the head (a continue) comes before it.
         */
        private long unconditionalStep(int var, long[] steps, boolean up) {
            long best = 0;
            for (int p = 0; p < steps.length; p += 2) {
                long step = steps[p + 1];
                if (step == 0 || (step > 0) != up) return 0;
            }
            for (int p = 0; p < steps.length; p += 2) {
                int s = (int) steps[p];
                if (passedEveryIteration(s)) best = Math.max(best, Math.abs(steps[p + 1]));
            }
            return best;
        }

        private boolean passedEveryIteration(int s) {
            for (TryCatchBlockNode tc : m.tryCatchBlocks) {
                int hd = list.indexOf(tc.handler);
                if (list.indexOf(tc.start) < s && hd > s && hd <= g) return false; // an exception may skip it
            }
            for (int y = h; y < s; y++) {
                for (LabelNode t : targets(insns[y])) {
                    int ti = list.indexOf(t);
                    if (ti > s && ti <= g) return false;
                    if (ti == h) return false; // a continue before the step
                }
            }
            return true;
        }

        boolean calls() {
            for (int x = h; x <= g; x++) {
                int op = insns[x].getOpcode();
                if (op >= Opcodes.INVOKEVIRTUAL && op <= Opcodes.INVOKEDYNAMIC) return true;
            }
            return false;
        }

        /** The bound is a pure read that nothing in the loop can change (see the class comment). */
        private boolean invariant(List<AbstractInsnNode> bound, boolean calls, boolean bottom) {
            Set<Integer> written = new HashSet<>();
            Set<String> putFields = new HashSet<>();
            boolean thisWritten = false;
            for (int x = h; x <= g; x++) {
                if (insns[x] instanceof VarInsnNode v && v.getOpcode() >= Opcodes.ISTORE && v.getOpcode() <= Opcodes.ASTORE) written.add(v.var);
                if (insns[x] instanceof IincInsnNode inc) written.add(inc.var);
                if (insns[x] instanceof FieldInsnNode f && (f.getOpcode() == Opcodes.PUTFIELD || f.getOpcode() == Opcodes.PUTSTATIC)) {
                    putFields.add(f.owner + "." + f.name);
                }
            }
            if (bottom && bound.stream().anyMatch(n -> n.getOpcode() == Opcodes.GETFIELD)) {
                for (AbstractInsnNode n : m.instructions) {
                    if (n instanceof VarInsnNode v && v.var == 0 && v.getOpcode() == Opcodes.ASTORE) thisWritten = true;
                }
            }
            AbstractInsnNode prev = null;
            for (AbstractInsnNode n : bound) {
                int op = n.getOpcode();
                if (n instanceof VarInsnNode v && written.contains(v.var)) return false;
                if (n instanceof FieldInsnNode f) {
                    String key = f.owner + "." + f.name;
                    if (calls || !plainFields.contains(key) || putFields.contains(key)) return false;
                    boolean onThis = prev != null && prev.getOpcode() == Opcodes.ALOAD && ((VarInsnNode) prev).var == 0
                            && (m.access & Opcodes.ACC_STATIC) == 0 && !thisWritten;
                    if (bottom && op == Opcodes.GETFIELD && !onThis) return false;
                }
                if (bottom && (op == Opcodes.ARRAYLENGTH || isStringLength(n))) return false;
                prev = n;
            }
            return true;
        }
    }

    static int negate(int cond) {
        return switch (cond) {
            case Opcodes.IFEQ -> Opcodes.IFNE;
            case Opcodes.IFNE -> Opcodes.IFEQ;
            case Opcodes.IFLT -> Opcodes.IFGE;
            case Opcodes.IFGE -> Opcodes.IFLT;
            case Opcodes.IFGT -> Opcodes.IFLE;
            case Opcodes.IFLE -> Opcodes.IFGT;
            default -> throw new IllegalArgumentException("not a condition: " + cond);
        };
    }

    /** The same condition with its operands swapped: {@code a < b} is {@code b > a}. */
    static int swap(int cond) {
        return switch (cond) {
            case Opcodes.IFLT -> Opcodes.IFGT;
            case Opcodes.IFGT -> Opcodes.IFLT;
            case Opcodes.IFLE -> Opcodes.IFGE;
            case Opcodes.IFGE -> Opcodes.IFLE;
            default -> cond;
        };
    }

    static List<LabelNode> targets(AbstractInsnNode n) {
        if (n instanceof JumpInsnNode j) {
            return j.getOpcode() == Opcodes.JSR ? List.of() : List.of(j.label);
        }
        if (n instanceof TableSwitchInsnNode t) {
            List<LabelNode> all = new ArrayList<>(t.labels);
            all.add(t.dflt);
            return all;
        }
        if (n instanceof LookupSwitchInsnNode s) {
            List<LabelNode> all = new ArrayList<>(s.labels);
            all.add(s.dflt);
            return all;
        }
        return List.of();
    }
}
