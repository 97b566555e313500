package dev.preempt.agent.options;

import dev.preempt.runtime.base.RuntimeSettings;
import dev.preempt.runtime.cfi.AuditLog;
import dev.preempt.runtime.cfi.Cfi;
import dev.preempt.runtime.log.PreemptLog;
import dev.preempt.timer.TimerBackends;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Every option key of the contract (docs/architecture.md), its default, what it takes and what it means.
 * {@code info} prints this list, the parser looks keys and defaults up in it, and the option table of
 * docs/options.md must show the same keys, defaults and values ({@code OptionsDocTest} checks it).
 *
 * <p>A key that takes one of a few words takes them from the enum of the code that acts on it
 * ({@link Cfi.Mode}, {@link AuditLog.Format}, {@link PreemptLog.Level}, {@link RuntimeSettings.Sched},
 * {@link RuntimeSettings.Threads}, {@link TimerBackends#CHOICES}): the parser accepts exactly those, its
 * {@link AgentConfig} holds that enum's constants, and a value added there becomes a value of the option
 * (and must then be documented: {@code OptionsDocTest} fails until docs/options.md lists it).
 */
public enum OptionKey {
    SCHEDULE("schedule", "on", onOff(),
            "insert polls; run virtual threads created by app code on preempt's scheduler"),
    JDK_POLLS("jdk.polls", "on", onOff(),
            "back-edge polls in a curated set of JDK classes (regex, sorts, BigInteger, BigDecimal): info lists them"),
    THREADS("threads", "map", names(RuntimeSettings.Threads.values()),
            "map: platform threads created by app code also run on preempt's scheduler; keep: leave them"),
    THREADS_KEEP("threads.keep", "", "globs separated by ';'",
            "thread-name or class globs that stay platform threads under threads=map"),
    SLICE("slice", "10ms", "a duration: 500us, 2ms, 1s", "time slice"),
    CARRIERS("carriers", "", "an integer 1..1024 (default: CPUs)", "carrier threads of the scheduler"),
    CARRIERS_MAX("carriers.max", "256", "an integer from carriers to 32767 (default: 256, or carriers if larger)",
            "most carriers at once: spares stand in for carriers held by a blocking call (a file or terminal read, a native call)"),
    SCHED("sched", "fair", names(RuntimeSettings.Sched.values()),
            "fair: weighted fair share by priority; strict: higher priority always runs first"),
    PRIORITY("priority", "", "glob:1..10 pairs separated by ';'",
            "thread-name globs to priorities 1-10: worker-*:8;batch-*:2"),
    TIMER("timer", "auto", TimerBackends.CHOICES, "tick source: native where the library loads, else java"),
    CFI("cfi", "off", names(Cfi.Mode.values()), "CFI-style call checking mode"),
    POLICY("policy", "preempt-policy.json", "a file path", "CFI policy read (audit, enforce) or written (learn)"),
    AUDIT("audit", "stderr", "stderr or a file path", "audit log destination"),
    AUDIT_FORMAT("audit.format", "json", names(AuditLog.Format.values()), "audit log format"),
    AUDIT_MAX("audit.max", "10MB", "a size with a unit: 64KB, 10MB, 1GB (64KB to 1TB)",
            "audit log file size at which it is rotated (stderr: the run's budget is audit.max x (audit.keep + 1))"),
    AUDIT_KEEP("audit.keep", "5", "an integer from 0 to 1000",
            "rotated audit log files kept (F.1 the newest); the oldest is deleted, and the log says so"),
    CFI_TYPES("cfi.types", "none", "none, interfaces, or class globs separated by ';' (interfaces;com.acme.**)",
            "declared types whose interface and virtual call sites in app code check the receiver's class (interfaces: every interface outside the JDK)"),
    PROFILE("profile", "", "a writable file path", "write the HTML report here at exit"),
    TRACE("trace", "", "a writable file path", "write a Chrome/Perfetto trace-event JSON here at exit"),
    PROFILE_DURATION("profile.duration", "", "a duration: 10s, 1m (needs profile= or trace=)",
            "write profile= and trace= after this long, then stop recording, instead of at exit (attach --duration)"),
    PROFILE_THREADS("profile.threads", "100000", "an integer from 1 to 10000000",
            "threads a recording keeps (about 200 bytes each); later ones are counted, not recorded"),
    PROFILE_SLICES("profile.slices", "524288", "an integer from 0 to 67108864 (0: totals only, no timeline)",
            "run slices a recording keeps for the timeline and trace, all carriers together (32 bytes each); later ones are counted, not kept"),
    INCLUDE("include", "", "class globs separated by ';'", "only instrument these classes (default: all app classes)"),
    EXCLUDE("exclude", "", "class globs separated by ';'", "never instrument these classes"),
    LOG("log", "warn", names(PreemptLog.Level.values()), "agent log level"),
    LOG_FILE("log.file", "", "a file path", "agent log file (default: stderr)"),
    CONFIG("config", "", "a properties file path", "read more options from a properties file (read last, wins)");

    private final String key;
    private final String defaultValue;
    private final List<String> choices;
    private final String expected;
    private final String meaning;

    /** A key whose value is free-form (a number, a duration, a path, globs): {@code expected} says what it takes. */
    OptionKey(String key, String defaultValue, String expected, String meaning) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.choices = List.of();
        this.expected = expected;
        this.meaning = meaning;
    }

    /** A key that takes one of {@code choices} (lower case; matched ignoring case). */
    OptionKey(String key, String defaultValue, List<String> choices, String meaning) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.choices = List.copyOf(choices);
        this.expected = String.join("|", choices);
        this.meaning = meaning;
    }

    public String key() { return key; }
    public String defaultValue() { return defaultValue; }
    /** The words this key takes, lower case, in the order the docs list them; empty unless the key takes one of a few words. */
    public List<String> choices() { return choices; }
    public String expected() { return expected; }
    public String meaning() { return meaning; }

    /** The values of an on/off switch (a method: an enum's constants cannot read its static fields). */
    private static List<String> onOff() {
        return List.of("on", "off");
    }

    /** An enum's constants as an option's words: lower case, in declaration order. */
    private static List<String> names(Enum<?>[] constants) {
        return Arrays.stream(constants).map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
    }

    public static Optional<OptionKey> of(String key) {
        return Arrays.stream(values()).filter(k -> k.key.equals(key)).findFirst();
    }

    /** The known key closest to a misspelt one, if any is close enough to be a likely typo. */
    public static Optional<String> didYouMean(String unknown) {
        return Arrays.stream(values())
                .map(OptionKey::key)
                .min(Comparator.comparingInt(k -> editDistance(k, unknown)))
                .filter(k -> editDistance(k, unknown) <= Math.max(2, unknown.length() / 3));
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
    }
}
