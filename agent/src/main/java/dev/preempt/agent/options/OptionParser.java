package dev.preempt.agent.options;

import dev.preempt.runtime.base.Glob;
import dev.preempt.runtime.base.RuntimeSettings;
import dev.preempt.runtime.base.RuntimeSettings.PriorityRule;
import dev.preempt.runtime.cfi.AuditLog;
import dev.preempt.runtime.cfi.Cfi;
import dev.preempt.runtime.log.PreemptLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds an {@link AgentConfig} from the agent arguments, then {@code -Dpreempt.*} system properties, then
 * the {@code config=FILE} properties file; a later source wins. Every error is an {@link OptionException}
 * whose message names the key, where it came from and what was expected.
 */
public final class OptionParser {
    private static final String PROPERTY_PREFIX = "preempt.";
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ns|us|µs|ms|s|m)");
    private static final Pattern SIZE = Pattern.compile("(\\d+) ?(b|kb|mb|gb|tb)");

    private OptionParser() {}

    /** A raw value and where it came from ("agent argument 2", "-Dpreempt.slice", "config file f line 3"). */
    private record Raw(String value, String origin) {}

    /**
     * Parses the options.
     *
     * @param agentArgs  the string after {@code =} in {@code -javaagent:jar=...}, may be null or empty
     * @param properties the JVM's system properties (only {@code preempt.*} ones are read)
     */
    public static AgentConfig parse(String agentArgs, Map<?, ?> properties) throws OptionException {
        Map<OptionKey, Raw> raw = new EnumMap<>(OptionKey.class);
        readAgentArgs(agentArgs, raw);
        readProperties(properties, raw);
        Raw config = raw.get(OptionKey.CONFIG);
        if (config != null && !config.value().isEmpty()) {
            readConfigFile(config, raw);
        }
        return build(raw);
    }

    private static void readAgentArgs(String args, Map<OptionKey, Raw> raw) throws OptionException {
        if (args == null || args.isBlank()) {
            return;
        }
        String[] parts = args.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].strip();
            if (part.isEmpty()) {
                continue;
            }
            String origin = "agent argument " + (i + 1);
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new OptionException("preempt: " + origin + " '" + part + "': expected key=value");
            }
            put(raw, part.substring(0, eq).strip(), part.substring(eq + 1).strip(), origin);
        }
    }

    private static void readProperties(Map<?, ?> properties, Map<OptionKey, Raw> raw) throws OptionException {
        // Sorted so that the first error reported does not depend on hash order.
        Map<String, String> sorted = new java.util.TreeMap<>();
        for (Map.Entry<?, ?> e : properties.entrySet()) {
            if (e.getKey() instanceof String k && k.startsWith(PROPERTY_PREFIX) && e.getValue() instanceof String v) {
                sorted.put(k.substring(PROPERTY_PREFIX.length()), v);
            }
        }
        for (Map.Entry<String, String> e : sorted.entrySet()) {
            put(raw, e.getKey(), e.getValue().strip(), "-D" + PROPERTY_PREFIX + e.getKey());
        }
    }

    private static void readConfigFile(Raw config, Map<OptionKey, Raw> raw) throws OptionException {
        Path file = Path.of(config.value());
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new OptionException("preempt: cannot read config file '" + file.toAbsolutePath() + "' (from "
                    + config.origin() + "): " + describe(e));
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
                continue;
            }
            String origin = "config file '" + file + "' line " + (i + 1);
            int sep = indexOfSeparator(line);
            if (sep <= 0) {
                throw new OptionException("preempt: " + origin + " '" + line + "': expected key=value");
            }
            String key = line.substring(0, sep).strip();
            if (key.equals(OptionKey.CONFIG.key())) {
                throw new OptionException("preempt: " + origin + ": config= cannot be nested in a config file");
            }
            put(raw, key, line.substring(sep + 1).strip(), origin);
        }
    }

    private static int indexOfSeparator(String line) {
        int eq = line.indexOf('=');
        int colon = line.indexOf(':');
        if (eq < 0) return colon;
        if (colon < 0) return eq;
        return Math.min(eq, colon);
    }

    private static String describe(Exception e) {
        String kind = e.getClass().getSimpleName();
        return switch (kind) {
            case "NoSuchFileException" -> "no such file";
            case "AccessDeniedException" -> "permission denied";
            case "MalformedInputException" -> "not UTF-8 text";
            default -> kind + (e.getMessage() == null ? "" : ": " + e.getMessage());
        };
    }

    private static void put(Map<OptionKey, Raw> raw, String key, String value, String origin) throws OptionException {
        Optional<OptionKey> k = OptionKey.of(key);
        if (k.isEmpty()) {
            String hint = OptionKey.didYouMean(key).map(s -> "; did you mean '" + s + "'?").orElse(
                    "; known keys: " + String.join(", ", java.util.Arrays.stream(OptionKey.values()).map(OptionKey::key).toList()));
            throw new OptionException("preempt: unknown option '" + key + "' (" + origin + ")" + hint);
        }
        raw.put(k.get(), new Raw(value, origin));
    }

    private static AgentConfig build(Map<OptionKey, Raw> raw) throws OptionException {
        Values v = new Values(raw);
        int carriers = v.integer(OptionKey.CARRIERS, 1, 1024, Runtime.getRuntime().availableProcessors());
        return new AgentConfig(
                v.on(OptionKey.SCHEDULE),
                v.on(OptionKey.JDK_POLLS),
                v.choice(OptionKey.THREADS, RuntimeSettings.Threads.class),
                v.globs(OptionKey.THREADS_KEEP, false),
                v.duration(OptionKey.SLICE, Duration.ofNanos(100_000), Duration.ofSeconds(10)),
                carriers,
                v.carriersMax(carriers),
                v.choice(OptionKey.SCHED, RuntimeSettings.Sched.class),
                v.priorities(OptionKey.PRIORITY),
                v.choice(OptionKey.TIMER),
                v.choice(OptionKey.CFI, Cfi.Mode.class),
                Path.of(v.path(OptionKey.POLICY).orElse(OptionKey.POLICY.defaultValue())),
                v.path(OptionKey.AUDIT).orElse("stderr"),
                v.choice(OptionKey.AUDIT_FORMAT, AuditLog.Format.class),
                v.size(OptionKey.AUDIT_MAX, 64L << 10, 1L << 40),
                v.integer(OptionKey.AUDIT_KEEP, 0, 1000, Integer.parseInt(OptionKey.AUDIT_KEEP.defaultValue())),
                v.cfiTypes(),
                v.outputPath(OptionKey.PROFILE),
                v.outputPath(OptionKey.TRACE),
                v.profileDuration(),
                v.integer(OptionKey.PROFILE_THREADS, 1, 10_000_000, Integer.parseInt(OptionKey.PROFILE_THREADS.defaultValue())),
                v.integer(OptionKey.PROFILE_SLICES, 0, 64 << 20, Integer.parseInt(OptionKey.PROFILE_SLICES.defaultValue())),
                v.globs(OptionKey.INCLUDE, true),
                v.globs(OptionKey.EXCLUDE, true),
                v.choice(OptionKey.LOG, PreemptLog.Level.class),
                v.path(OptionKey.LOG_FILE).map(Path::of),
                v.rawValues());
    }

    /** Typed access to the raw values, each falling back to the key's default. */
    private record Values(Map<OptionKey, Raw> raw) {

        Map<OptionKey, String> rawValues() {
            Map<OptionKey, String> m = new LinkedHashMap<>();
            raw.forEach((k, r) -> m.put(k, r.value()));
            return m;
        }

        private String value(OptionKey k) {
            Raw r = raw.get(k);
            return r == null ? k.defaultValue() : r.value();
        }

        private OptionException bad(OptionKey k, String why) {
            Raw r = raw.get(k);
            String origin = r == null ? "default" : r.origin();
            return new OptionException("preempt: option " + k.key() + "=" + value(k) + " (" + origin + "): " + why);
        }

        /** One of k's {@link OptionKey#choices() choices}, ignoring case. */
        String choice(OptionKey k) throws OptionException {
            String s = value(k).toLowerCase(Locale.ROOT);
            if (k.choices().contains(s)) return s;
            throw bad(k, "expected one of " + String.join(", ", k.choices()));
        }

        /** k's value as the constant of the enum its choices come from. */
        <E extends Enum<E>> E choice(OptionKey k, Class<E> type) throws OptionException {
            return Enum.valueOf(type, choice(k).toUpperCase(Locale.ROOT));
        }

        /** An on/off switch. */
        boolean on(OptionKey k) throws OptionException {
            return choice(k).equals("on");
        }

        Duration duration(OptionKey k, Duration min, Duration max) throws OptionException {
            Matcher m = DURATION.matcher(value(k).toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw bad(k, "expected a duration with a unit: ns, us, ms, s or m (500us, 2ms, 1s)");
            }
            Duration d;
            try {
                long n = Long.parseLong(m.group(1));
                d = switch (m.group(2)) {
                    case "ns" -> Duration.ofNanos(n);
                    case "us", "µs" -> Duration.ofNanos(Math.multiplyExact(n, 1000L));
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    default -> Duration.ofMinutes(n);
                };
            } catch (ArithmeticException | NumberFormatException e) {
                throw bad(k, "duration too large");
            }
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw bad(k, "expected a duration between " + human(min) + " and " + human(max));
            }
            return d;
        }

        /** A size with a unit, {@code B}, {@code KB}, {@code MB}, {@code GB} or {@code TB} (powers of 1024): {@code 10MB}. */
        long size(OptionKey k, long min, long max) throws OptionException {
            Matcher m = SIZE.matcher(value(k).strip().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw bad(k, "expected a size with a unit: B, KB, MB, GB or TB (64KB, 10MB, 1GB)");
            }
            int shift = switch (m.group(2)) {
                case "b" -> 0;
                case "kb" -> 10;
                case "mb" -> 20;
                case "gb" -> 30;
                default -> 40;
            };
            long n;
            try {
                n = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                n = Long.MAX_VALUE;
            }
            long bytes = n > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : n << shift;
            if (bytes < min || bytes > max) {
                throw bad(k, "expected a size from " + (min >> 10) + "KB to " + (max >> 40) + "TB");
            }
            return bytes;
        }

        int integer(OptionKey k, int min, int max, int dflt) throws OptionException {
            String s = value(k);
            if (s.isEmpty()) return dflt;
            try {
                int n = Integer.parseInt(s);
                if (n >= min && n <= max) return n;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw bad(k, "expected an integer from " + min + " to " + max);
        }

        Optional<String> path(OptionKey k) throws OptionException {
            Raw r = raw.get(k);
            if (r == null) return Optional.empty();
            if (r.value().isEmpty()) throw bad(k, "expected a file path, got nothing");
            return Optional.of(r.value());
        }

        /**
         * A file the agent will write later (at exit): checked now, so that a typo in a directory fails at
         * start-up rather than after an hour's run.
         */
        Optional<Path> outputPath(OptionKey k) throws OptionException {
            Optional<String> s = path(k);
            if (s.isEmpty()) return Optional.empty();
            Path p;
            try {
                p = Path.of(s.get()).toAbsolutePath();
            } catch (java.nio.file.InvalidPathException e) {
                throw bad(k, "expected a writable file path: " + e.getReason());
            }
            Path dir = p.getParent();
            if (Files.isDirectory(p)) throw bad(k, "expected a writable file path, got the directory '" + p + "'");
            if (dir == null || !Files.isDirectory(dir)) throw bad(k, "expected a writable file path: directory '" + dir + "' does not exist");
            if (!Files.isWritable(dir)) throw bad(k, "expected a writable file path: directory '" + dir + "' is not writable");
            if (Files.exists(p) && !Files.isWritable(p)) throw bad(k, "expected a writable file path: '" + p + "' is not writable");
            return Optional.of(p);
        }

        /** {@code carriers.max}: no fewer than {@code carriers}; unset, 256 or {@code carriers} if larger. */
        int carriersMax(int carriers) throws OptionException {
            if (!raw.containsKey(OptionKey.CARRIERS_MAX)) {
                return Math.max(carriers, Integer.parseInt(OptionKey.CARRIERS_MAX.defaultValue()));
            }
            int n = integer(OptionKey.CARRIERS_MAX, 1, 32767, carriers);
            if (n < carriers) {
                throw bad(OptionKey.CARRIERS_MAX, "expected at least carriers (" + carriers + "): spares come on top of the carriers");
            }
            return n;
        }

        Optional<Duration> profileDuration() throws OptionException {
            if (!raw.containsKey(OptionKey.PROFILE_DURATION)) return Optional.empty();
            Duration d = duration(OptionKey.PROFILE_DURATION, Duration.ofMillis(100), Duration.ofDays(1));
            if (!raw.containsKey(OptionKey.PROFILE) && !raw.containsKey(OptionKey.TRACE)) {
                throw bad(OptionKey.PROFILE_DURATION, "needs profile= or trace= (what to write when the duration is over)");
            }
            return Optional.of(d);
        }

        List<Glob> globs(OptionKey k, boolean classGlobs) throws OptionException {
            return globs(k, classGlobs, value(k));
        }

        /** The globs in {@code text}, a part of k's value (errors name the whole value). */
        private List<Glob> globs(OptionKey k, boolean classGlobs, String text) throws OptionException {
            List<Glob> out = new ArrayList<>();
            for (String g : text.split(";")) {
                g = g.strip();
                if (g.isEmpty()) continue;
                if (!g.matches("[\\p{L}\\p{N}_$.*?/\\- \\[\\]]+")) {
                    throw bad(k, "'" + g + "' is not a glob (letters, digits, _ $ . / - and the wildcards * ** ?)");
                }
                out.add(classGlobs ? Glob.ofClass(g) : Glob.ofName(g));
            }
            return out;
        }

        /** {@code interfaces}, {@code none}, or class globs, {@code interfaces} among them if wanted. */
        AgentConfig.CfiTypes cfiTypes() throws OptionException {
            OptionKey k = OptionKey.CFI_TYPES;
            String s = value(k).strip();
            if (s.equalsIgnoreCase("none")) {
                return new AgentConfig.CfiTypes(false, List.of());
            }
            boolean interfaces = false;
            StringBuilder rest = new StringBuilder();
            for (String g : s.split(";")) {
                if (g.strip().equalsIgnoreCase("interfaces")) {
                    interfaces = true;
                } else if (g.strip().equalsIgnoreCase("none")) {
                    throw bad(k, "'none' cannot be combined with other entries");
                } else {
                    rest.append(g).append(';');
                }
            }
            return new AgentConfig.CfiTypes(interfaces, globs(k, true, rest.toString()));
        }

        List<PriorityRule> priorities(OptionKey k) throws OptionException {
            List<PriorityRule> out = new ArrayList<>();
            for (String entry : value(k).split(";")) {
                entry = entry.strip();
                if (entry.isEmpty()) continue;
                int colon = entry.lastIndexOf(':');
                if (colon <= 0) {
                    throw bad(k, "'" + entry + "': expected glob:priority, e.g. worker-*:8");
                }
                String prio = entry.substring(colon + 1).strip();
                int p;
                try {
                    p = Integer.parseInt(prio);
                } catch (NumberFormatException e) {
                    p = -1;
                }
                if (p < 1 || p > 10) {
                    throw bad(k, "'" + entry + "': priority must be an integer from 1 to 10");
                }
                out.add(new PriorityRule(entry.substring(0, colon).strip(), p));
            }
            return out;
        }

        private static String human(Duration d) {
            long n = d.toNanos();
            if (n % 1_000_000_000L == 0) return n / 1_000_000_000L + "s";
            if (n % 1_000_000L == 0) return n / 1_000_000L + "ms";
            if (n % 1_000L == 0) return n / 1_000L + "us";
            return n + "ns";
        }
    }
}
