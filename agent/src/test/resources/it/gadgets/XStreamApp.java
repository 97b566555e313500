import com.thoughtworks.xstream.XStream;
import com.thoughtworks.xstream.io.xml.DomDriver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** XStream 1.4.6: a list of tags sent as XML, sorted when received. */
final class XStreamApp implements App {
    private final XStream xstream = new XStream(new DomDriver());

    public String library() {
        return "xstream 1.4.6";
    }

    public List<Object> requests(String input) {
        List<String> tags = new ArrayList<>(List.of("zeta", input, "alpha"));
        return List.of(xstream.toXML(tags));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public String handle(Object request) {
        List tags = (List) xstream.fromXML((String) request);
        Collections.sort(tags);
        return "tags=" + tags;
    }
}
