package dev.preempt.agent.cli;

import dev.preempt.agent.Version;
import dev.preempt.agent.options.AgentConfig;
import dev.preempt.agent.options.OptionKey;
import dev.preempt.agent.transform.JdkPolls;
import dev.preempt.timer.TimerBackend;
import dev.preempt.timer.TimerBackends;
import dev.preempt.agent.cfi.PolicyFile;
import dev.preempt.agent.cfi.TamperCheck;
import dev.preempt.runtime.cfi.CfiPolicy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code info}: what this agent is, what it runs on, and what it would do by default here. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print the agent version, the JDK, OS, architecture and CPUs, the timer backends and whether each "
                + "can load here, and the effective option defaults.")
final class InfoCommand implements Callable<Integer> {
    @picocli.CommandLine.Option(names = "--policy", paramLabel = "FILE",
            description = "the CFI policy whose digest to show (default: the policy= default, preempt-policy.json, if it exists)")
    Path policy;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        out.println("preempt " + Version.get());
        out.printf("jdk       %s (%s, %s)%n", Runtime.version(), System.getProperty("java.vendor"), System.getProperty("java.home"));
        out.printf("os        %s %s%n", System.getProperty("os.name"), System.getProperty("os.version"));
        out.printf("arch      %s%n", System.getProperty("os.arch"));
        out.printf("cpus      %d%n", Runtime.getRuntime().availableProcessors());
        out.println();
        out.println("timer backends (timer=auto takes the first available):");
        for (TimerBackend b : TimerBackends.all()) {
            TimerBackend.Availability a = b.probe();
            out.printf("  %-8s %-13s %s%n", b.name(), a.available() ? "available" : "unavailable", a.reason());
        }
        String chosen;
        try {
            chosen = TimerBackends.select("auto").name();
        } catch (IllegalStateException e) {
            chosen = "none (" + e.getMessage() + ")";
        }
        out.println("  timer=auto selects: " + chosen);
        out.println();
        out.println("options (effective defaults; -javaagent:preempt-agent.jar=key=value,... or -Dpreempt.key=value):");
        AgentConfig defaults = AgentConfig.defaults();
        for (OptionKey k : OptionKey.values()) {
            String dflt = switch (k) {
                case CARRIERS -> String.valueOf(defaults.carriers());
                default -> k.defaultValue().isEmpty() ? "(none)" : k.defaultValue();
            };
            out.printf("  %-14s %-22s %s%n", k.key(), dflt, k.meaning());
        }
        out.println();
        out.println("JDK classes with back-edge polls (jdk.polls=on; see docs/scheduler.md, \"Polls in JDK code\"):");
        for (JdkPolls.Entry e : JdkPolls.CLASSES) {
            String name = e.internalName().replace('/', '.');
            out.printf("  %-32s %s%n", name.endsWith("$") ? name + "*" : name, e.why());
        }
        out.println();
        printPolicy(out);
        return 0;
    }

    /** The policy's digest, to compare with the one a running agent logged (log=info) or that was deployed. */
    private void printPolicy(PrintStream out) {
        Path p = policy != null ? policy : Path.of(OptionKey.POLICY.defaultValue());
        if (!Files.exists(p)) {
            out.println("cfi policy " + p.toAbsolutePath() + ": none");
            return;
        }
        try {
            CfiPolicy read = PolicyFile.read(p);
            out.printf("cfi policy %s: %s (%d rules, %d sink entries, %d call edges)%s%n", p.toAbsolutePath(), TamperCheck.digest(p),
                    read.rules().size(), read.sinkCount(), read.callCount(),
                    TamperCheck.problem(p).map(t -> "; " + t + " (cfi=enforce refuses it)").orElse(""));
        } catch (PolicyFile.PolicyException | IOException e) {
            out.println("cfi policy " + p.toAbsolutePath() + ": unusable: " + e.getMessage());
        }
    }
}
