package dev.preempt.runtime;

import java.util.regex.Pattern;

/**
 * A thread-name glob ({@code priority=}, {@code threads.keep=}): {@code *} any characters, {@code ?} one.
 * Here rather than in the agent because the runtime matches names too, and the agent may use the
 * runtime's classes but not the reverse.
 */
public final class NameGlob {
    private NameGlob() {}

    /** The glob as a regular expression that must match a whole name. */
    public static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
