package dev.preempt.agent.transform;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TypeInsnNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * {@code threads=map}: redirects the app's platform-thread creation and the {@code Thread} operations a
 * mapped thread answers differently to {@code ThreadBridge}, and makes the app's {@code Thread} subclasses
 * run on a shadow virtual thread.
 *
 * <p>What is rewritten, and how the stack stays as it was (no frame is recomputed; every insertion is
 * straight-line code, so existing frames stay valid):
 * <ul>
 *   <li>{@code new Thread(...)}: the platform thread is constructed as written, then
 *       {@code ThreadBridge.adopt(thread, site)} replaces it by a virtual thread with its settings;</li>
 *   <li>{@code Executors.newFixedThreadPool(n)} and the other factory-less pools, and
 *       {@code new ThreadPoolExecutor(...)}/{@code new ScheduledThreadPoolExecutor(...)} without a factory:
 *       the overload that takes a {@code ThreadFactory}, given preempt's (a {@code SWAP} puts it before a
 *       trailing {@code RejectedExecutionHandler}); {@code Executors.defaultThreadFactory()} itself;</li>
 *   <li>{@code Thread.Builder} terminal calls ({@code start}, {@code unstarted}, {@code factory}): a platform
 *       builder's threads are adopted;</li>
 *   <li>final methods of {@code Thread} on any receiver typed {@code Thread} or a subclass ({@code isAlive},
 *       {@code join}, {@code setDaemon}, {@code isDaemon}, {@code setPriority}, {@code getPriority},
 *       {@code getThreadGroup}), {@code run()} called directly, {@code Thread.currentThread()},
 *       {@code Thread.getAllStackTraces()}, {@code LockSupport.unpark/getBlocker},
 *       {@code Runtime.add/removeShutdownHook}: static bridge methods taking the receiver first;</li>
 *   <li>in a {@code Thread} subclass: overrides of {@code start}, {@code interrupt}, {@code isInterrupted},
 *       {@code getState}, {@code getStackTrace}, {@code setContextClassLoader} that call the bridge (added
 *       only at first load, when the class does not declare or inherit them from an app superclass), its
 *       {@code super.m()} calls to those redirected the same way, and a call to
 *       {@code ThreadBridge.constructed} after its {@code super(...)} constructor call;</li>
 *   <li>the calls that enumerate threads, through {@link ThreadVisibilityRewriter}.</li>
 * </ul>
 */
public final class ThreadMapRewriter {
    private static final String BRIDGE = ThreadCallRewriter.BRIDGE;
    private static final String THREAD = ThreadTypes.THREAD;
    private static final String TF = "Ljava/util/concurrent/ThreadFactory;";
    private static final String FACTORY_DESC = "(Ljava/lang/String;)" + TF;

    /** Final (or differently answered) instance methods of Thread, redirected at call sites. */
    private static final Set<String> CALL_SITE_METHODS = Set.of(
            "isAlive()Z", "join()V", "join(J)V", "join(JI)V", "join(Ljava/time/Duration;)Z",
            "setDaemon(Z)V", "isDaemon()Z", "setPriority(I)V", "getPriority()I",
            "getThreadGroup()Ljava/lang/ThreadGroup;");

    /** Thread's methods overridden in the app's subclasses: name, descriptor. */
    static final List<String[]> OVERRIDES = List.of(
            new String[] {"start", "()V"},
            new String[] {"interrupt", "()V"},
            new String[] {"isInterrupted", "()Z"},
            new String[] {"getState", "()Ljava/lang/Thread$State;"},
            new String[] {"getStackTrace", "()[Ljava/lang/StackTraceElement;"},
            new String[] {"setContextClassLoader", "(Ljava/lang/ClassLoader;)V"});

    private static final Map<String, String> STATICS = Map.of(
            "java/lang/Thread.currentThread()Ljava/lang/Thread;", "currentThread",
            "java/lang/Thread.getAllStackTraces()Ljava/util/Map;", "getAllStackTraces",
            "java/util/concurrent/locks/LockSupport.unpark(Ljava/lang/Thread;)V", "unpark",
            "java/util/concurrent/locks/LockSupport.getBlocker(Ljava/lang/Thread;)Ljava/lang/Object;", "getBlocker");

