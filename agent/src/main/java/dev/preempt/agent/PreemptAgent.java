package dev.preempt.agent;

import java.lang.instrument.Instrumentation;

/**
 * {@code Premain-Class} and {@code Agent-Class}. Deliberately references no class of the runtime: the
 * bootstrap jar must be on the bootstrap search path before the first runtime class resolves, or the
 * system loader would define a second copy from the agent jar and split the runtime in two.
 */
public final class PreemptAgent {
    private PreemptAgent() {}

    public static void premain(String args, Instrumentation inst) {
        start(args, inst, false);
    }

    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst, true);
    }

    private static void start(String args, Instrumentation inst, boolean attached) {
        try {
            BootstrapJar.append(inst);
        } catch (Exception e) {
            System.err.println("preempt: cannot set up the bootstrap runtime jar: " + e);
            if (!attached) {
                System.exit(1);
            }
            return;
        }
        AgentInstaller.install(args, inst, attached);
    }
}
