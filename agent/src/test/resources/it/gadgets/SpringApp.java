import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.util.SerializationUtils;

/** Spring 4.1.4 (spring-core's SerializationUtils; spring-tx on the class path for its transactions): sessions sent as serialisation bytes. */
final class SpringApp implements App {
    public String library() {
        return "spring-tx 4.1.4 (+ spring-core, spring-beans, spring-context 4.1.4)";
    }

    public List<Object> requests(String input) {
        HashMap<String, String> session = new HashMap<>();
        session.put("user", input);
        return List.of(SerializationUtils.serialize(session));
    }

    public String handle(Object request) {
        Map<?, ?> session = (Map<?, ?>) SerializationUtils.deserialize((byte[]) request);
        return "user=" + session.get("user");
    }
}
