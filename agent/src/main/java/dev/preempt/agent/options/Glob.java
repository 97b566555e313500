package dev.preempt.agent.options;

import dev.preempt.runtime.NameGlob;
import dev.preempt.runtime.SegmentGlob;
import java.util.regex.Pattern;

/**
 * A glob over class names or thread names. For class names {@code *} stays inside one package segment
 * and {@code **} crosses them ({@code com.acme.**}); for thread names {@code *} matches anything.
 * {@code ?} matches one character. Both {@code .} and {@code /} separate class-name segments, so a glob
 * matches internal names ({@code com/acme/Foo}) as well as binary ones.
 */
public final class Glob {
    private final String text;
    private final Pattern pattern;

    private Glob(String text, Pattern pattern) {
        this.text = text;
        this.pattern = pattern;
    }

    /** A class-name glob. */
    public static Glob ofClass(String glob) {
        return new Glob(glob, SegmentGlob.compile(glob, "./"));
    }

    /** A thread-name glob, with the runtime's semantics (it matches names at run time with the same). */
    public static Glob ofName(String glob) {
        return new Glob(glob, NameGlob.compile(glob));
    }

    public boolean matches(String s) {
        return pattern.matcher(s).matches();
    }

    @Override
    public String toString() {
        return text;
    }
}
