import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.*;
import java.util.jar.*;

public class LoadAll {
    public static void main(String[] a) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String j : a) urls.add(new File(j).toURI().toURL());
        // A plain app loader (not the platform one), so the agent treats the classes as the app's.
        URLClassLoader cl = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getSystemClassLoader());
        int loaded = 0, failed = 0;
        Map<Integer, Integer> versions = new TreeMap<>();
        for (String j : a) {
            try (JarFile jf = new JarFile(j)) {
                for (JarEntry e : Collections.list(jf.entries())) {
                    String n = e.getName();
                    if (!n.endsWith(".class") || n.startsWith("META-INF/") || n.contains("module-info") || n.contains("package-info")) continue;
                    try (var in = jf.getInputStream(e)) {
                        byte[] h = in.readNBytes(8);
                        versions.merge(((h[6] & 0xff) << 8) | (h[7] & 0xff), 1, Integer::sum);
                    }
                    String cn = n.substring(0, n.length() - 6).replace('/', '.');
                    try {
                        Class<?> c = Class.forName(cn, false, cl);
                        c.getDeclaredMethods(); // links the class: the JVM verifies it here
                        loaded++;
                    } catch (Throwable t) {
                        failed++;
                        System.out.println("FAIL " + cn + " " + t.getClass().getName());
                    }
                }
            }
        }
        System.out.println("versions=" + versions);
        System.out.println("loaded=" + loaded);
        System.out.println("failed=" + failed);
    }
}
