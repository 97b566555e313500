package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's chromium, headless, to load a page as a person's browser would: its DOM after the scripts ran,
 * a screenshot, and the browser's log. {@code scripts/setup-toolchains.sh} installs it (CI runs that); a
 * test that needs it is skipped, saying so, where it is missing.
 */
final class HeadlessBrowser {
    private final String binary;

    private HeadlessBrowser(String binary) {
        this.binary = binary;
    }

    /** The browser, or a skipped test with the reason. */
    static HeadlessBrowser find() {
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return new HeadlessBrowser(p.toString());
                }
            }
        }
        assumeTrue(false, "SKIPPED: no chromium on PATH; run scripts/setup-toolchains.sh to install it (CI does)");
        throw new AssertionError("unreachable");
    }

    /** What the browser made of a page. */
    record Page(String dom, String log) {
        /** The page's own status line and error box, for assertion messages. */
        String status() {
            int i = dom.indexOf("id=\"render-status\"");
            int e = dom.indexOf("id=\"errors\"");
            return (i < 0 ? "(no status element)" : dom.substring(i, Math.min(dom.length(), i + 200)))
                    + (e < 0 ? "" : "\n" + dom.substring(e, Math.min(dom.length(), e + 2000)));
        }
    }

    /** Loads {@code file}, returns its DOM once scripts ran, and writes a full-page screenshot. */
    Page load(Path file, Path screenshot) throws IOException, InterruptedException {
        Files.createDirectories(screenshot.getParent());
        String url = file.toUri().toString();
        String dom = run(List.of("--dump-dom", url)).stdout;
        Run shot = run(List.of("--window-size=1280,2600", "--screenshot=" + screenshot.toAbsolutePath(), url));
        return new Page(dom, shot.stderr);
    }

    private record Run(String stdout, String stderr) {}

    private Run run(List<String> args) throws IOException, InterruptedException {
        Path profileDir = Files.createTempDirectory(ForkedJvm.scratch("chromium"), "user-data");
        List<String> cmd = new ArrayList<>(List.of(binary, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
                "--user-data-dir=" + profileDir, "--enable-logging=stderr", "--v=0"));
        cmd.addAll(args);
        Path out = Files.createTempFile(profileDir, "out", ".txt");
        Path err = Files.createTempFile(profileDir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 90 s: " + cmd);
        }
        return new Run(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
