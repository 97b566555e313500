package dev.preempt.agent.cli;

import dev.preempt.agent.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar preempt-agent.jar VERB}: the {@code Main-Class} of the agent jar. */
@Command(name = "preempt-agent.jar", mixinStandardHelpOptions = true, versionProvider = PreemptCli.VersionProvider.class,
        description = "preempt: makes the threads of an existing JVM program preemptive, prioritised, checked and observable.%n"
                + "Attach with: java -javaagent:preempt-agent.jar[=key=value,...] -jar app.jar",
        subcommands = {InfoCommand.class, VerifyCommand.class, AttachCommand.class, ThreadsCommand.class, PolicyCommand.class,
                CommandLine.HelpCommand.class})
public final class PreemptCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PreemptCli()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"preempt " + Version.get()};
        }
    }
}
