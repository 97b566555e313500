package dev.preempt.runtime.profile;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PollSiteTest {
    @Test
    void theSiteIsTheFirstFrameOutsidePreemptsRuntime() {
        // This test is itself under dev.preempt.runtime, so the site is the test framework's frame that called it.
        String site = PollSite.ofCaller();
        assertTrue(!site.startsWith("dev.preempt.runtime."), site);
        assertTrue(site.matches(".+\\..+\\(.*:-?\\d+\\)"), site);
    }
}
