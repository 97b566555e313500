package dev.preempt.agent.cfi;

import dev.preempt.agent.options.AgentConfig;
import dev.preempt.agent.transform.SinkGuardInserter;
import dev.preempt.runtime.cfi.AuditLog;
import dev.preempt.runtime.cfi.Cfi;
import dev.preempt.runtime.cfi.CfiPolicy;
import dev.preempt.runtime.log.PreemptLog;
import java.io.IOException;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Starts CFI (cfi=learn|audit|enforce): reads the policy (failing closed), opens the audit log, makes the
 * JDK modules that hold sinks read the runtime, starts the runtime's CFI and retransforms the JDK sink
 * classes already loaded (those loaded later are rewritten as they load).
 */
public final class CfiInstaller {
    private static final List<String> SINK_MODULES = List.of("java.base", "java.naming", "java.scripting");

    private CfiInstaller() {}

    /** A start-up failure: the message is printed and the JVM does not start the app. */
    public static final class CfiStartException extends Exception {
        private static final long serialVersionUID = 1L;

        CfiStartException(String message) {
            super(message);
        }
    }

    public static void install(AgentConfig config, Instrumentation inst) throws CfiStartException {
        Cfi.Mode mode = config.cfi();
        CfiPolicy policy;
        try {
            if (mode == Cfi.Mode.LEARN && !Files.exists(config.policy())) {
                policy = CfiPolicy.empty();
            } else {
                policy = PolicyFile.read(config.policy());
            }
        } catch (PolicyFile.PolicyException e) {
            String why = mode == Cfi.Mode.LEARN ? " (cfi=learn merges into an existing policy and will not overwrite one it cannot read)"
                    : " (cfi=" + config.cfi().name().toLowerCase(Locale.ROOT) + " fails closed)";
            throw new CfiStartException("preempt: option policy=" + config.policy() + ": " + e.getMessage() + why);
        }
        if (mode == Cfi.Mode.ENFORCE) {
            refuseTamperable(config);
        }
        AuditLog log;
        try {
            log = AuditLog.open(config.audit(), config.auditFormat(), config.auditMaxBytes(), config.auditKeep());
        } catch (IOException e) {
            throw new CfiStartException("preempt: option audit=" + config.audit() + ": cannot open the audit log: " + e);
        }
        Module runtime = Cfi.class.getModule();
        for (String name : SINK_MODULES) {
            ModuleLayer.boot().findModule(name).ifPresent(m ->
                    inst.redefineModule(m, Set.of(runtime), Map.of(), Map.of(), Set.of(), Map.of()));
        }
        Cfi.start(mode, policy, config.policy(), log);
        inst.addTransformer(new SinkTransformer(), true);
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (SinkGuardInserter.CLASSES.contains(c.getName().replace('.', '/')) && c.getClassLoader() == null
                    || SinkGuardInserter.CLASSES.contains(c.getName().replace('.', '/')) && c.getClassLoader() == ClassLoader.getPlatformClassLoader()) {
                loaded.add(c);
            }
        }
        try {
            inst.retransformClasses(loaded.toArray(Class<?>[]::new));
        } catch (Throwable t) {
            throw new CfiStartException("preempt: cfi=" + config.cfi().name().toLowerCase(Locale.ROOT)
                    + ": cannot guard the JDK's sink classes (" + t + "); refusing to start the app unprotected");
        }
        PreemptLog.info("cfi " + mode.name().toLowerCase(Locale.ROOT) + ": policy " + config.policy().toAbsolutePath() + digest(config) + " ("
                + policy.rules().size() + " rules, " + policy.sinkCount() + " sink entries, " + policy.callCount()
                + " call edges); " + loaded.size() + " loaded JDK sink classes guarded");
    }

    private static String digest(AgentConfig config) {
        try {
            return Files.exists(config.policy()) ? " " + TamperCheck.digest(config.policy()) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** cfi=enforce does not start on a policy or audit log that other users could change (see {@link TamperCheck}). */
    private static void refuseTamperable(AgentConfig config) throws CfiStartException {
        var policy = TamperCheck.problem(config.policy());
        if (policy.isPresent()) {
            throw new CfiStartException("preempt: option policy=" + config.policy() + ": " + policy.get()
                    + " (cfi=enforce refuses a policy other users can change)");
        }
        if (!config.audit().equals("stderr")) {
            var audit = TamperCheck.problem(java.nio.file.Path.of(config.audit()));
            if (audit.isPresent()) {
                throw new CfiStartException("preempt: option audit=" + config.audit() + ": " + audit.get()
                        + " (cfi=enforce refuses an audit log other users can change)");
            }
        }
    }

    /** Rewrites the JDK's sink classes (boot and platform loaders) as they are loaded or retransformed. */
    private static final class SinkTransformer implements ClassFileTransformer {
        @Override
        public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain pd, byte[] bytes) {
            if (className == null || (loader != null && loader != ClassLoader.getPlatformClassLoader())
                    || !SinkGuardInserter.CLASSES.contains(className)) {
                return null;
            }
            try {
                return SinkGuardInserter.rewrite(className, bytes);
            } catch (Throwable t) {
                PreemptLog.error("cfi: JDK class " + className.replace('/', '.') + " could not be guarded and is unchecked: " + t);
                return null;
            }
        }
    }
}
