package dev.preempt.agent;

import dev.preempt.timer.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.jar.JarFile;

/**
 * Extracts the nested {@code preempt-bootstrap.jar} (runtime + native-timers, nothing shaded) into the
 * per-user private directory ({@link AtomicFiles}: checked, one file per content, atomic publication) and
 * appends it to the bootstrap class path. Uses only JDK classes and that stateless helper, whose copy in the
 * agent's own loader is harmless.
 */
final class BootstrapJar {
    static final String RESOURCE = "META-INF/preempt/preempt-bootstrap.jar";
    private static volatile boolean appended;

    private BootstrapJar() {}

    static synchronized void append(Instrumentation inst) throws IOException {
        if (appended || runtimeAlreadyOnBootPath()) {
            appended = true;
            return;
        }
        byte[] bytes;
        try (InputStream in = BootstrapJar.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException(RESOURCE + " is missing from the agent jar (a broken build?)");
            }
            bytes = in.readAllBytes();
        }
        Path jar = extract(bytes);
        inst.appendToBootstrapClassLoaderSearch(new JarFile(jar.toFile()));
        appended = true;
    }

    /** True when a previous load of the agent (a second -javaagent, an attach) already appended it. */
    private static boolean runtimeAlreadyOnBootPath() {
        try {
            Class.forName("dev.preempt.runtime.PreemptRuntime", false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    static Path extract(byte[] bytes) throws IOException {
        return AtomicFiles.publish("preempt-bootstrap-", ".jar", bytes);
    }
}
