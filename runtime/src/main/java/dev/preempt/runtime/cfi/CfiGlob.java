package dev.preempt.runtime.cfi;

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
        StringBuilder re = new StringBuilder();
        String notSep = "[^" + Pattern.quote(String.valueOf(sep)) + "]";
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                re.append(".*");
                i++;
            } else if (c == '*') {
                re.append(notSep).append('*');
            } else if (c == '?') {
                re.append(notSep);
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new CfiGlob(glob, Pattern.compile(re.toString()));
    }

    public boolean matches(String s) {
        return s != null && pattern.matcher(s).matches();
    }

    @Override
    public String toString() {
        return text;
    }
}
