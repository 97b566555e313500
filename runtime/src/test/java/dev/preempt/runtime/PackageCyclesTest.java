package dev.preempt.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The runtime's packages form an acyclic graph (docs/architecture.md draws it): read from the compiled
 * classes, every class each class names (its constant pool's class entries, and the types in its
 * descriptors and generic signatures), as {@code jdeps -verbose:package} would. A new import that closes
 * a cycle fails here with the cycle and the classes that make each of its edges.
 */
class PackageCyclesTest {
    private static final String ROOT = "dev/preempt/runtime";
    /** A class named inside a descriptor or signature: {@code Ldev/preempt/runtime/x/Y;} or {@code Ldev/preempt/runtime/x/Y<}. */
    private static final Pattern NAMED = Pattern.compile("L(" + ROOT + "[\\w/$]*)[;<]");

    @Test
    void runtimePackagesFormNoCycle() throws IOException, URISyntaxException {
        Map<String, Map<String, Set<String>>> edges = packageEdges(classesDir());
        assertTrue(edges.size() >= 9, "expected the runtime's packages, found " + edges.keySet());
        List<List<String>> cycles = cycles(edges);
        StringBuilder why = new StringBuilder();
        for (List<String> cycle : cycles) {
            why.append("\ncycle: ").append(String.join(" <-> ", cycle));
            for (String from : cycle) {
                for (String to : cycle) {
                    Set<String> by = edges.get(from).get(to);
                    if (by != null) {
                        why.append("\n  ").append(from).append(" -> ").append(to).append(" by ").append(by);
                    }
                }
            }
        }
        assertEquals(List.of(), cycles, "the runtime's packages must form an acyclic graph:" + why);
    }

    /** The edges this test finds include the ones known to exist, so an empty or partial scan cannot pass. */
    @Test
    void theScanSeesKnownEdges() throws IOException, URISyntaxException {
        Map<String, Map<String, Set<String>>> edges = packageEdges(classesDir());
        assertTrue(edges.get("dev.preempt.runtime.scheduler").containsKey("dev.preempt.runtime.profile"), edges.toString());
        assertTrue(edges.get("dev.preempt.runtime.threads").containsKey("dev.preempt.runtime.scheduler"), edges.toString());
        assertTrue(edges.get("dev.preempt.runtime").containsKey("dev.preempt.runtime.scheduler"), edges.toString());
        assertTrue(edges.get("dev.preempt.runtime.cfi").containsKey("dev.preempt.runtime.base"), edges.toString());
    }

    private static Path classesDir() throws URISyntaxException {
        return Path.of(PreemptRuntime.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** Package to package it uses to the classes of the first that use the second. */
    private static Map<String, Map<String, Set<String>>> packageEdges(Path classes) throws IOException {
        Map<String, Map<String, Set<String>>> edges = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(classes.resolve(ROOT))) {
            files = s.filter(p -> p.toString().endsWith(".class")).toList();
        }
        for (Path file : files) {
            ClassModel model = ClassFile.of().parse(file);
            String self = model.thisClass().asInternalName();
            String from = packageOf(self);
            Map<String, Set<String>> out = edges.computeIfAbsent(from, k -> new TreeMap<>());
            for (String named : namedClasses(model)) {
                String to = packageOf(named);
                if (named.startsWith(ROOT + "/") && !to.equals(from)) {
                    out.computeIfAbsent(to, k -> new TreeSet<>()).add(self.substring(self.lastIndexOf('/') + 1));
                }
            }
        }
        return edges;
    }

    private static Set<String> namedClasses(ClassModel model) {
        Set<String> named = new TreeSet<>();
        for (PoolEntry e : model.constantPool()) {
            if (e instanceof ClassEntry c) {
                String n = c.asInternalName();
                named.add(n.startsWith("[") ? n.replaceAll("^\\[+L?|;$", "") : n);
            } else if (e instanceof Utf8Entry u) {
                Matcher m = NAMED.matcher(u.stringValue());
                while (m.find()) {
                    named.add(m.group(1));
                }
            }
        }
        return named;
    }

    private static String packageOf(String internalName) {
        int slash = internalName.lastIndexOf('/');
        return slash < 0 ? "" : internalName.substring(0, slash).replace('/', '.');
    }

    /** The strongly connected components of more than one package (Tarjan's algorithm). */
    private static List<List<String>> cycles(Map<String, Map<String, Set<String>>> edges) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<List<String>> out = new ArrayList<>();
        int[] next = {0};
        for (String p : edges.keySet()) {
            if (!index.containsKey(p)) {
                connect(p, edges, index, low, stack, onStack, out, next);
            }
        }
        return out;
    }

    private static void connect(String p, Map<String, Map<String, Set<String>>> edges, Map<String, Integer> index,
                                Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                                List<List<String>> out, int[] next) {
        index.put(p, next[0]);
        low.put(p, next[0]++);
        stack.push(p);
        onStack.add(p);
        for (String q : edges.getOrDefault(p, Map.of()).keySet()) {
            if (!index.containsKey(q)) {
                connect(q, edges, index, low, stack, onStack, out, next);
                low.put(p, Math.min(low.get(p), low.get(q)));
            } else if (onStack.contains(q)) {
                low.put(p, Math.min(low.get(p), index.get(q)));
            }
        }
        if (low.get(p).equals(index.get(p))) {
            List<String> component = new ArrayList<>();
            String q;
            do {
                q = stack.pop();
                onStack.remove(q);
                component.add(q);
            } while (!q.equals(p));
            if (component.size() > 1) {
                component.sort(null);
                out.add(component);
            }
        }
    }
}
