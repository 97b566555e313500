package dev.preempt.agent.options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.preempt.runtime.base.RuntimeSettings;
import dev.preempt.runtime.cfi.AuditLog;
import dev.preempt.runtime.cfi.Cfi;
import dev.preempt.runtime.log.PreemptLog;
import dev.preempt.timer.TimerBackends;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The keys that take one of a few words take exactly the values of the code that acts on them: the
 * runtime's enums and the timer backends. With {@code OptionsDocTest} (docs/options.md against
 * {@link OptionKey}) this makes one home for each value: a constant added to {@link Cfi.Mode} is a value
 * the parser accepts, that {@link AgentConfig} holds and that the docs must list.
 */
class OptionChoicesTest {

    /** Every key that takes words, and where its words come from. */
    private static Map<OptionKey, List<String>> sources() {
        Map<OptionKey, List<String>> m = new LinkedHashMap<>();
        m.put(OptionKey.SCHEDULE, List.of("on", "off"));
        m.put(OptionKey.JDK_POLLS, List.of("on", "off"));
        m.put(OptionKey.THREADS, names(RuntimeSettings.Threads.values()));
        m.put(OptionKey.SCHED, names(RuntimeSettings.Sched.values()));
        m.put(OptionKey.TIMER, TimerBackends.CHOICES);
        m.put(OptionKey.CFI, names(Cfi.Mode.values()));
        m.put(OptionKey.AUDIT_FORMAT, names(AuditLog.Format.values()));
        m.put(OptionKey.LOG, names(PreemptLog.Level.values()));
        return m;
    }

    private static List<String> names(Enum<?>[] constants) {
        return Arrays.stream(constants).map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
    }

    @Test
    void keysThatTakeWordsTakeTheRuntimesValues() {
        Map<OptionKey, List<String>> sources = sources();
        for (OptionKey k : OptionKey.values()) {
            assertEquals(sources.getOrDefault(k, List.of()), k.choices(), k.key() + "'s values");
        }
    }

    @Test
    void everyDefaultIsOneOfItsKeysValues() {
        sources().keySet().forEach(k -> assertTrue(k.choices().contains(k.defaultValue()), k.key() + "=" + k.defaultValue()));
    }

    /** Each value parses, in any case, into the configuration field named after the key, as the constant of that name. */
    @Test
    void everyValueReachesTheConfigurationAsItself() throws Exception {
        for (OptionKey k : sources().keySet()) {
            RecordComponent field = fieldOf(k);
            for (String word : k.choices()) {
                AgentConfig c = OptionParser.parse(k.key() + "=" + word.toUpperCase(Locale.ROOT), Map.of());
                Object held = field.getAccessor().invoke(c);
                Object expected = switch (held) {
                    case Enum<?> e -> e.name().toLowerCase(Locale.ROOT);
                    case Boolean b -> b ? "on" : "off";
                    case String s -> s;
                    default -> throw new AssertionError(k.key() + ": a field of type " + held.getClass() + " is not a word");
                };
                assertEquals(word, expected, k.key() + "=" + word);
            }
        }
    }

    @Test
    void aWordNotInTheListIsRefusedWithTheList() {
        for (OptionKey k : sources().keySet()) {
            OptionException e = assertThrows(OptionException.class, () -> OptionParser.parse(k.key() + "=maybe", Map.of()));
            assertEquals("preempt: option " + k.key() + "=maybe (agent argument 1): expected one of " + String.join(", ", k.choices()),
                    e.getMessage());
        }
    }

    /** The record component whose name is the key in camel case ({@code audit.format}: {@code auditFormat}). */
    private static RecordComponent fieldOf(OptionKey k) {
        String[] parts = k.key().split("\\.");
        StringBuilder name = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            name.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
        }
        return Arrays.stream(AgentConfig.class.getRecordComponents())
                .filter(rc -> rc.getName().contentEquals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("AgentConfig has no field " + name + " for " + k.key()));
    }
}
