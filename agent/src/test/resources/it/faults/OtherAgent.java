import java.lang.instrument.Instrumentation;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import static net.bytebuddy.matcher.ElementMatchers.*;

public class OtherAgent {
    public static void premain(String args, Instrumentation inst) {
        new AgentBuilder.Default()
                .type(named("Hog"))
                .transform((b, type, loader, module, pd) -> b.visit(Advice.to(CountCalls.class).on(named("spin"))))
                .installOn(inst);
    }

    public static class CountCalls {
        @Advice.OnMethodEnter
        static void enter() throws Exception {
            Class<?> c = Class.forName("Counter", true, ClassLoader.getSystemClassLoader());
            c.getField("calls").setInt(null, c.getField("calls").getInt(null) + 1);
        }
    }
}
