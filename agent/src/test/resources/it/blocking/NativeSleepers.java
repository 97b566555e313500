import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * SLEEPERS platform threads each sit in a native call (libc's sleep(3), through an FFM downcall, which
 * keeps a virtual thread mounted) for SECONDS, while WORKERS CPU-bound threads must all finish.
 * Prints "done=N ms=T".
 *
 *   NativeSleepers SLEEPERS SECONDS WORKERS
 */
public class NativeSleepers {
    static volatile long sink;

    public static void main(String[] args) throws Exception {
        int sleepers = Integer.parseInt(args[0]);
        int seconds = Integer.parseInt(args[1]);
        int workers = Integer.parseInt(args[2]);
        Linker linker = Linker.nativeLinker();
        MethodHandle sleep = linker.downcallHandle(linker.defaultLookup().find("sleep").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        for (int i = 0; i < sleepers; i++) {
            Thread t = new Thread(() -> {
                try {
                    int left = (int) sleep.invokeExact(seconds);
                    sink += left;
                } catch (Throwable e) {
                    throw new RuntimeException(e);
                }
            }, "sleeper-" + i);
            t.setDaemon(true);
            t.start();
        }
        Thread.sleep(200);
        long start = System.nanoTime();
        List<Thread> ws = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            Thread w = new Thread(() -> {
                long x = 0;
                for (int j = 0; j < 3_000_000; j++) {
                    x += j * 31L ^ (x >>> 3);
                }
                sink += x;
            }, "worker-" + i);
            ws.add(w);
            w.start();
        }
        int done = 0;
        for (Thread w : ws) {
            w.join(30_000);
            if (!w.isAlive()) {
                done++;
            }
        }
        System.out.println("done=" + done + " ms=" + (System.nanoTime() - start) / 1_000_000);
        System.exit(0);
    }
}
