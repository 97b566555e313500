package dev.preempt.agent.transform;

import java.util.HashSet;
import java.util.Set;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TypeInsnNode;

/**
 * {@code threads=map}: the app's uses of the JDK's own pools go to {@code JdkPools}: every
 * {@code CompletableFuture}/{@code CompletionStage} {@code *Async} call without an executor (and
 * {@code CompletableFuture.delayedExecutor} without one), and {@code Executors.newWorkStealingPool}.
 *
 * <p>Each call instruction is only redirected: the bridge has the JDK method's descriptor, an instance
 * method becoming a static one that takes the receiver first, so the operand stack before and after the
 * call is the same and every frame stays valid (no value is inserted; the bridge chooses the executor at
 * run time, where it can see the receiver's class, which the call site cannot). Method references to the
 * same methods are pointed at the bridge the same way. Calls whose owner is a subclass of
 * {@code CompletableFuture}, and {@code super.xAsync(...)} calls, are left as written.
 */
final class PoolCallRewriter {
    static final String BRIDGE = "dev/preempt/runtime/threads/JdkPools";
    static final String CF = "java/util/concurrent/CompletableFuture";
    static final String CS = "java/util/concurrent/CompletionStage";
    private static final String EXECUTORS = "java/util/concurrent/Executors";
    private static final String FJP = "java/util/concurrent/ForkJoinPool";

    /** Instance methods of CompletionStage (and CompletableFuture) without an executor: name and arguments. */
    static final Set<String> STAGE_METHODS = Set.of(
            "thenApplyAsync(Ljava/util/function/Function;)",
            "thenAcceptAsync(Ljava/util/function/Consumer;)",
            "thenRunAsync(Ljava/lang/Runnable;)",
            "thenCombineAsync(Ljava/util/concurrent/CompletionStage;Ljava/util/function/BiFunction;)",
            "thenAcceptBothAsync(Ljava/util/concurrent/CompletionStage;Ljava/util/function/BiConsumer;)",
            "runAfterBothAsync(Ljava/util/concurrent/CompletionStage;Ljava/lang/Runnable;)",
            "applyToEitherAsync(Ljava/util/concurrent/CompletionStage;Ljava/util/function/Function;)",
            "acceptEitherAsync(Ljava/util/concurrent/CompletionStage;Ljava/util/function/Consumer;)",
            "runAfterEitherAsync(Ljava/util/concurrent/CompletionStage;Ljava/lang/Runnable;)",
            "thenComposeAsync(Ljava/util/function/Function;)",
            "whenCompleteAsync(Ljava/util/function/BiConsumer;)",
            "handleAsync(Ljava/util/function/BiFunction;)",
            "exceptionallyAsync(Ljava/util/function/Function;)",
            "exceptionallyComposeAsync(Ljava/util/function/Function;)");

    /** Instance methods of CompletableFuture alone. */
    static final Set<String> FUTURE_METHODS = Set.of("completeAsync(Ljava/util/function/Supplier;)");

    /** Static methods, owner.name+desc: the bridge has the same descriptor. */
    static final Set<String> STATICS = Set.of(
            CF + ".supplyAsync(Ljava/util/function/Supplier;)L" + CF + ";",
            CF + ".runAsync(Ljava/lang/Runnable;)L" + CF + ";",
            CF + ".delayedExecutor(JLjava/util/concurrent/TimeUnit;)Ljava/util/concurrent/Executor;",
            EXECUTORS + ".newWorkStealingPool()Ljava/util/concurrent/ExecutorService;",
            EXECUTORS + ".newWorkStealingPool(I)Ljava/util/concurrent/ExecutorService;");

    private static final Set<String> NAMES = new HashSet<>();

    static {
        for (String s : STAGE_METHODS) {
            NAMES.add(s.substring(0, s.indexOf('(')));
        }
        NAMES.add("completeAsync");
        for (String s : STATICS) {
            NAMES.add(s.substring(s.indexOf('.') + 1, s.indexOf('(')));
        }
    }

    private final ThreadMapRewriter.SiteListener sites;

