package dev.preempt.samples.server;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.FileReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A server written the old way (Java 8, class file 52): one platform thread per client, blocking sockets,
 * no pool, no NIO. Under preempt's agent ({@code threads=map}) each connection's thread is a virtual
 * thread, so thousands of mostly-idle clients cost a few OS threads instead of thousands.
 *
 * <p>Protocol, one line each way: {@code WORK n} answers {@code OK <checksum>} after n rounds of
 * arithmetic; {@code STATS} answers {@code STATS connections=.. requests=.. osThreads=.. rssKb=..};
 * {@code QUIT} closes the connection. Listens on loopback; prints {@code listening=PORT} when ready.
 *
 * <pre>java -cp preempt-samples.jar dev.preempt.samples.server.ThreadPerConnectionServer [port]</pre>
 */
public class ThreadPerConnectionServer {
    private static final AtomicInteger connections = new AtomicInteger();
    private static final AtomicLong requests = new AtomicLong();

    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        ServerSocket server = new ServerSocket(port, 4096, InetAddress.getLoopbackAddress());
        System.out.println("listening=" + server.getLocalPort());
        System.out.flush();
        int n = 0;
        while (true) {
            final Socket s = server.accept();
            Thread t = new Thread(new Runnable() {
                public void run() {
                    serve(s);
                }
            }, "conn-" + (n++));
            t.start();
        }
    }

    static void serve(Socket s) {
        connections.incrementAndGet();
        try {
            s.setTcpNoDelay(true);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), "US-ASCII"));
            Writer out = new BufferedWriter(new OutputStreamWriter(s.getOutputStream(), "US-ASCII"));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("WORK ")) {
                    out.write("OK " + work(Integer.parseInt(line.substring(5))) + "\n");
                } else if (line.equals("STATS")) {
                    out.write("STATS connections=" + connections.get() + " requests=" + requests.get()
                            + " osThreads=" + procStatus("Threads:") + " rssKb=" + procStatus("VmRSS:") + "\n");
                } else if (line.equals("QUIT")) {
                    break;
                } else {
                    out.write("ERR unknown request\n");
                }
                out.flush();
                requests.incrementAndGet();
            }
        } catch (IOException e) {
            // the client went away: that is how most connections end
        } finally {
            connections.decrementAndGet();
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** n rounds of a linear congruential generator: CPU work the request pays for. */
    static long work(int n) {
        long x = n;
        for (int i = 0; i < n; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x;
    }

    /** A field of /proc/self/status (Linux), as a number, or -1. */
    static long procStatus(String field) {
        try {
            BufferedReader r = new BufferedReader(new FileReader("/proc/self/status"));
            try {
                for (String l; (l = r.readLine()) != null; ) {
                    if (l.startsWith(field)) {
                        return Long.parseLong(l.substring(field.length()).trim().split("\\s+")[0]);
                    }
                }
            } finally {
                r.close();
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }
}
