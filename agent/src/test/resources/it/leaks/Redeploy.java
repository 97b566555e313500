import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.management.ObjectName;

/**
 * Loads code into throwaway class loaders again and again, drops them and reports how many are still alive
 * after GC, and the heap and metaspace retained, as an app server that redeploys or a scripting engine does.
 * <ul>
 *   <li>{@code loaders N}: one small class (Redeploy$Small, read from this program's own class path) in
 *       each of N loaders, each instantiated and called once.</li>
 *   <li>{@code deploy N APP_DIR LIB_JAR...}: N deployments of the app in APP_DIR (its class {@code Deployed},
 *       a Runnable) with the library jars, each in a new URLClassLoader whose parent is the platform loader;
 *       prints the heap and metaspace after GC from the 50th deployment on and over the last ones (medians
 *       of nine measurements each; 0 for loaders).</li>
 * </ul>
 * Prints {@code alive=K of N} and, for deploy, {@code heap50= heapN= meta50= metaN=} in bytes.
 */
public class Redeploy {
    public static class Small implements Runnable {
        static int runs;
        public void run() { for (int i = 0; i < 10; i++) runs++; }
    }

    /** Defines exactly one class from the bytes it was given, and asks its parent for everything else. */
    static final class OneClassLoader extends ClassLoader {
        private final String name;
        private final byte[] bytes;
        OneClassLoader(String name, byte[] bytes) {
            super(Redeploy.class.getClassLoader());
            this.name = name;
            this.bytes = bytes;
        }
        @Override protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
            if (n.equals(name)) {
                synchronized (getClassLoadingLock(n)) {
                    Class<?> c = findLoadedClass(n);
                    return c != null ? c : defineClass(n, bytes, 0, bytes.length);
                }
            }
            return super.loadClass(n, resolve);
        }
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[1]);
        ManagementFactory.getPlatformMBeanServer(); // its own beans (and the agent's) exist before anything is measured
        List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
        long[] heapEarly = new long[WINDOW], heapLate = new long[WINDOW], metaEarly = new long[WINDOW], metaLate = new long[WINDOW];
        if (args[0].equals("loaders")) {
            String name = Small.class.getName();
            byte[] bytes;
            try (InputStream in = Redeploy.class.getResourceAsStream("/" + name.replace('.', '/') + ".class")) {
                bytes = in.readAllBytes();
            }
            for (int i = 0; i < n; i++) {
                ClassLoader l = new OneClassLoader(name, bytes);
                ((Runnable) l.loadClass(name).getDeclaredConstructor().newInstance()).run();
                loaders.add(new WeakReference<>(l));
            }
        } else {
            List<URL> urls = new ArrayList<>();
            for (int i = 2; i < args.length; i++) urls.add(Path.of(args[i]).toUri().toURL());
            for (int i = 1; i <= n; i++) {
                deploy("deployment-" + i, urls, loaders);
                // Steady state at both ends: the median of WINDOW measurements after the 50th deployment and
                // over the last WINDOW, each after full GCs, so that one GC's leftovers do not decide it.
                int early = i - FIRST, late = i - (n - WINDOW + 1);
                if (early >= 0 && early < WINDOW || late >= 0 && late < WINDOW) {
                    collect();
                    (early >= 0 && early < WINDOW ? heapEarly : heapLate)[early >= 0 && early < WINDOW ? early : late] = heapUsed();
                    (early >= 0 && early < WINDOW ? metaEarly : metaLate)[early >= 0 && early < WINDOW ? early : late] = metaspaceUsed();
                }
            }
        }
        collect();
        int alive = 0;
        for (WeakReference<ClassLoader> r : loaders) if (r.get() != null) alive++;
        System.out.printf(Locale.ROOT, "alive=%d of %d heap50=%d heapN=%d meta50=%d metaN=%d%n", alive, n,
                median(heapEarly), median(heapLate), median(metaEarly), median(metaLate));
    }

    static final int FIRST = 50, WINDOW = 9;

    /** One deployment: a new loader, the app's Runnable run once, the loader closed and dropped. */
    static void deploy(String name, List<URL> urls, List<WeakReference<ClassLoader>> loaders) throws Exception {
        URLClassLoader l = new URLClassLoader(name, urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
        ((Runnable) l.loadClass("Deployed").getDeclaredConstructor().newInstance()).run();
        l.close();
        loaders.add(new WeakReference<>(l));
    }

    static long median(long[] values) {
        long[] v = values.clone();
        java.util.Arrays.sort(v);
        return v[v.length / 2];
    }

    /** Full GCs until the heap stops shrinking (soft references and class unloading need more than one). */
    static void collect() throws InterruptedException {
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            Thread.sleep(20);
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (i >= 3 && used >= last) break;
            last = used;
        }
    }

    /**
     * Bytes of live objects, from the JVM's own class histogram (a full GC, then every live object counted),
     * without the filler arrays the collector leaves in region tails: heap "used" counts those and moved by
     * tens of kilobytes between two identical states.
     */
    static long heapUsed() throws Exception {
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        long live = 0;
        for (String line : histogram.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":") && !f[3].contains("FillerElement") && !f[3].contains("FillerObject")) {
                live += Long.parseLong(f[2]);
            }
        }
        return live;
    }

    static long metaspaceUsed() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getName().equals("Metaspace")) return p.getUsage().getUsed();
        }
        return 0;
    }
}
