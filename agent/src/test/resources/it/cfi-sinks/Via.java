/**
 * Who makes a program's calls: {@code app}, the code path learned, or {@code intruder}, another one that
 * makes the very same calls. Only this frame differs between the two, and it is within the three app
 * frames of a CFI signature. {@link #report} prints {@code what=ok}, {@code what=refused} (a
 * SecurityException) or what the action returned.
 */
public abstract class Via {
    static final Via APP = new App();

    public interface Action {
        Object run() throws Throwable;
    }

    public static Via of(String who) {
        return who.equals("app") ? APP : new Intruder();
    }

    abstract Object call(Action a) throws Throwable;

    public void report(String what, Action a) {
        try {
            Object r = call(a);
            System.out.println(what + "=" + (r instanceof String s ? s : "ok"));
        } catch (SecurityException e) {
            System.out.println(what + "=refused");
        } catch (Throwable t) {
            System.out.println(what + "=failed " + t);
        }
    }

    static final class App extends Via {
        @Override
        Object call(Action a) throws Throwable {
            return a.run();
        }
    }

    static final class Intruder extends Via {
        @Override
        Object call(Action a) throws Throwable {
            return a.run();
        }
    }
}
