package dev.preempt.runtime.threads;

import java.lang.management.ManagementFactory;
import java.lang.management.PlatformManagedObject;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * Where the app's call sites that enumerate threads are redirected ({@code threads=map}), so that a mapped
 * thread is found as its platform thread was: {@code ThreadGroup.activeCount/enumerate},
 * {@code Thread.activeCount/enumerate} and the {@code ThreadMXBean} (through {@link MappedThreadMXBean}).
 * Virtual threads are in no group the JDK enumerates and the JDK's ThreadMXBean leaves them out; these
 * add the running mapped threads, each as the app's own {@code Thread} object, in the group it was created
 * in. Each answers exactly as the JDK call when preempt maps nothing. {@code Thread.getAllStackTraces()}
 * is in {@link ThreadBridge}.
 */
public final class ThreadVisibility {
    private ThreadVisibility() {}

    /** {@code group.activeCount()}: its live platform threads and mapped threads, subgroups included. */
    public static int activeCount(ThreadGroup group) {
        int n = group.activeCount();
        for (MappedThreads.Live l : MappedThreads.live()) {
            if (within(l.rec().group, group, true)) {
                n++;
            }
        }
        return n;
    }

    /** {@code group.enumerate(list)}. */
    public static int enumerate(ThreadGroup group, Thread[] list) {
        return enumerate(group, list, true);
    }

    /** {@code group.enumerate(list, recurse)}: the JDK's threads first, then mapped ones while there is room. */
    public static int enumerate(ThreadGroup group, Thread[] list, boolean recurse) {
        int n = group.enumerate(list, recurse);
        for (MappedThreads.Live l : MappedThreads.live()) {
            if (n == list.length) {
                break;
            }
            if (within(l.rec().group, group, recurse)) {
                list[n++] = l.app();
            }
        }
        return n;
    }

    /** {@code Thread.activeCount()}: of the caller's group, which for a mapped thread is the one it was created in. */
    public static int threadActiveCount() {
        ThreadGroup g = callersGroup();
        return g == null ? Thread.activeCount() : activeCount(g);
    }

    /** {@code Thread.enumerate(list)}: the caller's group and its subgroups. */
    public static int threadEnumerate(Thread[] list) {
        ThreadGroup g = callersGroup();
        return g == null ? Thread.enumerate(list) : enumerate(g, list, true);
    }

    /** {@code ManagementFactory.getThreadMXBean()}: the JDK's bean, with mapped threads added. */
    public static ThreadMXBean getThreadMXBean() {
        return MappedThreadMXBean.wrap(ManagementFactory.getThreadMXBean());
    }

    /** {@code ManagementFactory.getPlatformMXBean(type)}: for the thread beans as above, else the JDK's. */
    public static <T extends PlatformManagedObject> T getPlatformMXBean(Class<T> type) {
        T bean = ManagementFactory.getPlatformMXBean(type);
        return bean instanceof ThreadMXBean t ? type.cast(MappedThreadMXBean.wrap(t)) : bean;
    }

    /** {@code ManagementFactory.getPlatformMXBeans(type)}: the same, for the list form. */
    public static <T extends PlatformManagedObject> List<T> getPlatformMXBeans(Class<T> type) {
        List<T> beans = ManagementFactory.getPlatformMXBeans(type);
        return beans.stream().map(b -> b instanceof ThreadMXBean t ? type.cast(MappedThreadMXBean.wrap(t)) : b).toList();
    }

    private static ThreadGroup callersGroup() {
        return ThreadBridge.getThreadGroup(ThreadBridge.currentThread());
    }

    /** Whether {@code g} is {@code group}, or (recursing) one of its subgroups. */
    private static boolean within(ThreadGroup g, ThreadGroup group, boolean recurse) {
        if (!recurse) {
            return g == group;
        }
        for (ThreadGroup x = g; x != null; x = x.getParent()) {
            if (x == group) {
                return true;
            }
        }
        return false;
    }
}
