/** A compile-time stand-in: the test replaces this class file with one whose methods are invokedynamic sites. */
public class IndySites {
    public static String greet() { return "stub"; }
    public static String other() { return "stub"; }
}
