package dev.preempt.runtime.cfi;

import dev.preempt.runtime.base.JsonStrings;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A CFI policy: hand-written rules, then what was learned. Immutable; lookups are O(1) set probes on
 * string keys. The agent reads policy files (it has a JSON parser that reports positions); the runtime
 * writes them ({@link #toJson()}), because learning ends in a shutdown hook where only the runtime is sure
 * to be usable.
 *
 * <p>Schema, version 1 (documented in docs/cfi.md, "Policy file"): an object with {@code schema}
 * ({@code "preempt-cfi-policy"}), {@code version} (1), {@code rules} (objects with {@code action} allow|deny,
 * {@code sink}, optional {@code caller} class glob, optional {@code detail} glob), {@code sinks} (objects
 * with {@code sink}, {@code callers}, and {@code detail} for sinks whose detail is learned), {@code calls}
 * (objects with {@code site} and {@code target}), and, derived on writing and ignored on reading,
 * {@code deserialized} and {@code serialFilter}. Entries are sorted and one per line so files diff well.
 */
public final class CfiPolicy {
    public static final String SCHEMA = "preempt-cfi-policy";
    public static final int VERSION = 1;

    /** One learned sink entry: the sink, its detail when learned (else ""), and the caller signature. */
    public record SinkEntry(String sink, String detail, String callers) {
        String key() { return sink + '\t' + detail + '\t' + callers; }
    }

    /** One learned forward edge: a call site of app code and the target it resolved to. */
    public record CallEdge(String site, String target) {
        String key() { return site + '\t' + target; }
    }

    private final List<CfiRule> rules;
    private final Set<String> sinkKeys;
    private final Set<String> callKeys;
    private final TreeSet<String> sortedSinks = new TreeSet<>();
    private final TreeSet<String> sortedCalls = new TreeSet<>();

    public CfiPolicy(List<CfiRule> rules, Collection<SinkEntry> sinks, Collection<CallEdge> calls) {
        this.rules = List.copyOf(rules);
        for (SinkEntry e : sinks) sortedSinks.add(e.key());
        for (CallEdge e : calls) sortedCalls.add(e.key());
        this.sinkKeys = Set.copyOf(sortedSinks);
        this.callKeys = Set.copyOf(sortedCalls);
    }

    public static CfiPolicy empty() {
        return new CfiPolicy(List.of(), List.of(), List.of());
    }

    public List<CfiRule> rules() { return rules; }

    public int sinkCount() { return sinkKeys.size(); }

    public int callCount() { return callKeys.size(); }

    boolean hasSink(String key) { return sinkKeys.contains(key); }

    boolean hasCall(String key) { return callKeys.contains(key); }

    /** The learned sink entries, sorted. */
    public List<SinkEntry> sinks() {
        List<SinkEntry> out = new ArrayList<>();
        for (String k : sortedSinks) {
            String[] p = k.split("\t", 3);
            out.add(new SinkEntry(p[0], p[1], p[2]));
        }
        return out;
    }

    /** The learned call edges, sorted. */
    public List<CallEdge> calls() {
        List<CallEdge> out = new ArrayList<>();
        for (String k : sortedCalls) {
            String[] p = k.split("\t", 2);
            out.add(new CallEdge(p[0], p[1]));
        }
        return out;
    }

    /** This policy plus the other's learned entries; this one's rules, then those of the other not already here. */
    public CfiPolicy merge(CfiPolicy other) {
        List<CfiRule> r = new ArrayList<>(rules);
        for (CfiRule o : other.rules) {
            if (r.stream().noneMatch(x -> sameRule(x, o))) {
                r.add(new CfiRule(o.allow(), o.sink(), o.caller(), o.detail(), r.size()));
            }
        }
        List<SinkEntry> s = new ArrayList<>(sinks());
        s.addAll(other.sinks());
        List<CallEdge> c = new ArrayList<>(calls());
        c.addAll(other.calls());
        return new CfiPolicy(r, s, c);
    }

    private static boolean sameRule(CfiRule a, CfiRule b) {
        return a.allow() == b.allow() && a.sink() == b.sink()
                && String.valueOf(a.caller()).equals(String.valueOf(b.caller()))
                && String.valueOf(a.detail()).equals(String.valueOf(b.detail()));
    }

    /** Classes seen deserialised (array classes as their element class), sorted. */
    public TreeSet<String> deserializedClasses() {
        TreeSet<String> out = new TreeSet<>();
        for (SinkEntry e : sinks()) {
            if (e.sink().equals(Sink.DESERIALIZE_CLASS.id())) {
                String c = e.detail();
                int dims = 0;
                while (dims < c.length() && c.charAt(dims) == '[') dims++;
                if (dims > 0) {
                    if (c.length() <= dims + 2 || c.charAt(dims) != 'L') continue; // primitive arrays need no entry
                    c = c.substring(dims + 1, c.length() - 1);
                }
                out.add(c);
            }
        }
        return out;
    }

    /** The learned deserialised classes as a {@code jdk.serialFilter} allowlist: each class, then {@code !*}. */
    public String serialFilter() {
        StringBuilder b = new StringBuilder();
        for (String c : deserializedClasses()) b.append(c).append(';');
        return b.append("!*").toString();
    }

    /** The policy file text: sorted, one entry per line, ending in a newline. */
    public String toJson() {
        StringBuilder b = new StringBuilder(4096);
        b.append("{\n  \"schema\": \"").append(SCHEMA).append("\",\n  \"version\": ").append(VERSION).append(",\n");
        b.append("  \"rules\": [");
        String sep = "\n";
        for (CfiRule r : rules) {
            b.append(sep).append("    {\"action\": \"").append(r.allow() ? "allow" : "deny").append("\", \"sink\": ");
            str(b, r.sink().id());
            if (r.caller() != null) { b.append(", \"caller\": "); str(b, r.caller().toString()); }
            if (r.detail() != null) { b.append(", \"detail\": "); str(b, r.detail().toString()); }
            b.append('}');
            sep = ",\n";
        }
        b.append(rules.isEmpty() ? "],\n" : "\n  ],\n");
        b.append("  \"sinks\": [");
        sep = "\n";
        for (SinkEntry e : sinks()) {
            b.append(sep).append("    {\"sink\": ");
            str(b, e.sink());
            if (!e.detail().isEmpty()) { b.append(", \"detail\": "); str(b, e.detail()); }
            b.append(", \"callers\": ");
            str(b, e.callers());
            b.append('}');
            sep = ",\n";
        }
        b.append(sortedSinks.isEmpty() ? "],\n" : "\n  ],\n");
        b.append("  \"calls\": [");
        sep = "\n";
        for (CallEdge e : calls()) {
            b.append(sep).append("    {\"site\": ");
            str(b, e.site());
            b.append(", \"target\": ");
            str(b, e.target());
            b.append('}');
            sep = ",\n";
        }
        b.append(sortedCalls.isEmpty() ? "],\n" : "\n  ],\n");
        b.append("  \"deserialized\": [");
        sep = "\n";
        for (String c : deserializedClasses()) {
            b.append(sep).append("    ");
            str(b, c);
            sep = ",\n";
        }
        b.append(deserializedClasses().isEmpty() ? "],\n" : "\n  ],\n");
        b.append("  \"serialFilter\": ");
        str(b, serialFilter());
        return b.append("\n}\n").toString();
    }

    /** Appends a JSON string literal. */
    static void str(StringBuilder b, String s) {
        JsonStrings.append(b, s);
    }
}
