package dev.preempt.agent.transform;

import dev.preempt.agent.options.AgentConfig;
import dev.preempt.runtime.base.Glob;
import dev.preempt.runtime.base.RuntimeSettings;
import dev.preempt.runtime.cfi.Cfi;
import dev.preempt.runtime.log.PreemptLog;
import java.util.HashSet;
import java.util.List;
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
 * locals as they were, {@link LoopStripMiner} adds its local to the loop's frames itself, and
 * {@link CallGuardInserter} (cfi not off) uses fresh locals only within a straight-line sequence, dead at
 * every frame. So no class is ever loaded to find a common super type, which keeps the rewrite
 * safe on any class-file version, JSR/RET included, and free of class-loading side effects.
 */
public final class ClassRewriter {
    private static final int MAX_TOO_LARGE_RETRIES = 8;

    private final boolean polls;
    private final boolean threads;
    private final boolean mapThreads;
    private final List<Glob> keepClasses;
    private final ThreadTypes threadTypes = new ThreadTypes();
    private final CallGuardInserter callGuards;
    private final PoolCallRewriter pools = new PoolCallRewriter(ClassRewriter::logSite);

    public ClassRewriter(AgentConfig config) {
        this.polls = config.schedule();
        this.threads = config.schedule();
        this.mapThreads = config.schedule() && config.threads() == RuntimeSettings.Threads.MAP;
        this.keepClasses = config.threadsKeep().stream().map(g -> Glob.ofClass(g.toString())).toList();
        this.callGuards = config.cfi() == Cfi.Mode.OFF ? null
                : new CallGuardInserter(config.cfiTypes(), dev.preempt.runtime.cfi.CallGuard::register);
    }

    /** The rewritten class, or null when nothing needed changing; class files resolved by the system loader. */
    public byte[] rewrite(String className, byte[] bytes) {
        return rewrite(className, bytes, ClassLoader.getSystemClassLoader(), false);
    }

    /**
     * The rewritten class, or null when nothing needed changing.
     *
     * @param loader     the class's loader: its resources answer questions about other classes (is X a Thread?)
     * @param redefining a retransformation: method bodies may change, methods may not be added
     */
    public byte[] rewrite(String className, byte[] bytes, ClassLoader loader, boolean redefining) {
        Set<String> withoutPolls = new HashSet<>();
        for (int attempt = 0; ; attempt++) {
            try {
                return rewrite(className, bytes, withoutPolls, loader, redefining);
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

    /** threads=map applies to this class unless threads.keep names it. */
    private boolean mapsThreadsOf(String className) {
        if (!mapThreads) {
            return false;
        }
        for (Glob g : keepClasses) {
            if (g.matches(className)) {
                PreemptLog.once(PreemptLog.Level.INFO, "keep-class:" + className, "threads created in " + className.replace('/', '.')
                        + " stay platform threads: threads.keep matches " + g);
                return false;
            }
        }
        return true;
    }

    private static void logSite(String site) {
        if (PreemptLog.enabled(PreemptLog.Level.DEBUG)) {
            PreemptLog.debug("thread creation site rewritten: " + site);
        }
    }

    /** The class's own non-volatile fields ({@code owner.name}), which a strip-mined loop's bound may read. */
    static Set<String> plainFields(ClassNode cn) {
        Set<String> plain = new HashSet<>();
        for (var f : cn.fields) {
            if ((f.access & Opcodes.ACC_VOLATILE) == 0) {
                plain.add(cn.name + "." + f.name);
            }
        }
        return plain;
    }

    private byte[] rewrite(String className, byte[] bytes, Set<String> withoutPolls, ClassLoader loader, boolean redefining) {
        ClassReader reader = new ClassReader(bytes);
        ClassNode cn = new ClassNode(Opcodes.ASM9);
        // Expanded frames let LoopStripMiner add a local to a loop's frames without recomputing them.
        reader.accept(cn, ClassReader.EXPAND_FRAMES);
        if ((cn.access & Opcodes.ACC_MODULE) != 0) {
            return null;
        }
        boolean hasFrames = (cn.version & 0xFFFF) >= Opcodes.V1_6;
        Set<String> plainFields = plainFields(cn);
        boolean changed = false;
        ThreadMapRewriter mapper = mapsThreadsOf(className) ? new ThreadMapRewriter(cn, loader, threadTypes, ClassRewriter::logSite) : null;
        for (MethodNode m : cn.methods) {
            if (callGuards != null) {
                changed |= callGuards.insert(cn.name, m);
            }
            if (threads) {
                changed |= ThreadCallRewriter.rewrite(m);
            }
            if (mapper != null) {
                changed |= mapper.rewrite(m);
                changed |= pools.rewrite(cn.name, m); // the JDK's pools: under the same switch as the app's threads
            }
            if (polls && !withoutPolls.contains(m.name + m.desc)) {
                changed |= SafepointInserter.insert(m, LoopStripMiner.mine(m, hasFrames, plainFields));
            }
        }
        if (mapper != null && mapper.isThreadSubclass()) {
            if (redefining) {
                PreemptLog.once(PreemptLog.Level.INFO, "subclass-redefined:" + className, "Thread subclass " + className.replace('/', '.')
                        + " was loaded before the agent: its instances stay platform threads");
            } else {
                changed |= mapper.addOverrides(); // after the loop: the added methods need no rewriting
            }
        }
        if (!changed) {
            return null;
        }
        // Starting from the reader copies its constant pool: faster to write, and the untouched entries keep
        // their indexes (measured 4% of the rewrite time on the corpus).
        ClassWriter cw = new ClassWriter(reader, 0);
        cn.accept(cw);
        return cw.toByteArray();
    }
}
