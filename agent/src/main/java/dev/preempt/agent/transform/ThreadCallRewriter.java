package dev.preempt.agent.transform;

import java.util.Map;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Redirects the app's virtual-thread creation sites to {@code ThreadBridge}, whose methods have the same
 * descriptors (plus the receiver as first argument for instance methods), so the stack effect of each
 * call is unchanged and frames stay valid. The bridge creates the threads on preempt's scheduler.
 */
public final class ThreadCallRewriter {
    static final String BRIDGE = "dev/preempt/runtime/threads/ThreadBridge";

    /** owner.name+desc of a JDK call -> bridge method name; the bridge's descriptor is derived. */
    private static final Map<String, String> STATIC_CALLS = Map.of(
            "java/lang/Thread.ofVirtual()Ljava/lang/Thread$Builder$OfVirtual;", "ofVirtual",
            "java/lang/Thread.startVirtualThread(Ljava/lang/Runnable;)Ljava/lang/Thread;", "startVirtualThread",
            "java/util/concurrent/Executors.newVirtualThreadPerTaskExecutor()Ljava/util/concurrent/ExecutorService;",
            "newVirtualThreadPerTaskExecutor");

    /** Instance calls on Thread whose JDK behaviour preempt extends (setPriority is ignored for virtual threads). */
    private static final Map<String, String> VIRTUAL_CALLS = Map.of(
            "java/lang/Thread.setPriority(I)V", "setPriority");

    private ThreadCallRewriter() {}

    /** Rewrites the creation sites of one method; true if any was rewritten. */
    public static boolean rewrite(MethodNode m) {
        boolean changed = false;
        for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext()) {
            if (n instanceof InvokeDynamicInsnNode indy) {
                changed |= rewriteHandles(indy);
                continue;
            }
            if (!(n instanceof MethodInsnNode mi)) {
                continue;
            }
            String key = mi.owner + "." + mi.name + mi.desc;
            if (mi.getOpcode() == Opcodes.INVOKESTATIC && STATIC_CALLS.containsKey(key)) {
                mi.owner = BRIDGE;
                mi.name = STATIC_CALLS.get(key);
                mi.itf = false;
                changed = true;
            } else if (mi.getOpcode() == Opcodes.INVOKEVIRTUAL && VIRTUAL_CALLS.containsKey(key)) {
                mi.setOpcode(Opcodes.INVOKESTATIC);
                mi.desc = "(L" + mi.owner + ";" + mi.desc.substring(1);
                mi.owner = BRIDGE;
                mi.name = VIRTUAL_CALLS.get(key);
                mi.itf = false;
                changed = true;
            }
        }
        return changed;
    }

    /**
     * Method references ({@code Thread::startVirtualThread}, {@code Thread::setPriority}) reach the JDK
     * through a method handle constant in the bootstrap arguments of an invokedynamic, not a call
     * instruction: point those handles at the bridge too. A static bridge method taking the receiver first
     * has the same type as the virtual method's handle, so the lambda's types do not change.
     */
    private static boolean rewriteHandles(InvokeDynamicInsnNode indy) {
        boolean changed = false;
        for (int i = 0; i < indy.bsmArgs.length; i++) {
            if (!(indy.bsmArgs[i] instanceof Handle h)) {
                continue;
            }
            String key = h.getOwner() + "." + h.getName() + h.getDesc();
            if (h.getTag() == Opcodes.H_INVOKESTATIC && STATIC_CALLS.containsKey(key)) {
                indy.bsmArgs[i] = new Handle(Opcodes.H_INVOKESTATIC, BRIDGE, STATIC_CALLS.get(key), h.getDesc(), false);
                changed = true;
            } else if (h.getTag() == Opcodes.H_INVOKEVIRTUAL && VIRTUAL_CALLS.containsKey(key)) {
                indy.bsmArgs[i] = new Handle(Opcodes.H_INVOKESTATIC, BRIDGE, VIRTUAL_CALLS.get(key),
                        "(L" + h.getOwner() + ";" + h.getDesc().substring(1), false);
                changed = true;
            }
        }
        return changed;
    }
}
