package dev.preempt.agent.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.preempt.agent.options.AgentConfig;
import dev.preempt.agent.transform.ClassRewriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FrameNode;

class OfflineVerifierTest {

    /** A jar holding this test module's own javac-compiled loop shapes. */
    private static Path jarOfStripTargets(Path dir) throws IOException {
        Path jar = dir.resolve("t.jar");
        String entry = "dev/preempt/agent/transform/StripTargets.class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             InputStream in = OfflineVerifierTest.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
        }
        return jar;
    }

    @Test
    void theAgentsRewriteOfJavacLoopsVerifiesFramesIncluded(@TempDir Path dir) throws IOException {
        OfflineVerifier.Report r = new OfflineVerifier(new ClassRewriter(AgentConfig.defaults())).verify(List.of(jarOfStripTargets(dir)));
        assertTrue(r.ok(), r.failures()::toString);
        assertEquals(1, r.classes());
        assertEquals(1, r.changed());
        assertTrue(r.methodsVerified() >= 8, "methods: " + r.methodsVerified());
    }

    @Test
    void aRewriteThatBreaksAFrameIsCaught(@TempDir Path dir) throws IOException {
        ClassRewriter good = new ClassRewriter(AgentConfig.defaults());
        // The agent's rewrite, then a frame edit that forgets the strip local: what a buggy rewrite would do.
        OfflineVerifier.Rewrite broken = (name, bytes) -> {
            ClassNode cn = new ClassNode();
            new ClassReader(good.rewrite(name, bytes)).accept(cn, ClassReader.EXPAND_FRAMES);
            cn.methods.stream().filter(m -> m.name.equals("sumField")).forEach(m -> {
                for (var n : m.instructions) {
                    if (n instanceof FrameNode f && f.local.size() > 1) {
                        f.local = new java.util.ArrayList<>(f.local);
                        f.local.set(f.local.size() - 1, Opcodes.FLOAT);
                    }
                }
            });
            ClassWriter cw = new ClassWriter(0);
            cn.accept(cw);
            return cw.toByteArray();
        };
        OfflineVerifier.Report r = new OfflineVerifier(broken).verify(List.of(jarOfStripTargets(dir)));
        assertFalse(r.ok());
        assertTrue(r.failures().get(0).contains("StripTargets.sumField()J: frame at instruction"), r.failures()::toString);
    }
}
