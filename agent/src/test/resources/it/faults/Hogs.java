public class Hogs {
    public static void main(String[] a) throws Exception {
        long[] r = new long[2];
        long end = System.nanoTime() + 1_500_000_000L; // 1.5 s of two hogs sharing one carrier
        Thread x = Thread.ofVirtual().start(() -> { while (System.nanoTime() < end) r[0] += Hog.spin(100_000); });
        Thread y = Thread.ofVirtual().start(() -> { while (System.nanoTime() < end) r[1] += Hog.spin(100_000); });
        x.join();
        y.join();
        System.out.println("same=" + (r[0] != 0 && r[1] != 0));
    }
}
