/** A mapped daemon thread must not keep the JVM alive; main returns at once. */
public class DaemonExit {
    public static void main(String[] a) {
        Thread d = new Thread(() -> { try { Thread.sleep(60_000); } catch (InterruptedException e) { } System.out.println("daemon woke: wrong"); });
        d.setDaemon(true);
        d.start();
        System.out.println("main ends, daemon=" + d.isDaemon());
    }
}
