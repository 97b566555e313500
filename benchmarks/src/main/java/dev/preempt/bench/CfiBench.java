package dev.preempt.bench;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of CFI's checks. {@link #reflectiveCall}: one {@code Method.invoke} of a trivial method, which
 * under {@code cfi=} is a checked forward edge (a probe of the target last allowed at the site);
 * {@link #sinkFileDelete}: {@code File.delete()} of a file that does not exist, a guarded sink (a stack
 * walk and a set probe) around one failing {@code unlink}; {@link #sinkDatagramSendUnconnected}: one 8-byte
 * datagram sent on loopback to an explicit address (a sink check per datagram), against
 * {@link #datagramSendConnected}, the same on a connected channel (checked at connect only);
 * {@link #sinkRandomAccessFileOpen}: {@code RandomAccessFile("rw")} open and close. {@link #interfaceCall}
 * {@link #interfaceCallChildLoader} and {@link #interfaceCallBimorphic}: calls of an app interface, receiver-checked forward edges under
 * {@code cfi.types=interfaces} (a class comparison on a hit; the bimorphic site alternates two receivers, so
 * every other call also scans the site's receiver set). Run with {@code Compare} and
 * {@code --options schedule=off,cfi=enforce,policy=FILE}, FILE learned by a {@code cfi=learn} run of the same.
 *
 * <p>Refusals repeated as fast as one thread can (the audit log's flood case; docs/benchmarks.md "CFI"):
 * {@link #refusedSinkRepeated}, {@code File.delete()} of a missing file that a hand-written rule in FILE refuses
 * ({@code {"action": "deny", "sink": "file.delete", "detail": "**}{@code /preempt-cfi-bench-refused"}}, kept by
 * the learning run; without it the call is learned and allowed like {@link #sinkFileDelete}); and
 * {@link #refusedReflectRepeated}, {@code getDeclaredFields()} of a class of preempt's, refused by
 * self-protection in every mode with no rule. Each refusal is a stack walk, an audit record (a repeat: a
 * counter) and, under {@code enforce}, a {@code CfiViolation} caught here; stock, the plain call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CfiBench {
    private Method method;
    private Target target;
    private File missing;

    /** The reflective call's target. */
    public static class Target {
        private int v = 42;

        public int value() {
            return v;
        }
    }

    /** An app interface: its call sites are receiver-checked under cfi.types=interfaces. */
    public interface Op {
        int apply(int x);
    }

    public static final class Inc implements Op {
        @Override
        public int apply(int x) {
            return x + 1;
        }
    }

    public static final class Dbl implements Op {
        @Override
        public int apply(int x) {
            return x * 2;
        }
    }

    /**
     * Inc again, defined by a loader of its own (as an app server's or a plugin's classes are): the guard
     * caches such a receiver behind a weak reference so that the loader can be collected, which costs the
     * check one more load ({@link #interfaceCallChildLoader}).
     *
     * <p>The runtime's {@code CallGuardLoaderTest} has the same loader (for one class of its own). One copy
     * cannot serve both: the only main code both reach (the runtime, native-timers) is on every app's
     * bootstrap class path, no place for a test loader; the runtime's tests cannot depend on this module;
     * and a test-jar of the runtime would put its JUnit tests into the benchmarks jar. Keep the two alike.
     */
    static final class ChildLoader extends ClassLoader {
        ChildLoader() {
            super(CfiBench.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals(Inc.class.getName())) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c != null) {
                    return c;
                }
                try (java.io.InputStream in = CfiBench.class.getResourceAsStream("/" + name.replace('.', '/') + ".class")) {
                    byte[] b = in.readAllBytes();
                    return defineClass(name, b, 0, b.length);
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
        }
    }

    private Op mono;
    private Op child;
    private Op[] two;
    private int turn;
    private int x = 7;

    @Setup
    public void setup() throws ReflectiveOperationException {
        mono = new Inc();
        child = (Op) new ChildLoader().loadClass(Inc.class.getName()).getDeclaredConstructor().newInstance();
        two = new Op[] {new Inc(), new Dbl()};
        method = Target.class.getMethod("value");
        target = new Target();
        missing = new File(System.getProperty("java.io.tmpdir"), "preempt-cfi-bench-" + ProcessHandle.current().pid() + "-missing");
    }

    @Benchmark
    public Object reflectiveCall() throws ReflectiveOperationException {
        return method.invoke(target);
    }

    @Benchmark
    public int interfaceCall() {
        return mono.apply(x);
    }

    @Benchmark
    public int interfaceCallChildLoader() {
        return child.apply(x);
    }

    @Benchmark
    public int interfaceCallBimorphic() {
        return two[turn++ & 1].apply(x);
    }

    @Benchmark
    public boolean sinkFileDelete() {
        return missing.delete();
    }

    private File refused;

    @Setup
    public void setupRefused() {
        refused = new File(System.getProperty("java.io.tmpdir"), "preempt-cfi-bench-refused");
    }

    @Benchmark
    public boolean refusedSinkRepeated() {
        try {
            return refused.delete();
        } catch (SecurityException e) {
            return false;
        }
    }

    @Benchmark
    public int refusedReflectRepeated() {
        try {
            return dev.preempt.timer.TimerBackend.class.getDeclaredFields().length;
        } catch (SecurityException e) {
            return -1;
        }
    }

    private File scratch;
    private DatagramChannel receiver;
    private DatagramChannel unconnected;
    private DatagramChannel connected;
    private InetSocketAddress receiverAddress;
    private final ByteBuffer datagram = ByteBuffer.allocateDirect(8);

    /** A receiver that never reads: once its buffer is full the kernel drops what arrives, and send still returns. */
    @Setup
    public void setupSinks() throws IOException {
        scratch = File.createTempFile("preempt-cfi-bench-", ".bin");
        receiver = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        receiverAddress = (InetSocketAddress) receiver.getLocalAddress();
        unconnected = DatagramChannel.open();
        connected = DatagramChannel.open().connect(receiverAddress);
    }

    @TearDown
    public void tearDownSinks() throws IOException {
        receiver.close();
        unconnected.close();
        connected.close();
        scratch.delete();
    }

    @Benchmark
    public int sinkDatagramSendUnconnected() throws IOException {
        return unconnected.send(datagram.clear(), receiverAddress);
    }

    @Benchmark
    public int datagramSendConnected() throws IOException {
        return connected.send(datagram.clear(), receiverAddress);
    }

    @Benchmark
    public long sinkRandomAccessFileOpen() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(scratch, "rw")) {
            return f.length();
        }
    }
}
