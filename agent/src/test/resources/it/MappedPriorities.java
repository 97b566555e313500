import java.util.concurrent.atomic.*;

/** Two platform-thread hogs with setPriority 10 and 1 on one carrier: the work each did in a window. */
public class MappedPriorities {
    static volatile boolean stop;
    public static void main(String[] a) throws Exception {
        AtomicLong hi = new AtomicLong(), lo = new AtomicLong();
        Thread h = new Thread(() -> spin(hi), "high");
        Thread l = new Thread(() -> spin(lo), "low");
        h.setPriority(Thread.MAX_PRIORITY);
        l.setPriority(Thread.MIN_PRIORITY);
        h.start(); l.start();
        Thread.sleep(300);
        long h0 = hi.get(), l0 = lo.get();
        Thread.sleep(1500);
        long dh = hi.get() - h0, dl = lo.get() - l0;
        stop = true;
        h.join(); l.join();
        System.out.println("high=" + dh);
        System.out.println("low=" + dl);
        System.out.println("getPriority=" + h.getPriority() + "," + l.getPriority());
    }
    static void spin(AtomicLong c) {
        long x = 1;
        while (!stop) { for (int i = 0; i < 1000; i++) x = x * 6364136223846793005L + 1; c.incrementAndGet(); }
        if (x == 3) System.out.println();
    }
}
