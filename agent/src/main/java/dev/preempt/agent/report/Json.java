package dev.preempt.agent.report;

import dev.preempt.runtime.base.JsonStrings;

/**
 * JSON string literals for the trace and for the data embedded in the HTML report: the writers stream
 * numbers and a few strings, and app-controlled text (thread names, method names) is the only thing that
 * needs care, quoted by the runtime's one escaper.
 */
final class Json {
    private Json() {}

    /** {@code s} as a JSON string literal that is safe inside an HTML {@code <script>} element too. */
    static String quote(String s) {
        return JsonStrings.quoteForScript(s);
    }

    /** Nanoseconds as microseconds with nanosecond precision, as the trace-event format wants {@code ts}. */
    static String micros(long nanos) {
        long whole = nanos / 1000;
        long frac = Math.abs(nanos % 1000);
        return (nanos < 0 && whole == 0 ? "-" : "") + whole + "." + (frac < 10 ? "00" : frac < 100 ? "0" : "") + frac;
    }
}
