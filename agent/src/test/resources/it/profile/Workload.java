import java.nio.file.*;
import java.util.*;
import java.util.concurrent.atomic.*;
public class Workload {
    static volatile boolean stop;
    public static void main(String[] a) throws Exception {
        if (a.length > 2 && a[1].equals("wait")) {
            System.out.println("ready");
            Path go = Path.of(a[2]);
            while (!Files.exists(go)) Thread.sleep(20);
        }
        // In its own method: a frame already running when an attach retransforms the class keeps its old code.
        run(Long.parseLong(a[0]));
        if (a.length > 1 && a[1].equals("wait")) Thread.sleep(Long.parseLong(a[3])); // keep running after the profile
    }
    static void run(long millis) throws Exception {
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            AtomicLong c = new AtomicLong();
            ts.add(Thread.ofVirtual().name("hog-" + i).start(() -> spin(c)));
        }
        ts.add(Thread.ofVirtual().name("sleeper").start(() -> {
            for (int i = 0; i < 50 && !stop; i++) { try { Thread.sleep(4); } catch (InterruptedException e) { return; } }
        }));
        ts.add(Thread.ofVirtual().name("odd \"name\" \\ </script> <b>\n").start(() -> spin(new AtomicLong(), 30)));
        Thread legacy = new Thread(() -> spin(new AtomicLong(), 30), "legacy-platform"); // mapped: a creation site
        legacy.start();
        ts.add(legacy);
        Thread.sleep(millis);
        stop = true;
        for (Thread t : ts) t.join();
        System.out.println("done");
    }
    static void spin(AtomicLong c) { spin(c, Long.MAX_VALUE / 1_000_000L); }
    static void spin(AtomicLong c, long millis) {
        long start = System.nanoTime(), x = 1;
        while (!stop && System.nanoTime() - start < millis * 1_000_000L) { for (int k = 0; k < 1000; k++) x = x * 31 + k; c.incrementAndGet(); }
        if (x == 42) System.out.println();
    }
}
