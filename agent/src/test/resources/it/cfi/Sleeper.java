/** Runs a tool, then never ends: killed by the test, to show what learning kept. */
public class Sleeper {
    public static void main(String[] args) throws Exception {
        new ProcessBuilder("true").start().waitFor();
        System.out.println("started");
        Thread.sleep(60_000);
    }
}
