import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** JDK only: session attributes (strings) sent as serialisation bytes. */
final class SessionsApp implements App {
    public String library() {
        return "JDK only";
    }

    public List<Object> requests(String input) throws Exception {
        HashMap<String, String> session = new HashMap<>();
        session.put("user", input);
        session.put("theme", "dark");
        return List.of(App.save(session));
    }

    public String handle(Object request) throws Exception {
        Map<?, ?> session = (Map<?, ?>) App.load(request);
        return "user=" + session.get("user");
    }
}
