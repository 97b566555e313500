import java.io.File;
import java.io.FileOutputStream;
import java.lang.invoke.MethodHandles;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs against a policy of hand-written rules only: writes inside and outside the allowed directory, lets
 * a plugin call System.exit, and tries to reach preempt's own classes reflectively. Argument: the directory.
 */
public class RulesApp {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        System.out.println("allowed write=" + write(dir.resolve("allowed/report.txt")));
        System.out.println("allowed stream=" + stream(dir.resolve("allowed/stream.txt").toFile()));
        System.out.println("outside write=" + write(dir.resolve("elsewhere.txt")));
        System.out.println("outside stream=" + stream(dir.resolve("elsewhere2.txt").toFile()));
        try {
            plugins.Plugin.shutdown();
            System.out.println("plugin exit=not refused");
        } catch (SecurityException e) {
            System.out.println("plugin exit=refused");
        }
        try {
            Class.forName("dev.preempt.runtime.cfi.Cfi").getDeclaredField("mode");
            System.out.println("reflect=not refused");
        } catch (SecurityException e) {
            System.out.println("reflect=refused");
        }
        try {
            MethodHandles.privateLookupIn(Class.forName("dev.preempt.runtime.cfi.CallGuard"), MethodHandles.lookup());
            System.out.println("lookup=not refused");
        } catch (SecurityException e) {
            System.out.println("lookup=refused");
        }
        System.out.println("done");
    }

    static String write(Path p) throws Exception {
        try {
            Files.writeString(p, "data");
            return "ok";
        } catch (SecurityException e) {
            return "refused";
        }
    }

    static String stream(File f) throws Exception {
        try (FileOutputStream out = new FileOutputStream(f)) {
            out.write(1);
            return "ok";
        } catch (SecurityException e) {
            return "refused";
        }
    }
}
