package dev.preempt.agent.transform;

import java.util.Map;
import java.util.function.ToIntFunction;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Forward edges: before each indirect call site of app code (a reflective call, a method-handle lookup)
 * inserts a check of (site, resolved target) by {@code dev.preempt.runtime.cfi.CallGuard}, with the site's
 * constant id. The call's arguments are spilled to fresh locals, the check is given the values it needs,
 * and the arguments are reloaded: the original call still runs from the app's class, so caller-sensitive
 * access checks see the same caller. The sequence is straight-line and the fresh locals are dead after it,
 * so no frame changes.
 */
public final class CallGuardInserter {
    static final String GUARD = "dev/preempt/runtime/cfi/CallGuard";

    /**
     * A guarded call: which guard method, and what it is given: -1 the receiver, else the argument index.
     */
    private record Check(String method, String desc, int... values) {}

    private static final String LOOKUP = "java/lang/invoke/MethodHandles$Lookup";
    private static final Check FIND = new Check("lookup", "(Ljava/lang/Class;Ljava/lang/String;I)V", 0, 1);
    private static final Check UNREFLECT = new Check("member", "(Ljava/lang/reflect/Member;I)V", 0);

    /** owner.name+desc -> check. */
    private static final Map<String, Check> CALLS = Map.ofEntries(
            Map.entry("java/lang/reflect/Method.invoke(Ljava/lang/Object;[Ljava/lang/Object;)Ljava/lang/Object;",
                    new Check("method", "(Ljava/lang/reflect/Method;I)V", -1)),
            Map.entry("java/lang/reflect/Constructor.newInstance([Ljava/lang/Object;)Ljava/lang/Object;",
                    new Check("constructor", "(Ljava/lang/reflect/Constructor;I)V", -1)),
            Map.entry("java/lang/Class.newInstance()Ljava/lang/Object;", new Check("newInstance", "(Ljava/lang/Class;I)V", -1)),
            Map.entry(LOOKUP + ".findStatic(Ljava/lang/Class;Ljava/lang/String;Ljava/lang/invoke/MethodType;)Ljava/lang/invoke/MethodHandle;", FIND),
            Map.entry(LOOKUP + ".findVirtual(Ljava/lang/Class;Ljava/lang/String;Ljava/lang/invoke/MethodType;)Ljava/lang/invoke/MethodHandle;", FIND),
            Map.entry(LOOKUP + ".findSpecial(Ljava/lang/Class;Ljava/lang/String;Ljava/lang/invoke/MethodType;Ljava/lang/Class;)Ljava/lang/invoke/MethodHandle;", FIND),
            Map.entry(LOOKUP + ".findGetter(Ljava/lang/Class;Ljava/lang/String;Ljava/lang/Class;)Ljava/lang/invoke/MethodHandle;", FIND),
            Map.entry(LOOKUP + ".findSetter(Ljava/lang/Class;Ljava/lang/String;Ljava/lang/Class;)Ljava/lang/invoke/MethodHandle;", FIND),
            Map.entry(LOOKUP + ".findStaticGetter(Ljava/lang/Class;Ljava/lang/String;Ljava/lang/Class;)Ljava/lang/invoke/MethodHandle;", FIND),
            Map.entry(LOOKUP + ".findStaticSetter(Ljava/lang/Class;Ljava/lang/String;Ljava/lang/Class;)Ljava/lang/invoke/MethodHandle;", FIND),
            Map.entry(LOOKUP + ".findVarHandle(Ljava/lang/Class;Ljava/lang/String;Ljava/lang/Class;)Ljava/lang/invoke/VarHandle;", FIND),
            Map.entry(LOOKUP + ".findStaticVarHandle(Ljava/lang/Class;Ljava/lang/String;Ljava/lang/Class;)Ljava/lang/invoke/VarHandle;", FIND),
            Map.entry(LOOKUP + ".findConstructor(Ljava/lang/Class;Ljava/lang/invoke/MethodType;)Ljava/lang/invoke/MethodHandle;",
                    new Check("lookupConstructor", "(Ljava/lang/Class;I)V", 0)),
            Map.entry(LOOKUP + ".unreflect(Ljava/lang/reflect/Method;)Ljava/lang/invoke/MethodHandle;", UNREFLECT),
            Map.entry(LOOKUP + ".unreflectSpecial(Ljava/lang/reflect/Method;Ljava/lang/Class;)Ljava/lang/invoke/MethodHandle;", UNREFLECT),
            Map.entry(LOOKUP + ".unreflectConstructor(Ljava/lang/reflect/Constructor;)Ljava/lang/invoke/MethodHandle;", UNREFLECT),
            Map.entry(LOOKUP + ".unreflectGetter(Ljava/lang/reflect/Field;)Ljava/lang/invoke/MethodHandle;", UNREFLECT),
            Map.entry(LOOKUP + ".unreflectSetter(Ljava/lang/reflect/Field;)Ljava/lang/invoke/MethodHandle;", UNREFLECT),
            Map.entry(LOOKUP + ".unreflectVarHandle(Ljava/lang/reflect/Field;)Ljava/lang/invoke/VarHandle;", UNREFLECT));

    private CallGuardInserter() {}

    /**
     * Guards the indirect call sites of one method; true if any was guarded.
     *
     * @param className internal name of the method's class
     * @param register  gives a site description ({@code com.acme.Foo.bar(I)V#0}) its constant id
     */
    public static boolean insert(String className, MethodNode m, ToIntFunction<String> register) {
        int ordinal = 0;
        boolean changed = false;
        for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext()) {
            if (!(n instanceof MethodInsnNode mi) || mi.getOpcode() == Opcodes.INVOKESTATIC) {
                continue;
            }
            Check c = CALLS.get(mi.owner + "." + mi.name + mi.desc);
            if (c == null) {
                continue;
            }
            String site = className.replace('/', '.') + "." + m.name + m.desc + "#" + ordinal++;
            m.instructions.insertBefore(mi, check(m, mi, c, register.applyAsInt(site)));
            changed = true;
        }
        return changed;
    }

    private static InsnList check(MethodNode m, MethodInsnNode call, Check c, int siteId) {
        Type[] args = Type.getArgumentTypes(call.desc);
        int[] slots = new int[args.length];
        int next = m.maxLocals;
        for (int i = 0; i < args.length; i++) {
            slots[i] = next;
            next += args[i].getSize();
        }
        m.maxLocals = next;
        InsnList l = new InsnList();
        for (int i = args.length - 1; i >= 0; i--) {
            l.add(new VarInsnNode(args[i].getOpcode(Opcodes.ISTORE), slots[i]));
        }
        for (int v : c.values()) {
            if (v < 0) {
                l.add(new InsnNode(Opcodes.DUP)); // the receiver, now on top
            } else {
                l.add(new VarInsnNode(args[v].getOpcode(Opcodes.ILOAD), slots[v]));
            }
        }
        l.add(new LdcInsnNode(siteId));
        l.add(new MethodInsnNode(Opcodes.INVOKESTATIC, GUARD, c.method(), c.desc(), false));
        for (int i = 0; i < args.length; i++) {
            l.add(new VarInsnNode(args[i].getOpcode(Opcodes.ILOAD), slots[i]));
        }
        // Peak: the receiver, the check's values (at most two references) and the site id, over what was there.
        m.maxStack += 4;
        return l;
    }
}
