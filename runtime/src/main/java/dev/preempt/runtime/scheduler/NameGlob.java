package dev.preempt.runtime.scheduler;

import java.util.regex.Pattern;

/** A thread-name glob of {@code priority=}: {@code *} any characters, {@code ?} one. */
final class NameGlob {
    private NameGlob() {}

    static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
