import java.io.FileOutputStream;

/** Writes a file from a slow shutdown hook, as a library flushing its state at exit does (Java 8). */
public class HookApp {
    public static void main(final String[] args) {
        Runtime.getRuntime().addShutdownHook(new Thread() {
            @Override
            public void run() {
                try {
                    Thread.sleep(500);
                    new FileOutputStream(args[0]).close();
                    System.out.println("hook wrote");
                } catch (Exception e) {
                    System.out.println("hook failed " + e);
                }
            }
        });
        System.out.println("main done");
    }
}
