package dev.preempt.bench.startup;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import javax.management.ObjectName;

/**
 * The child program of {@link StartupBench}: loads (defines, without initialising) every class of the given
 * jars through one app class loader, as a big app's start-up does, and prints how many and how long, then
 * what stays: the bytes of live objects after a full GC and the metaspace used, with the loader and its classes alive.
 */
public final class ClassLoadStartup {
    /** How long the program runs between the two full GCs of {@link #liveBytes()}. */
    static final long SETTLE_MILLIS = 200;

    private ClassLoadStartup() {}

    /**
     * The bytes of all live objects, the total of {@code GC.class_histogram} (which runs a full GC first).
     * Not {@code MemoryMXBean}'s heap "used" after {@code System.gc()}: that moves with G1's region
     * bookkeeping and the class-data-sharing archive's regions, not only with what is live (the stock JVM
     * reported 7.6 MB used, and 5.6 MB with an empty jar on {@code -Xbootclasspath/a}, whose live objects
     * are the same 15.3 MB).
     *
     * <p>A full GC, then {@value #SETTLE_MILLIS} ms of the program running, then the histogram's own full GC.
     * A weak-keyed registry ({@code WeakHashMap}, the JDK's and the agent's) releases an entry whose key a GC
     * cleared at its next use, not in that GC: a histogram taken straight after the GC that collected the
     * keys counts their entries. Measured with mapped threads started one after another and a histogram
     * straight after a GC: 56,361 ended threads' records (the threads started since the previous GC) still
     * counted; after one more thread start and a second GC, 3. Without the pause, this figure rose and fell
     * with G1's young-collection interval, not with what the program retains.
     */
    public static long liveBytes() throws Exception {
        System.gc();
        Thread.sleep(SETTLE_MILLIS);
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        for (String line : histogram.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[0].equals("Total")) {
                return Long.parseLong(f[2]);
            }
        }
        throw new IllegalStateException("no total in the class histogram: " + histogram);
    }

    public static void main(String[] jars) throws Exception {
        long t0 = System.nanoTime();
        List<URL> urls = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String j : jars) {
            urls.add(new File(j).toURI().toURL());
            try (JarFile jf = new JarFile(j)) {
                for (Enumeration<JarEntry> e = jf.entries(); e.hasMoreElements(); ) {
                    String n = e.nextElement().getName();
                    if (n.endsWith(".class") && !n.contains("-") && !n.startsWith("META-INF/")) {
                        names.add(n.substring(0, n.length() - 6).replace('/', '.'));
                    }
                }
            }
        }
        int loaded = 0, failed = 0;
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getSystemClassLoader())) {
            for (String n : names) {
                try {
                    Class.forName(n, false, loader);
                    loaded++;
                } catch (ClassNotFoundException | LinkageError e) {
                    failed++; // optional dependencies absent from the class path: the same with and without the agent
                }
            }
            System.out.println("millis=" + (System.nanoTime() - t0) / 1_000_000);
            // Retained memory with every class still loaded: what an app that uses these libraries keeps.
            System.out.println("heapBytes=" + liveBytes());
            System.out.println("metaspaceBytes=" + ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getName().equals("Metaspace")).mapToLong(p -> p.getUsage().getUsed()).sum());
            Reference.reachabilityFence(loader);
        }
        System.out.println("loaded=" + loaded);
        System.out.println("failed=" + failed);
    }
}
