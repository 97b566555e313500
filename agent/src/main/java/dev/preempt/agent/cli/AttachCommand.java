package dev.preempt.agent.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import dev.preempt.agent.options.OptionException;
import dev.preempt.agent.options.OptionParser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code attach PID [options]}: loads the agent into a running JDK 25 JVM. */
@Command(name = "attach", mixinStandardHelpOptions = true,
        description = "Load the agent into a running JDK 25 JVM (the same options as -javaagent). Its loaded app classes "
                + "are retransformed to get their polls and redirected thread creation; virtual threads created from "
                + "then on run on preempt's scheduler, those already running stay where they are. The app keeps "
                + "running when this command returns. The target JVM prints a warning unless it was started with "
                + "-XX:+EnableDynamicAgentLoading.")
final class AttachCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "PID", description = "process id of the target JVM")
    String pid;

    @Parameters(index = "1", arity = "0..1", paramLabel = "OPTIONS", description = "agent options, key=value,key=value")
    String options = "";

    @Override
    public Integer call() throws Exception {
        try {
            // Checked here, where the user sees the message: the target JVM can only print it to its own stderr.
            OptionParser.parse(options, Map.of());
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
            vm.loadAgent(jar.toString(), options);
            System.out.println("preempt agent loaded into process " + pid + (options.isEmpty() ? "" : " with " + options));
            return 0;
        } catch (AgentLoadException | AgentInitializationException e) {
            System.err.println("preempt attach: the agent failed to start in process " + pid + ": " + e.getMessage());
            return 1;
        } finally {
            vm.detach();
        }
    }
}
