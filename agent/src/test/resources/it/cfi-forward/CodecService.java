import java.io.File;
import java.util.HashMap;
import java.util.Map;

/**
 * A legacy text service (Java 8) with pluggable codecs looked up by a name in each request. The registry
 * also holds an admin-only codec that runs a command, never used by ordinary requests: reaching it is what
 * a gadget or an injected name would do. Requests are "codec:text"; each is applied three times.
 */
public class CodecService {
    public interface Codec {
        String encode(String s);
    }

    static final class Upper implements Codec {
        public String encode(String s) { return s.toUpperCase(); }
    }

    static final class Reverse implements Codec {
        public String encode(String s) { return new StringBuilder(s).reverse().toString(); }
    }

    /** Admin only: runs the text as a command (here: creates the file it names). */
    static final class Shell implements Codec {
        public String encode(String s) {
            try {
                Process p = new ProcessBuilder("touch", s).start();
                return "exit " + p.waitFor();
            } catch (Exception e) {
                return "failed " + e;
            }
        }
    }

    private static final Map<String, Codec> CODECS = new HashMap<String, Codec>();
    static {
        CODECS.put("upper", new Upper());
        CODECS.put("reverse", new Reverse());
        CODECS.put("shell", new Shell());
    }

    static String apply(String request) {
        int colon = request.indexOf(':');
        Codec c = CODECS.get(request.substring(0, colon));
        return c.encode(request.substring(colon + 1));
    }

    public static void main(String[] args) {
        for (String request : args) {
            for (int i = 0; i < 3; i++) {
                String out;
                try {
                    out = apply(request);
                } catch (SecurityException e) {
                    out = "refused " + e.getClass().getSimpleName();
                }
                if (i == 0) System.out.println(request + " -> " + out);
            }
        }
        String last = args[args.length - 1];
        if (last.startsWith("shell:")) {
            System.out.println("marker=" + new File(last.substring(6)).exists());
        }
    }
}
