public class App {
    public static void main(String[] a) throws Exception {
        long[] out = new long[1];
        boolean[] virtual = new boolean[1];
        Thread t = new Thread(() -> { virtual[0] = Thread.currentThread().isVirtual(); out[0] = Hog.spin(1_000_000); });
        t.start();
        t.join();
        System.out.println("result=" + out[0]);
        System.out.println("virtual=" + virtual[0]);
        System.out.println("calls=" + Counter.calls);
    }
}
class Hog {
    static long spin(int n) {
        long x = 1;
        for (int i = 0; i < n; i++) x = x * 6364136223846793005L + 1;
        return x;
    }
}
