package dev.preempt.samples;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The README's main command: runs the samples under the stock JVM and under the agent, side by side.
 * Arguments: the java binary, the agent jar, then options passed to the agent.
 */
public final class DemoLauncher {

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length < 2) {
            System.err.println("usage: DemoLauncher JAVA AGENT_JAR [agent options]");
            System.exit(2);
        }
        String java = args[0];
        String agent = args[1];
        String options = args.length > 2 ? args[2] : "";
        String classpath = new File(DemoLauncher.class.getProtectionDomain().getCodeSource().getLocation().getPath()).getPath();

        System.out.println("== legacy batch job (class file version 52, platform threads), stock JVM");
        int stock = run(java, null, options, classpath, "dev.preempt.samples.legacy.LegacyReportJob");
        System.out.println("== the same job under -javaagent:" + agent + (options.isEmpty() ? "" : "=" + options));
        int agentRc = run(java, agent, options, classpath, "dev.preempt.samples.legacy.LegacyReportJob");
        System.exit(stock != 0 ? stock : agentRc);
    }

    static int run(String java, String agent, String options, String classpath, String mainClass, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        if (agent != null) {
            cmd.add("-javaagent:" + agent + (options.isEmpty() ? "" : "=" + options));
        }
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).inheritIO().start().waitFor();
    }
}
