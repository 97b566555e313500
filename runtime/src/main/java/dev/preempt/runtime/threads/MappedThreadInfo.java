package dev.preempt.runtime.threads;

import java.lang.management.ThreadInfo;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import javax.management.MBeanAttributeInfo;
import javax.management.StandardMBean;
import javax.management.openmbean.ArrayType;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;

/**
 * A {@link ThreadInfo} for a mapped thread, which the JDK cannot make: its constructors are private and
 * its ThreadMXBean answers null for virtual threads. The one public way in is
 * {@link ThreadInfo#from(CompositeData)}, the form a ThreadInfo takes over JMX. The composite type is the
 * JDK's own: the MXBean mapping of an attribute typed {@code ThreadInfo} ({@link Shape}), read once, so it
 * matches what {@code from} checks on whatever JDK runs.
 *
 * <p>What it holds: the app's thread object's id and name, the running virtual thread's state and stack,
 * the priority and daemon status the app set; the blocker a parked thread waits on as its lock; -1 for
 * the blocked and waited times (contention monitoring does not cover virtual threads) and 0 counts; no
 * locked monitors or synchronizers (the JDK does not report them for a virtual thread).
 */
final class MappedThreadInfo {
    private static volatile CompositeType type;

    private MappedThreadInfo() {}

    /** An MXBean interface whose one attribute's open type is the JDK's ThreadInfo composite type. */
    public interface Shape {
        ThreadInfo getThreadInfo();
    }

    /** The ThreadInfo of a running mapped thread, its stack cut at {@code maxDepth} (negative: whole). */
    static ThreadInfo of(MappedThreads.Live l, int maxDepth) {
        Thread runner = l.runner();
        StackTraceElement[] stack = runner.getStackTrace();
        if (maxDepth >= 0 && stack.length > maxDepth) {
            stack = Arrays.copyOf(stack, maxDepth);
        }
        Thread.State state = runner.getState();
        if (state == Thread.State.NEW) {
            state = Thread.State.RUNNABLE; // started, not yet on a carrier
        } else if (state == Thread.State.TERMINATED) {
            return null; // ended between the listing and now
        }
        Object blocker = LockSupport.getBlocker(runner);
        try {
            CompositeType t = type();
            Map<String, Object> items = new HashMap<>();
            items.put("threadId", l.app().threadId());
            items.put("threadName", l.app().getName());
            items.put("threadState", state.name());
            items.put("suspended", false);
            items.put("inNative", false);
            items.put("blockedCount", 0L);
            items.put("blockedTime", -1L);
            items.put("waitedCount", 0L);
            items.put("waitedTime", -1L);
            items.put("lockInfo", blocker == null ? null : lockInfo((CompositeType) t.getType("lockInfo"), blocker));
            items.put("lockName", lockName(blocker));
            items.put("lockOwnerId", -1L);
            items.put("lockOwnerName", null);
            items.put("stackTrace", stackTrace(elementType(t, "stackTrace"), stack));
            items.put("lockedMonitors", new CompositeData[0]);
            items.put("lockedSynchronizers", new CompositeData[0]);
            items.put("daemon", l.rec().daemon);
            items.put("priority", l.rec().priority);
            items.keySet().retainAll(t.keySet());
            return ThreadInfo.from(new CompositeDataSupport(t, items));
        } catch (OpenDataException e) {
            throw new IllegalStateException("this JDK's ThreadInfo composite type is not the one preempt knows", e);
        }
    }

    /** A lock as the JDK names it in a ThreadInfo: {@code class@identity-hash-in-hex}; null for null. */
    static String lockName(Object lock) {
        return lock == null ? null : lock.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(lock));
    }

    private static CompositeType type() {
        CompositeType t = type;
        if (t == null) {
            Shape none = () -> null;
            MBeanAttributeInfo a = new StandardMBean(none, Shape.class, true).getMBeanInfo().getAttributes()[0];
            t = (CompositeType) a.getDescriptor().getFieldValue("openType");
            type = t;
        }
        return t;
    }

    private static CompositeType elementType(CompositeType t, String item) {
        OpenType<?> a = t.getType(item);
        return (CompositeType) ((ArrayType<?>) a).getElementOpenType();
    }

    private static CompositeData lockInfo(CompositeType t, Object lock) throws OpenDataException {
        return new CompositeDataSupport(t, new String[] {"className", "identityHashCode"},
                new Object[] {lock.getClass().getName(), System.identityHashCode(lock)});
    }

    private static CompositeData[] stackTrace(CompositeType t, StackTraceElement[] stack) throws OpenDataException {
        CompositeData[] out = new CompositeData[stack.length];
        for (int i = 0; i < stack.length; i++) {
            StackTraceElement e = stack[i];
            Map<String, Object> items = new HashMap<>();
            for (String k : t.keySet()) {
                items.put(k, switch (k) {
                    case "className" -> e.getClassName();
                    case "methodName" -> e.getMethodName();
                    case "fileName" -> e.getFileName();
                    case "lineNumber" -> e.getLineNumber();
                    case "nativeMethod" -> e.isNativeMethod();
                    case "classLoaderName" -> e.getClassLoaderName();
                    case "moduleName" -> e.getModuleName();
                    case "moduleVersion" -> e.getModuleVersion();
                    default -> null;
                });
            }
            out[i] = new CompositeDataSupport(t, items);
        }
        return out;
    }
}
