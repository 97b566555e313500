package dev.preempt.agent.options;

/** A bad option: the message is one line a user can act on (key, where, what was expected). */
public final class OptionException extends Exception {
    public OptionException(String message) {
        super(message, null, false, false);
    }
}
