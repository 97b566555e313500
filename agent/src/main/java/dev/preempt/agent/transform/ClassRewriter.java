package dev.preempt.agent.transform;

import dev.preempt.agent.options.AgentConfig;
import dev.preempt.runtime.log.PreemptLog;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodTooLargeException;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Runs the rewrites that are switched on over one class, in one place. Every rewrite inserts only
 * instructions that leave the operand stack and the locals as they were (a static call with no
 * arguments, or a call that replaces another of the same stack effect), so the class's own stack map
 * frames stay valid and no frame is recomputed: no class is ever loaded to compute a common super type,
 * which is what makes the rewrite safe on any class-file version, JSR/RET included.
 */
public final class ClassRewriter {
    private final boolean polls;
    private final boolean threads;

    public ClassRewriter(AgentConfig config) {
        this.polls = config.schedule();
        this.threads = config.schedule();
    }

    /** The rewritten class, or null when nothing needed changing. */
    public byte[] rewrite(String className, byte[] bytes) {
        ClassReader reader = new ClassReader(bytes);
        ClassNode cn = new ClassNode(Opcodes.ASM9);
        reader.accept(cn, 0);
        if ((cn.access & Opcodes.ACC_MODULE) != 0) {
            return null;
        }
        boolean changed = false;
        for (MethodNode m : cn.methods) {
            if (threads) {
                changed |= ThreadCallRewriter.rewrite(m);
            }
            if (polls) {
                changed |= SafepointInserter.insert(m);
            }
        }
        if (!changed) {
            return null;
        }
        try {
            return write(cn);
        } catch (MethodTooLargeException e) {
            // Polls made a method exceed 64 KiB: drop the polls of that method only, keep the rest.
            PreemptLog.once(PreemptLog.Level.INFO, "too-large:" + className + "." + e.getMethodName(),
                    "method " + className.replace('/', '.') + "." + e.getMethodName()
                            + " is near the 64 KiB limit: left without safepoint polls");
            for (MethodNode m : cn.methods) {
                if (m.name.equals(e.getMethodName()) && m.desc.equals(e.getDescriptor())) {
                    SafepointInserter.remove(m);
                }
            }
            return write(cn);
        }
    }

    private static byte[] write(ClassNode cn) {
        ClassWriter cw = new ClassWriter(0);
        cn.accept(cw);
        return cw.toByteArray();
    }
}
