package dev.preempt.agent.transform;

import java.util.Map;
import java.util.Set;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.MethodInsnNode;

/**
 * {@code threads=map}: redirects the app's calls that enumerate threads to {@code ThreadVisibility}, so that
 * mapped threads (virtual threads, which the JDK leaves out) are counted and listed as their platform
 * threads were: {@code ThreadGroup.activeCount/enumerate}, {@code Thread.activeCount/enumerate} and the
 * {@code ThreadMXBean} from {@code ManagementFactory}. Each call keeps its stack effect: an instance method
 * becomes a static one taking the receiver first. JDK code making the same calls is not rewritten.
 */
final class ThreadVisibilityRewriter {
    static final String VISIBILITY = "dev/preempt/runtime/threads/ThreadVisibility";
    private static final String GROUP = "java/lang/ThreadGroup";
    private static final String MF = "java/lang/management/ManagementFactory";

    /** owner.name+desc of a call to the method of ThreadVisibility with that name (its desc with the receiver first if virtual). */
    private static final Map<String, String> CALLS = Map.of(
            GROUP + ".activeCount()I", "activeCount",
            GROUP + ".enumerate([Ljava/lang/Thread;)I", "enumerate",
            GROUP + ".enumerate([Ljava/lang/Thread;Z)I", "enumerate",
            "java/lang/Thread.activeCount()I", "threadActiveCount",
            "java/lang/Thread.enumerate([Ljava/lang/Thread;)I", "threadEnumerate",
            MF + ".getThreadMXBean()Ljava/lang/management/ThreadMXBean;", "getThreadMXBean",
            MF + ".getPlatformMXBean(Ljava/lang/Class;)Ljava/lang/management/PlatformManagedObject;", "getPlatformMXBean",
            MF + ".getPlatformMXBeans(Ljava/lang/Class;)Ljava/util/List;", "getPlatformMXBeans");

    /** The names in {@link #CALLS}: every other call (nearly all) is passed over without building a key. */
    private static final Set<String> NAMES = Set.of("activeCount", "enumerate", "getThreadMXBean",
            "getPlatformMXBean", "getPlatformMXBeans");

    private ThreadVisibilityRewriter() {}

    /** Rewrites {@code mi} in place if it is one of the calls; true if it was. */
    static boolean rewrite(MethodInsnNode mi) {
        int op = mi.getOpcode();
        if (!NAMES.contains(mi.name) || op != Opcodes.INVOKESTATIC && op != Opcodes.INVOKEVIRTUAL) {
            return false;
        }
        String target = CALLS.get(mi.owner + "." + mi.name + mi.desc);
        if (target == null) {
            return false;
        }
        if (op == Opcodes.INVOKEVIRTUAL) {
            mi.desc = "(L" + mi.owner + ";" + mi.desc.substring(1);
        }
        mi.setOpcode(Opcodes.INVOKESTATIC);
        mi.owner = VISIBILITY;
        mi.name = target;
        mi.itf = false;
        return true;
    }
}
