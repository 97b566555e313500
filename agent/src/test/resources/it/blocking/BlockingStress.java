import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ObjectName;

/**
 * THREADS platform threads (mapped by the agent) each do ROUNDS random steps: a CPU burst, a native
 * usleep through FFM (holds its carrier), a Thread.sleep (unmounts), a contended monitor. Every thread
 * must finish; afterwards the scheduler must be back to its base carriers with none blocked (read from
 * its MXBean). Prints "finished=N steps=S" and "carriers=C blocked=B added=A retired=R".
 *
 *   BlockingStress THREADS ROUNDS SEED CARRIERS   (CARRIERS: the agent's carriers=)
 */
public class BlockingStress {
    static final Object LOCK = new Object();
    static long shared;
    static volatile long sink;

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        long seed = Long.parseLong(args[2]);
        int base = Integer.parseInt(args[3]);
        Linker linker = Linker.nativeLinker();
        MethodHandle usleep = linker.downcallHandle(linker.defaultLookup().find("usleep").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        AtomicLong steps = new AtomicLong();
        List<Thread> all = new ArrayList<>();
        SplittableRandom root = new SplittableRandom(seed);
        for (int i = 0; i < threads; i++) {
            SplittableRandom r = root.split();
            Thread t = new Thread(() -> {
                try {
                    for (int k = 0; k < rounds; k++) {
                        switch (r.nextInt(4)) {
                            case 0 -> burn(r.nextInt(2_000_000));
                            case 1 -> sink += (int) usleep.invokeExact(r.nextInt(5_000));
                            case 2 -> Thread.sleep(r.nextInt(5));
                            default -> {
                                synchronized (LOCK) {
                                    shared++;
                                    burn(r.nextInt(50_000));
                                }
                            }
                        }
                        steps.incrementAndGet();
                    }
                } catch (Throwable e) {
                    throw new RuntimeException(e);
                }
            }, "stress-" + i);
            all.add(t);
            t.start();
        }
        int finished = 0;
        for (Thread t : all) {
            t.join(60_000);
            if (!t.isAlive()) {
                finished++;
            }
        }
        System.out.println("finished=" + finished + " steps=" + steps.get());
        ObjectName name = new ObjectName("dev.preempt:type=Scheduler");
        var server = ManagementFactory.getPlatformMBeanServer();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!server.isRegistered(name) && System.nanoTime() < deadline) {
            Thread.sleep(20); // the agent registers its bean shortly after the platform server appears
        }
        int carriers;
        do {
            Thread.sleep(50);
            carriers = (Integer) server.getAttribute(name, "Carriers");
        } while (carriers > base && System.nanoTime() < deadline);
        System.out.println("carriers=" + carriers + " blocked=" + server.getAttribute(name, "BlockedCarriers")
                + " added=" + server.getAttribute(name, "SpareCarriersAdded") + " retired=" + server.getAttribute(name, "SpareCarriersRetired"));
        System.exit(0);
    }

    static void burn(int n) {
        long x = 0;
        for (int j = 0; j < n; j++) {
            x += j * 31L ^ (x >>> 3);
        }
        sink += x;
    }
}
