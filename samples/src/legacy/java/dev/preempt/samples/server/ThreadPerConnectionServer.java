package dev.preempt.samples.server;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.FileReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;
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
 * Requests are dispatched as old frameworks do: a {@link Command} looked up by the request's verb, and
 * for {@code WORK} an action method called reflectively, so each request crosses two indirect call edges
 * (what {@code cfi=} checks as forward edges).
 *
 * <pre>java -cp preempt-samples.jar dev.preempt.samples.server.ThreadPerConnectionServer [port]</pre>
 */
public class ThreadPerConnectionServer {
    private static final AtomicInteger connections = new AtomicInteger();
    private static final AtomicLong requests = new AtomicLong();

    /** A request handler, looked up by the request's first word. */
    interface Command {
        String handle(String argument) throws Exception;
    }

    private static final Map<String, Command> COMMANDS = new HashMap<String, Command>();
    static {
        final Method action;
        try {
            action = ThreadPerConnectionServer.class.getDeclaredMethod("work", int.class);
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
        COMMANDS.put("WORK", new Command() {
            public String handle(String argument) throws Exception {
                return "OK " + action.invoke(null, Integer.parseInt(argument));
            }
        });
        COMMANDS.put("STATS", new Command() {
            public String handle(String argument) {
                return "STATS connections=" + connections.get() + " requests=" + requests.get()
                        + " osThreads=" + procStatus("Threads:") + " rssKb=" + procStatus("VmRSS:");
            }
        });
    }

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
                if (line.equals("QUIT")) {
                    break;
                }
                int space = line.indexOf(' ');
                Command c = COMMANDS.get(space < 0 ? line : line.substring(0, space));
                out.write(c == null ? "ERR unknown request\n" : handle(c, space < 0 ? "" : line.substring(space + 1)) + "\n");
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

    static String handle(Command c, String argument) {
        try {
            return c.handle(argument);
        } catch (Exception e) {
            return "ERR " + e;
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
