package dev.preempt.agent.transform;

import dev.preempt.agent.options.AgentConfig;
import dev.preempt.runtime.log.PreemptLog;
import java.util.HashSet;
import java.util.Set;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodTooLargeException;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Runs the rewrites that are switched on over one class, in one place. Every rewrite keeps the class's
 * stack map frames valid without recomputing them: polls and bridge calls leave the operand stack and
 * locals as they were, and the one rewrite that adds a local ({@link LoopStripMiner}) adds it to the
 * loop's frames itself. So no class is ever loaded to find a common super type, which keeps the rewrite
 * safe on any class-file version, JSR/RET included, and free of class-loading side effects.
 */
public final class ClassRewriter {
    private static final int MAX_TOO_LARGE_RETRIES = 8;

    private final boolean polls;
    private final boolean threads;

    public ClassRewriter(AgentConfig config) {
        this.polls = config.schedule();
        this.threads = config.schedule();
    }

    /** The rewritten class, or null when nothing needed changing. */
    public byte[] rewrite(String className, byte[] bytes) {
        Set<String> withoutPolls = new HashSet<>();
        for (int attempt = 0; ; attempt++) {
            try {
                return rewrite(bytes, withoutPolls);
            } catch (MethodTooLargeException e) {
                if (attempt == MAX_TOO_LARGE_RETRIES) {
                    throw e;
                }
                // Polls pushed a method past 64 KiB: keep that method as it was, rewrite the rest.
                withoutPolls.add(e.getMethodName() + e.getDescriptor());
                PreemptLog.once(PreemptLog.Level.INFO, "too-large:" + className + "." + e.getMethodName() + e.getDescriptor(),
                        "method " + className.replace('/', '.') + "." + e.getMethodName()
                                + " is near the 64 KiB limit: left without safepoint polls");
            }
        }
    }

    private byte[] rewrite(byte[] bytes, Set<String> withoutPolls) {
        ClassReader reader = new ClassReader(bytes);
        ClassNode cn = new ClassNode(Opcodes.ASM9);
        // Expanded frames let LoopStripMiner add a local to a loop's frames without recomputing them.
        reader.accept(cn, ClassReader.EXPAND_FRAMES);
        if ((cn.access & Opcodes.ACC_MODULE) != 0) {
            return null;
        }
        boolean hasFrames = (cn.version & 0xFFFF) >= Opcodes.V1_6;
        Set<String> plainFields = new HashSet<>();
        for (var f : cn.fields) {
            if ((f.access & Opcodes.ACC_VOLATILE) == 0) {
                plainFields.add(cn.name + "." + f.name);
            }
        }
        boolean changed = false;
        for (MethodNode m : cn.methods) {
            if (threads) {
                changed |= ThreadCallRewriter.rewrite(m);
            }
            if (polls && !withoutPolls.contains(m.name + m.desc)) {
                changed |= SafepointInserter.insert(m, LoopStripMiner.mine(m, hasFrames, plainFields));
            }
        }
        if (!changed) {
            return null;
        }
        ClassWriter cw = new ClassWriter(0);
        cn.accept(cw);
        return cw.toByteArray();
    }
}
