package dev.preempt.agent.it;

import java.nio.file.Path;
import java.util.List;

/** Programs the profiler's integration tests run: named virtual threads that hog, sleep and end. */
final class ProfileTargets {
    /** A thread name that JSON and HTML must escape: quotes, a backslash, a script end tag, a newline. */
    static final String AWKWARD_NAME = "odd \"name\" \\ </script> <b>\n";

    static final List<String> THREAD_NAMES = List.of("hog-0", "hog-1", "hog-2", "sleeper", AWKWARD_NAME);

    /**
     * Three hogs, a sleeper (50 sleeps of 4 ms) and a short thread with an awkward name, all virtual, for
     * {@code args[0]} ms; then prints {@code done}. With {@code args[1] == "wait"} it first prints
     * {@code ready} and waits for the file {@code args[2]} to exist (for attach).
     */
    static final String SOURCE = ForkedJvm.resource("/it/profile/Workload.java");

    private ProfileTargets() {}

    static Path compile() {
        return ForkedJvm.compile(25, "Workload", SOURCE);
    }
}
