public class DeepAccess {
    public static void main(String[] a) throws Exception {
        System.out.println("java.lang=" + open(String.class.getDeclaredField("value")));
        System.out.println("jdk.internal.misc=" + call("jdk.internal.misc.Unsafe", "getUnsafe"));
        System.out.println("jdk.internal.vm=" + call("jdk.internal.vm.Continuation", "getCurrentContinuation"));
    }
    static String open(java.lang.reflect.Field f) {
        try { f.setAccessible(true); return "opened"; } catch (RuntimeException e) { return "refused"; }
    }
    static String call(String type, String method) {
        try {
            java.lang.reflect.Method m = null;
            for (java.lang.reflect.Method x : Class.forName(type).getDeclaredMethods()) if (x.getName().equals(method)) m = x;
            m.setAccessible(true);
            return "opened";
        } catch (Exception | Error e) { return "refused"; }
    }
}