    /** Executors methods without a factory whose overload with one (appended) preempt calls instead. */
    private static final Set<String> POOLS = Set.of(
            "newFixedThreadPool(I)Ljava/util/concurrent/ExecutorService;",
            "newCachedThreadPool()Ljava/util/concurrent/ExecutorService;",
            "newSingleThreadExecutor()Ljava/util/concurrent/ExecutorService;",
            "newScheduledThreadPool(I)Ljava/util/concurrent/ScheduledExecutorService;",
            "newSingleThreadScheduledExecutor()Ljava/util/concurrent/ScheduledExecutorService;");

    private static final String TPE = "java/util/concurrent/ThreadPoolExecutor";
    private static final String STPE = "java/util/concurrent/ScheduledThreadPoolExecutor";
    private static final String REH = "Ljava/util/concurrent/RejectedExecutionHandler;";
    private static final String TPE_ARGS = "IIJLjava/util/concurrent/TimeUnit;Ljava/util/concurrent/BlockingQueue;";

    private final ClassNode cn;
    private final ClassLoader loader;
    private final ThreadTypes types;
    private final boolean threadSubclass;
    private final SiteListener sites;

    /** Told of each creation site rewritten: for the agent's log. */
    public interface SiteListener {
        void rewritten(String site);
    }

    ThreadMapRewriter(ClassNode cn, ClassLoader loader, ThreadTypes types, SiteListener sites) {
        this.cn = cn;
        this.loader = loader;
        this.types = types;
        this.sites = sites;
        this.threadSubclass = (cn.access & Opcodes.ACC_INTERFACE) == 0 && !cn.name.equals(THREAD)
                && types.noteClass(loader, cn.name, cn.superName);
    }

    boolean isThreadSubclass() {
        return threadSubclass;
    }

    /**
     * Adds the overrides a {@code Thread} subclass needs (first load only: retransformation may not add
     * methods). True if any was added.
     */
    boolean addOverrides() {
        if (!threadSubclass) {
            return false;
        }
        boolean changed = false;
        for (String[] o : OVERRIDES) {
            String name = o[0];
            String desc = o[1];
            boolean declared = cn.methods.stream().anyMatch(m -> m.name.equals(name) && m.desc.equals(desc));
            if (declared || types.chainDeclares(loader, cn.superName, name, desc)) {
                continue;
            }
            MethodNode m = new MethodNode(Opcodes.ASM9, Opcodes.ACC_PUBLIC | Opcodes.ACC_SYNTHETIC, name, desc, null, null);
            Type[] args = Type.getArgumentTypes(desc);
            m.instructions.add(new VarInsnNode(Opcodes.ALOAD, 0));
            for (int i = 0; i < args.length; i++) {
                m.instructions.add(new VarInsnNode(args[i].getOpcode(Opcodes.ILOAD), 1 + i));
            }
            m.instructions.add(new MethodInsnNode(Opcodes.INVOKESTATIC, BRIDGE, name, receiverFirst(desc), false));
            m.instructions.add(new InsnNode(Type.getReturnType(desc).getOpcode(Opcodes.IRETURN)));
            m.maxStack = 1 + args.length;
            m.maxLocals = 1 + args.length;
            cn.methods.add(m);
            changed = true;
        }
        return changed;
    }

    /** Rewrites one method's call sites; true if any changed. */
    boolean rewrite(MethodNode m) {
        InsnList code = m.instructions;
        Deque<String> pendingNew = new ArrayDeque<>();
        boolean changed = false;
        int line = -1;
        for (AbstractInsnNode n = code.getFirst(); n != null; n = n.getNext()) {
            if (n instanceof LineNumberNode ln) {
                line = ln.line;
            } else if (n instanceof TypeInsnNode t && t.getOpcode() == Opcodes.NEW) {
                pendingNew.push(t.desc);
            } else if (n instanceof InvokeDynamicInsnNode indy) {
                changed |= rewriteHandles(indy);
            } else if (n instanceof MethodInsnNode mi) {
                changed |= rewriteCall(m, code, mi, pendingNew, line);
            }
        }
        if (changed) {
            m.maxStack += 2; // the widest insertion pushes two values; over-estimating is harmless
        }
        return changed;
    }

    /** Every method name this rewriter acts on: the rest (nearly all calls) are passed over without a lookup. */
    private static final Set<String> NAMES = Set.of("<init>", "currentThread", "getAllStackTraces", "unpark", "getBlocker",
            "newFixedThreadPool", "newCachedThreadPool", "newSingleThreadExecutor", "newScheduledThreadPool",
            "newSingleThreadScheduledExecutor", "defaultThreadFactory", "start", "unstarted", "factory", "addShutdownHook",
            "removeShutdownHook", "isAlive", "join", "setDaemon", "isDaemon", "setPriority", "getPriority", "getThreadGroup", "run",
            "interrupt", "isInterrupted", "getState", "getStackTrace", "setContextClassLoader");

