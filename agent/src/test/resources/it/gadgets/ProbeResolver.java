import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The corpus's name resolver (the JDK's resolver SPI): it remembers every host name the JVM asks for, so
 * that a DNS probe such as URLDNS is seen without any network, and answers names under {@code .invalid}
 * at once with "unknown host", as DNS would.
 */
public final class ProbeResolver extends InetAddressResolverProvider {
    private static final Set<String> ASKED = ConcurrentHashMap.newKeySet();

    /** Whether the JVM has asked to resolve this host. */
    static boolean asked(String host) {
        return ASKED.contains(host);
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                ASKED.add(host);
                if (host.endsWith(".invalid")) {
                    throw new UnknownHostException(host);
                }
                return builtin.lookupByName(host, policy);
            }

            @Override
            public String lookupByAddress(byte[] address) throws UnknownHostException {
                return builtin.lookupByAddress(address);
            }
        };
    }

    @Override
    public String name() {
        return "corpus probe";
    }
}
