package dev.preempt.runtime.threads;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.preempt.runtime.profile.Recorder;
import org.junit.jupiter.api.Test;

/** Creation sites as the bridges count them and as the report reads them. */
class CreationSitesTest {
    @Test
    void sitesCountMappedAndKeptThreadsWithTheReasonAndTheReportSeesThem() {
        CreationSites.mapped("Server.accept(Server.java:40) new Thread");
        CreationSites.mapped("Server.accept(Server.java:40) new Thread");
        CreationSites.kept("Gui.start(Gui.java:7) new Thread", "threads.keep matches AWT-*");
        assertTrue(Recorder.creationSites().contains(new Recorder.CreationSite("Server.accept(Server.java:40) new Thread", 2, 0, null)),
                Recorder.creationSites().toString());
        assertTrue(Recorder.creationSites().contains(new Recorder.CreationSite("Gui.start(Gui.java:7) new Thread", 0, 1, "threads.keep matches AWT-*")),
                Recorder.creationSites().toString());
    }
}