    PoolCallRewriter(ThreadMapRewriter.SiteListener sites) {
        this.sites = sites;
    }

    /** Rewrites one method's calls; true if any changed. */
    boolean rewrite(String className, MethodNode m) {
        boolean changed = false;
        for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext()) {
            if (n instanceof MethodInsnNode mi && NAMES.contains(mi.name)) {
                changed |= rewriteCall(className, m, mi);
            } else if (n instanceof InvokeDynamicInsnNode indy) {
                changed |= rewriteHandles(indy);
            }
        }
        return changed;
    }

    private boolean rewriteCall(String className, MethodNode m, MethodInsnNode mi) {
        int op = mi.getOpcode();
        if (op == Opcodes.INVOKESTATIC && STATICS.contains(mi.owner + "." + mi.name + mi.desc)) {
            if (mi.owner.equals(EXECUTORS) && castToForkJoinPool(mi)) {
                return false; // the app uses the pool as a ForkJoinPool: only the JDK's will do
            }
            mi.owner = BRIDGE;
            mi.itf = false;
            sites.rewritten(className.replace('/', '.') + "." + m.name + " " + mi.name + " on preempt");
            return true;
        }
        boolean virtual = op == Opcodes.INVOKEVIRTUAL && mi.owner.equals(CF);
        boolean iface = op == Opcodes.INVOKEINTERFACE && mi.owner.equals(CS);
        if (!(virtual || iface) || !isStageMethod(mi.owner, mi.name, mi.desc)) {
            return false;
        }
        mi.setOpcode(Opcodes.INVOKESTATIC);
        mi.desc = "(L" + mi.owner + ";" + mi.desc.substring(1);
        mi.owner = BRIDGE;
        mi.itf = false;
        return true;
    }

    /** A method without an executor whose receiver type is {@code owner} (CompletableFuture or CompletionStage). */
    static boolean isStageMethod(String owner, String name, String desc) {
        String args = name + desc.substring(0, desc.indexOf(')') + 1);
        String returns = desc.substring(desc.indexOf(')') + 1);
        if (!returns.equals("L" + owner + ";")) {
            return false;
        }
        return STAGE_METHODS.contains(args) || (owner.equals(CF) && FUTURE_METHODS.contains(args));
    }

    /** The call's result goes straight into {@code CHECKCAST ForkJoinPool}. */
    private static boolean castToForkJoinPool(MethodInsnNode mi) {
        AbstractInsnNode next = mi.getNext();
        while (next != null && next.getOpcode() < 0) { // labels, line numbers, frames
            next = next.getNext();
        }
        return next instanceof TypeInsnNode t && t.getOpcode() == Opcodes.CHECKCAST && t.desc.equals(FJP);
    }

    /** {@code CompletableFuture::supplyAsync}, {@code CompletionStage::thenApplyAsync} and the like. */
    private static boolean rewriteHandles(InvokeDynamicInsnNode indy) {
        boolean changed = false;
        for (int i = 0; i < indy.bsmArgs.length; i++) {
            if (!(indy.bsmArgs[i] instanceof Handle h) || !NAMES.contains(h.getName())) {
                continue;
            }
            int tag = h.getTag();
            if (tag == Opcodes.H_INVOKESTATIC && STATICS.contains(h.getOwner() + "." + h.getName() + h.getDesc())) {
                indy.bsmArgs[i] = new Handle(Opcodes.H_INVOKESTATIC, BRIDGE, h.getName(), h.getDesc(), false);
                changed = true;
            } else if (((tag == Opcodes.H_INVOKEVIRTUAL && h.getOwner().equals(CF)) || (tag == Opcodes.H_INVOKEINTERFACE && h.getOwner().equals(CS)))
                    && isStageMethod(h.getOwner(), h.getName(), h.getDesc())) {
                indy.bsmArgs[i] = new Handle(Opcodes.H_INVOKESTATIC, BRIDGE, h.getName(), "(L" + h.getOwner() + ";" + h.getDesc().substring(1), false);
                changed = true;
            }
        }
        return changed;
    }
}
