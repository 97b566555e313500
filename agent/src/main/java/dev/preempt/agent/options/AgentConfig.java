package dev.preempt.agent.options;

import dev.preempt.runtime.base.Glob;
import dev.preempt.runtime.base.RuntimeSettings;
import dev.preempt.runtime.cfi.AuditLog;
import dev.preempt.runtime.cfi.Cfi;
import dev.preempt.runtime.log.PreemptLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The agent's whole configuration, parsed once at start-up by {@link OptionParser} and never changed.
 * Field names follow the option keys (docs/options.md); a key that takes one of a few words is held as
 * the constant of the runtime's enum those words come from ({@link OptionKey}).
 */
public record AgentConfig(
        boolean schedule,
        boolean jdkPolls,
        RuntimeSettings.Threads threads,
        List<Glob> threadsKeep,
        Duration slice,
        int carriers,
        int carriersMax,
        RuntimeSettings.Sched sched,
        List<RuntimeSettings.PriorityRule> priority,
        String timer,
        Cfi.Mode cfi,
        Path policy,
        String audit,
        AuditLog.Format auditFormat,
        long auditMaxBytes,
        int auditKeep,
        CfiTypes cfiTypes,
        Optional<Path> profile,
        Optional<Path> trace,
        Optional<Duration> profileDuration,
        int profileThreads,
        int profileSlices,
        List<Glob> include,
        List<Glob> exclude,
        PreemptLog.Level log,
        Optional<Path> logFile,
        Map<OptionKey, String> rawValues) {

    /**
     * {@code cfi.types}: which interface and virtual call sites get a receiver check.
     *
     * @param appInterfaces every {@code invokeinterface} whose interface is not the JDK's ({@code interfaces})
     * @param globs         declared owner types (classes or interfaces, the JDK's included) named by glob
     */
    public record CfiTypes(boolean appInterfaces, List<Glob> globs) {
        public CfiTypes {
            globs = List.copyOf(globs);
        }

        public boolean none() {
            return !appInterfaces && globs.isEmpty();
        }
    }

    public AgentConfig {
        threadsKeep = List.copyOf(threadsKeep);
        priority = List.copyOf(priority);
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
        rawValues = Map.copyOf(rawValues);
    }

    /** The defaults alone (what {@code info} prints). */
    public static AgentConfig defaults() {
        try {
            return OptionParser.parse(null, Map.of());
        } catch (OptionException e) {
            throw new AssertionError("defaults must parse", e);
        }
    }

    /** What the bootstrap runtime needs of this configuration. */
    public RuntimeSettings toRuntimeSettings() {
        return new RuntimeSettings(schedule, threads,
                threadsKeep.stream().map(Glob::toString).toList(), slice.toNanos(), carriers, carriersMax,
                sched, priority, timer, profile.isPresent() || trace.isPresent(), profileThreads, profileSlices);
    }

    /** Whether app class {@code internalName} (slashes) is to be instrumented under include/exclude. */
    public boolean instruments(String internalName) {
        if (!include.isEmpty() && include.stream().noneMatch(g -> g.matches(internalName))) {
            return false;
        }
        return exclude.stream().noneMatch(g -> g.matches(internalName));
    }
}
