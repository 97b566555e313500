import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.lang3.StringUtils;
import org.apache.commons.lang3.text.WordUtils;

/**
 * One deployment of a small app, loaded by {@code Redeploy} into a new class loader each time: it uses a
 * real library (commons-lang3, loaded by the same loader), starts and joins threads, runs a fixed pool,
 * keeps a value of its own class in a thread-local, and calls a method reflectively (a CFI forward edge).
 */
public class Deployed implements Runnable {
    static final ThreadLocal<Deployed> CURRENT = new ThreadLocal<>();
    final AtomicLong sum = new AtomicLong();

    public void run() {
        try {
            String s = StringUtils.reverse(StringUtils.repeat("deployment", 3)) + WordUtils.capitalize("a b c");
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Thread t = new Thread(() -> {
                    CURRENT.set(this);
                    long x = 0;
                    for (int j = 0; j < 20_000; j++) x += j % 7;
                    sum.addAndGet(x);
                }, "deployed-worker-" + i);
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) t.join();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int k = i;
                results.add(pool.submit(() -> StringUtils.countMatches(s, "e") + k));
            }
            for (Future<Integer> f : results) sum.addAndGet(f.get());
            pool.shutdown();
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) throw new IllegalStateException("pool did not end");
            Method answer = Deployed.class.getMethod("answer");
            sum.addAndGet((Integer) answer.invoke(this));
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    public int answer() {
        return 42;
    }
}
