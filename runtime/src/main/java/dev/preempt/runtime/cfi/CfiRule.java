package dev.preempt.runtime.cfi;

import dev.preempt.runtime.base.Glob;

/**
 * A hand-written rule of the policy: allow or deny a sink, optionally only for callers in some classes
 * and only for some details (a path, an address, a class name). Rules are tried in file order before the
 * learned entries; the first that matches decides.
 *
 * @param allow  true for {@code "action": "allow"}, false for {@code "deny"}
 * @param sink   the sink it applies to
 * @param caller class glob matched against the innermost app frame, or null for any caller
 * @param detail glob matched against the detail (paths use {@code /} segments), or null for any
 * @param index  position in the policy's {@code rules} array, for the audit record
 */
public record CfiRule(boolean allow, Sink sink, Glob caller, Glob detail, int index) {

    boolean matches(Sink s, String innermostCaller, String detailValue) {
        return s == sink
                && (caller == null || caller.matches(innermostCaller))
                && (detail == null || detail.matches(detailValue));
    }

    /** How the audit log names this rule: {@code rules[2] deny file.write}. */
    String label() {
        return "rules[" + index + "] " + (allow ? "allow " : "deny ") + sink.id();
    }
}
