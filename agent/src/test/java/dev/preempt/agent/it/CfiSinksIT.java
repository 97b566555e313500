package dev.preempt.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sinks that bypass streams and System.load: file writes through RandomAccessFile and channels, UDP,
 * and native code through the FFM API. Each program is learned on its own code path, then enforced on that
 * path and on another one ({@code intruder}) that makes the same calls ({@code Via}). Programs live in
 * {@code src/test/resources/it/cfi-sinks}.
 */
class CfiSinksIT {
    private static final int DATAGRAMS = 20;

    private static Path files;
    private static Path udp;
    private static Path ffm;

    @BeforeAll
    static void compile() {
        files = ForkedJvm.compile(25, List.of(), "FilesApp", source("FilesApp"), "Via", source("Via"));
        udp = ForkedJvm.compile(25, List.of(), "UdpApp", source("UdpApp"), "Via", source("Via"));
        ffm = ForkedJvm.compile(25, List.of(), "FfmApp", source("FfmApp"), "Via", source("Via"));
    }

    private static String source(String name) {
        try (InputStream in = CfiSinksIT.class.getResourceAsStream("/it/cfi-sinks/" + name + ".java")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    private static long count(List<String> records, String... parts) {
        return records.stream().filter(l -> List.of(parts).stream().allMatch(l::contains)).count();
    }

    @Test
    void writesThroughRandomAccessFileAndChannelsAreCheckedAndReadOnlyOpensNever() throws IOException {
        Path dir = ForkedJvm.scratch("sink-files");
        Path readable = Files.writeString(dir.resolve("readable.txt"), "x");
        Path policy = dir.resolve("policy.json");
        ForkedJvm.java().agent("cfi=learn,policy=" + policy).classpath(files)
                .main("FilesApp", "app", dir.resolve("learn").toString(), readable.toString()).run().assertOk();
        String learned = Files.readString(policy);
        assertTrue(learned.contains("{\"sink\": \"file.write\", \"callers\": \"FilesApp.raf < FilesApp.lambda$main$0 < Via$App.call\"}"), learned);
        assertTrue(learned.contains("\"sink\": \"file.delete\""), "move and DELETE_ON_CLOSE delete: " + learned);
        for (int readLambda = 7; readLambda <= 9; readLambda++) {
            assertFalse(learned.contains("lambda$main$" + readLambda + " "), "a read-only open is no sink: " + learned);
        }

        List<String> expected = List.of("raf rw=%1$s", "channel write=%1$s", "byte channel write=%1$s", "move=%1$s", "delete on close=%1$s",
                "create new=%1$s", "rename=%1$s", "raf r=ok", "channel read=ok", "byte channel read=ok", "done");
        Path audit = dir.resolve("audit.jsonl");
        Path out = dir.resolve("enforce");
        ForkedJvm.Result app = ForkedJvm.java().agent("cfi=enforce,policy=" + policy + ",audit=" + audit).classpath(files)
                .main("FilesApp", "app", out.toString(), readable.toString()).run().assertOk();
        assertEquals(expected.stream().map(l -> l.formatted("ok")).toList(), app.stdout().lines().toList(), app::toString);
        assertEquals(List.of(), lines(audit), "the learned path passes with no violation");
        assertTrue(Files.exists(out.resolve("channel.bin")) && Files.exists(out.resolve("bytes.bin")) && !Files.exists(out.resolve("moved.bin")));
        assertTrue(Files.exists(out.resolve("renamed.bin")) && !Files.exists(out.resolve("created.bin")));

        Path other = dir.resolve("intruder");
        ForkedJvm.Result intruder = ForkedJvm.java().agent("cfi=enforce,policy=" + policy + ",audit=" + audit).classpath(files)
                .main("FilesApp", "intruder", other.toString(), readable.toString()).run().assertOk();
        assertEquals(expected.stream().map(l -> l.formatted("refused")).toList(), intruder.stdout().lines().toList(), intruder::toString);
        try (var written = Files.list(other)) {
            assertEquals(List.of(), written.toList(), "nothing was written");
        }
        List<String> records = lines(audit);
        String abs = other.toAbsolutePath().normalize().toString();
        assertEquals(7, records.size(), "renameTo is refused at its target before its source is checked: " + records);
        for (String file : List.of("raf.bin", "channel.bin", "bytes.bin", "moved.bin", "created.bin", "renamed.bin")) {
            assertEquals(1, count(records, "\"what\":\"file.write\"", "\"detail\":\"" + abs + "/" + file + "\"", "\"rule\":\"unlearned\""),
                    file + ": " + records);
        }
        assertEquals(1, count(records, "\"what\":\"file.delete\"", abs + "/moved.bin", "Via$Intruder.call"), records::toString);
    }

    /** Collects the payloads of the datagrams sent to it, on loopback, in this JVM (no agent). */
    private static final class Receiver implements AutoCloseable {
        final DatagramSocket socket;
        final List<String> got = new CopyOnWriteArrayList<>();
        final Thread thread;

        Receiver() throws SocketException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            thread = Thread.ofPlatform().daemon().start(() -> {
                byte[] b = new byte[512];
                while (true) {
                    DatagramPacket p = new DatagramPacket(b, b.length);
                    try {
                        socket.receive(p);
                    } catch (IOException e) {
                        return;
                    }
                    got.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
                }
            });
        }

        String port() {
            return String.valueOf(socket.getLocalPort());
        }

        /** How many datagrams arrived whose payload starts with the tag. */
        long count(String tag) {
            return got.stream().filter(s -> s.startsWith(tag + "-")).count();
        }

        @Override
        public void close() throws InterruptedException {
            Thread.sleep(200); // the last datagrams in flight on loopback
            socket.close();
            thread.join();
        }
    }

    private static ForkedJvm.Result udpApp(String options, String who, Receiver r) {
        return ForkedJvm.java().agent(options).classpath(udp).main("UdpApp", who, r.port(), String.valueOf(DATAGRAMS)).run().assertOk();
    }

    @Test
    void udpBindAndSendsToAnExplicitAddressAreCheckedAndAConnectedChannelOnlyAtConnect() throws Exception {
        Path dir = ForkedJvm.scratch("sink-udp");
        Path policy = dir.resolve("policy.json");
        try (Receiver r = new Receiver()) {
            udpApp("cfi=learn,policy=" + policy, "app", r);
        }
        String learned = Files.readString(policy);
        assertTrue(learned.contains("{\"sink\": \"socket.bind\", \"callers\": \"UdpApp.lambda$main$1 < Via$App.call < Via.report\"}")
                && learned.contains("{\"sink\": \"socket.connect\", \"callers\": \"UdpApp.lambda$main$2 < Via$App.call < Via.report\"}")
                && learned.contains("{\"sink\": \"socket.connect\", \"callers\": \"UdpApp.lambda$main$0 < Via$App.call < UdpApp.main\"}"), learned);

        Path audit = dir.resolve("enforce.jsonl");
        Receiver app = new Receiver();
        try (app) {
            ForkedJvm.Result res = udpApp("cfi=enforce,policy=" + policy + ",audit=" + audit, "app", app);
            assertEquals(List.of("bind=ok", "channel send=ok", "socket send=ok", "connected send=ok", "done"), res.stdout().lines().toList(), res::toString);
        }
        assertEquals(List.of(), lines(audit), "the learned sender passes with no violation");
        assertEquals(List.of((long) DATAGRAMS, (long) DATAGRAMS, (long) DATAGRAMS),
                List.of(app.count("app-channel"), app.count("app-socket"), app.count("app-connected")), app.got::toString);

        Receiver intruder = new Receiver();
        String port = intruder.port();
        try (intruder) {
            ForkedJvm.Result res = udpApp("cfi=enforce,policy=" + policy + ",audit=" + audit, "intruder", intruder);
            assertEquals(List.of("bind=refused", "channel send=refused", "socket send=refused", "connected send=ok", "done"),
                    res.stdout().lines().toList(), res::toString);
        }
        assertEquals(0, intruder.count("intruder-channel") + intruder.count("intruder-socket"), intruder.got::toString);
        assertEquals(DATAGRAMS, intruder.count("intruder-connected"), "a channel connected by learned code sends: " + intruder.got);
        List<String> records = lines(audit);
        assertEquals(3, records.size(), "one refusal each, none for the connected channel's datagrams: " + records);
        assertEquals(1, count(records, "\"what\":\"socket.bind\"", "\"detail\":\"localhost/127.0.0.1:0\"", "UdpApp.lambda$main$1"), records::toString);
        assertEquals(1, count(records, "\"what\":\"socket.connect\"", "\"detail\":\"localhost/127.0.0.1:" + port + "\"", "UdpApp.lambda$main$2"), records::toString);
        assertEquals(1, count(records, "\"what\":\"socket.bind\"", "\"detail\":\"0.0.0.0/0.0.0.0:0\"", "UdpApp.lambda$main$3"), "new DatagramSocket() binds: " + records);

        // audit lets each unconnected datagram through; each is checked, the first logged in full, the rest counted
        Path auditLog = dir.resolve("audit.jsonl");
        Receiver audited = new Receiver();
        try (audited) {
            ForkedJvm.Result res = udpApp("cfi=audit,policy=" + policy + ",audit=" + auditLog, "intruder", audited);
            assertTrue(res.stdout().contains("channel send=ok"), res::toString);
        }
        assertEquals(DATAGRAMS, audited.count("intruder-channel"));
        List<String> audits = lines(auditLog);
        for (String lambda : List.of("UdpApp.lambda$main$2", "UdpApp.lambda$main$3")) { // DatagramSocket.send too
            assertEquals(1, count(audits, "\"what\":\"socket.connect\"", lambda, "\"record\":\"refusal\",\"count\":1,"), audits::toString);
            assertEquals(1, count(audits, "\"what\":\"socket.connect\"", lambda, "\"record\":\"summary\",\"count\":" + DATAGRAMS + ","),
                    audits::toString);
        }
        assertEquals(0, count(audits, "UdpApp.lambda$main$4"), audits::toString);
    }

    @Test
    void ffmLibraryLookupAndDowncallLinkingAreCheckedWhilePreemptsOwnNativeTimerRuns() throws IOException {
        Path dir = ForkedJvm.scratch("sink-ffm");
        Path policy = dir.resolve("policy.json");
        String options = "timer=native,carriers=1,log=info,cfi=";
        ForkedJvm.java().agent(options + "learn,policy=" + policy).jvmArg("--enable-native-access=ALL-UNNAMED").classpath(ffm)
                .main("FfmApp", "app").run().assertOk();
        String learned = Files.readString(policy);
        assertTrue(learned.contains("{\"sink\": \"native.load\", \"callers\": \"FfmApp.lambda$main$1 < Via$App.call < Via.report\"}")
                && learned.contains("{\"sink\": \"native.link\", \"callers\": \"FfmApp.pid < FfmApp.lambda$main$2 < Via$App.call\"}"), learned);
        assertFalse(learned.contains("dev.preempt"), "preempt's own timer links with no app frame above: " + learned);

        Path audit = dir.resolve("audit.jsonl");
        ForkedJvm.Result app = ForkedJvm.java().agent(options + "enforce,policy=" + policy + ",audit=" + audit)
                .jvmArg("--enable-native-access=ALL-UNNAMED").classpath(ffm).main("FfmApp", "app").run().assertOk();
        assertEquals(List.of("library lookup=ok", "default link=ok", "done"), app.stdout().lines().toList(), app::toString);
        assertEquals(List.of(), lines(audit));
        assertTrue(app.agentLogLines().stream().anyMatch(l -> l.contains("scheduler started") && l.contains("timer native")), app::toString);
        assertTrue(app.agentLogLines().stream().anyMatch(l -> l.matches(".*scheduler at exit: .*ticks=[1-9].*")), "the native timer ticked: " + app);

        ForkedJvm.Result intruder = ForkedJvm.java().agent(options + "enforce,policy=" + policy + ",audit=" + audit)
                .jvmArg("--enable-native-access=ALL-UNNAMED").classpath(ffm).main("FfmApp", "intruder").run().assertOk();
        assertEquals(List.of("library lookup=refused", "default link=refused", "done"), intruder.stdout().lines().toList(), intruder::toString);
        List<String> records = lines(audit);
        assertEquals(2, records.size(), records::toString);
        assertEquals(1, count(records, "\"what\":\"native.load\"", "\"detail\":\"libc.so.6\"", "Via$Intruder.call"), records::toString);
        assertEquals(1, count(records, "\"what\":\"native.link\"", "\"detail\":\"()i4\"", "FfmApp.lambda$main$2", "Via$Intruder.call"), records::toString);
    }
}
