package dev.preempt.runtime.base;

import java.util.List;

/**
 * What the runtime needs from the options, built once by the agent from its {@code AgentConfig}. Kept
 * separate so that the bootstrap part depends on nothing the agent shades in. It has no defaults of its
 * own: the agent's {@code OptionKey} holds every option's default, and this is always built from a parsed
 * configuration.
 *
 * @param schedule       run app virtual threads on preempt's scheduler and honour polls
 * @param threads        {@code threads=}: {@code map} runs platform threads created by app code on the scheduler
 * @param keepGlobs      {@code threads.keep=}: thread-name or class globs that stay platform threads
 * @param sliceNanos     time slice
 * @param carriers       carrier threads of the scheduler
 * @param maxCarriers    {@code carriers.max=}: most carriers at once, spares standing in for blocked ones included
 * @param sched          {@code sched=}: weighted fair share, or strict (higher priority always first)
 * @param priorityRules  {@code priority=}: thread-name globs to priorities 1..10, first match wins
 * @param timer          {@code timer=}: {@code auto}, {@code native} or {@code java}
 * @param record         record what threads and carriers do for a profile or trace ({@code profile=}, {@code trace=})
 * @param profileThreads {@code profile.threads=}: threads a recording keeps; later ones are counted only
 * @param profileSlices  {@code profile.slices=}: run slices a recording keeps, all carriers together
 */
public record RuntimeSettings(
        boolean schedule,
        Threads threads,
        List<String> keepGlobs,
        long sliceNanos,
        int carriers,
        int maxCarriers,
        Sched sched,
        List<PriorityRule> priorityRules,
        String timer,
        boolean record,
        int profileThreads,
        int profileSlices) {

    public RuntimeSettings {
        keepGlobs = List.copyOf(keepGlobs);
        priorityRules = List.copyOf(priorityRules);
    }

    /**
     * The values of {@code threads=}, as the option takes them (lower case): the agent's option table lists
     * these constants, so a value added here is a value of the option.
     */
    public enum Threads { MAP, KEEP }

    /** The values of {@code sched=}, the scheduling policy; the option table lists these constants. */
    public enum Sched { FAIR, STRICT }

    /** One {@code glob:priority} entry of {@code priority=}. */
    public record PriorityRule(String nameGlob, int priority) {}

    /** {@code threads=map}: platform threads created by app code run on the scheduler. */
    public boolean mapThreads() {
        return threads == Threads.MAP;
    }

    /** {@code sched=strict}: the higher priority always runs first. */
    public boolean strict() {
        return sched == Sched.STRICT;
    }
}
