package dev.preempt.runtime.profile;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Creation sites as the bridges count them and as the report reads them. */
class CreationSitesTest {
    @Test
    void sitesCountMappedAndKeptThreadsWithTheReasonAndTheReportSeesThem() {
        CreationSites.mapped("Server.accept(Server.java:40) new Thread");
        CreationSites.mapped("Server.accept(Server.java:40) new Thread");
        CreationSites.kept("Gui.start(Gui.java:7) new Thread", "threads.keep matches AWT-*");
        assertTrue(CreationSites.snapshot().contains(new ProfileSnapshot.CreationSite("Server.accept(Server.java:40) new Thread", 2, 0, null)),
                CreationSites.snapshot().toString());
        assertTrue(CreationSites.snapshot().contains(new ProfileSnapshot.CreationSite("Gui.start(Gui.java:7) new Thread", 0, 1, "threads.keep matches AWT-*")),
                CreationSites.snapshot().toString());
    }
}
