package dev.preempt.runtime.cfi;

import dev.preempt.runtime.log.PreemptLog;
import java.lang.reflect.Constructor;
import java.lang.reflect.Member;
import java.lang.reflect.Method;

/**
 * Forward edges: what the agent inserts before the app's indirect call sites (reflective calls and
 * method-handle lookups). Each site has a constant id given at rewrite time; the check is an O(1) probe of
 * the target last allowed at that site, and only an unseen (site, target) pair goes to the policy.
 * The site's arguments are spilled and reloaded by the rewrite, so the JDK method is still called from the
 * app's own class (caller-sensitive access checks are unchanged).
 */
public final class CallGuard {
    private static volatile String[] sites = new String[1024];
    /** The last allowed target per site. Plain writes: a lost or stale entry only costs a slow check. */
    private static volatile Object[] allowed = new Object[1024];
    private static int count;

    private CallGuard() {}

    /** Registers an app call site ({@code class.method(desc)#n}) and returns its id. */
    public static synchronized int register(String site) {
        if (count == sites.length) {
            String[] s = java.util.Arrays.copyOf(sites, count * 2);
            Object[] a = java.util.Arrays.copyOf(allowed, count * 2);
            sites = s;
            allowed = a;
        }
        sites[count] = site;
        return count++;
    }

    /** Before {@code Method.invoke}. */
    public static void method(Method m, int site) {
        Object last = allowed[site];
        if (last == m || (last != null && m != null && m.equals(last))) {
            return;
        }
        slow(m, m == null ? null : m.getDeclaringClass(), m == null ? null : m.getName(), site);
    }

    /** Before {@code Constructor.newInstance}. */
    public static void constructor(Constructor<?> c, int site) {
        Object last = allowed[site];
        if (last == c || (last != null && c != null && c.equals(last))) {
            return;
        }
        slow(c, c == null ? null : c.getDeclaringClass(), "<init>", site);
    }

    /** Before {@code Class.newInstance}. */
    public static void newInstance(Class<?> c, int site) {
        if (allowed[site] == c) {
            return;
        }
        slow(c, c, "<init>", site);
    }

    /** Before {@code Lookup.find*(refc, name, ...)}. */
    public static void lookup(Class<?> refc, String name, int site) {
        if (allowed[site] instanceof Named n && n.owner == refc && n.name.equals(name)) {
            return;
        }
        slow(new Named(refc, name), refc, name, site);
    }

    /** Before {@code Lookup.findConstructor(refc, type)}. */
    public static void lookupConstructor(Class<?> refc, int site) {
        lookup(refc, "<init>", site);
    }

    /** Before {@code Lookup.unreflect*(member)}. */
    public static void member(Member m, int site) {
        Object last = allowed[site];
        if (last == m || (last != null && m != null && m.equals(last))) {
            return;
        }
        slow(m, m == null ? null : m.getDeclaringClass(), m == null ? null : m.getName(), site);
    }

    private record Named(Class<?> owner, String name) {}

    private static void slow(Object target, Class<?> owner, String name, int site) {
        if (owner == null || name == null || !Cfi.active()) {
            return; // the JDK call itself will throw its NullPointerException
        }
        String t = CallerFrames.stableName(owner.getName()) + "." + name;
        boolean ok;
        try {
            ok = Cfi.call(sites[site], t, CallerFrames.isPreemptName(owner.getName()));
        } catch (CfiViolation v) {
            throw v;
        } catch (RuntimeException | Error e) {
            PreemptLog.once(PreemptLog.Level.ERROR, "call-guard:" + e.getClass().getName(), "cfi call check failed and let the call pass: " + e);
            return;
        }
        if (ok) {
            allowed[site] = target;
        }
    }
}
