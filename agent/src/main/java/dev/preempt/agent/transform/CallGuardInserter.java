package dev.preempt.agent.transform;

import dev.preempt.agent.options.AgentConfig;
import dev.preempt.runtime.base.Glob;
import java.util.Map;
import org.objectweb.asm.ConstantDynamic;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Forward edges: before each indirect call site of app code inserts a check of (site, resolved target) by
 * {@code dev.preempt.runtime.cfi.CallGuard}, with the site's constant id. Three kinds of site:
 * <ul>
 * <li>reflective calls and method-handle lookups ({@code #n}): the target is the member reached;
 * <li>interface and virtual calls on the types {@code cfi.types} names ({@code #vn}): the edge is (declared
 *     type, receiver's class), so a call that dispatches into an implementation the app never called
 *     through that type is refused;
 * <li>{@code invokedynamic} and dynamic constants whose bootstrap method is not the JDK's ({@code #dn}):
 *     the bootstrap is replaced by {@code BootstrapGuard}, which checks the edge and then calls it.
 * </ul>
 * The call's arguments are spilled to fresh locals, the check is given the values it needs, and the
 * arguments are reloaded: the original call still runs from the app's class, so caller-sensitive access
 * checks see the same caller. The sequence is straight-line and the fresh locals are dead after it (one
 * region per method, shared by its sites), so no frame changes. Site numbering per kind is stable, so a
 * policy learned by an earlier version keeps its reflective sites' names.
 */
public final class CallGuardInserter {
    static final String GUARD = "dev/preempt/runtime/cfi/CallGuard";
    static final String BOOTSTRAP_GUARD = "dev/preempt/runtime/cfi/BootstrapGuard";

    /**
     * Gives a site description its constant id; for a receiver check also the declared type (binary name)
     * and the method called, both null for the other sites.
     */
    public interface Sites {
        int register(String site, String declaredType, String calledName);
    }

    /**
     * A guarded call: which guard method, and what it is given: -1 the receiver, else the argument index.
     */
    private record Check(String method, String desc, int... values) {}

    private static final String LOOKUP = "java/lang/invoke/MethodHandles$Lookup";
    private static final Check FIND = new Check("lookup", "(Ljava/lang/Class;Ljava/lang/String;I)V", 0, 1);
    private static final Check UNREFLECT = new Check("member", "(Ljava/lang/reflect/Member;I)V", 0);
    private static final Check RECEIVER = new Check("receiver", "(Ljava/lang/Object;I)V", -1);

    private static final Handle CALL_SITE_GUARD = new Handle(Opcodes.H_INVOKESTATIC, BOOTSTRAP_GUARD, "callSite",
            "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;[Ljava/lang/Object;)Ljava/lang/invoke/CallSite;", false);
    private static final Handle CONSTANT_GUARD = new Handle(Opcodes.H_INVOKESTATIC, BOOTSTRAP_GUARD, "constant",
            "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/Class;[Ljava/lang/Object;)Ljava/lang/Object;", false);

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

    private final AgentConfig.CfiTypes types;
    private final Sites sites;

    /**
     * @param types which interface and virtual calls get a receiver check ({@code cfi.types})
     * @param sites gives a site description ({@code com.acme.Foo.bar(I)V#0}) its constant id
     */
    public CallGuardInserter(AgentConfig.CfiTypes types, Sites sites) {
        this.types = types;
        this.sites = sites;
    }

    /** Guards the indirect call sites of one method of class {@code className} (internal name); true if any. */
    public boolean insert(String className, MethodNode m) {
        String prefix = className.replace('/', '.') + "." + m.name + m.desc + "#";
        int reflective = 0;
        int virtual = 0;
        int dynamic = 0;
        int spillBase = m.maxLocals;
        int maxLocals = m.maxLocals;
        for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext()) {
            if (n instanceof InvokeDynamicInsnNode indy) {
                if (guardsBootstrap(indy.bsm)) {
                    indy.bsmArgs = guardedArgs(sites.register(prefix + "d" + dynamic++, null, null), indy.bsm, indy.bsmArgs);
                    indy.bsm = CALL_SITE_GUARD;
                }
                continue;
            }
            if (n instanceof LdcInsnNode ldc && ldc.cst instanceof ConstantDynamic c && guardsBootstrap(c.getBootstrapMethod())) {
                Object[] args = new Object[c.getBootstrapMethodArgumentCount()];
                for (int i = 0; i < args.length; i++) args[i] = c.getBootstrapMethodArgument(i);
                int id = sites.register(prefix + "d" + dynamic++, null, null);
                ldc.cst = new ConstantDynamic(c.getName(), c.getDescriptor(), CONSTANT_GUARD, guardedArgs(id, c.getBootstrapMethod(), args));
                continue;
            }
            if (!(n instanceof MethodInsnNode mi) || mi.getOpcode() == Opcodes.INVOKESTATIC || mi.getOpcode() == Opcodes.INVOKESPECIAL) {
                continue;
            }
            Check c = CALLS.get(mi.owner + "." + mi.name + mi.desc);
            int id;
            if (c != null) {
                id = sites.register(prefix + reflective++, null, null);
            } else if (guardsReceiver(mi)) {
                c = RECEIVER;
                id = sites.register(prefix + "v" + virtual++, mi.owner.replace('/', '.'), mi.name);
            } else {
                continue;
            }
            m.instructions.insertBefore(mi, check(mi, c, id, spillBase));
            maxLocals = Math.max(maxLocals, spillBase + argumentSlots(mi.desc));
        }
        boolean changed = reflective + virtual + dynamic > 0;
        if (reflective + virtual > 0) {
            m.maxLocals = maxLocals;
            // Peak at one site: the receiver, the check's values (at most two references) and the site id.
            m.maxStack += 4;
        }
        return changed;
    }

    /** An interface call on an interface outside the JDK, or a call whose declared type cfi.types names. */
    private boolean guardsReceiver(MethodInsnNode mi) {
        if (mi.owner.startsWith("[")) {
            return false;
        }
        if (types.appInterfaces() && mi.getOpcode() == Opcodes.INVOKEINTERFACE && !JdkPackages.isJdk(mi.owner)) {
            return true;
        }
        for (Glob g : types.globs()) {
            if (g.matches(mi.owner)) {
                return true;
            }
        }
        return false;
    }

    /** The JDK's bootstraps (lambdas, string concatenation, records, switches) link what the class file says. */
    private static boolean guardsBootstrap(Handle bsm) {
        return !JdkPackages.isJdk(bsm.getOwner());
    }

    /** BootstrapGuard's static arguments: the site id, the edge's target, the real bootstrap, its arguments. */
    private static Object[] guardedArgs(int siteId, Handle bsm, Object[] args) {
        Object[] out = new Object[args.length + 3];
        out[0] = siteId;
        out[1] = bsm.getOwner().replace('/', '.') + "." + bsm.getName();
        out[2] = bsm;
        System.arraycopy(args, 0, out, 3, args.length);
        return out;
    }

    private static int argumentSlots(String desc) {
        return (Type.getArgumentsAndReturnSizes(desc) >> 2) - 1;
    }

    private static InsnList check(MethodInsnNode call, Check c, int siteId, int spillBase) {
        Type[] args = Type.getArgumentTypes(call.desc);
        int[] slots = new int[args.length];
        int next = spillBase;
        for (int i = 0; i < args.length; i++) {
            slots[i] = next;
            next += args[i].getSize();
        }
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
        return l;
    }
}
