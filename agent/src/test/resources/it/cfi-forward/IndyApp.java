import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Links invokedynamic sites whose bootstrap is the app's own (as a dynamic language runtime does).
 * IndySites is replaced by a class file with the real invokedynamic instructions; "greet" links the site
 * in IndySites.greet(), "other" the site in IndySites.other(). A lambda and a string concatenation (the
 * JDK's bootstraps) are linked in every run.
 */
public class IndyApp {
    public static CallSite bootstrap(MethodHandles.Lookup lookup, String name, MethodType type) {
        return new ConstantCallSite(MethodHandles.constant(String.class, "linked " + name).asType(type));
    }

    public static void main(String[] args) {
        Runnable lambda = () -> System.out.println("lambda ran " + args.length);
        lambda.run();
        for (String a : args) {
            try {
                System.out.println(a + ": " + (a.equals("greet") ? IndySites.greet() : IndySites.other()));
            } catch (BootstrapMethodError e) {
                System.out.println(a + ": refused " + e.getCause().getClass().getSimpleName());
            }
        }
    }
}
