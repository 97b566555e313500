package dev.preempt.runtime.base;

/**
 * The one JSON string escaper (RFC 8259) of preempt: the runtime's writers (the learned policy, the audit
 * log) and the agent's reports and traces all quote strings here. In the bootstrap runtime because the
 * runtime may depend on nothing outside the JDK; the agent uses it rather than its shaded Jackson so that
 * the two kinds of output cannot drift apart.
 */
public final class JsonStrings {
    private JsonStrings() {}

    /** Appends {@code s} as a JSON string literal. */
    public static void append(StringBuilder b, String s) {
        append(b, s, false);
    }

    /**
     * {@code s} as a JSON string literal that is also safe inside an HTML {@code <script>} element:
     * {@code <}, {@code >} and {@code &} are escaped so that a thread named {@code </script>} cannot end the
     * script, and U+2028/U+2029 so that older JavaScript parsers accept the literal.
     */
    public static String quoteForScript(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2);
        append(b, s, true);
        return b.toString();
    }

    private static void append(StringBuilder b, String s, boolean script) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || (script && (c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029'))) {
                        b.append("\\u").append(HEX[c >> 12 & 15]).append(HEX[c >> 8 & 15]).append(HEX[c >> 4 & 15]).append(HEX[c & 15]);
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();
}