    private boolean rewriteCall(MethodNode m, InsnList code, MethodInsnNode mi, Deque<String> pendingNew, int line) {
        if (!NAMES.contains(mi.name)) {
            return ThreadVisibilityRewriter.rewrite(mi);
        }
        int op = mi.getOpcode();
        String nameDesc = mi.name + mi.desc;
        if (op == Opcodes.INVOKESPECIAL && mi.name.equals("<init>")) {
            boolean fromNew = !pendingNew.isEmpty() && pendingNew.peek().equals(mi.owner);
            if (fromNew) {
                pendingNew.pop();
            } else if (!pendingNew.isEmpty()) {
                pendingNew.clear(); // not javac's shape: pair nothing rather than guess
                return false;
            }
            if (fromNew && mi.owner.equals(THREAD)) {
                String site = site(m, line, "new Thread");
                code.insert(mi, call("adopt", "(Ljava/lang/Thread;Ljava/lang/String;)Ljava/lang/Thread;", site));
                sites.rewritten(site);
                return true;
            }
            if (!fromNew && threadSubclass && m.name.equals("<init>") && mi.owner.equals(cn.superName)) {
                InsnList after = new InsnList();
                after.add(new VarInsnNode(Opcodes.ALOAD, 0));
                after.add(call("constructed", "(Ljava/lang/Thread;Ljava/lang/String;)V", cn.name.replace('/', '.') + " (Thread subclass)"));
                code.insert(mi, after);
                return true;
            }
            return rewritePoolConstructor(m, code, mi, line);
        }
        if (op == Opcodes.INVOKESPECIAL && threadSubclass && mi.owner.equals(THREAD) && isOverride(nameDesc)) {
            toStatic(mi, mi.name); // super.start() and friends in the app's subclass
            return true;
        }
        if (op == Opcodes.INVOKESTATIC) {
            String bridged = STATICS.get(mi.owner + "." + nameDesc);
            if (bridged != null) {
                mi.owner = BRIDGE;
                mi.name = bridged;
                mi.itf = false;
                return true;
            }
            if (mi.owner.equals("java/util/concurrent/Executors")) {
                if (POOLS.contains(nameDesc)) {
                    String site = site(m, line, "Executors." + mi.name);
                    code.insertBefore(mi, call("threadFactory", FACTORY_DESC, site));
                    mi.desc = mi.desc.replace(")", TF + ")");
                    sites.rewritten(site);
                    return true;
                }
                if (nameDesc.equals("defaultThreadFactory()" + TF)) {
                    String site = site(m, line, "Executors.defaultThreadFactory");
                    code.insertBefore(mi, new LdcInsnNode(site));
                    mi.owner = BRIDGE;
                    mi.name = "threadFactory";
                    mi.desc = FACTORY_DESC;
                    sites.rewritten(site);
                    return true;
                }
            }
            return false;
        }
        if (op == Opcodes.INVOKEINTERFACE && (mi.owner.equals("java/lang/Thread$Builder$OfPlatform") || mi.owner.equals("java/lang/Thread$Builder"))) {
            String desc = switch (nameDesc) {
                case "start(Ljava/lang/Runnable;)Ljava/lang/Thread;", "unstarted(Ljava/lang/Runnable;)Ljava/lang/Thread;" ->
                        "(Ljava/lang/Thread$Builder;Ljava/lang/Runnable;Ljava/lang/String;)Ljava/lang/Thread;";
                case "factory()" + TF -> "(Ljava/lang/Thread$Builder;Ljava/lang/String;)" + TF;
                default -> null;
            };
            if (desc == null) {
                return false;
            }
            String site = site(m, line, "Thread.Builder." + mi.name);
            code.insertBefore(mi, new LdcInsnNode(site));
            mi.setOpcode(Opcodes.INVOKESTATIC);
            mi.owner = BRIDGE;
            mi.desc = desc;
            mi.itf = false;
            sites.rewritten(site);
            return true;
        }
        if (op == Opcodes.INVOKEVIRTUAL) {
            if (mi.owner.equals("java/lang/Runtime")
                    && (nameDesc.equals("addShutdownHook(Ljava/lang/Thread;)V") || nameDesc.equals("removeShutdownHook(Ljava/lang/Thread;)Z"))) {
                mi.setOpcode(Opcodes.INVOKESTATIC);
                mi.desc = "(Ljava/lang/Runtime;" + mi.desc.substring(1);
                mi.owner = BRIDGE;
                return true;
            }
            boolean callSite = CALL_SITE_METHODS.contains(nameDesc) || (nameDesc.equals("run()V") && mi.owner.equals(THREAD));
            if (callSite && (mi.owner.equals(THREAD) || (!mi.owner.startsWith("java/") && types.isThread(loader, mi.owner)))) {
                toStatic(mi, mi.name);
                return true;
            }
        }
        return false;
    }

