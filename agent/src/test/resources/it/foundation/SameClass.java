import java.net.URL;
import java.net.URLClassLoader;
public class SameClass {
    public static void main(String[] a) throws Exception {
        String n = "dev.preempt.runtime.PreemptRuntime";
        Class<?> fromApp = Class.forName(n);
        Class<?> fromPlatform = Class.forName(n, false, ClassLoader.getSystemClassLoader().getParent()); // the platform loader
        Class<?> fromCustom = Class.forName(n, false, new URLClassLoader(new URL[0], null));
        System.out.println("loader=" + fromApp.getClassLoader());
        System.out.println("same=" + (fromApp == fromPlatform && fromApp == fromCustom));
        // The agent started the runtime: its static state is visible here only if this is its class.
        System.out.println("started=" + fromApp.getMethod("isStarted").invoke(null));
        // The agent's own classes link against the same runtime class.
        Class<?> agentSide = Class.forName("dev.preempt.agent.AgentInstaller");
        System.out.println("agentLoader=" + (agentSide.getClassLoader() == ClassLoader.getSystemClassLoader()));
    }
}
