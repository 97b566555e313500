package dev.preempt.samples.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback load client for {@link ThreadPerConnectionServer}: opens {@code connections} sockets (one
 * virtual thread each, on the JDK's own scheduler: the client is not what is measured), sends {@code WORK n}
 * requests back to back with an optional think time, for a duration, and reports throughput and latency
 * percentiles. While the load runs it asks the server for its {@code STATS} (OS threads, RSS).
 *
 * <pre>java -cp preempt-samples.jar dev.preempt.samples.server.LoadClient PORT CONNECTIONS SECONDS [WORK] [THINK_MS]</pre>
 */
public final class LoadClient {
    /** What one run measured. */
    public record Result(int connections, long requests, double seconds, double requestsPerSecond,
                         double p50Micros, double p99Micros, double maxMicros, long errors, String serverStats) {
        @Override
        public String toString() {
            return String.format("connections=%d requests=%d rps=%.0f p50us=%.0f p99us=%.0f maxus=%.0f errors=%d server[%s]",
                    connections, requests, requestsPerSecond, p50Micros, p99Micros, maxMicros, errors, serverStats);
        }
    }

    private LoadClient() {}

    public static void main(String[] a) throws Exception {
        int port = Integer.parseInt(a[0]);
        Result r = run(port, Integer.parseInt(a[1]), Double.parseDouble(a[2]), a.length > 3 ? Integer.parseInt(a[3]) : 200,
                a.length > 4 ? Integer.parseInt(a[4]) : 0);
        System.out.println(r);
    }

    public static Result run(int port, int connections, double seconds, int work, int thinkMillis) throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            sockets.add(connect(lo, port));
        }
        long warmupEnd = System.nanoTime() + (long) (Math.min(2, seconds / 3) * 1e9);
        long end = warmupEnd + (long) (seconds * 1e9);
        AtomicLong errors = new AtomicLong();
        long[][] latencies = new long[connections][];
        int[] counts = new int[connections];
        CountDownLatch done = new CountDownLatch(connections);
        byte[] request = ("WORK " + work + "\n").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < connections; i++) {
            int id = i;
            Socket s = sockets.get(i);
            Thread.ofVirtual().name("client-" + i).start(() -> {
                long[] lat = new long[1024];
                int n = 0;
                try (s) {
                    OutputStream out = s.getOutputStream();
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                    for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
                        out.write(request);
                        out.flush();
                        String reply = in.readLine();
                        long t = System.nanoTime();
                        if (reply == null || !reply.startsWith("OK ")) {
                            errors.incrementAndGet();
                            break;
                        }
                        if (now >= warmupEnd) {
                            if (n == lat.length) {
                                lat = Arrays.copyOf(lat, n * 2);
                            }
                            lat[n++] = t - now;
                        }
                        if (thinkMillis > 0) {
                            Thread.sleep(thinkMillis);
                        }
                    }
                } catch (IOException | InterruptedException e) {
                    errors.incrementAndGet();
                } finally {
                    latencies[id] = lat;
                    counts[id] = n;
                    done.countDown();
                }
            });
        }
        Thread.sleep(Math.max(0, (warmupEnd - System.nanoTime()) / 1_000_000 + (long) (seconds * 500)));
        String stats = stats(lo, port);
        done.await();
        int total = 0;
        for (int c : counts) {
            total += c;
        }
        long[] all = new long[total];
        int k = 0;
        for (int i = 0; i < connections; i++) {
            System.arraycopy(latencies[i], 0, all, k, counts[i]);
            k += counts[i];
        }
        Arrays.sort(all);
        return new Result(connections, total, seconds, total / seconds, pct(all, 0.50) / 1e3, pct(all, 0.99) / 1e3,
                all.length == 0 ? 0 : all[all.length - 1] / 1e3, errors.get(), stats);
    }

    private static Socket connect(InetAddress lo, int port) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                Socket s = new Socket(lo, port);
                s.setTcpNoDelay(true);
                return s;
            } catch (IOException e) {
                if (attempt == 50) {
                    throw e;
                }
                try {
                    Thread.sleep(20); // the accept backlog is full for a moment
                } catch (InterruptedException ie) {
                    throw new IOException(ie);
                }
            }
        }
    }

    private static String stats(InetAddress lo, int port) throws IOException {
        try (Socket s = new Socket(lo, port)) {
            s.getOutputStream().write("STATS\nQUIT\n".getBytes(StandardCharsets.US_ASCII));
            String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            return line == null ? "" : line.substring("STATS ".length());
        }
    }

    private static double pct(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
