package dev.preempt.agent.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.preempt.agent.options.OptionParser;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;

/**
 * The forward-edge rewrite on javac output: every reflective call and method-handle lookup gets a check
 * with a site id, and the rewritten class verifies and behaves the same, caller-sensitive access included
 * (a class may invoke its own private method reflectively without setAccessible, because the JDK still
 * sees it as the caller).
 */
class CallGuardInserterTest {
    private static final String NAME = "dev/preempt/agent/transform/ReflectShapes";

    private static byte[] rewritten() throws Exception {
        byte[] bytes;
        try (InputStream in = ReflectShapes.class.getResourceAsStream("ReflectShapes.class")) {
            bytes = in.readAllBytes();
        }
        byte[] out = new ClassRewriter(OptionParser.parse("cfi=learn,schedule=off", Map.of())).rewrite(NAME, bytes);
        assertNotNull(out);
        return out;
    }

    @Test
    void everyIndirectCallSiteGetsACheck() throws Exception {
        ClassNode cn = new ClassNode();
        new ClassReader(rewritten()).accept(cn, 0);
        List<String> checks = cn.methods.stream().flatMap(m -> StreamSupport.stream(m.instructions.spliterator(), false))
                .filter(n -> n instanceof MethodInsnNode mi && mi.owner.equals(CallGuardInserter.GUARD))
                .map(n -> ((MethodInsnNode) n).name).toList();
        assertEquals(List.of("method", "constructor", "lookup", "lookup", "member", "lookupConstructor"), checks);
    }

    @Test
    void rewrittenClassVerifiesAndBehavesTheSame() throws Throwable {
        Class<?> c = new SafepointInserterTest.ByteLoader().define(ReflectShapes.class.getName(), rewritten());
        assertEquals(ReflectShapes.privateInvoke(), c.getMethod("privateInvoke").invoke(null));
        assertEquals(ReflectShapes.constructorsAndHandles(), c.getMethod("constructorsAndHandles").invoke(null));
    }

    @Test
    void noCheckWithoutCfi() throws IOException, Exception {
        byte[] bytes;
        try (InputStream in = ReflectShapes.class.getResourceAsStream("ReflectShapes.class")) {
            bytes = in.readAllBytes();
        }
        assertEquals(null, new ClassRewriter(OptionParser.parse("schedule=off", Map.of())).rewrite(NAME, bytes));
    }
}
