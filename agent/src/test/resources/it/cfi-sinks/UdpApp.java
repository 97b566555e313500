import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;

/**
 * Sends datagrams to a receiver on loopback. Arguments: who sends ({@link Via}), the receiver's port, and
 * how many datagrams each way. Each payload is {@code who-how-i}, so the receiver can tell what got
 * through. The connected channel is always connected by the app's code path, then used by {@code who}.
 */
public class UdpApp {
    public static void main(String[] args) throws Throwable {
        String who = args[0];
        Via via = Via.of(who);
        InetSocketAddress receiver = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[1]));
        int n = Integer.parseInt(args[2]);
        DatagramChannel connected = (DatagramChannel) Via.APP.call(() -> DatagramChannel.open().connect(receiver));
        via.report("bind", () -> {
            DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).close();
            return null;
        });
        via.report("channel send", () -> {
            try (DatagramChannel c = DatagramChannel.open()) {
                for (int i = 0; i < n; i++) c.send(payload(who + "-channel", i), receiver);
            }
            return null;
        });
        via.report("socket send", () -> {
            try (DatagramSocket s = new DatagramSocket()) {
                for (int i = 0; i < n; i++) {
                    ByteBuffer b = payload(who + "-socket", i);
                    s.send(new DatagramPacket(b.array(), b.limit(), receiver));
                }
            }
            return null;
        });
        // A channel connected by the learned code: checked at connect, not per datagram, whoever sends.
        via.report("connected send", () -> {
            for (int i = 0; i < n; i++) {
                if (i % 2 == 0) connected.send(payload(who + "-connected", i), receiver); else connected.write(payload(who + "-connected", i));
            }
            return null;
        });
        connected.close();
        System.out.println("done");
    }

    static ByteBuffer payload(String tag, int i) {
        return ByteBuffer.wrap((tag + "-" + i).getBytes(StandardCharsets.UTF_8));
    }
}
