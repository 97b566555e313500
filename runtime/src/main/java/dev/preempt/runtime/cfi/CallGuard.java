package dev.preempt.runtime.cfi;

import dev.preempt.runtime.log.PreemptLog;
import java.lang.reflect.Constructor;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Forward edges: what the agent inserts before the app's indirect call sites (reflective calls,
 * method-handle lookups, and interface or virtual calls on guarded types). Each site has a constant id
 * given at rewrite time; the check is an O(1) probe of the target last allowed at that site, and only an
 * unseen (site, target) pair goes to the policy. The site's arguments are spilled and reloaded by the
 * rewrite, so the JDK method is still called from the app's own class (caller-sensitive access checks are
 * unchanged).
 *
 * <p>Memory ordering: the per-site caches are written with plain stores and read without ordering. A
 * reader that sees a stale or missing entry (or a receiver set whose elements are not visible yet) takes
 * the slow path, which asks the policy again: a lost entry costs a check, never a wrong decision.
 *
 * <p>Class loaders: these tables live as long as the JVM, so nothing in them may pin a class loader that
 * could otherwise be collected (an app server's redeployed app, a scripting engine's generated classes).
 * A target or receiver whose class comes from any other loader than the boot, platform or application
 * loader (which are never collected) is cached behind a weak reference: the common case keeps its one
 * comparison, the other pays one more load. Sites are keyed by their description, so a class loaded again
 * in a new loader reuses its sites and the tables grow with the app's code, not with its redeployments.
 */
public final class CallGuard {
    /** Receiver sets larger than this are not grown: a megamorphic site asks the policy on a miss. */
    private static final int MAX_RECEIVERS = 64;

    private static volatile String[] sites = new String[1024];
    /** Per interface/virtual site: the declared type (the learned edge's key) and the method called there. */
    private static volatile String[] declaredTypes = new String[1024];
    private static volatile String[] calledNames = new String[1024];
    /** The last allowed target per site (a member, a Named, or a receiver's Class), or a {@link Weak} of one. */
    private static volatile Object[] allowed = new Object[1024];
    /** Per interface/virtual site: every receiver class allowed there so far, or {@link Weak}s (copy on write). */
    private static volatile Object[][] receivers = new Object[1024][];
    private static int count;
    /** Site key (description, declared type, method) to id: guarded by the class lock, like {@link #count}. */
    private static final Map<String, Integer> ids = new HashMap<>();
    private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();
    private static final ClassLoader SYSTEM = ClassLoader.getSystemClassLoader();

    /** A cached target of a class whose loader may be collected: held without keeping it alive. */
    private static final class Weak extends WeakReference<Object> {
        Weak(Object target) {
            super(target);
        }
    }

    private CallGuard() {}

    /** Registers an app call site ({@code class.method(desc)#n}) and returns its id. */
    public static int register(String site) {
        return register(site, null, null);
    }

    /**
     * Registers an interface or virtual call site whose receiver is checked: {@code declaredType} is the
     * type the call names ({@code org.apache.commons.collections.Transformer}), {@code calledName} the
     * method ({@code transform}).
     */
    public static synchronized int register(String site, String declaredType, String calledName) {
        String key = site + '\0' + declaredType + '\0' + calledName;
        Integer known = ids.get(key);
        if (known != null) {
            return known; // the same class again, in another loader: its cache entries are checked by identity
        }
        if (count == sites.length) {
            int n = count * 2;
            String[] s = Arrays.copyOf(sites, n);
            String[] d = Arrays.copyOf(declaredTypes, n);
            String[] c = Arrays.copyOf(calledNames, n);
            Object[] a = Arrays.copyOf(allowed, n);
            Object[][] r = Arrays.copyOf(receivers, n);
            // A guard indexes a new site only after register returned (its class is defined afterwards), so
            // it reads the new arrays; a cache entry written meanwhile into an old array is lost, a miss.
            declaredTypes = d;
            calledNames = c;
            allowed = a;
            receivers = r;
            sites = s;
        }
        sites[count] = site;
        declaredTypes[count] = declaredType;
        calledNames[count] = calledName;
        ids.put(key, count);
        return count++;
    }

    /** The description of site {@code id}, for tests and the audit log. */
    static String site(int id) {
        return sites[id];
    }

    /**
     * Before an interface or virtual call on a guarded type: the receiver's class is the resolved target.
     * The edge decided is (declared type, receiver class), learned from every site that calls the type, so
     * an error path that calls a familiar implementation from a new site passes, while an implementation
     * the app never called through that type (a gadget's) is refused at whichever site meets it first.
     * Fast path: one array load and a class comparison (a monomorphic site after its first call).
     */
    public static void receiver(Object receiver, int site) {
        if (receiver == null) {
            return; // the call itself throws its NullPointerException
        }
        Object a = allowed[site];
        Class<?> c = receiver.getClass();
        if (a == c || (a instanceof Weak w && w.get() == c)) {
            return;
        }
        receiverMiss(c, site);
    }

