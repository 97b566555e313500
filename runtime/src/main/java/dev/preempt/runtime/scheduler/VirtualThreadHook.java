package dev.preempt.runtime.scheduler;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.util.concurrent.Executor;

/**
 * The one place that touches the JDK's private scheduler hook, so that a public API (if one comes) replaces
 * this class only. Relies on JDK 25: {@code java.lang.ThreadBuilders$VirtualThreadBuilder(Executor)} builds
 * virtual threads that submit {@code VirtualThread.runContinuation} (a bound method reference
 * {@code this::runContinuation}, the same object for the thread's whole life) to the executor. Needs
 * {@code java.lang} opened to this module, which the agent does with {@code Instrumentation.redefineModule}.
 */
final class VirtualThreadHook {
    private final Constructor<?> builderConstructor;
    /**
     * {@code Thread.currentCarrierThread()} (static, package-private, an intrinsic: one load of the JVM
     * thread's carrier field), or null where {@code java.lang} is not open to us (unit tests).
     */
    private static final MethodHandle CURRENT_CARRIER = currentCarrierHandle();

    private static MethodHandle currentCarrierHandle() {
        try {
            return MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup())
                    .findStatic(Thread.class, "currentCarrierThread", MethodType.methodType(Thread.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The platform thread that runs the caller: the caller itself, or the carrier of the virtual thread
     * that calls; null if the JDK's accessor is not reachable.
     */
    static Thread currentCarrier() {
        MethodHandle h = CURRENT_CARRIER;
        if (h == null) {
            return null;
        }
        try {
            return (Thread) h.invokeExact();
        } catch (Throwable t) {
            return null;
        }
    }

    private VirtualThreadHook(Constructor<?> c) {
        this.builderConstructor = c;
    }

    /** The hook, or an exception that says why this JDK does not offer it. */
    static VirtualThreadHook open() throws ReflectiveOperationException {
        Class<?> builder = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
        Constructor<?> c = builder.getDeclaredConstructor(Executor.class);
        c.setAccessible(true);
        return new VirtualThreadHook(c);
    }

    /** A new virtual-thread builder whose threads run on {@code scheduler}. */
    Thread.Builder.OfVirtual builder(Executor scheduler) {
        try {
            return (Thread.Builder.OfVirtual) builderConstructor.newInstance(scheduler);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create a virtual-thread builder on preempt's scheduler", e);
        }
    }

    /**
     * The virtual thread a submitted {@code runContinuation} belongs to: the one captured argument of the
     * bound method reference. Read once per thread, at its first submission.
     */
    static Thread threadOf(Runnable runContinuation) {
        for (Field f : runContinuation.getClass().getDeclaredFields()) {
            if (Thread.class.isAssignableFrom(f.getType())) {
                try {
                    f.setAccessible(true);
                    return (Thread) f.get(runContinuation);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    throw new IllegalStateException("cannot read the thread of " + runContinuation.getClass(), e);
                }
            }
        }
        throw new IllegalStateException("not a virtual thread's continuation: " + runContinuation.getClass());
    }
}
