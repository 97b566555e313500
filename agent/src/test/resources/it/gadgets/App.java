import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;

/**
 * One small app of the gadget corpus: what its own clients send ({@link #requests}) and where it receives
 * a request ({@link #handle}). The corpus gives an attacker's payload to the same {@code handle}, as a
 * network peer would, so the chain runs under the same app frames as the app's own work.
 */
interface App {
    /** The library and version the app is built on. */
    String library();

    /** What the app's own clients send for this input: serialisation bytes, YAML or XML text, log fields. */
    List<Object> requests(String input) throws Exception;

    /** Receives one request and answers it. */
    String handle(Object request) throws Exception;

    static byte[] save(Object o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    static Object load(Object request) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream((byte[]) request))) {
            return in.readObject();
        }
    }
}
