import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A legacy (Java 8) program whose reader threads block in calls that hold their thread: reads of FIFOs,
 * of stdin, or a static initialiser that waits (a class initialiser pins a virtual thread). While they
 * are blocked, WORKERS CPU-bound threads must all run to the end. Prints "done=N ms=T" and, for the FIFO
 * mode, what each reader read once released.
 *
 *   BlockedReaders fifo WORKERS PATH...   one reader per FIFO (created by the caller with mkfifo)
 *   BlockedReaders stdin WORKERS READERS  READERS threads read System.in, which the caller keeps open
 *   BlockedReaders clinit WORKERS READERS READERS threads touch classes whose initialisers wait
 */
public class BlockedReaders {
    static final Object GATE = new Object();
    static volatile boolean open;
    static volatile long sink;

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int workers = Integer.parseInt(args[1]);
        List<Thread> readers = new ArrayList<Thread>();
        final List<String> got = new ArrayList<String>();
        if (mode.equals("fifo")) {
            for (int i = 2; i < args.length; i++) {
                final String path = args[i];
                readers.add(new Thread(new Runnable() {
                    public void run() {
                        try (InputStream in = new FileInputStream(path)) { // open blocks until a writer opens
                            byte[] b = new byte[64];
                            int n = in.read(b);
                            synchronized (got) {
                                got.add(new String(b, 0, Math.max(0, n), "UTF-8").trim());
                            }
                        } catch (IOException e) {
                            synchronized (got) {
                                got.add("error " + e);
                            }
                        }
                    }
                }, "reader-" + i));
            }
        } else {
            int n = Integer.parseInt(args[2]);
            for (int i = 0; i < n; i++) {
                final int k = i;
                readers.add(new Thread(new Runnable() {
                    public void run() {
                        try {
                            if (mode.equals("stdin")) {
                                System.in.read();
                            } else {
                                Waiter.touch(k);
                            }
                        } catch (IOException e) {
                            throw new RuntimeException(e);
                        }
                    }
                }, "reader-" + i));
            }
        }
        for (Thread t : readers) {
            t.setDaemon(true);
            t.start();
        }
        Thread.sleep(200); // the readers are in their calls now
        long start = System.nanoTime();
        List<Thread> ws = new ArrayList<Thread>();
        for (int i = 0; i < workers; i++) {
            Thread w = new Thread(new Runnable() {
                public void run() {
                    long x = 0;
                    for (int j = 0; j < 3000000; j++) {
                        x += j * 31L ^ (x >>> 3);
                    }
                    sink += x;
                }
            }, "worker-" + i);
            ws.add(w);
            w.start();
        }
        int done = 0;
        for (Thread w : ws) {
            w.join(30000);
            if (!w.isAlive()) {
                done++;
            }
        }
        System.out.println("done=" + done + " ms=" + (System.nanoTime() - start) / 1000000);
        if (mode.equals("fifo")) {
            for (int i = 2; i < args.length; i++) {
                try (FileOutputStream out = new FileOutputStream(args[i])) {
                    out.write(("line" + i + "\n").getBytes("UTF-8"));
                }
            }
            for (Thread t : readers) {
                t.join(10000);
            }
            synchronized (got) {
                java.util.Collections.sort(got);
                System.out.println("read=" + got);
            }
        } else if (mode.equals("clinit")) {
            synchronized (GATE) {
                open = true;
                GATE.notifyAll();
            }
            for (Thread t : readers) {
                t.join(10000);
            }
            System.out.println("initialised=" + Waiter.initialised);
        }
        System.out.flush();
        System.exit(0);
    }

    /** Classes whose initialisers wait for the gate: a thread in a class initialiser cannot unmount. */
    static class Waiter {
        static volatile int initialised;

        static void touch(int k) {
            switch (k % 4) {
                case 0: W0.x++; break;
                case 1: W1.x++; break;
                case 2: W2.x++; break;
                default: W3.x++; break;
            }
        }

        static void await() {
            synchronized (GATE) {
                while (!open) {
                    try {
                        GATE.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            synchronized (Waiter.class) {
                initialised++;
            }
        }
    }

    static class W0 { static int x; static { Waiter.await(); } }
    static class W1 { static int x; static { Waiter.await(); } }
    static class W2 { static int x; static { Waiter.await(); } }
    static class W3 { static int x; static { Waiter.await(); } }
}
