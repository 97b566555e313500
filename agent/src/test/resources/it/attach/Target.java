import java.nio.file.*;
import java.util.concurrent.atomic.AtomicLong;
public class Target {
    static volatile boolean stop;
    public static void main(String[] a) throws Exception {
        System.out.println("ready");
        Path signal = Path.of(a[0]);
        for (int i = 0; i < 3000 && !Files.exists(signal); i++) Thread.sleep(20);
        hogs();
    }
    static void hogs() throws Exception {
        AtomicLong x = new AtomicLong(), y = new AtomicLong();
        Thread a = Thread.ofVirtual().start(() -> spin(x));
        Thread b = Thread.ofVirtual().start(() -> spin(y));
        Thread.sleep(300);
        long x0 = x.get(), y0 = y.get();
        Thread.sleep(500);
        int progressed = (x.get() > x0 ? 1 : 0) + (y.get() > y0 ? 1 : 0);
        stop = true; a.join(); b.join();
        System.out.println("progressed=" + progressed);
    }
    static void spin(AtomicLong c) {
        long v = 1;
        while (!stop) { for (int i = 0; i < 1000; i++) v = v * 31 + i; c.incrementAndGet(); }
        if (v == 42) System.out.println();
    }
}
