package dev.preempt.agent.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import dev.preempt.agent.options.AgentConfig;
import dev.preempt.agent.options.OptionException;
import dev.preempt.agent.options.OptionParser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code attach PID [options]}: loads the agent into a running JDK 25 JVM. */
@Command(name = "attach", mixinStandardHelpOptions = true,
        description = "Load the agent into a running JDK 25 JVM (the same options as -javaagent). Its loaded app classes "
                + "are retransformed to get their polls and redirected thread creation; virtual threads created from "
                + "then on run on preempt's scheduler, those already running stay where they are. The app keeps "
                + "running when this command returns. The target JVM prints a warning unless it was started with "
                + "-XX:+EnableDynamicAgentLoading. With --duration and profile= or trace=, it profiles the running app for "
                + "that long, waits, and says where the report is; the app goes on running.")
final class AttachCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "PID", description = "process id of the target JVM")
    String pid;

    @Parameters(index = "1", arity = "0..1", paramLabel = "OPTIONS", description = "agent options, key=value,key=value")
    String options = "";

    @Option(names = "--duration", paramLabel = "DURATION",
            description = "profile for this long (10s, 2m), then write profile= and trace= and stop recording")
    String duration;

    @Override
    public Integer call() throws Exception {
        AgentConfig config;
        try {
            options = withDuration(options, duration);
            // Checked here, where the user sees the message: the target JVM can only print it to its own stderr.
            config = OptionParser.parse(options, Map.of());
            // Paths as the user meant them: relative to this command's directory, not the target's.
            options = withAbsoluteOutputs(options, config);
        } catch (OptionException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        Path jar = Path.of(AttachCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(pid);
        } catch (AttachNotSupportedException | IOException e) {
            System.err.println("preempt attach: cannot attach to process " + pid + ": " + e.getMessage());
            return 1;
        }
        try {
            long loadedAtMillis = System.currentTimeMillis();
            vm.loadAgent(jar.toString(), options);
            System.out.println("preempt agent loaded into process " + pid + (options.isEmpty() ? "" : " with " + options));
            return config.profileDuration().isEmpty() ? 0 : ProfileWait.forOutputs(config, loadedAtMillis);
        } catch (AgentLoadException | AgentInitializationException e) {
            System.err.println("preempt attach: the agent failed to start in process " + pid + ": " + e.getMessage());
            return 1;
        } finally {
            vm.detach();
        }
    }

    /** {@code --duration D} is the agent option {@code profile.duration=D}; it needs a profile or trace. */
    static String withDuration(String options, String duration) throws OptionException {
        if (duration == null) {
            return options;
        }
        if (!options.matches("(^|.*,)\\s*(profile|trace)\\s*=.*")) {
            throw new OptionException("preempt attach: --duration " + duration + " needs profile=FILE or trace=FILE among the options");
        }
        return options + (options.isBlank() ? "" : ",") + "profile.duration=" + duration;
    }

    private static String withAbsoluteOutputs(String options, AgentConfig config) {
        List<String> out = new ArrayList<>();
        for (String part : options.split(",")) {
            String key = part.contains("=") ? part.substring(0, part.indexOf('=')).strip() : "";
            Optional<Path> abs = key.equals("profile") ? config.profile() : key.equals("trace") ? config.trace() : Optional.empty();
            out.add(abs.map(p -> key + "=" + p).orElse(part));
        }
        return String.join(",", out);
    }
}
