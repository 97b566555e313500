package dev.preempt.runtime.cfi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import testapp.Target;

/**
 * The call guard's tables live as long as the JVM, so what they cache must not keep a class loader alive:
 * a receiver, a method, a constructor, a class and a looked-up name from a throwaway loader are checked
 * (and cached) at sites, then the loader is dropped and must be collected. A class loaded again registers
 * its sites again: the same site gets the same id, so the tables grow with code, not with redeployments.
 */
class CallGuardLoaderTest {
    /**
     * Defines {@link Target} itself and delegates every other class: a throwaway loader as an app server's
     * or a plugin's. The benchmarks' {@code CfiBench.ChildLoader} is the same loader; why there are two
     * copies is written there.
     */
    private static final class OneClassLoader extends ClassLoader {
        OneClassLoader() {
            super(CallGuardLoaderTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals(Target.class.getName())) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c != null) {
                    return c;
                }
                try (InputStream in = CallGuardLoaderTest.class.getResourceAsStream("/" + name.replace('.', '/') + ".class")) {
                    byte[] b = in.readAllBytes();
                    return defineClass(name, b, 0, b.length);
                } catch (java.io.IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
        }
    }

    @BeforeAll
    static void learn() throws Exception {
        if (Cfi.active()) {
            return; // started in learn mode by another test of this JVM: CFI starts once per JVM
        }
        Path dir = Files.createTempDirectory("preempt-callguard-loader");
        Cfi.start(Cfi.Mode.LEARN, CfiPolicy.empty(), dir.resolve("policy.json"), AuditLog.open(dir.resolve("audit.jsonl").toString(), AuditLog.Format.JSON, 10 << 20, 5));
    }

    @Test
    void everyKindOfCachedTargetLetsItsLoaderBeCollected() throws Exception {
        WeakReference<ClassLoader> loader = checkedThroughEveryGuard("loaders.App.run()V");
        assertNull(collected(loader), "a loader whose classes were checked at call sites is collected");
    }

    @Test
    void aClassLoadedAgainReusesItsSitesAndItsOldLoaderIsStillCollected() throws Exception {
        WeakReference<ClassLoader> first = checkedThroughEveryGuard("loaders.Redeployed.run()V");
        WeakReference<ClassLoader> second = checkedThroughEveryGuard("loaders.Redeployed.run()V");
        assertNull(collected(first));
        assertNull(collected(second));
        assertEquals(CallGuard.register("loaders.Redeployed.run()V#r0"), CallGuard.register("loaders.Redeployed.run()V#r0"));
        assertEquals(CallGuard.register("loaders.Redeployed.run()V#v0", "loaders.Api", "call"),
                CallGuard.register("loaders.Redeployed.run()V#v0", "loaders.Api", "call"));
        assertNotEquals(CallGuard.register("loaders.Redeployed.run()V#v0", "loaders.Api", "call"),
                CallGuard.register("loaders.Redeployed.run()V#v0", "loaders.Other", "call"),
                "a same-named class of other code calling another type gets a site of its own");
    }

    /** Loads Target in a new loader and passes it through every guard at sites named after {@code site}. */
    private static WeakReference<ClassLoader> checkedThroughEveryGuard(String site) throws Exception {
        ClassLoader l = new OneClassLoader();
        Class<?> c = l.loadClass(Target.class.getName());
        assertNotEquals(Target.class, c);
        Object receiver = c.getConstructor().newInstance();
        for (int round = 0; round < 2; round++) { // the second round hits the caches the first one filled
            CallGuard.receiver(receiver, CallGuard.register(site + "#v0", "java.lang.Object", "hashCode"));
            CallGuard.method(c.getMethod("answer"), CallGuard.register(site + "#r0"));
            CallGuard.constructor(c.getConstructor(), CallGuard.register(site + "#r1"));
            CallGuard.newInstance(c, CallGuard.register(site + "#r2"));
            CallGuard.lookup(c, "answer", CallGuard.register(site + "#r3"));
            CallGuard.member(c.getMethod("answer"), CallGuard.register(site + "#r4"));
        }
        assertEquals(42, c.getMethod("answer").invoke(receiver));
        return new WeakReference<>(l);
    }

    /** The referent after GCs until it is cleared or 5 s have passed. */
    static <T> T collected(WeakReference<T> ref) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (ref.get() != null && System.nanoTime() < end) {
            System.gc();
            Thread.sleep(10);
        }
        return ref.get();
    }
}
