package dev.preempt.agent.report;

/**
 * JSON string literals for the trace and for the data embedded in the HTML report, written by hand: the
 * writers stream numbers and a few strings, and app-controlled text (thread names, method names) is the
 * only thing that needs care.
 */
final class Json {
    private Json() {}

    /**
     * {@code s} as a JSON string literal (RFC 8259), also safe inside an HTML {@code <script>} element:
     * {@code <}, {@code >} and {@code &} are escaped so that a thread named {@code </script>} cannot end
     * the script, and U+2028/U+2029 so that older JavaScript parsers accept the literal.
     */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
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
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** Nanoseconds as microseconds with nanosecond precision, as the trace-event format wants {@code ts}. */
    static String micros(long nanos) {
        long whole = nanos / 1000;
        long frac = Math.abs(nanos % 1000);
        return (nanos < 0 && whole == 0 ? "-" : "") + whole + "." + (frac < 10 ? "00" : frac < 100 ? "0" : "") + frac;
    }
}
