package dev.preempt.agent.transform;

import dev.preempt.runtime.log.PreemptLog;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Gives the curated JDK classes of {@link JdkPolls} their back-edge polls (jdk.polls=on): those already
 * loaded by a retransformation at start, the others as the boot loader defines them. A class that fails
 * keeps its code and the failure is logged once; the app goes on.
 */
public final class JdkPollTransformer implements ClassFileTransformer {
    private final AtomicInteger rewritten = new AtomicInteger();

    private JdkPollTransformer() {}

    /**
     * Makes the JDK modules that get polls read the runtime (the boot loader's unnamed module, where
     * {@code Safepoint} lives: without the read edge a poll in {@code java.base} fails to link), installs
     * the transformer and retransforms the curated classes already loaded.
     */
    public static void install(Instrumentation inst) {
        Module runtime = dev.preempt.runtime.safepoint.Safepoint.class.getModule();
        for (String name : JdkPolls.MODULES) {
            ModuleLayer.boot().findModule(name).ifPresent(m ->
                    inst.redefineModule(m, Set.of(runtime), Map.of(), Map.of(), Set.of(), Map.of()));
        }
        JdkPollTransformer t = new JdkPollTransformer();
        inst.addTransformer(t, true);
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (c.getClassLoader() == null && JdkPolls.covers(c.getName().replace('.', '/')) && inst.isModifiableClass(c)) {
                loaded.add(c);
            }
        }
        try {
            // All at once: each retransformation is a VM safepoint that deoptimises what depends on the class
            // (measured: one call per class, 27 of them, cost 27 safepoints of 9-36 ms at start under load).
            inst.retransformClasses(loaded.toArray(Class<?>[]::new));
        } catch (Throwable all) {
            for (Class<?> c : loaded) { // one class's failure undid the batch: one at a time, so only it keeps its code
                try {
                    inst.retransformClasses(c);
                } catch (Throwable e) {
                    PreemptLog.once(PreemptLog.Level.WARN, "jdk-polls:" + c.getName(), "JDK class " + c.getName()
                            + " keeps its code (no polls): " + e);
                }
            }
        }
        PreemptLog.info("jdk.polls: " + t.rewritten.get() + " of " + loaded.size() + " loaded JDK classes given polls; "
                + "the others of the set get them as they load");
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain pd, byte[] bytes) {
        if (loader != null || className == null || !JdkPolls.covers(className)) {
            return null;
        }
        try {
            byte[] out = JdkPolls.rewrite(className, bytes);
            if (out != null) {
                rewritten.incrementAndGet();
            }
            return out;
        } catch (Throwable e) {
            PreemptLog.once(PreemptLog.Level.WARN, "jdk-polls:" + className, "JDK class " + className.replace('/', '.')
                    + " keeps its code (no polls): " + e);
            return null;
        }
    }
}
