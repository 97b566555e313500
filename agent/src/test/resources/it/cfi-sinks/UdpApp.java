import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;

/**
 * Sends datagrams to a receiver on loopback. Arguments: who sends ({@code app}: the code path learned;
 * {@code intruder}: another one), the receiver's port, and how many datagrams each way. Each datagram's
 * payload names who sent it and how, so the receiver can tell what got through. Prints one
 * {@code what=ok|refused} line each.
 */
public class UdpApp {
    public static void main(String[] args) throws Exception {
        InetSocketAddress receiver = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[1]));
        int n = Integer.parseInt(args[2]);
        DatagramChannel connected = Metrics.connect(receiver);
        if (args[0].equals("app")) {
            report("bind", () -> Metrics.bind().close());
            report("channel send", () -> Metrics.send(receiver, n, "app-channel"));
            report("socket send", () -> Metrics.socketSend(receiver, n, "app-socket"));
            report("connected send", () -> Metrics.sendConnected(connected, receiver, n, "app-connected"));
        } else {
            report("bind", () -> Intruder.bind().close());
            report("channel send", () -> Intruder.send(receiver, n, "intruder-channel"));
            report("socket send", () -> Intruder.socketSend(receiver, n, "intruder-socket"));
            // A channel the learned code connected, used by unlearned code: checked at connect, not per datagram.
            report("connected send", () -> Intruder.sendConnected(connected, receiver, n, "intruder-connected"));
        }
        connected.close();
        System.out.println("done");
    }

    static void report(String what, Action a) throws Exception {
        try {
            a.run();
            System.out.println(what + "=ok");
        } catch (SecurityException e) {
            System.out.println(what + "=refused");
        }
    }

    interface Action {
        void run() throws Exception;
    }

    static ByteBuffer payload(String tag, int i) {
        return ByteBuffer.wrap((tag + "-" + i).getBytes(StandardCharsets.UTF_8));
    }

    static DatagramChannel bindLoopback() throws Exception {
        return DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    static void sendEach(DatagramChannel c, InetSocketAddress to, int n, String tag) throws Exception {
        for (int i = 0; i < n; i++) c.send(payload(tag, i), to);
    }

    static void socketSendEach(InetSocketAddress to, int n, String tag) throws Exception {
        try (DatagramSocket s = new DatagramSocket()) {
            for (int i = 0; i < n; i++) {
                byte[] b = (tag + "-" + i).getBytes(StandardCharsets.UTF_8);
                s.send(new DatagramPacket(b, b.length, to));
            }
        }
    }

    static void sendConnectedEach(DatagramChannel c, InetSocketAddress to, int n, String tag) throws Exception {
        for (int i = 0; i < n; i++) {
            if (i % 2 == 0) c.send(payload(tag, i), to); else c.write(payload(tag, i));
        }
    }

    static class Metrics {
        static DatagramChannel connect(InetSocketAddress to) throws Exception {
            return DatagramChannel.open().connect(to);
        }

        static DatagramChannel bind() throws Exception {
            return bindLoopback();
        }

        static void send(InetSocketAddress to, int n, String tag) throws Exception {
            try (DatagramChannel c = DatagramChannel.open()) {
                sendEach(c, to, n, tag);
            }
        }

        static void socketSend(InetSocketAddress to, int n, String tag) throws Exception {
            socketSendEach(to, n, tag);
        }

        static void sendConnected(DatagramChannel c, InetSocketAddress to, int n, String tag) throws Exception {
            sendConnectedEach(c, to, n, tag);
        }
    }

    static class Intruder {
        static DatagramChannel bind() throws Exception {
            return bindLoopback();
        }

        static void send(InetSocketAddress to, int n, String tag) throws Exception {
            try (DatagramChannel c = DatagramChannel.open()) {
                sendEach(c, to, n, tag);
            }
        }

        static void socketSend(InetSocketAddress to, int n, String tag) throws Exception {
            socketSendEach(to, n, tag);
        }

        static void sendConnected(DatagramChannel c, InetSocketAddress to, int n, String tag) throws Exception {
            sendConnectedEach(c, to, n, tag);
        }
    }
}
