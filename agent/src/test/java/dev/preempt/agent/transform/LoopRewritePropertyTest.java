package dev.preempt.agent.transform;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.preempt.agent.options.AgentConfig;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The poll rewrite as a property: thousands of random loop nests ({@link LoopNestGenerator}) compiled by
 * javac, run stock and rewritten on the same arguments (empty and small arrays, bounds 0, negative, near
 * {@code Integer.MAX_VALUE}), and every result and exception (class and message) compared. A fixed seed in
 * CI ({@code -Dloops.seed=}, {@code -Dloops.methods=} to change; {@code scripts/loop-property.sh} picks a
 * random seed).
 */
class LoopRewritePropertyTest {
    private static final int PER_CLASS = 150;

    @Test
    void randomLoopNestsComputeTheSameResultsAndExceptionsAfterTheRewrite() throws Exception {
        long seed = Long.getLong("loops.seed", 20261207L);
        int methods = Integer.getInteger("loops.methods", 2000);
        LoopNestGenerator gen = new LoopNestGenerator(seed);
        ClassRewriter rewriter = new ClassRewriter(AgentConfig.defaults());
        List<String> mismatches = new ArrayList<>();
        int strips = 0;
        int runs = 0;
        for (int c = 0; c * PER_CLASS < methods; c++) {
            String name = "Nests" + c;
            int count = Math.min(PER_CLASS, methods - c * PER_CLASS);
            String source = gen.classSource(name, count);
            Map<String, byte[]> classes = compile(name, source);
            Map<String, byte[]> rewritten = new HashMap<>();
            for (Map.Entry<String, byte[]> e : classes.entrySet()) {
                byte[] out = rewriter.rewrite(e.getKey(), e.getValue());
                rewritten.put(e.getKey(), out != null ? out : e.getValue());
                strips += out == null ? 0 : countStrips(out);
            }
            Class<?> stock = new MapLoader(classes).loadClass(name);
            Class<?> polled = new MapLoader(rewritten).loadClass(name);
            for (int k = 0; k < count; k++) {
                Method ms = stock.getMethod("m" + k, int[].class, int.class, int.class, long.class);
                Method mp = polled.getMethod("m" + k, int[].class, int.class, int.class, long.class);
                for (Object[] args : arguments(seed + k)) {
                    Object[] args2 = args.clone();
                    args2[0] = args[0] == null ? null : ((int[]) args[0]).clone();
                    Object before = outcome(ms, args);
                    Object after = outcome(mp, args2);
                    runs++;
                    if (!Objects.equals(before, after) || !java.util.Arrays.equals((int[]) args[0], (int[]) args2[0])) {
                        mismatches.add(name + ".m" + k + java.util.Arrays.toString(args).replaceAll("\\[I@\\w+", "int[]")
                                + ": stock " + before + ", rewritten " + after);
                    }
                }
            }
            if (mismatches.size() > 5) break;
        }
        assertTrue(mismatches.isEmpty(), "seed " + seed + ", " + runs + " runs: " + String.join("\n", mismatches));
        assertTrue(strips > methods / 4, "the generated loops exercise the strip-miner: " + strips + " strips");
    }

    private static int countStrips(byte[] bytes) {
        org.objectweb.asm.tree.ClassNode cn = new org.objectweb.asm.tree.ClassNode();
        new org.objectweb.asm.ClassReader(bytes).accept(cn, 0);
        int n = 0;
        for (var m : cn.methods) {
            for (var insn : m.instructions) {
                if (insn instanceof org.objectweb.asm.tree.MethodInsnNode mi && mi.owner.equals(LoopStripMiner.STRIP_OWNER)) n++;
            }
        }
        return n;
    }

    private static List<Object[]> arguments(long seed) {
        java.util.Random r = new java.util.Random(seed);
        int[] ints = {0, 1, -1, 5, 100, 4097, 9000, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 3};
        long[] longs = {0, 3, -7, 5000, Long.MAX_VALUE, Long.MIN_VALUE};
        List<Object[]> all = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            int len = new int[] {0, 1, 7, 100, 5000}[r.nextInt(5)];
            int[] a = r.nextInt(12) == 0 ? null : new int[len];
            for (int i = 0; a != null && i < len; i++) a[i] = r.nextInt(2000) - 1000;
            all.add(new Object[] {a, ints[r.nextInt(ints.length)], ints[r.nextInt(ints.length)], longs[r.nextInt(longs.length)]});
        }
        return all;
    }

    private static Object outcome(Method m, Object[] args) throws IllegalAccessException {
        try {
            return m.invoke(null, args);
        } catch (InvocationTargetException e) {
            return e.getCause().getClass().getName() + ": " + e.getCause().getMessage();
        }
    }

    private static Map<String, byte[]> compile(String name, String source) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Map<String, byte[]> out = new HashMap<>();
        JavaFileObject src = new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        JavaFileManager fm = new ForwardingJavaFileManager<>(javac.getStandardFileManager(null, null, null)) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind, FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + className + ".class"), kind) {
                    @Override
                    public OutputStream openOutputStream() {
                        return new ByteArrayOutputStream() {
                            @Override
                            public void close() {
                                out.put(className.replace('.', '/'), toByteArray());
                            }
                        };
                    }
                };
            }
        };
        java.io.StringWriter errors = new java.io.StringWriter();
        boolean ok = javac.getTask(errors, fm, null, List.of("-nowarn", "-g"), null, List.of(src)).call();
        if (!ok) {
            throw new AssertionError("generated source does not compile: " + errors + "\n" + source);
        }
        return out;
    }

    /** Defines the given classes itself; everything else (the runtime's Safepoint, LoopStrip) from the parent. */
    private static final class MapLoader extends ClassLoader {
        private final Map<String, byte[]> classes;

        MapLoader(Map<String, byte[]> classes) {
            super(LoopRewritePropertyTest.class.getClassLoader());
            this.classes = classes;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = classes.get(name.replace('.', '/'));
            if (b == null) throw new ClassNotFoundException(name);
            return defineClass(name, b, 0, b.length);
        }
    }
}
