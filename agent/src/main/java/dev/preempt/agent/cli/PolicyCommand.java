package dev.preempt.agent.cli;

import dev.preempt.agent.cfi.PolicyFile;
import dev.preempt.agent.cfi.TamperCheck;
import dev.preempt.runtime.cfi.CfiPolicy;
import dev.preempt.runtime.cfi.CfiRule;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code policy merge|serial-filter|verify}: work on CFI policy files offline. */
@Command(name = "policy", mixinStandardHelpOptions = true,
        description = "Work on CFI policy files (cfi=learn writes them, cfi=audit and cfi=enforce read them).",
        subcommands = {PolicyCommand.Merge.class, PolicyCommand.SerialFilter.class, PolicyCommand.Verify.class})
final class PolicyCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "merge", mixinStandardHelpOptions = true,
            description = "Merge policies learned in several runs into one: the union of their learned entries; the rules of "
                    + "the first file, then those of the others not already there. The output is sorted and stable.")
    static final class Merge implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "POLICY", description = "policy files to merge")
        List<Path> inputs;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "the merged policy file to write")
        Path output;

        @Override
        public Integer call() {
            CfiPolicy merged = CfiPolicy.empty();
            for (Path p : inputs) {
                try {
                    merged = merged.merge(PolicyFile.read(p));
                } catch (PolicyFile.PolicyException e) {
                    System.err.println("preempt policy merge: " + e.getMessage());
                    return 2;
                }
            }
            try {
                Files.writeString(output, merged.toJson(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                System.err.println("preempt policy merge: cannot write " + output + ": " + e);
                return 1;
            }
            System.out.printf("merged %d policies into %s: %d rules, %d sink entries, %d call edges, %d deserialised classes%n",
                    inputs.size(), output, merged.rules().size(), merged.sinkCount(), merged.callCount(), merged.deserializedClasses().size());
            return 0;
        }
    }

    @Command(name = "serial-filter", mixinStandardHelpOptions = true,
            description = "Print the classes the policy saw deserialised as a jdk.serialFilter allowlist "
                    + "(java -Djdk.serialFilter='...' rejects every other class).")
    static final class SerialFilter implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "POLICY")
        Path input;

        @Override
        public Integer call() {
            try {
                System.out.println(PolicyFile.read(input).serialFilter());
                return 0;
            } catch (PolicyFile.PolicyException e) {
                System.err.println("preempt policy serial-filter: " + e.getMessage());
                return 2;
            }
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check a policy's syntax as cfi=audit and cfi=enforce read it, and print what it allows: its rules in "
                    + "the order they decide, the sinks learned with their callers, the call edges learned, and its digest. "
                    + "Exit 0 when valid, 2 when not, 3 when valid but other users could change it (cfi=enforce refuses it).")
    static final class Verify implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "POLICY")
        Path input;

        @Override
        public Integer call() throws IOException {
            CfiPolicy p;
            try {
                p = PolicyFile.read(input);
            } catch (PolicyFile.PolicyException e) {
                System.err.println("preempt policy verify: " + e.getMessage());
                return 2;
            }
            PrintStream out = System.out;
            out.printf("%s: valid (schema %s version %d), %s%n", input, CfiPolicy.SCHEMA, CfiPolicy.VERSION, TamperCheck.digest(input));
            out.printf("rules: %d (tried first, in this order; the first that matches decides)%n", p.rules().size());
            for (CfiRule r : p.rules()) {
                out.printf("  rules[%d] %s %s%s%s%n", r.index(), r.allow() ? "allow" : "deny ", r.sink().id(),
                        r.caller() == null ? "" : " caller " + r.caller(), r.detail() == null ? "" : " detail " + r.detail());
            }
            out.printf("sinks learned: %d (allowed from exactly these callers, innermost first)%n", p.sinkCount());
            for (CfiPolicy.SinkEntry e : p.sinks()) {
                out.printf("  %-17s %s%s%n", e.sink(), e.detail().isEmpty() ? "" : e.detail() + " ", "from " + e.callers());
            }
            out.printf("call edges learned: %d (site or declared type -> target)%n", p.callCount());
            for (CfiPolicy.CallEdge c : p.calls()) {
                out.printf("  %s -> %s%n", c.site(), c.target());
            }
            out.printf("deserialised classes: %d (policy serial-filter prints them as a jdk.serialFilter)%n", p.deserializedClasses().size());
            var tamper = TamperCheck.problem(input);
            if (tamper.isPresent()) {
                out.println("permissions: " + tamper.get() + " (cfi=enforce refuses it)");
                return 3;
            }
            out.println("permissions: only its owner can change it");
            return 0;
        }
    }
}
