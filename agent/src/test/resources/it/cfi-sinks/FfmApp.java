import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Calls getpid through the FFM API, with no System.load: opens libc with SymbolLookup.libraryLookup and
 * links a downcall, or links one to the default lookup's getpid. Argument: who does it ({@link Via}).
 * Keeps two threads busy meanwhile so that a time-sliced run's timer ticks.
 */
public class FfmApp {
    static final FunctionDescriptor GETPID = FunctionDescriptor.of(ValueLayout.JAVA_INT);

    public static void main(String[] args) throws Exception {
        Thread[] hogs = new Thread[2];
        for (int i = 0; i < hogs.length; i++) {
            hogs[i] = new Thread(() -> {
                long end = System.nanoTime() + 300_000_000L;
                while (System.nanoTime() < end) Thread.onSpinWait();
            }, "hog-" + i);
            hogs[i].start();
        }
        Via via = Via.of(args[0]);
        via.report("library lookup", () -> pid(SymbolLookup.libraryLookup("libc.so.6", Arena.global())));
        via.report("default link", () -> pid(Linker.nativeLinker().defaultLookup()));
        for (Thread h : hogs) h.join();
        System.out.println("done");
    }

    static String pid(SymbolLookup lookup) throws Throwable {
        MethodHandle getpid = Linker.nativeLinker().downcallHandle(lookup.findOrThrow("getpid"), GETPID);
        int pid = (int) getpid.invokeExact();
        return pid == ProcessHandle.current().pid() ? "ok" : "wrong pid " + pid;
    }
}
