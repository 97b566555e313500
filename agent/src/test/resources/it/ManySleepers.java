import java.nio.file.*;
import java.util.*;

/**
 * n platform threads (as the app writes them) that sleep together, in sleeps of the given length until
 * all n are counted (so a slow start on a loaded machine cannot end the first ones early); prints the OS
 * threads of the JVM meanwhile.
 */
public class ManySleepers {
    static volatile boolean counted;

    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]);
        long sleepMs = Long.parseLong(a[1]);
        Thread[] ts = new Thread[n];
        for (int i = 0; i < n; i++) {
            ts[i] = new Thread(() -> {
                try {
                    do {
                        Thread.sleep(sleepMs);
                    } while (!counted);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            ts[i].start();
        }
        int alive = 0;
        for (Thread t : ts) if (t.isAlive()) alive++;
        long osThreads;
        try (var s = Files.list(Path.of("/proc/self/task"))) { osThreads = s.count(); }
        System.out.println("alive=" + alive);
        System.out.println("osThreads=" + osThreads);
        counted = true;
        for (Thread t : ts) t.join();
        int done = 0;
        for (Thread t : ts) if (!t.isAlive()) done++;
        System.out.println("finished=" + done);
    }
}
