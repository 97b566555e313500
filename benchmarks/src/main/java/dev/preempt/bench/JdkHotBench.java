package dev.preempt.bench;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the polls in JDK code (jdk.polls=on) cost the JDK work they are in, on normal inputs: a regex
 * match, a million-int sort, an object sort with a comparator, big-number arithmetic, and the string work a
 * service does on every request (short strings: case mapping, replace, split, join, strip, a builder's
 * reverse and inflation to UTF-16; Latin-1 and UTF-16 alike). The calls are the
 * JDK's; this class only drives them, so {@link Compare} measures the JDK classes with and without their
 * polls (run it twice, with {@code --options jdk.polls=off} for the other side of the on/off pair).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class JdkHotBench {
    private static final Pattern EMAIL = Pattern.compile("([a-z0-9._%+-]+)@([a-z0-9.-]+)\\.([a-z]{2,})");
    private static final Pattern WORDS = Pattern.compile("\\b(\\w+)\\s+\\1\\b");

    private String address;
    private String text;
    private int[] ints;
    private int[] intsWork;
    private Integer[] boxed;
    private Integer[] boxedWork;
    private BigInteger bigA;
    private BigInteger bigB;
    private BigDecimal decA;
    private BigDecimal decB;
    private String path;
    private String header;
    private String csv;
    private String padded;
    private String greek;
    private String[] parts;

    @Setup(Level.Trial)
    public void setup() {
        Random r = new Random(42);
        address = "first.last+news@mail.example.org";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) sb.append("word").append(r.nextInt(50)).append(' ');
        text = sb.toString();
        ints = r.ints(1_000_000).toArray();
        intsWork = new int[ints.length];
        boxed = r.ints(100_000).boxed().toArray(Integer[]::new);
        boxedWork = new Integer[boxed.length];
        bigA = new BigInteger(20_000, r);
        bigB = new BigInteger(20_000, r);
        decA = new BigDecimal(new BigInteger(2_000, r), 300);
        decB = new BigDecimal(new BigInteger(1_000, r), 100);
        path = "/api/v2/customers/" + r.nextInt(1_000_000) + "/orders/recent";
        header = "Content-Type: application/JSON; charset=UTF-8";
        csv = String.join(",", r.ints(24, 0, 100_000).mapToObj(Integer::toString).toList());
        padded = "   " + header + "\t \n";
        greek = "\u03b1\u03bb\u03c6\u03b1 order " + r.nextInt(1000) + " \u03b2\u03ae\u03c4\u03b1";
        parts = csv.split(",");
    }

    @Benchmark
    public boolean regexMatchesAnAddress() {
        return EMAIL.matcher(address).matches();
    }

    @Benchmark
    public int regexFindsRepeatedWords() {
        var m = WORDS.matcher(text);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    @Benchmark
    public int sortMillionInts() {
        System.arraycopy(ints, 0, intsWork, 0, ints.length);
        Arrays.sort(intsWork);
        return intsWork[intsWork.length / 2];
    }

    @Benchmark
    public Integer sortObjectsWithComparator() {
        System.arraycopy(boxed, 0, boxedWork, 0, boxed.length);
        Arrays.sort(boxedWork, Comparator.reverseOrder());
        return boxedWork[boxedWork.length / 2];
    }

    @Benchmark
    public int bigIntegerMultiplyAndDivide() {
        return bigA.multiply(bigB).divide(bigB.shiftRight(5000)).bitLength();
    }

    @Benchmark
    public int bigDecimalDivide() {
        return decA.divide(decB, MathContext.DECIMAL128).scale();
    }

    @Benchmark
    public String stringReplaceChar() {
        return path.replace('/', '.');
    }

    @Benchmark
    public String stringReplaceLiteral() {
        return path.replace("/orders/", "/o/");
    }

    @Benchmark
    public String stringCaseMapping() {
        return header.toLowerCase().toUpperCase();
    }

    @Benchmark
    public String stringCaseMappingUtf16() {
        return greek.toUpperCase();
    }

    @Benchmark
    public int stringSplit() {
        return csv.split(",").length;
    }

    @Benchmark
    public String stringJoin() {
        return String.join(";", parts);
    }

    @Benchmark
    public String stringStrip() {
        return padded.strip();
    }

    @Benchmark
    public String stringBuilderReverseAndInflate() {
        return new StringBuilder(path).reverse().append('\u03c9').append(header).toString();
    }
}
