import java.nio.file.Path;

/**
 * An attacker who keeps trying: {@code tool} runs a command once (the learned path); {@code flood N MARKER}
 * repeats one ProcessBuilder.start never learned N times, {@code vary N DIR} N times with a new file name
 * each time (so every refusal is a distinct edge). Prints how many were refused and how long it took.
 */
public class Flood {
    public static void main(String[] args) throws Exception {
        if (args[0].equals("tool")) {
            System.out.println("tool exit=" + new ProcessBuilder("true").start().waitFor());
            return;
        }
        int n = Integer.parseInt(args[1]);
        int refused = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            try {
                start(args[0].equals("vary") ? Path.of(args[2], "m" + i).toString() : args[2]);
            } catch (SecurityException e) {
                refused++;
            }
        }
        System.out.println("refused=" + refused + " millis=" + (System.nanoTime() - t0) / 1_000_000);
    }

    static void start(String marker) throws Exception {
        new ProcessBuilder("touch", marker).start().waitFor();
    }
}
