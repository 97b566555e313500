package dev.preempt.samples.soak;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A soak workload written with plain platform threads: CPU hogs, park/unpark ping-pong pairs, a token ring
 * over monitors with wait/notify, loopback socket echo pairs (one thread per connection), random sleepers
 * and thread churn, all at once for a given time. It checks invariants and exits 1 if one fails:
 * <ul>
 *   <li>every thread ends (joined within 30 s of the stop);</li>
 *   <li>no lost wake-up: every activity makes progress in every 3-second window;</li>
 *   <li>counters add up: both sides of each ping-pong saw the same number of hand-offs, the ring's token
 *       passes equal the sum of each member's, every echoed byte matched, every churned thread ran.</li>
 * </ul>
 *
 * <pre>java [-javaagent:preempt-agent.jar] -cp preempt-samples.jar dev.preempt.samples.soak.Soak SECONDS</pre>
 */
public final class Soak {
    private static final AtomicBoolean stop = new AtomicBoolean();
    private static final List<String> violations = new ArrayList<>();

    private Soak() {}

    public static void main(String[] a) throws Exception {
        double seconds = a.length > 0 ? Double.parseDouble(a[0]) : 60;
        List<Thread> threads = new ArrayList<>();
        AtomicLong hogWork = new AtomicLong();
        for (int i = 0; i < 4; i++) {
            threads.add(start("hog-" + i, () -> {
                long x = 1;
                while (!stop.get()) {
                    for (int k = 0; k < 20_000; k++) {
                        x = x * 6364136223846793005L + 1;
                    }
                    hogWork.incrementAndGet();
                }
                if (x == 42) {
                    System.out.print("");
                }
            }));
        }
        PingPong[] pairs = new PingPong[16];
        for (int i = 0; i < pairs.length; i++) {
            pairs[i] = new PingPong();
            threads.addAll(pairs[i].start(i));
        }
        Ring ring = new Ring(8);
        threads.addAll(ring.start());
        Echo echo = new Echo(16);
        threads.addAll(echo.start());
        AtomicLong sleeps = new AtomicLong(), wakes = new AtomicLong();
        for (int i = 0; i < 32; i++) {
            threads.add(start("sleeper-" + i, () -> {
                while (!stop.get()) {
                    sleeps.incrementAndGet();
                    try {
                        Thread.sleep(ThreadLocalRandom.current().nextInt(1, 20));
                    } catch (InterruptedException e) {
                        return;
                    }
                    wakes.incrementAndGet();
                }
            }));
        }
        AtomicLong churnStarted = new AtomicLong(), churnRan = new AtomicLong();
        threads.add(start("churn", () -> {
            while (!stop.get()) {
                List<Thread> batch = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    churnStarted.incrementAndGet();
                    batch.add(start("churned", churnRan::incrementAndGet));
                }
                for (Thread t : batch) {
                    try {
                        t.join();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }));

        // Progress watchdog: every activity must move in every 3-second window.
        String[] names = {"hogs", "ping-pong", "ring", "echo", "sleepers", "churn"};
        long[] last = new long[names.length];
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long windowStart = System.nanoTime();
        while (System.nanoTime() < end) {
            Thread.sleep(Math.min(3000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            if (System.nanoTime() - windowStart < 2_900_000_000L) {
                continue;
            }
            windowStart = System.nanoTime();
            long[] now = {hogWork.get(), PingPong.total(pairs), ring.passes.get(), echo.bytes.get(), wakes.get(), churnRan.get()};
            for (int i = 0; i < names.length; i++) {
                if (now[i] == last[i]) {
                    violation("no progress of " + names[i] + " in a 3 s window (a lost wake-up or a starved thread)");
                }
                last[i] = now[i];
            }
        }
        stop.set(true);
        ring.stop();
        echo.stop();
        for (PingPong p : pairs) {
            p.stop();
        }
        long joinDeadline = System.nanoTime() + 30_000_000_000L;
        threads.get(0).join(); // a hog: once it is done, all activities have seen the stop
        synchronized (echo.serverThreads) {
            threads.addAll(echo.serverThreads);
        }
        for (Thread t : threads) {
            t.join(Math.max(1, (joinDeadline - System.nanoTime()) / 1_000_000));
            if (t.isAlive()) {
                violation("thread " + t.getName() + " did not end: " + java.util.Arrays.toString(t.getStackTrace()));
            }
        }
        for (int i = 0; i < pairs.length; i++) {
            if (pairs[i].pings.get() != pairs[i].pongs.get() && pairs[i].pings.get() != pairs[i].pongs.get() + 1) {
                violation("ping-pong " + i + ": " + pairs[i].pings.get() + " pings, " + pairs[i].pongs.get() + " pongs");
            }
        }
        if (ring.passes.get() != ring.sumOfMembers()) {
            violation("ring: " + ring.passes.get() + " passes, members counted " + ring.sumOfMembers());
        }
        if (echo.mismatches.get() != 0) {
            violation("echo: " + echo.mismatches.get() + " mismatched replies");
        }
        if (churnStarted.get() != churnRan.get()) {
            violation("churn: " + churnStarted.get() + " started, " + churnRan.get() + " ran");
        }
        if (sleeps.get() - wakes.get() > 32) {
            violation("sleepers: " + sleeps.get() + " sleeps, " + wakes.get() + " wakes");
        }
        System.out.println("seconds=" + seconds);
        System.out.println("hogWork=" + hogWork.get());
        System.out.println("pingPongs=" + PingPong.total(pairs));
        System.out.println("ringPasses=" + ring.passes.get());
        System.out.println("echoBytes=" + echo.bytes.get());
        System.out.println("sleeperWakes=" + wakes.get());
        System.out.println("churnedThreads=" + churnRan.get());
        System.out.println("threadsJoined=" + (threads.size() - threads.stream().filter(Thread::isAlive).count()) + "/" + threads.size());
        System.out.println("violations=" + violations.size());
        violations.forEach(v -> System.out.println("VIOLATION " + v));
        System.exit(violations.isEmpty() ? 0 : 1);
    }

    private static synchronized void violation(String v) {
        violations.add(v);
    }

    private static Thread start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.start();
        return t;
    }

    /** Two threads handing a turn back and forth with park/unpark: a lost unpark stops both. */
    static final class PingPong {
        final AtomicLong pings = new AtomicLong();
        final AtomicLong pongs = new AtomicLong();
        volatile boolean pingTurn = true;
        volatile Thread ping, pong;

        List<Thread> start(int i) {
            ping = new Thread(() -> {
                while (!stop.get()) {
                    while (!pingTurn && !stop.get()) {
                        LockSupport.park(this);
                    }
                    if (stop.get()) {
                        break;
                    }
                    pings.incrementAndGet();
                    pingTurn = false;
                    LockSupport.unpark(pong);
                }
            }, "ping-" + i);
            pong = new Thread(() -> {
                while (!stop.get()) {
                    while (pingTurn && !stop.get()) {
                        LockSupport.park(this);
                    }
                    if (stop.get()) {
                        break;
                    }
                    pongs.incrementAndGet();
                    pingTurn = true;
                    LockSupport.unpark(ping);
                }
            }, "pong-" + i);
            ping.start();
            pong.start();
            return List.of(ping, pong);
        }

        void stop() {
            LockSupport.unpark(ping);
            LockSupport.unpark(pong);
        }

        static long total(PingPong[] ps) {
            long s = 0;
            for (PingPong p : ps) {
                s += p.pings.get();
            }
            return s;
        }
    }

    /** A token passed around n threads with synchronized, wait and notifyAll. */
    static final class Ring {
        final Object lock = new Object();
        final int n;
        final long[] perMember;
        final AtomicLong passes = new AtomicLong();
        int holder;

        Ring(int n) {
            this.n = n;
            this.perMember = new long[n];
        }

        List<Thread> start() {
            List<Thread> ts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int me = i;
                ts.add(Soak.start("ring-" + i, () -> {
                    synchronized (lock) {
                        while (!stop.get()) {
                            while (holder != me && !stop.get()) {
                                try {
                                    lock.wait();
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                            if (stop.get()) {
                                return;
                            }
                            perMember[me]++;
                            passes.incrementAndGet();
                            holder = (me + 1) % n;
                            lock.notifyAll();
                        }
                    }
                }));
            }
            return ts;
        }

        void stop() {
            synchronized (lock) {
                lock.notifyAll();
            }
        }

        long sumOfMembers() {
            synchronized (lock) {
                long s = 0;
                for (long c : perMember) {
                    s += c;
                }
                return s;
            }
        }
    }

    /** Loopback echo: a server thread per connection, a client thread per connection checking each reply. */
    static final class Echo {
        final int pairs;
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong mismatches = new AtomicLong();
        /** Started by the acceptor as clients connect; joined after the stop like the others. */
        final List<Thread> serverThreads = java.util.Collections.synchronizedList(new ArrayList<>());
        ServerSocket server;

        Echo(int pairs) {
            this.pairs = pairs;
        }

        List<Thread> start() throws IOException {
            server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
            List<Thread> ts = new ArrayList<>();
            ts.add(Soak.start("echo-acceptor", () -> {
                for (int i = 0; i < pairs; i++) {
                    try {
                        Socket s = server.accept();
                        serverThreads.add(Soak.start("echo-server-" + i, () -> serve(s)));
                    } catch (IOException e) {
                        return;
                    }
                }
            }));
            for (int i = 0; i < pairs; i++) {
                int id = i;
                ts.add(Soak.start("echo-client-" + i, () -> client(id)));
            }
            return ts;
        }

        private void serve(Socket s) {
            try (s; DataInputStream in = new DataInputStream(s.getInputStream()); DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
                while (true) {
                    long v = in.readLong();
                    out.writeLong(v);
                    out.flush();
                }
            } catch (IOException e) {
                // the client closed: the end of this connection
            }
        }

        private void client(int id) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                 DataInputStream in = new DataInputStream(s.getInputStream()); DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
                long v = id * 1_000_000_000L;
                while (!stop.get()) {
                    out.writeLong(++v);
                    out.flush();
                    if (in.readLong() != v) {
                        mismatches.incrementAndGet();
                    }
                    bytes.addAndGet(16);
                }
            } catch (IOException e) {
                mismatches.incrementAndGet();
            }
        }

        void stop() throws IOException {
            server.close();
        }
    }
}
