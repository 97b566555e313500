package dev.preempt.agent.cli;

import dev.preempt.agent.options.AgentConfig;
import dev.preempt.agent.options.OptionException;
import dev.preempt.agent.options.OptionParser;
import dev.preempt.agent.transform.ClassRewriter;
import dev.preempt.agent.verify.OfflineVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code verify JAR...}: the pre-flight check before attaching the agent to a legacy app. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Instrument every class of the given jars offline, as the agent would at load time, verify each "
                + "result against a class hierarchy read from the jars and the JDK, print a summary and every failure. "
                + "Exit status 0 when every rewritten method verifies, 1 otherwise.")
final class VerifyCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "JAR", description = "jars of the application and its libraries")
    List<Path> jars;

    @Option(names = "--options", paramLabel = "K=V,...", description = "agent options to instrument with (default: the defaults)")
    String options = "";

    @Option(names = "--show-unverifiable", description = "also list methods whose original does not verify here either")
    boolean showUnverifiable;

    @Override
    public Integer call() throws Exception {
        for (Path j : jars) {
            if (!Files.isReadable(j)) {
                System.err.println("preempt verify: cannot read " + j);
                return 2;
            }
        }
        AgentConfig config;
        try {
            config = OptionParser.parse(options, Map.of());
        } catch (OptionException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        OfflineVerifier.Report r = new OfflineVerifier(new ClassRewriter(config)).verify(jars);
        System.out.printf("classes %d, rewritten %d, methods verified %d, failures %d, unverifiable %d%n",
                r.classes(), r.changed(), r.methodsVerified(), r.failures().size(), r.unverifiable().size());
        StringBuilder v = new StringBuilder("class-file versions:");
        r.classesByMajorVersion().forEach((major, n) -> v.append(' ').append(major).append('=').append(n));
        System.out.println(v);
        r.failures().forEach(f -> System.out.println("FAIL " + f));
        if (showUnverifiable) {
            r.unverifiable().forEach(f -> System.out.println("UNVERIFIABLE " + f));
        } else if (!r.unverifiable().isEmpty()) {
            System.out.println("(" + r.unverifiable().size() + " methods do not verify without the rest of their class path, "
                    + "before or after the rewrite; --show-unverifiable lists them)");
        }
        return r.ok() ? 0 : 1;
    }
}
