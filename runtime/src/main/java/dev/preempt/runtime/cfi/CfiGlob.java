package dev.preempt.runtime.cfi;

import dev.preempt.runtime.SegmentGlob;
import java.util.regex.Pattern;

/**
 * The globs of hand-written policy rules. {@code **} matches anything; {@code *} and {@code ?} stay within
 * one segment, whose separator depends on what is matched: {@code .} for class names
 * ({@code com.acme.**}), {@code /} for paths ({@code /srv/data/**}).
 */
public final class CfiGlob {
    private final String text;
    private final Pattern pattern;

    private CfiGlob(String text, Pattern pattern) {
        this.text = text;
        this.pattern = pattern;
    }

    public static CfiGlob ofClass(String glob) {
        return compile(glob, '.');
    }

    public static CfiGlob ofPath(String glob) {
        return compile(glob, '/');
    }

    private static CfiGlob compile(String glob, char sep) {
        return new CfiGlob(glob, SegmentGlob.compile(glob, String.valueOf(sep)));
    }

    public boolean matches(String s) {
        return s != null && pattern.matcher(s).matches();
    }

    @Override
    public String toString() {
        return text;
    }
}
