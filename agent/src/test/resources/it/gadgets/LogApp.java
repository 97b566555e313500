import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.ThreadContext;

/**
 * log4j-core 2.14.1: logs each request's user agent, with the user name in the thread context, in a
 * pattern that shows it ({@code user=$${ctx:user}}, log4j2.xml beside this class). A request is
 * {@code {user, userAgent}}.
 */
final class LogApp implements App {
    private static final Logger LOG = LogManager.getLogger(LogApp.class);

    public String library() {
        return "log4j-core 2.14.1";
    }

    public List<Object> requests(String input) {
        return List.of(new String[] {input, "curl/8.5"}, new String[] {input, "Mozilla/5.0 (X11; Linux x86_64)"});
    }

    public String handle(Object request) {
        String[] r = (String[]) request;
        ThreadContext.put("user", r[0]);
        try {
            LOG.info("request from user agent {}", r[1]);
        } finally {
            ThreadContext.remove("user");
        }
        return "logged";
    }
}
