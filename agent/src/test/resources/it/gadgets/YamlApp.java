import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** SnakeYAML 1.33: service configuration sent as YAML, with a typed endpoint ({@code !!YamlApp$Endpoint}). */
public final class YamlApp implements App {
    public String library() {
        return "snakeyaml 1.33";
    }

    public List<Object> requests(String input) {
        return List.of("name: " + input + "\nport: 8080\ntags: [a, b]\nbackend: !!YamlApp$Endpoint {host: " + input + ".local, port: 9090}\n");
    }

    public String handle(Object request) {
        Object config = new Yaml().load((String) request);
        if (!(config instanceof Map)) {
            return "config=" + config.getClass().getName();
        }
        Endpoint backend = (Endpoint) ((Map<?, ?>) config).get("backend");
        return "name=" + ((Map<?, ?>) config).get("name") + " backend=" + backend.getHost() + ":" + backend.getPort();
    }

    /** A bean SnakeYAML builds with its no-argument constructor and setters. */
    public static final class Endpoint {
        private String host;
        private int port;

        public String getHost() {
            return host;
        }

        public void setHost(String host) {
            this.host = host;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }
    }
}
