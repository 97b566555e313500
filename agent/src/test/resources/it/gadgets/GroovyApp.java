import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.codehaus.groovy.runtime.MethodClosure;

/** Groovy 2.4.3: settings sent as serialisation bytes, each applied by a method closure named in the settings. */
final class GroovyApp implements App {
    public String library() {
        return "groovy 2.4.3";
    }

    public List<Object> requests(String input) throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put("greeting", "hello " + input);
        settings.put("style", "toUpperCase");
        return List.of(App.save(settings));
    }

    public String handle(Object request) throws Exception {
        Map<?, ?> settings = (Map<?, ?>) App.load(request);
        return String.valueOf(new MethodClosure(settings.get("greeting"), (String) settings.get("style")).call());
    }
}
