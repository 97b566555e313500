package dev.preempt.agent.verify;

import org.objectweb.asm.Type;
import org.objectweb.asm.tree.analysis.SimpleVerifier;

/**
 * ASM's {@link SimpleVerifier} answering type questions from a {@link ClassHierarchy} instead of loading
 * classes. Like the JVM's verifier, any reference is assignable to an interface type. A type the
 * hierarchy does not know makes the check fail with {@link MissingTypeException}, so that a class whose
 * dependencies are absent is reported as unverifiable rather than as broken.
 */
final class HierarchyVerifier extends SimpleVerifier {
    private final ClassHierarchy hierarchy;

    HierarchyVerifier(ClassHierarchy hierarchy) {
        super(ASM9, null, null, null, false);
        this.hierarchy = hierarchy;
    }

    /** A class the verification needed that is neither in the input nor in the JDK. */
    static final class MissingTypeException extends RuntimeException {
        MissingTypeException(String name) {
            super("missing class " + name.replace('/', '.'), null, false, false);
        }
    }

    private ClassHierarchy.Info info(Type t) {
        ClassHierarchy.Info i = hierarchy.get(t.getInternalName());
        if (i == null) {
            throw new MissingTypeException(t.getInternalName());
        }
        return i;
    }

    @Override
    protected boolean isInterface(Type type) {
        return type.getSort() == Type.OBJECT && info(type).isInterface();
    }

    @Override
    protected Type getSuperClass(Type type) {
        if (type.getSort() != Type.OBJECT) {
            return Type.getObjectType("java/lang/Object");
        }
        String s = info(type).superName();
        return s == null ? null : Type.getObjectType(s);
    }

    @Override
    protected boolean isAssignableFrom(Type target, Type value) {
        if (target.equals(value)) {
            return true;
        }
        if (target.getSort() == Type.OBJECT && target.getInternalName().equals("java/lang/Object")) {
            return true;
        }
        if (target.getSort() == Type.ARRAY) {
            if (value.getSort() != Type.ARRAY || target.getDimensions() > value.getDimensions()) {
                return false;
            }
            Type te = Type.getType(target.getDescriptor().substring(1));
            Type ve = Type.getType(value.getDescriptor().substring(1));
            if (te.getSort() < Type.ARRAY || ve.getSort() < Type.ARRAY) {
                return te.equals(ve);
            }
            return isAssignableFrom(te, ve);
        }
        if (value.getSort() == Type.ARRAY) {
            String n = target.getInternalName();
            return n.equals("java/lang/Cloneable") || n.equals("java/io/Serializable");
        }
        if (isInterface(target)) {
            return true;
        }
        for (Type t = value; t != null; t = getSuperClass(t)) {
            if (t.equals(target)) {
                return true;
            }
            if (t.getInternalName().equals("java/lang/Object")) {
                return false;
            }
        }
        return false;
    }

    /** Whether a value of type {@code actual} may flow where {@code expected} is declared. */
    boolean assignable(org.objectweb.asm.tree.analysis.BasicValue actual, org.objectweb.asm.tree.analysis.BasicValue expected) {
        return isSubTypeOf(actual, expected);
    }

    @Override
    protected Class<?> getClass(Type type) {
        throw new UnsupportedOperationException("classes are never loaded during verification");
    }
}