    /** {@code new ThreadPoolExecutor(...)} / {@code new ScheduledThreadPoolExecutor(...)} (or super calls) without a factory. */
    private boolean rewritePoolConstructor(MethodNode m, InsnList code, MethodInsnNode mi, int line) {
        boolean tpe = mi.owner.equals(TPE);
        if (!tpe && !mi.owner.equals(STPE)) {
            return false;
        }
        String plain = tpe ? "(" + TPE_ARGS + ")V" : "(I)V";
        String withHandler = tpe ? "(" + TPE_ARGS + REH + ")V" : "(I" + REH + ")V";
        String site = site(m, line, "new " + mi.owner.substring(mi.owner.lastIndexOf('/') + 1));
        if (mi.desc.equals(plain)) {
            code.insertBefore(mi, call("threadFactory", FACTORY_DESC, site));
            mi.desc = mi.desc.replace(")", TF + ")");
        } else if (mi.desc.equals(withHandler)) {
            InsnList before = call("threadFactory", FACTORY_DESC, site);
            before.add(new InsnNode(Opcodes.SWAP));
            code.insertBefore(mi, before);
            mi.desc = mi.desc.replace(REH + ")", TF + REH + ")");
        } else {
            return false;
        }
        sites.rewritten(site);
        return true;
    }

    /** Method references to the same methods ({@code Thread::currentThread}, {@code Thread::isAlive}). */
    private boolean rewriteHandles(InvokeDynamicInsnNode indy) {
        boolean changed = false;
        for (int i = 0; i < indy.bsmArgs.length; i++) {
            if (!(indy.bsmArgs[i] instanceof Handle h)) {
                continue;
            }
            String nameDesc = h.getName() + h.getDesc();
            if (h.getTag() == Opcodes.H_INVOKESTATIC && STATICS.containsKey(h.getOwner() + "." + nameDesc)) {
                indy.bsmArgs[i] = new Handle(Opcodes.H_INVOKESTATIC, BRIDGE, STATICS.get(h.getOwner() + "." + nameDesc), h.getDesc(), false);
                changed = true;
            } else if (h.getTag() == Opcodes.H_INVOKEVIRTUAL && h.getOwner().equals(THREAD) && CALL_SITE_METHODS.contains(nameDesc)) {
                indy.bsmArgs[i] = new Handle(Opcodes.H_INVOKESTATIC, BRIDGE, h.getName(), receiverFirst(h.getDesc()), false);
                changed = true;
            }
        }
        return changed;
    }

    private static boolean isOverride(String nameDesc) {
        for (String[] o : OVERRIDES) {
            if (nameDesc.equals(o[0] + o[1])) {
                return true;
            }
        }
        return false;
    }

    private static void toStatic(MethodInsnNode mi, String bridgeName) {
        mi.setOpcode(Opcodes.INVOKESTATIC);
        mi.desc = receiverFirst(mi.desc);
        mi.owner = BRIDGE;
        mi.name = bridgeName;
        mi.itf = false;
    }

    private static String receiverFirst(String desc) {
        return "(Ljava/lang/Thread;" + desc.substring(1);
    }

    private static InsnList call(String name, String desc, String site) {
        InsnList l = new InsnList();
        l.add(new LdcInsnNode(site));
        l.add(new MethodInsnNode(Opcodes.INVOKESTATIC, BRIDGE, name, desc, false));
        return l;
    }

    private String site(MethodNode m, int line, String what) {
        String cls = cn.name.replace('/', '.');
        String where = cn.sourceFile != null && line > 0 ? cn.sourceFile + ":" + line : cn.sourceFile != null ? cn.sourceFile : "Unknown Source";
        return cls + "." + m.name + "(" + where + ") " + what;
    }
}
