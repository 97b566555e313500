package dev.preempt.runtime.base;

import java.util.regex.Pattern;

/**
 * The one glob of preempt's options and policy files, so that a glob means the same thing everywhere:
 * <ul>
 *   <li>over names made of segments ({@link #ofClass}: class names for {@code include=}, {@code exclude=},
 *       {@code threads.keep=}, {@code cfi.types=} and a policy rule's {@code caller}, where {@code .} and
 *       {@code /} both separate segments, so a glob matches binary and internal names alike; {@link #ofPath}:
 *       a policy rule's file {@code detail}, separated by {@code /}): {@code **} matches anything,
 *       {@code *} any characters within one segment, {@code ?} one character within one segment;</li>
 *   <li>over thread names ({@link #ofName}: {@code priority=}, {@code threads.keep=}), which have no
 *       segments: {@code *} any characters, {@code ?} one.</li>
 * </ul>
 * Here, in the runtime, because the runtime matches thread names and policy rules at run time, and the
 * agent may use the runtime's classes but not the reverse.
 */
public final class Glob {
    private final String text;
    private final Pattern pattern;

    private Glob(String text, Pattern pattern) {
        this.text = text;
        this.pattern = pattern;
    }

    /** A class-name glob: {@code .} and {@code /} separate segments. */
    public static Glob ofClass(String glob) {
        return new Glob(glob, segments(glob, "./"));
    }

    /** A file-path glob: {@code /} separates segments. */
    public static Glob ofPath(String glob) {
        return new Glob(glob, segments(glob, "/"));
    }

    /** A thread-name glob: {@code *} any characters, {@code ?} one. */
    public static Glob ofName(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new Glob(glob, Pattern.compile(re.toString()));
    }

    private static Pattern segments(String glob, String separators) {
        String anySeparator = "[" + Pattern.quote(separators) + "]";
        String notSeparator = "[^" + Pattern.quote(separators) + "]";
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                re.append(".*");
                i++;
            } else if (c == '*') {
                re.append(notSeparator).append('*');
            } else if (c == '?') {
                re.append(notSeparator);
            } else if (separators.indexOf(c) >= 0) {
                re.append(anySeparator);
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    /** Whether the whole of {@code s} matches; never for null. */
    public boolean matches(String s) {
        return s != null && pattern.matcher(s).matches();
    }

    /** The glob as written. */
    @Override
    public String toString() {
        return text;
    }
}
