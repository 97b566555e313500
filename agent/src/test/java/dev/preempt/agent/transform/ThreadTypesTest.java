package dev.preempt.agent.transform;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * ThreadTypes answers from class files read through a loader and caches per loader for the agent's whole
 * life, so its cache must not keep the loader alive: one that answered about a Thread subclass (with the
 * type pool, for chainDeclares) and about plain classes is dropped and must be collected.
 */
class ThreadTypesTest {
    private static final String SUB = ThreadShapes.Sub.class.getName().replace('.', '/');
    private static final String SHAPES = ThreadShapes.class.getName().replace('.', '/');

    @Test
    void answersFromTheLoadersClassFiles() throws Exception {
        ThreadTypes types = new ThreadTypes();
        try (URLClassLoader l = throwawayLoader()) {
            assertTrue(types.isThread(l, SUB));
            assertFalse(types.isThread(l, SHAPES));
            assertTrue(types.chainDeclares(l, SUB, "interrupt", "()V"), "Sub declares interrupt()");
            assertFalse(types.chainDeclares(l, SUB, "getState", "()Ljava/lang/Thread$State;"));
        }
    }

    @Test
    void aLoaderItAnsweredAboutIsCollectedOnceDropped() throws Exception {
        ThreadTypes types = new ThreadTypes();
        WeakReference<ClassLoader> loader = askedAbout(types);
        long end = System.nanoTime() + 5_000_000_000L;
        while (loader.get() != null && System.nanoTime() < end) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(loader.get(), "the per-loader cache (and its type pool) let the loader go");
        assertFalse(types.isThread(null, SHAPES), "and it still answers for other loaders");
    }

    private static WeakReference<ClassLoader> askedAbout(ThreadTypes types) throws Exception {
        URLClassLoader l = throwawayLoader();
        assertTrue(types.noteClass(l, SUB + "$Deeper", SUB));
        assertTrue(types.isThread(l, SUB));
        assertFalse(types.isThread(l, SHAPES));
        assertTrue(types.chainDeclares(l, SUB, "interrupt", "()V"));
        l.close();
        return new WeakReference<>(l);
    }

    /** A loader with no parent but the boot loader, over a directory holding ThreadShapes' class files. */
    private static URLClassLoader throwawayLoader() throws Exception {
        Path dir = Files.createTempDirectory("preempt-threadtypes");
        for (String name : new String[] {SUB, SHAPES}) {
            Path f = dir.resolve(name + ".class");
            Files.createDirectories(f.getParent());
            try (InputStream in = ThreadTypesTest.class.getResourceAsStream("/" + name + ".class")) {
                Files.write(f, in.readAllBytes());
            }
        }
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, null);
    }
}
