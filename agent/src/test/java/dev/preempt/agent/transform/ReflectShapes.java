package dev.preempt.agent.transform;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;

/** Indirect call shapes the call guards rewrite; each returns a value the test compares before and after. */
public class ReflectShapes {
    private long secret(long x, double y) {
        return x + (long) y;
    }

    public ReflectShapes() {}

    /** A private method of the caller's own class, without setAccessible: only the caller itself may. */
    public static long privateInvoke() throws Exception {
        long before = 40;
        double d = 1.5;
        Method m = ReflectShapes.class.getDeclaredMethod("secret", long.class, double.class);
        Object r = m.invoke(new ReflectShapes(), before, d + 0.5);
        return (Long) r + before;
    }

    public static String constructorsAndHandles() throws Throwable {
        Object o = ReflectShapes.class.getConstructor().newInstance();
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        var upper = lookup.findVirtual(String.class, "toUpperCase", MethodType.methodType(String.class));
        var valueOf = lookup.findStatic(String.class, "valueOf", MethodType.methodType(String.class, int.class));
        var secret = lookup.unreflect(ReflectShapes.class.getDeclaredMethod("secret", long.class, double.class));
        var ctor = lookup.findConstructor(StringBuilder.class, MethodType.methodType(void.class, String.class));
        return o.getClass().getSimpleName() + " " + (String) upper.invokeExact("abc") + (String) valueOf.invokeExact(7)
                + " " + (long) secret.invokeExact(new ReflectShapes(), 1L, 2.0) + " " + ctor.invoke("sb");
    }
}
