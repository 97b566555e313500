package dev.preempt.runtime.cfi;

/**
 * One line of the audit log (schema in docs/cfi.md, "Audit log") and its three renderings. {@code type} says
 * what the line stands for:
 * <pre>
 * refusal  the first refusal of a distinct edge, in full; count 1
 * repeats  the same edge refused count more times since the last record of it (since: the interval's start)
 * summary  at exit: the edge was refused count times in the whole run (since: its first refusal)
 * dropped  count records were lost (detail: why: the queue was full, a rotated file was deleted, ...)
 * </pre>
 *
 * @param time   when the refusal happened (refusal) or when the line was made (the others), ISO-8601 UTC
 * @param thread the refusing thread, or the audit writer's for lines of its own
 * @param since  for repeats and summary, null otherwise
 */
record AuditRecord(String type, AuditLog.Entry e, String time, String thread, long count, String since) {
    static final String CSV_HEADER = "time,thread,mode,decision,kind,what,detail,site,callers,rule,policy,record,count,since";

    String render(AuditLog.Format format) {
        return switch (format) {
            case JSON -> json();
            case CSV -> csv();
            case TEXT -> text();
        };
    }

    private String text() {
        return time + " " + thread + " " + e.mode() + " " + e.decision() + " " + e.kind() + " " + e.what()
                + (e.detail() == null ? "" : " detail=" + e.detail()) + (e.site() == null ? "" : " site=" + e.site())
                + " callers=[" + e.frames().signature() + "] rule=" + e.rule() + " policy=" + e.policy()
                + " record=" + type + " count=" + count + (since == null ? "" : " since=" + since);
    }

    private String json() {
        StringBuilder b = new StringBuilder(320);
        b.append("{\"time\":"); CfiPolicy.str(b, time);
        b.append(",\"thread\":"); CfiPolicy.str(b, thread);
        b.append(",\"mode\":"); CfiPolicy.str(b, e.mode());
        b.append(",\"decision\":"); CfiPolicy.str(b, e.decision());
        b.append(",\"kind\":"); CfiPolicy.str(b, e.kind());
        b.append(",\"what\":"); CfiPolicy.str(b, e.what());
        b.append(",\"detail\":"); nullable(b, e.detail());
        b.append(",\"site\":"); nullable(b, e.site());
        b.append(",\"callers\":[");
        for (int i = 0; i < e.frames().count(); i++) {
            if (i > 0) b.append(',');
            CfiPolicy.str(b, e.frames().app()[i]);
        }
        b.append("],\"rule\":"); CfiPolicy.str(b, e.rule());
        b.append(",\"policy\":"); CfiPolicy.str(b, e.policy());
        b.append(",\"record\":"); CfiPolicy.str(b, type);
        b.append(",\"count\":").append(count);
        b.append(",\"since\":"); nullable(b, since);
        return b.append('}').toString();
    }

    private static void nullable(StringBuilder b, String s) {
        if (s == null) b.append("null"); else CfiPolicy.str(b, s);
    }

    private String csv() {
        return String.join(",", q(time), q(thread), q(e.mode()), q(e.decision()), q(e.kind()), q(e.what()), q(e.detail()),
                q(e.site()), q(e.frames().signature()), q(e.rule()), q(e.policy()), q(type), Long.toString(count), q(since));
    }

    private static String q(String s) {
        if (s == null) return "";
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
