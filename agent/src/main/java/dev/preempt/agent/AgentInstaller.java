package dev.preempt.agent;

import dev.preempt.agent.options.AgentConfig;
import dev.preempt.agent.options.OptionException;
import dev.preempt.agent.options.OptionParser;
import dev.preempt.agent.report.ProfileOutputs;
import dev.preempt.agent.transform.PreemptTransformer;
import dev.preempt.runtime.PreemptRuntime;
import dev.preempt.runtime.cfi.Cfi;
import dev.preempt.runtime.log.PreemptLog;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/**
 * The start-up sequence of docs/architecture.md ("How data flows", step 1), run once the bootstrap jar is
 * on the boot class path: options, log, module opening, runtime, CFI, profile outputs, transformer.
 */
final class AgentInstaller {
    private static volatile boolean installed;

    private AgentInstaller() {}

    static synchronized void install(String args, Instrumentation inst, boolean attached) {
        if (installed || PreemptRuntime.isStarted()) {
            PreemptLog.warn("agent loaded twice into this JVM; the second load does nothing");
            return;
        }
        AgentConfig config;
        try {
            config = OptionParser.parse(args, System.getProperties());
            PreemptLog.configure(config.log(), config.logFile().map(Object::toString).orElse(null));
        } catch (OptionException e) {
            fail(e.getMessage(), attached);
            return;
        } catch (IOException e) {
            fail("preempt: option log.file: cannot open the log file: " + e.getMessage(), attached);
            return;
        }
        openJavaLang(inst);
        if (!config.timer().equals("java")) {
            PreemptRuntime.enableNativeAccess();
        }
        try {
            PreemptRuntime.start(config.toRuntimeSettings());
        } catch (IllegalStateException e) {
            fail("preempt: " + e.getMessage(), attached);
            return;
        }
        if (config.cfi() != Cfi.Mode.OFF) {
            try {
                dev.preempt.agent.cfi.CfiInstaller.install(config, inst);
            } catch (dev.preempt.agent.cfi.CfiInstaller.CfiStartException e) {
                fail(e.getMessage(), attached);
                return;
            }
        }
        ProfileOutputs.install(config.profile(), config.trace(), config.profileDuration());
        PreemptTransformer transformer = new PreemptTransformer(config);
        inst.addTransformer(transformer, inst.isRetransformClassesSupported());
        if (config.schedule() && config.jdkPolls() && inst.isRetransformClassesSupported()) {
            dev.preempt.agent.transform.JdkPollTransformer.install(inst);
        }
        installed = true;
        if (PreemptLog.enabled(PreemptLog.Level.INFO)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> PreemptLog.info(transformer.summary()), "preempt-exit-transformer"));
        }
        PreemptLog.info("preempt " + Version.get() + " started on JDK " + Runtime.version() + " with " + config.rawValues());
        if (attached) {
            retransformLoadedAppClasses(inst, config, transformer);
        }
    }

    /**
     * Attached to a running JVM: the app's classes are already loaded, so they are retransformed to get
     * their polls and redirected call sites. The rewrites change method bodies only, which is all that
     * retransformation allows. A class that fails keeps its code, as at load time.
     */
    private static void retransformLoadedAppClasses(Instrumentation inst, AgentConfig config, PreemptTransformer transformer) {
        java.util.List<Class<?>> app = new java.util.ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            String name = c.getName().replace('.', '/');
            if (inst.isModifiableClass(c) && !c.isHidden() && !c.isArray() && !c.isPrimitive()
                    && PreemptTransformer.isAppClass(c.getClassLoader(), name) && config.instruments(name)) {
                app.add(c);
            }
        }
        long before = transformer.transformedCount();
        for (Class<?> c : app) {
            try {
                inst.retransformClasses(c);
            } catch (Throwable t) {
                PreemptLog.once(PreemptLog.Level.WARN, "retransform:" + c.getName(), "class " + c.getName() + " keeps its code: " + t);
            }
        }
        PreemptLog.info("attached: " + app.size() + " loaded app classes looked at, "
                + (transformer.transformedCount() - before) + " rewritten");
    }

    /**
     * Opens {@code java.lang} and the JDK internals the scheduler uses to the runtime on the boot class path
     * (its module is the boot loader's unnamed module, where only preempt's runtime lives), so it can reach
     * the virtual-thread builder hook without the user passing {@code --add-opens}. Never to the agent's own
     * module: the agent jar is on the system class path, so its module is the app's unnamed module, and
     * opening to it opened {@code java.lang}, {@code jdk.internal.vm} and {@code jdk.internal.misc} to every
     * class of the app (found by commons-lang3's own suite: {@code CompareToBuilderTest} reflected into
     * {@code String.value} under the agent and failed as it should on the stock JVM).
     */
    private static void openJavaLang(Instrumentation inst) {
        Module javaBase = Object.class.getModule();
        Module runtime = PreemptRuntime.class.getModule();
        inst.redefineModule(javaBase, Set.of(), Map.of(),
                Map.of("java.lang", Set.of(runtime), "jdk.internal.vm", Set.of(runtime),
                        "jdk.internal.misc", Set.of(runtime), "jdk.internal.access", Set.of(runtime)),
                Set.of(), Map.of());
    }

    private static void fail(String message, boolean attached) {
        System.err.println(message);
        System.err.flush();
        if (!attached) {
            // Exit before the app's main runs: a JVM started with a bad option must not run unconfigured.
            System.exit(1);
        }
    }
}
