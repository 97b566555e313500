package dev.preempt.agent.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * The JDK methods CFI guards exist in this JDK with the descriptors the table names (a JDK that renamed
 * one would leave its sink unguarded silently), and each gets its check as its first call.
 */
class SinkGuardInserterTest {

    private static byte[] jdkClass(String internalName) throws Exception {
        try (InputStream in = ClassLoader.getSystemResourceAsStream(internalName + ".class")) {
            if (in != null) return in.readAllBytes();
        }
        var module = Class.forName(internalName.replace('/', '.'), false, null).getModule();
        try (InputStream in = module.getResourceAsStream(internalName + ".class")) {
            return in.readAllBytes();
        }
    }

    @Test
    void everyGuardedJdkMethodExistsAndIsCheckedAtEntry() throws Exception {
        List<String> missing = new ArrayList<>();
        for (String owner : SinkGuardInserter.CLASSES) {
            byte[] out = SinkGuardInserter.rewrite(owner, jdkClass(owner));
            assertNotNull(out, owner);
            ClassNode cn = new ClassNode();
            new ClassReader(out).accept(cn, 0);
            for (SinkGuardInserter.Target t : SinkGuardInserter.TARGETS) {
                if (!t.owner().equals(owner)) continue;
                MethodNode m = cn.methods.stream().filter(x -> x.name.equals(t.name()) && (t.desc() == null || x.desc.equals(t.desc())))
                        .findFirst().orElse(null);
                if (m == null) {
                    missing.add(t.owner() + "." + t.name() + (t.desc() == null ? "" : t.desc()));
                    continue;
                }
                MethodInsnNode first = (MethodInsnNode) java.util.stream.StreamSupport.stream(m.instructions.spliterator(), false)
                        .filter(n -> n instanceof MethodInsnNode).findFirst().orElseThrow();
                assertEquals(SinkGuardInserter.GUARD, first.owner, t.toString());
                assertTrue(first.name.equals(t.sink() == null ? "reflectOn" : "check"), t.toString());
            }
        }
        assertEquals(List.of(), missing, "guarded JDK methods missing from JDK " + Runtime.version());
    }

    @Test
    void classesOutsideTheTableAreLeftAlone() throws Exception {
        assertEquals(null, SinkGuardInserter.rewrite("java/lang/String", jdkClass("java/lang/String")));
    }
}
