import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A thread-per-request service whose two handler threads run hogs inside the JDK (a catastrophic regex, a
 * huge sort, big-number arithmetic) while small requests keep arriving, each on its own new thread. Prints
 * each hog's result (so a run with JDK polls can be compared with one without) and the small requests'
 * latency from arrival to completion.
 *
 * <p>Usage: JdkHogs regex|isort|osort|string|bigint|app SIZE
 */
public class JdkHogs {
    static final ConcurrentLinkedQueue<Long> latenciesNanos = new ConcurrentLinkedQueue<>();
    static volatile int hogsDone;

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        int size = Integer.parseInt(args[1]);
        String[] results = new String[2];
        List<Thread> hogs = new ArrayList<>();
        long hogStart = System.nanoTime();
        for (int h = 0; h < 2; h++) {
            int slot = h;
            Thread t = new Thread(() -> {
                results[slot] = hog(kind, size, slot);
                synchronized (JdkHogs.class) {
                    hogsDone++;
                }
            }, "hog-" + h);
            t.start();
            hogs.add(t);
        }
        Thread.sleep(50); // the hogs hold both carriers now
        List<Thread> requests = new ArrayList<>();
        int sent = 0;
        while (hogsDone < 2 || sent < 40) {
            long arrived = System.nanoTime();
            Thread r = new Thread(() -> {
                long sum = 0;
                for (int i = 0; i < 1000; i++) sum += i * 31L ^ arrived;
                if (sum == 42) System.out.print("");
                latenciesNanos.add(System.nanoTime() - arrived);
            }, "request-" + sent);
            r.start();
            requests.add(r);
            sent++;
            Thread.sleep(5);
            if (sent > 4000) break; // a hog that never ends: give up, the latencies already show it
        }
        for (Thread t : hogs) t.join();
        long hogMillis = (System.nanoTime() - hogStart) / 1_000_000;
        for (Thread r : requests) r.join();
        long[] ms = latenciesNanos.stream().mapToLong(n -> n / 1_000_000).sorted().toArray();
        long p99 = ms[(int) Math.ceil(ms.length * 0.99) - 1];
        long p50 = ms[ms.length / 2];
        System.out.println("result0=" + results[0]);
        System.out.println("result1=" + results[1]);
        System.out.println("requests=" + ms.length + " p50Ms=" + p50 + " p99Ms=" + p99 + " maxMs=" + ms[ms.length - 1] + " hogMs=" + hogMillis);
    }

    static String hog(String kind, int size, int slot) {
        switch (kind) {
            case "regex": {
                // Catastrophic backtracking: (a+)+b\\1 against a run of a's with no b is exponential in the run.
                String input = "a".repeat(size) + "c";
                boolean matched = Pattern.compile("(a+)+b\\1").matcher(input).matches();
                Matcher m = Pattern.compile("(\\w+)@(\\w+)\\.(com|org)").matcher("x mail@example.org y");
                return matched + "," + (m.find() ? m.group(1) + "/" + m.group(2) + "/" + m.group(3) : "none");
            }
            case "isort": {
                // The input is made in app code: JDK streams (Random.ints().toArray()) have no polls.
                Random random = new Random(42 + slot);
                int[] a = new int[size];
                for (int i = 0; i < a.length; i++) a[i] = random.nextInt();
                Arrays.sort(a); // DualPivotQuicksort
                boolean sorted = true;
                for (int i = 1; i < a.length; i++) sorted &= a[i - 1] <= a[i];
                return sorted + "," + Arrays.hashCode(a);
            }
            case "osort": {
                Random random = new Random(7 + slot);
                Integer[] boxed = new Integer[size];
                for (int i = 0; i < boxed.length; i++) boxed[i] = random.nextInt();
                Arrays.sort(boxed, (x, y) -> Integer.compare(y, x)); // TimSort
                boolean sorted = true;
                for (int i = 1; i < boxed.length; i++) sorted &= boxed[i - 1] >= boxed[i];
                return sorted + "," + Arrays.hashCode(boxed);
            }
            case "string": {
                // A big text made in app code, then the JDK's own string loops over all of it.
                char[] text = new char[size];
                for (int i = 0; i < text.length; i++) text[i] = (char) ('a' + (i * 7 + slot) % 26);
                String s = new String(text);
                String replaced = s.replace('e', 'E');                           // StringLatin1.replace
                String upper = replaced.toUpperCase(java.util.Locale.ROOT);      // StringLatin1.toUpperCase
                String reversed = new StringBuilder(upper).reverse().toString(); // AbstractStringBuilder.reverse
                return reversed.length() + "," + reversed.hashCode() + "," + replaced.hashCode();
            }
            case "bigint": {
                BigInteger p = BigInteger.valueOf(3 + slot).pow(size);
                BigInteger q = p.multiply(p.add(BigInteger.ONE));
                return q.bitLength() + "," + q.toString().hashCode();
            }
            case "app": {
                // The control: a hog in app code, which has had polls all along (SIZE: milliseconds).
                long end = System.nanoTime() + size * 1_000_000L, x = slot;
                while (System.nanoTime() < end) {
                    for (int i = 0; i < 10_000; i++) x = x * 6364136223846793005L + 1442695040888963407L;
                }
                return String.valueOf(x != 0);
            }
            default:
                throw new IllegalArgumentException("kind: regex, isort, osort, string, bigint or app, not " + kind);
        }
    }
}
