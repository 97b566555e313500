package dev.preempt.agent.cfi;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.preempt.runtime.base.Glob;
import dev.preempt.runtime.cfi.CfiPolicy;
import dev.preempt.runtime.cfi.CfiRule;
import dev.preempt.runtime.cfi.Sink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads a CFI policy file (schema in {@link CfiPolicy} and docs/cfi.md) strictly: any deviation is a
 * {@link PolicyException} that names the file, the position (line and column for a syntax error, a JSON
 * path such as {@code rules[2].sink} for a value) and what was expected. Enforcement fails closed on it.
 */
public final class PolicyFile {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Set<String> TOP = Set.of("schema", "version", "rules", "sinks", "calls", "deserialized", "serialFilter");

    private PolicyFile() {}

    /** A policy that cannot be used, with a message a user can act on. */
    public static final class PolicyException extends Exception {
        private static final long serialVersionUID = 1L;

        PolicyException(String message) {
            super(message);
        }
    }

    public static CfiPolicy read(Path file) throws PolicyException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new PolicyException("cannot read CFI policy '" + file.toAbsolutePath() + "': no such file");
        } catch (IOException | RuntimeException e) {
            throw new PolicyException("cannot read CFI policy '" + file.toAbsolutePath() + "': " + e.getMessage());
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new PolicyException("invalid CFI policy '" + file.toAbsolutePath() + "' at line " + (loc == null ? "?" : loc.getLineNr())
                    + " column " + (loc == null ? "?" : loc.getColumnNr()) + ": " + e.getOriginalMessage());
        }
        try {
            return parse(root);
        } catch (Bad b) {
            throw new PolicyException("invalid CFI policy '" + file.toAbsolutePath() + "' at " + b.path + ": " + b.getMessage());
        }
    }

    /** A value error at a JSON path. */
    private static final class Bad extends Exception {
        private static final long serialVersionUID = 1L;
        final String path;

        Bad(String path, String message) {
            super(message);
            this.path = path;
        }
    }

    private static CfiPolicy parse(JsonNode root) throws Bad {
        if (root == null || !root.isObject()) {
            throw new Bad("$", "expected a JSON object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!TOP.contains(f)) {
                throw new Bad(f, "unknown field; expected one of " + String.join(", ", TOP.stream().sorted().toList()));
            }
        }
        if (!CfiPolicy.SCHEMA.equals(root.path("schema").asText(null))) {
            throw new Bad("schema", "expected \"" + CfiPolicy.SCHEMA + "\"");
        }
        if (!root.path("version").isInt() || root.path("version").asInt() != CfiPolicy.VERSION) {
            throw new Bad("version", "expected " + CfiPolicy.VERSION + " (this preempt reads policy schema version " + CfiPolicy.VERSION + ")");
        }
        List<CfiRule> rules = new ArrayList<>();
        JsonNode rs = array(root, "rules");
        for (int i = 0; i < rs.size(); i++) {
            String at = "rules[" + i + "]";
            JsonNode r = object(rs.get(i), at, Set.of("action", "sink", "caller", "detail"));
            String action = text(r, at + ".action", true);
            if (!action.equals("allow") && !action.equals("deny")) {
                throw new Bad(at + ".action", "expected \"allow\" or \"deny\", got \"" + action + "\"");
            }
            Sink s = sink(r, at + ".sink");
            String caller = text(r, at + ".caller", false);
            String detail = text(r, at + ".detail", false);
            rules.add(new CfiRule(action.equals("allow"), s, caller == null ? null : Glob.ofClass(caller),
                    detail == null ? null : Glob.ofPath(detail), i));
        }
        List<CfiPolicy.SinkEntry> sinks = new ArrayList<>();
        JsonNode ss = array(root, "sinks");
        for (int i = 0; i < ss.size(); i++) {
            String at = "sinks[" + i + "]";
            JsonNode e = object(ss.get(i), at, Set.of("sink", "detail", "callers"));
            Sink s = sink(e, at + ".sink");
            String detail = text(e, at + ".detail", s.detailLearned());
            sinks.add(new CfiPolicy.SinkEntry(s.id(), detail == null ? "" : detail, text(e, at + ".callers", true)));
        }
        List<CfiPolicy.CallEdge> calls = new ArrayList<>();
        JsonNode cs = array(root, "calls");
        for (int i = 0; i < cs.size(); i++) {
            String at = "calls[" + i + "]";
            JsonNode e = object(cs.get(i), at, Set.of("site", "target"));
            calls.add(new CfiPolicy.CallEdge(text(e, at + ".site", true), text(e, at + ".target", true)));
        }
        return new CfiPolicy(rules, sinks, calls);
    }

    private static JsonNode array(JsonNode root, String field) throws Bad {
        JsonNode n = root.get(field);
        if (n == null) {
            return JSON.createArrayNode();
        }
        if (!n.isArray()) {
            throw new Bad(field, "expected an array");
        }
        return n;
    }

    private static JsonNode object(JsonNode n, String at, Set<String> fields) throws Bad {
        if (!n.isObject()) {
            throw new Bad(at, "expected an object");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!fields.contains(f)) {
                throw new Bad(at + "." + f, "unknown field; expected " + String.join(", ", fields.stream().sorted().toList()));
            }
        }
        return n;
    }

    private static String text(JsonNode obj, String at, boolean required) throws Bad {
        JsonNode n = obj.get(at.substring(at.lastIndexOf('.') + 1));
        if (n == null || n.isNull()) {
            if (required) throw new Bad(at, "missing");
            return null;
        }
        if (!n.isTextual() || n.asText().isEmpty()) {
            throw new Bad(at, "expected a non-empty string");
        }
        return n.asText();
    }

    private static Sink sink(JsonNode obj, String at) throws Bad {
        String id = text(obj, at, true);
        Sink s = Sink.byId(id);
        if (s == null) {
            throw new Bad(at, "unknown sink \"" + id + "\"; expected one of "
                    + String.join(", ", Arrays.stream(Sink.values()).map(Sink::id).toList()));
        }
        return s;
    }
}
