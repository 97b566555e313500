package dev.preempt.agent.cli;

import dev.preempt.agent.options.AgentConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * After {@code attach --duration}: waits for the target to write its profile and trace (it does so when the
 * duration is over), so that the command ends when the report is there and says where.
 */
final class ProfileWait {
    /** How long past the duration to wait before giving up: writing takes well under a second. */
    private static final Duration GRACE = Duration.ofSeconds(30);

    private ProfileWait() {}

    /** 0 when every output was written after {@code sinceMillis}, 1 when one is still missing at the deadline. */
    static int forOutputs(AgentConfig config, long sinceMillis) throws InterruptedException {
        List<Path> outputs = new ArrayList<>();
        config.profile().ifPresent(outputs::add);
        config.trace().ifPresent(outputs::add);
        Duration d = config.profileDuration().orElseThrow();
        System.out.println("profiling for " + d.toSeconds() + " s; then writing " + outputs);
        long deadline = sinceMillis + d.plus(GRACE).toMillis();
        for (Path p : outputs) {
            while (!writtenSince(p, sinceMillis)) {
                if (System.currentTimeMillis() > deadline) {
                    System.err.println("preempt attach: " + p + " was not written within " + GRACE.toSeconds()
                            + " s after the duration (see the target's stderr: an agent already loaded there cannot start a profile)");
                    return 1;
                }
                Thread.sleep(100);
            }
            System.out.println("written: " + p);
        }
        return 0;
    }

    private static boolean writtenSince(Path p, long sinceMillis) {
        try {
            // The target renames a complete file into place, so existing and new enough means complete.
            return Files.exists(p) && Files.getLastModifiedTime(p).toMillis() >= sinceMillis - 1000;
        } catch (IOException e) {
            return false;
        }
    }
}