    private static void receiverMiss(Class<?> c, int site) {
        Object[] seen = receivers[site];
        if (seen != null) {
            for (Object s : seen) {
                if (s == c || (s instanceof Weak w && w.get() == c)) {
                    allowed[site] = hold(c, c);
                    return;
                }
            }
        }
        if (decideReceiver(c, site)) {
            rememberReceiver(c, site, seen);
        }
    }

    /** Adds {@code c} to the site's receiver set, dropping receivers whose loader has been collected. */
    private static void rememberReceiver(Class<?> c, int site, Object[] seen) {
        Object held = hold(c, c);
        allowed[site] = held;
        Object[] live = seen == null ? new Object[0]
                : Arrays.stream(seen).filter(s -> !(s instanceof Weak w) || w.get() != null).toArray();
        int n = live.length;
        if (n < MAX_RECEIVERS) {
            Object[] more = Arrays.copyOf(live, n + 1);
            more[n] = held;
            receivers[site] = more; // a racing writer may lose one entry: it is asked for again
        }
    }

    /** {@code target} itself when {@code owner}'s loader is never collected, else a weak reference to it. */
    private static Object hold(Object target, Class<?> owner) {
        ClassLoader l = owner.getClassLoader();
        return l == null || l == PLATFORM || l == SYSTEM ? target : new Weak(target);
    }

    /** The cached target, unwrapped (null if it was collected). */
    private static Object cached(int site) {
        Object a = allowed[site];
        return a instanceof Weak w ? w.get() : a;
    }

    /** Before {@code Method.invoke}. */
    public static void method(Method m, int site) {
        Object last = cached(site);
        if (last == m || (last != null && m != null && m.equals(last))) {
            return;
        }
        slow(m, m == null ? null : m.getDeclaringClass(), m == null ? null : m.getName(), site);
    }

    /** Before {@code Constructor.newInstance}. */
    public static void constructor(Constructor<?> c, int site) {
        Object last = cached(site);
        if (last == c || (last != null && c != null && c.equals(last))) {
            return;
        }
        slow(c, c == null ? null : c.getDeclaringClass(), "<init>", site);
    }

    /** Before {@code Class.newInstance}. */
    public static void newInstance(Class<?> c, int site) {
        if (cached(site) == c) {
            return;
        }
        slow(c, c, "<init>", site);
    }

    /** Before {@code Lookup.find*(refc, name, ...)}. */
    public static void lookup(Class<?> refc, String name, int site) {
        if (cached(site) instanceof Named n && n.owner == refc && n.name.equals(name)) {
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
        Object last = cached(site);
        if (last == m || (last != null && m != null && m.equals(last))) {
            return;
        }
        slow(m, m == null ? null : m.getDeclaringClass(), m == null ? null : m.getName(), site);
    }

    private record Named(Class<?> owner, String name) {}

    private static void slow(Object target, Class<?> owner, String name, int site) {
        if (decide(target, owner, name, site)) {
            allowed[site] = hold(target, owner);
        }
    }

    private static boolean decideReceiver(Class<?> c, int site) {
        if (!Cfi.active()) {
            return false;
        }
        String receiver = CallerFrames.stableName(c.getName());
        try {
            return Cfi.receiver(sites[site], declaredTypes[site], receiver, receiver + "." + calledNames[site]);
        } catch (CfiViolation v) {
            throw v;
        } catch (RuntimeException | Error e) {
            PreemptLog.once(PreemptLog.Level.ERROR, "call-guard:" + e.getClass().getName(), "cfi call check failed and let the call pass: " + e);
            return false;
        }
    }

    /** The policy's decision on an edge not in the cache: whether the guard may cache it. */
    private static boolean decide(Object target, Class<?> owner, String name, int site) {
        if (owner == null || name == null || !Cfi.active()) {
            return false; // the JDK call itself will throw its NullPointerException
        }
        String t = CallerFrames.stableName(owner.getName()) + "." + name;
        try {
            return Cfi.call(sites[site], t, CallerFrames.isPreemptName(owner.getName()));
        } catch (CfiViolation v) {
            throw v;
        } catch (RuntimeException | Error e) {
            PreemptLog.once(PreemptLog.Level.ERROR, "call-guard:" + e.getClass().getName(), "cfi call check failed and let the call pass: " + e);
            return false;
        }
    }
}
