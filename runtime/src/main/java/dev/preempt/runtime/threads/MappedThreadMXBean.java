package dev.preempt.runtime.threads;

import dev.preempt.runtime.scheduler.PreemptScheduler;
import dev.preempt.runtime.scheduler.ScheduledThread;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JDK's {@code ThreadMXBean} as app code gets it under {@code threads=map}: a proxy with the same
 * interfaces (the {@code com.sun.management} extension included, so casts to it still work) that adds the
 * running mapped threads, which the JDK leaves out as virtual threads. Their ids are the app's thread
 * objects' ids; their {@link ThreadInfo} is built by {@link MappedThreadInfo}; their CPU time is their
 * time on preempt's carriers (the JDK answers -1 for a virtual thread). Every other call goes to the JDK's
 * bean unchanged. Deadlock detection ({@code findDeadlockedThreads}) still sees platform threads only.
 */
final class MappedThreadMXBean implements InvocationHandler {
    private final ThreadMXBean jdk;

    private MappedThreadMXBean(ThreadMXBean jdk) {
        this.jdk = jdk;
    }

    static ThreadMXBean wrap(ThreadMXBean jdk) {
        if (Proxy.isProxyClass(jdk.getClass()) && Proxy.getInvocationHandler(jdk) instanceof MappedThreadMXBean) {
            return jdk;
        }
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        for (Class<?> c = jdk.getClass(); c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (ThreadMXBean.class.isAssignableFrom(i) && Modifier.isPublic(i.getModifiers())) {
                    interfaces.add(i);
                }
            }
        }
        return (ThreadMXBean) Proxy.newProxyInstance(ThreadMXBean.class.getClassLoader(), interfaces.toArray(Class<?>[]::new),
                new MappedThreadMXBean(jdk));
    }

    @Override
    public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
        Class<?>[] p = m.getParameterTypes();
        switch (m.getName()) {
            case "equals":
                if (p.length == 1 && p[0] == Object.class) {
                    return proxy == args[0];
                }
                break;
            case "hashCode":
                if (p.length == 0) {
                    return System.identityHashCode(proxy);
                }
                break;
            case "getThreadCount":
                return jdk.getThreadCount() + MappedThreads.live().size();
            case "getPeakThreadCount":
                return Math.max(jdk.getPeakThreadCount(), jdk.getThreadCount() + MappedThreads.live().size());
            case "getDaemonThreadCount":
                return jdk.getDaemonThreadCount() + (int) MappedThreads.live().stream().filter(l -> l.rec().daemon).count();
            case "getTotalStartedThreadCount":
                return jdk.getTotalStartedThreadCount() + MappedThreads.STARTED.sum();
            case "getAllThreadIds":
                return allThreadIds();
            case "getThreadInfo":
                return threadInfo(m, p, args);
            case "dumpAllThreads":
                return dumpAllThreads(m, args);
            case "getThreadCpuTime", "getThreadUserTime":
                if (p.length == 1) {
                    return cpuTimes(m, args[0]);
                }
                break;
            case "getCurrentThreadCpuTime", "getCurrentThreadUserTime":
                if (p.length == 0) {
                    MappedThreads.Live self = current();
                    return self != null && jdk.isThreadCpuTimeEnabled() ? cpuNanos(self) : call(m, args);
                }
                break;
            default:
                break;
        }
        return call(m, args);
    }

    private Object call(Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(jdk, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static Map<Long, MappedThreads.Live> byId() {
        Map<Long, MappedThreads.Live> m = new HashMap<>();
        for (MappedThreads.Live l : MappedThreads.live()) {
            m.put(l.app().threadId(), l);
        }
        return m;
    }

    private long[] allThreadIds() {
        long[] platform = jdk.getAllThreadIds();
        List<MappedThreads.Live> mapped = MappedThreads.live();
        long[] all = Arrays.copyOf(platform, platform.length + mapped.size());
        for (int i = 0; i < mapped.size(); i++) {
            all[platform.length + i] = mapped.get(i).app().threadId();
        }
        return all;
    }

    /**
     * The six {@code getThreadInfo} overloads: the JDK answers first (null for a virtual thread), then each
     * null whose id is a mapped thread's is filled in. An id that is neither stays null, as in the JDK.
     */
    private Object threadInfo(Method m, Class<?>[] p, Object[] args) throws Throwable {
        Object answer = call(m, args);
        // (id), (ids): no stack; (id, depth), (ids, depth); (ids, monitors, synchronizers): all of it; (…, depth)
        int maxDepth = switch (p.length) {
            case 1 -> 0;
            case 2 -> (int) args[1];
            case 3 -> -1;
            default -> (int) args[3];
        };
        Map<Long, MappedThreads.Live> mapped = byId();
        if (answer instanceof ThreadInfo[] infos) {
            long[] ids = (long[]) args[0];
            for (int i = 0; i < ids.length; i++) {
                MappedThreads.Live l = infos[i] == null ? mapped.get(ids[i]) : null;
                if (l != null) {
                    infos[i] = MappedThreadInfo.of(l, maxDepth);
                }
            }
            return infos;
        }
        MappedThreads.Live l = answer == null ? mapped.get((long) args[0]) : null;
        return l != null ? MappedThreadInfo.of(l, maxDepth) : answer;
    }

    private Object dumpAllThreads(Method m, Object[] args) throws Throwable {
        ThreadInfo[] platform = (ThreadInfo[]) call(m, args);
        int maxDepth = args.length == 3 ? (int) args[2] : -1;
        List<MappedThreads.Live> mapped = MappedThreads.live();
        ThreadInfo[] all = Arrays.copyOf(platform, platform.length + mapped.size());
        int n = platform.length;
        for (MappedThreads.Live l : mapped) {
            ThreadInfo info = MappedThreadInfo.of(l, maxDepth);
            if (info != null) {
                all[n++] = info;
            }
        }
        return n == all.length ? all : Arrays.copyOf(all, n);
    }

    /** {@code getThreadCpuTime/getThreadUserTime(id)} and the {@code long[]} forms of the extension. */
    private Object cpuTimes(Method m, Object idOrIds) throws Throwable {
        Object answer = call(m, new Object[] {idOrIds});
        if (!jdk.isThreadCpuTimeEnabled()) {
            return answer;
        }
        Map<Long, MappedThreads.Live> mapped = byId();
        if (answer instanceof long[] times) {
            long[] ids = (long[]) idOrIds;
            for (int i = 0; i < ids.length; i++) {
                MappedThreads.Live l = mapped.get(ids[i]);
                if (l != null) {
                    times[i] = cpuNanos(l);
                }
            }
            return times;
        }
        MappedThreads.Live l = mapped.get((long) idOrIds);
        return l != null ? cpuNanos(l) : answer;
    }

    /** A mapped thread's time on preempt's carriers: the nearest a virtual thread has to CPU time. */
    static long cpuNanos(MappedThreads.Live l) {
        PreemptScheduler s = PreemptScheduler.active();
        ScheduledThread st = s == null ? null : s.thread(l.runner());
        return st == null ? -1 : st.cpuNanos();
    }

    private static MappedThreads.Live current() {
        Thread c = Thread.currentThread();
        if (!c.isVirtual()) {
            return null;
        }
        for (MappedThreads.Live l : MappedThreads.live()) {
            if (l.runner() == c) {
                return l;
            }
        }
        return null;
    }
}
