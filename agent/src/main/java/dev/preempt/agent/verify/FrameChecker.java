package dev.preempt.agent.verify;

import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.Frame;

/**
 * Checks a method's declared stack map frames against the types the analyser inferred, as the JVM's
 * type-checking verifier does: each declared slot must be a super type of what flows there. ASM's
 * {@code Analyzer} alone ignores the declared frames, and frames are exactly what a rewrite that adds a
 * local ({@code LoopStripMiner}) edits, so this is the check that matters for it.
 */
final class FrameChecker {
    private FrameChecker() {}

    /** Null when every frame holds, else what is wrong where. Frames must be expanded (F_NEW). */
    static String check(MethodNode m, Frame<BasicValue>[] inferred, HierarchyVerifier v) {
        int index = 0;
        for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext(), index++) {
            if (!(n instanceof FrameNode f) || f.type != Opcodes.F_NEW || inferred[index] == null) {
                continue;
            }
            Frame<BasicValue> actual = inferred[index];
            List<Object> locals = slots(f.local);
            for (int slot = 0; slot < locals.size(); slot++) {
                String problem = compare(locals.get(slot), slot < actual.getLocals() ? actual.getLocal(slot) : null, v);
                if (problem != null) {
                    return "frame at instruction " + index + ", local " + slot + ": " + problem;
                }
            }
            List<Object> stack = slots(f.stack);
            int depth = 0;
            for (int s = 0; s < actual.getStackSize(); s++) {
                depth += actual.getStack(s).getSize();
            }
            if (stack.size() != depth) {
                return "frame at instruction " + index + ": declares a stack of " + stack.size() + " slots, " + depth + " flow there";
            }
        }
        return null;
    }

    /** One entry per slot: long and double take two, the second being TOP. */
    private static List<Object> slots(List<Object> declared) {
        List<Object> out = new ArrayList<>();
        if (declared != null) {
            for (Object o : declared) {
                out.add(o);
                if (o == Opcodes.LONG || o == Opcodes.DOUBLE) {
                    out.add(Opcodes.TOP);
                }
            }
        }
        return out;
    }

    private static String compare(Object declared, BasicValue actual, HierarchyVerifier v) {
        if (declared == Opcodes.TOP || declared == Opcodes.UNINITIALIZED_THIS || !(declared instanceof String || declared instanceof Integer)) {
            return null; // TOP accepts anything; uninitialised types are not tracked by the analyser
        }
        if (actual == null || actual == BasicValue.UNINITIALIZED_VALUE) {
            return "declares " + describe(declared) + " but the slot is unset";
        }
        BasicValue expected;
        if (declared == Opcodes.INTEGER) expected = BasicValue.INT_VALUE;
        else if (declared == Opcodes.FLOAT) expected = BasicValue.FLOAT_VALUE;
        else if (declared == Opcodes.LONG) expected = BasicValue.LONG_VALUE;
        else if (declared == Opcodes.DOUBLE) expected = BasicValue.DOUBLE_VALUE;
        else if (declared == Opcodes.NULL) return actual.isReference() ? null : "declares null but holds " + actual;
        else {
            String name = (String) declared;
            expected = v.newValue(name.startsWith("[") ? Type.getType(name) : Type.getObjectType(name));
        }
        return v.assignable(actual, expected) ? null : "declares " + describe(declared) + " but holds " + actual;
    }

    private static String describe(Object declared) {
        if (declared instanceof String s) return s;
        return switch ((Integer) declared) {
            case 1 -> "int";
            case 2 -> "float";
            case 3 -> "double";
            case 4 -> "long";
            default -> "type " + declared;
        };
    }
}
