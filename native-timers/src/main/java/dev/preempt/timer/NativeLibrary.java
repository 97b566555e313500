package dev.preempt.timer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Finds {@code libpreempt-timer.so} for this OS and architecture among the class path resources and
 * extracts it where it can be loaded safely ({@link AtomicFiles}, as the agent does for its bootstrap jar).
 */
final class NativeLibrary {
    static final String NAME = "libpreempt-timer.so";

    private NativeLibrary() {}

    /** {@code linux-x86_64}, {@code linux-aarch64}, {@code linux-riscv64}, or what this JVM runs on. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            case "riscv64" -> "riscv64";
            default -> System.getProperty("os.arch");
        };
        return (os.startsWith("linux") ? "linux" : os.replace(' ', '_')) + "-" + arch;
    }

    static String resource() {
        return "dev/preempt/timer/native/" + platform() + "/" + NAME;
    }

    /** The extracted library, or an exception whose message says why there is none. */
    static Path extract() throws IOException {
        byte[] bytes;
        // The class may be on the boot class path: ClassLoader.getSystemResourceAsStream searches it too.
        try (InputStream in = ClassLoader.getSystemResourceAsStream(resource())) {
            if (in == null) {
                throw new IOException("no native timer library for " + platform() + " in this build");
            }
            bytes = in.readAllBytes();
        }
        return AtomicFiles.publish("libpreempt-timer-" + platform() + "-", ".so", bytes);
    }
}
