package dev.preempt.runtime.threads;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;

/**
 * The one place that reaches into {@code java.lang.Thread}'s private state, so that a JDK change breaks one
 * class. Needs {@code java.lang} opened to the runtime, which the agent does with
 * {@code Instrumentation.redefineModule} before the first app class loads.
 *
 * <p>What it gives the thread bridge:
 * <ul>
 *   <li>{@code Thread}'s own implementations of the methods preempt overrides in the app's {@code Thread}
 *       subclasses ({@code start}, {@code interrupt}, ...), called non-virtually as {@code super.m()}
 *       would, for a subclass instance that preempt does not map;</li>
 *   <li>the {@code Runnable} a platform {@code Thread} was constructed with, its own uncaught-exception
 *       handler and its inheritable thread-locals, so a mapped virtual thread gets exactly what the
 *       platform thread would have had.</li>
 * </ul>
 */
final class ThreadInternals {
    private static final MethodHandle START;
    private static final MethodHandle INTERRUPT;
    private static final MethodHandle IS_INTERRUPTED;
    private static final MethodHandle GET_STATE;
    private static final MethodHandle GET_STACK_TRACE;
    private static final MethodHandle SET_CONTEXT_CLASS_LOADER;
    private static final VarHandle HOLDER;
    private static final VarHandle TASK;
    private static final VarHandle INHERITABLE_THREAD_LOCALS;
    private static final VarHandle OWN_HANDLER;

    static {
        try {
            MethodHandles.Lookup thread = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup());
            START = special(thread, "start", MethodType.methodType(void.class));
            INTERRUPT = special(thread, "interrupt", MethodType.methodType(void.class));
            IS_INTERRUPTED = special(thread, "isInterrupted", MethodType.methodType(boolean.class));
            GET_STATE = special(thread, "getState", MethodType.methodType(Thread.State.class));
            GET_STACK_TRACE = special(thread, "getStackTrace", MethodType.methodType(StackTraceElement[].class));
            SET_CONTEXT_CLASS_LOADER = special(thread, "setContextClassLoader", MethodType.methodType(void.class, ClassLoader.class));
            Class<?> holderClass = Class.forName("java.lang.Thread$FieldHolder");
            HOLDER = thread.findVarHandle(Thread.class, "holder", holderClass);
            TASK = MethodHandles.privateLookupIn(holderClass, MethodHandles.lookup()).findVarHandle(holderClass, "task", Runnable.class);
            Class<?> mapClass = Class.forName("java.lang.ThreadLocal$ThreadLocalMap");
            INHERITABLE_THREAD_LOCALS = thread.findVarHandle(Thread.class, "inheritableThreadLocals", mapClass);
            OWN_HANDLER = thread.findVarHandle(Thread.class, "uncaughtExceptionHandler", Thread.UncaughtExceptionHandler.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("java.lang.Thread of this JDK lacks what preempt maps threads with: " + e);
        }
    }

    private ThreadInternals() {}

    private static MethodHandle special(MethodHandles.Lookup thread, String name, MethodType type) throws ReflectiveOperationException {
        return thread.findSpecial(Thread.class, name, type, Thread.class);
    }

    static void start(Thread t) {
        try {
            START.invokeExact(t);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static void interrupt(Thread t) {
        try {
            INTERRUPT.invokeExact(t);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static boolean isInterrupted(Thread t) {
        try {
            return (boolean) IS_INTERRUPTED.invokeExact(t);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static Thread.State getState(Thread t) {
        try {
            return (Thread.State) GET_STATE.invokeExact(t);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static StackTraceElement[] getStackTrace(Thread t) {
        try {
            return (StackTraceElement[]) GET_STACK_TRACE.invokeExact(t);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static void setContextClassLoader(Thread t, ClassLoader cl) {
        try {
            SET_CONTEXT_CLASS_LOADER.invokeExact(t, cl);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** The Runnable a platform thread was constructed with, or null (a subclass overriding run, or none). */
    static Runnable task(Thread platform) {
        Object holder = HOLDER.get(platform);
        return holder == null ? null : (Runnable) TASK.get(holder);
    }

    /** The handler set on the thread itself, not its group's. */
    static Thread.UncaughtExceptionHandler ownHandler(Thread t) {
        return (Thread.UncaughtExceptionHandler) OWN_HANDLER.get(t);
    }

    /** Moves the inheritable thread-locals a thread was constructed with to another, unstarted one. */
    static void moveInheritableThreadLocals(Thread from, Thread to) {
        INHERITABLE_THREAD_LOCALS.set(to, INHERITABLE_THREAD_LOCALS.get(from));
    }

    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        throw new IllegalStateException(e);
    }
}
