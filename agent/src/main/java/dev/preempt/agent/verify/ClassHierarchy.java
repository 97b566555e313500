package dev.preempt.agent.verify;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;

/**
 * Super class, interfaces and kind of classes, read from class-file headers only (never loaded): first
 * from the jars being verified, then from the JDK running this tool. Unknown names return null.
 */
public final class ClassHierarchy {
    /** What the verifier needs to know of one class. */
    public record Info(String name, String superName, List<String> interfaces, boolean isInterface) {}

    private final Map<String, Info> known = new HashMap<>();
    private final Map<String, Info> jdkCache = new HashMap<>();

    /** Records the header of one class file of the input. */
    public void add(byte[] classFile) {
        Info i = read(classFile);
        known.put(i.name(), i);
    }

    /** The header of {@code internalName}, or null when neither the input nor the JDK has it. */
    public synchronized Info get(String internalName) {
        Info i = known.get(internalName);
        if (i != null) {
            return i;
        }
        return jdkCache.computeIfAbsent(internalName, ClassHierarchy::readFromJdk);
    }

    private static Info readFromJdk(String internalName) {
        // Class files of the JDK's modules are readable as resources (a .class resource is never encapsulated).
        try (InputStream in = ClassLoader.getSystemResourceAsStream(internalName + ".class")) {
            return in == null ? null : read(in.readAllBytes());
        } catch (IOException e) {
            return null;
        }
    }

    private static Info read(byte[] b) {
        ClassReader r = new ClassReader(b);
        return new Info(r.getClassName(), r.getSuperName(), List.of(r.getInterfaces()), (r.getAccess() & Opcodes.ACC_INTERFACE) != 0);
    }
}
