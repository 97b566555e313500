package dev.preempt.agent.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.BasicVerifier;

/**
 * The rewrite of the curated JDK classes, on this JDK's own class files: what a retransformation allows
 * (the same methods, fields and signatures), polls only where the rules put them, and code that verifies.
 */
class JdkPollsTest {
    private static final String INTRINSIC = "Ljdk/internal/vm/annotation/IntrinsicCandidate;";

    /** Every class of java.base the set covers, nested classes of an entry ending in '$' included. */
    private static Map<String, byte[]> coveredClasses() throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        for (String pkg : List.of("java/util/regex", "java/util", "java/math")) {
            try (Stream<Path> files = Files.list(jrt.getPath("modules", "java.base", pkg))) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    String file = p.getFileName().toString();
                    if (!file.endsWith(".class")) continue;
                    String name = pkg + "/" + file.substring(0, file.length() - ".class".length());
                    if (JdkPolls.covers(name)) {
                        out.put(name, Files.readAllBytes(p));
                    }
                }
            }
        }
        return out;
    }

    private static ClassNode read(byte[] bytes) {
        ClassNode cn = new ClassNode();
        new ClassReader(bytes).accept(cn, 0);
        return cn;
    }

    private static long polls(MethodNode m, String name) {
        long n = 0;
        for (AbstractInsnNode i = m.instructions.getFirst(); i != null; i = i.getNext()) {
            if (i instanceof MethodInsnNode mi && mi.owner.equals(SafepointInserter.OWNER) && mi.name.equals(name)) n++;
        }
        return n;
    }

    private static boolean intrinsic(MethodNode m) {
        return Stream.of(m.visibleAnnotations, m.invisibleAnnotations)
                .anyMatch(l -> l != null && l.stream().anyMatch(a -> a.desc.equals(INTRINSIC)));
    }

    @Test
    void everyCoveredClassKeepsItsShapeAndPollsOnlyWhereAllowed() throws Exception {
        Map<String, byte[]> classes = coveredClasses();
        assertTrue(classes.size() > 60, "Pattern's nodes, the sorts and the big numbers: " + classes.keySet());
        List<String> problems = new ArrayList<>();
        int rewritten = 0;
        for (var e : classes.entrySet()) {
            byte[] out = JdkPolls.rewrite(e.getKey(), e.getValue());
            if (out == null) continue;
            rewritten++;
            ClassNode before = read(e.getValue());
            ClassNode after = read(out);
            assertEquals(signatures(before), signatures(after), e.getKey() + ": methods (a retransformation may not add or change one)");
            assertEquals(before.fields.stream().map(f -> f.access + " " + f.name + f.desc).toList(),
                    after.fields.stream().map(f -> f.access + " " + f.name + f.desc).toList(), e.getKey() + ": fields");
            for (MethodNode m : after.methods) {
                String where = e.getKey() + "." + m.name + m.desc;
                if (polls(m, SafepointInserter.NAME) > 0) problems.add(where + ": calls the app's poll, not jdkPoll");
                if ((m.name.equals("<clinit>") || intrinsic(m)) && polls(m, JdkPolls.POLL_NAME) > 0) problems.add(where + ": polled");
                try {
                    new Analyzer<>(new BasicVerifier()).analyze(after.name, m);
                } catch (Exception ex) {
                    problems.add(where + ": does not verify: " + ex.getMessage());
                }
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(rewritten >= 25, "classes with loops rewritten (most of Pattern's nodes have none): " + rewritten);
    }

    private static List<String> signatures(ClassNode cn) {
        return cn.methods.stream().map(m -> m.access + " " + m.name + m.desc).toList();
    }

    @Test
    void theLoopsWhereHogsSpinGetPolls() throws Exception {
        Map<String, byte[]> classes = coveredClasses();
        Map<String, String> hot = Map.of(
                "java/util/regex/Pattern$CharPropertyGreedy", "match", // backtracking over a greedy run
                "java/util/regex/Pattern$Start", "match",              // every start position
                "java/util/DualPivotQuicksort", "partitionDualPivot",
                "java/util/TimSort", "mergeLo",
                "java/util/ComparableTimSort", "binarySort",
                "java/math/MutableBigInteger", "divideOneWord",
                "java/math/BigInteger", "add");
        for (var e : hot.entrySet()) {
            byte[] out = JdkPolls.rewrite(e.getKey(), classes.get(e.getKey()));
            assertNotNull(out, e.getKey());
            long n = read(out).methods.stream().filter(m -> m.name.equals(e.getValue())).mapToLong(m -> polls(m, JdkPolls.POLL_NAME)).sum();
            assertTrue(n > 0, e.getKey() + "." + e.getValue() + " has no poll");
        }
    }

    @Test
    void intrinsicsKeepTheirBodies() throws Exception {
        ClassNode before = read(coveredClasses().get("java/math/BigInteger"));
        ClassNode after = read(JdkPolls.rewrite("java/math/BigInteger", coveredClasses().get("java/math/BigInteger")));
        int intrinsics = 0;
        for (int i = 0; i < before.methods.size(); i++) {
            MethodNode b = before.methods.get(i);
            if (!intrinsic(b)) continue;
            intrinsics++;
            assertEquals(b.instructions.size(), after.methods.get(i).instructions.size(), b.name + b.desc + " changed");
        }
        assertTrue(intrinsics >= 4, "BigInteger's @IntrinsicCandidate methods (implMultiplyToLen, implSquareToLen, ...): " + intrinsics);
    }
}
