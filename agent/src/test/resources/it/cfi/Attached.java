import java.nio.file.Files;
import java.nio.file.Path;

/** Already running when CFI is attached: waits for a signal file, then runs a tool and reaches for preempt. */
public class Attached {
    public static void main(String[] args) throws Exception {
        System.out.println("ready");
        Path signal = Path.of(args[0]);
        for (int i = 0; i < 3000 && !Files.exists(signal); i++) Thread.sleep(20);
        try {
            new ProcessBuilder("true").start().waitFor();
            System.out.println("exec=not refused");
        } catch (SecurityException e) {
            System.out.println("exec=refused");
        }
        try {
            Class.forName("dev.preempt.runtime.cfi.Cfi").getDeclaredField("mode");
            System.out.println("reflect=not refused");
        } catch (SecurityException e) {
            System.out.println("reflect=refused");
        }
    }
}
