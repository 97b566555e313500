import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Calls getpid through the FFM API, with no System.load: opens libc with SymbolLookup.libraryLookup and
 * links a downcall, or links one to the default lookup's getpid. Argument: who does it ({@code app}: the
 * code path learned; {@code intruder}: another one). Prints one {@code what=ok|refused} line each, and
 * keeps two threads busy meanwhile so that a time-sliced run's timer ticks.
 */
public class FfmApp {
    public static void main(String[] args) throws Exception {
        Thread[] hogs = new Thread[2];
        long[] spins = new long[hogs.length];
        for (int i = 0; i < hogs.length; i++) {
            int k = i;
            hogs[i] = new Thread(() -> {
                long end = System.nanoTime() + 300_000_000L;
                while (System.nanoTime() < end) spins[k]++;
            }, "hog-" + i);
            hogs[i].start();
        }
        if (args[0].equals("app")) {
            report("library lookup", Native::libcGetpid);
            report("default link", Native::defaultGetpid);
        } else {
            report("library lookup", Intruder::libcGetpid);
            report("default link", Intruder::defaultGetpid);
        }
        for (Thread h : hogs) h.join();
        System.out.println("done");
    }

    static void report(String what, Call c) {
        try {
            int pid = c.getpid();
            System.out.println(what + "=" + (pid == ProcessHandle.current().pid() ? "ok" : "wrong pid " + pid));
        } catch (SecurityException e) {
            System.out.println(what + "=refused");
        } catch (Throwable t) {
            System.out.println(what + "=failed " + t);
        }
    }

    interface Call {
        int getpid() throws Throwable;
    }

    static final FunctionDescriptor GETPID = FunctionDescriptor.of(ValueLayout.JAVA_INT);

    static int call(MethodHandle h) throws Throwable {
        return (int) h.invokeExact();
    }

    static class Native {
        static int libcGetpid() throws Throwable {
            SymbolLookup libc = SymbolLookup.libraryLookup("libc.so.6", Arena.global());
            return call(Linker.nativeLinker().downcallHandle(libc.findOrThrow("getpid"), GETPID));
        }

        static int defaultGetpid() throws Throwable {
            Linker linker = Linker.nativeLinker();
            return call(linker.downcallHandle(linker.defaultLookup().findOrThrow("getpid"), GETPID));
        }
    }

    static class Intruder {
        static int libcGetpid() throws Throwable {
            SymbolLookup libc = SymbolLookup.libraryLookup("libc.so.6", Arena.global());
            return call(Linker.nativeLinker().downcallHandle(libc.findOrThrow("getpid"), GETPID));
        }

        static int defaultGetpid() throws Throwable {
            Linker linker = Linker.nativeLinker();
            return call(linker.downcallHandle(linker.defaultLookup().findOrThrow("getpid"), GETPID));
        }
    }
}
