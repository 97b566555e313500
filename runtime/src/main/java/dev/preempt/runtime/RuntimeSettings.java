package dev.preempt.runtime;

import java.util.List;

/**
 * What the runtime needs from the options, built once by the agent from its {@code AgentConfig}. Kept
 * separate so that the bootstrap part depends on nothing the agent shades in.
 *
 * @param schedule       run app virtual threads on preempt's scheduler and honour polls
 * @param mapThreads     {@code threads=map}: platform threads created by app code run on the scheduler
 * @param keepGlobs      {@code threads.keep=}: thread-name or class globs that stay platform threads
 * @param sliceNanos     time slice
 * @param carriers       carrier threads of the scheduler
 * @param maxCarriers    {@code carriers.max=}: most carriers at once, spares standing in for blocked ones included
 * @param strict         {@code sched=strict} (higher priority always first) rather than weighted fair share
 * @param priorityRules  {@code priority=}: thread-name globs to priorities 1..10, first match wins
 * @param timer          {@code timer=}: {@code auto}, {@code native} or {@code java}
 * @param record         record what threads and carriers do for a profile or trace ({@code profile=}, {@code trace=})
 * @param profileThreads {@code profile.threads=}: threads a recording keeps; later ones are counted only
 * @param profileSlices  {@code profile.slices=}: run slices a recording keeps, all carriers together
 */
public record RuntimeSettings(
        boolean schedule,
        boolean mapThreads,
        List<String> keepGlobs,
        long sliceNanos,
        int carriers,
        int maxCarriers,
        boolean strict,
        List<PriorityRule> priorityRules,
        String timer,
        boolean record,
        int profileThreads,
        int profileSlices) {

    public RuntimeSettings {
        keepGlobs = List.copyOf(keepGlobs);
        priorityRules = List.copyOf(priorityRules);
    }

    /** One {@code glob:priority} entry of {@code priority=}. */
    public record PriorityRule(String nameGlob, int priority) {}

    /** The defaults of the option table (docs/options.md; {@code OptionKey} in the agent holds them). */
    public static RuntimeSettings defaults() {
        return new RuntimeSettings(true, true, List.of(), 10_000_000L,
                Runtime.getRuntime().availableProcessors(), 256, false, List.of(), "auto", false,
                dev.preempt.runtime.profile.Recorder.DEFAULT_MAX_THREADS, dev.preempt.runtime.profile.Recorder.DEFAULT_MAX_SLICES);
    }
}
