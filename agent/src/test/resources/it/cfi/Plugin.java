package plugins;

/** A third-party plugin that believes it may stop the JVM. */
public class Plugin {
    public static void shutdown() {
        System.exit(3);
    }
}
