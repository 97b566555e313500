package dev.preempt.runtime;

import java.util.regex.Pattern;

/**
 * A glob over names made of segments (class names, paths): {@code **} matches anything, {@code *} and
 * {@code ?} stay within one segment, and any separator in the glob matches any of the separators. One
 * compiler for the agent's class globs ({@code include=}, {@code threads.keep=}: separators {@code ./}) and
 * the CFI rules' class and path globs, so that the same glob means the same thing everywhere.
 */
public final class SegmentGlob {
    private SegmentGlob() {}

    /** The glob as a regular expression that must match a whole name; {@code separators} e.g. {@code "./"}. */
    public static Pattern compile(String glob, String separators) {
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
}
