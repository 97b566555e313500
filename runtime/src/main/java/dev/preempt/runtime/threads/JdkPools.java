package dev.preempt.runtime.threads;

import dev.preempt.runtime.scheduler.PreemptScheduler;
import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Where the app's uses of the JDK's own pools are redirected under {@code threads=map}: every
 * {@code CompletableFuture}/{@code CompletionStage} {@code *Async} call without an executor, and
 * {@code Executors.newWorkStealingPool}. Each method has the JDK call's descriptor (an instance method
 * becomes a static one taking the receiver first), so the agent swaps the call instruction and nothing else.
 *
 * <p>A {@code *Async} call without an executor is, in the JDK (25), the same code as the overload with one,
 * given {@code defaultExecutor()} (the common pool). So the bridge calls that overload with {@link #ASYNC},
 * which starts each task as a virtual thread on preempt's scheduler, when that is what the receiver's own
 * method would have done with its default executor: the receiver is a plain {@code CompletableFuture}, or a
 * subclass that overrides neither {@code defaultExecutor()} nor any method of the name called (a subclass
 * that chose its executor, or changed the method, keeps its choice; {@code MinimalStage}'s refusing
 * {@code completeAsync} too). Any other {@code CompletionStage} is called as written. When preempt's
 * scheduler is not running, every method is the JDK call.
 */
public final class JdkPools {
    private JdkPools() {}

    /** Thread name of a redirected async task, so that {@code priority=} globs and thread dumps can tell it. */
    static final String ASYNC_NAME = "CompletableFuture-async";

    /**
     * preempt's stand-in for {@code CompletableFuture.defaultExecutor()}: each task starts at once on a
     * virtual thread of its own, kept for the next task when it ends ({@link AsyncWorkers}).
     */
    static final Executor ASYNC = JdkPools::startAsync;

    /** The workers of {@link #ASYNC}, made for the scheduler running when first used. */
    private static volatile AsyncWorkers asyncWorkers;

    private static final AtomicInteger POOLS = new AtomicInteger();

    /**
     * Names (declared below {@code CompletableFuture}) of methods a subclass overrides, per subclass:
     * a subclass overriding the called method or {@code defaultExecutor} keeps the JDK's path.
     */
    private static final ClassValue<Set<String>> OVERRIDDEN = new ClassValue<>() {
        @Override
        protected Set<String> computeValue(Class<?> type) {
            Set<String> names = new HashSet<>();
            try {
                for (Class<?> c = type; c != null && c != CompletableFuture.class; c = c.getSuperclass()) {
                    for (Method m : c.getDeclaredMethods()) {
                        names.add(m.getName());
                    }
                }
            } catch (LinkageError e) {
                names.add("defaultExecutor"); // a signature names a class that is absent: leave the subclass to the JDK
            }
            return names;
        }
    };

    /**
     * A task as the common pool would run it, but on preempt: the common pool's workers run each top-level
     * task with the system class loader as context loader and no thread-locals left by others
     * ({@code InnocuousForkJoinWorkerThread}); a fresh virtual thread that inherits nothing does the same.
     */
    private static void startAsync(Runnable task) {
        PreemptScheduler s = PreemptScheduler.active();
        if (s == null) {
            ForkJoinPool.commonPool().execute(task); // the scheduler is gone (JVM exit): the JDK's default
            return;
        }
        AsyncWorkers workers = asyncWorkers;
        if (workers == null || workers.scheduler() != s) {
            asyncWorkers = workers = new AsyncWorkers(s, ASYNC_NAME); // a race makes two pools, each correct
        }
        workers.execute(task);
    }

    static Thread newThread(PreemptScheduler s, String name, Runnable task) {
        // A builder per thread: its executor binds the thread, so every submission skips the scheduler's map.
        Thread t = s.newBuilder().name(name).inheritInheritableThreadLocals(false).unstarted(task);
        t.setContextClassLoader(ClassLoader.getSystemClassLoader());
        return t;
    }

    /** The executor to hand {@code f}'s overload of {@code method}, or null to call it as written. */
    private static Executor executorFor(CompletableFuture<?> f, String method) {
        if (PreemptScheduler.active() == null) {
            return null;
        }
        Class<?> c = f.getClass();
        if (c == CompletableFuture.class) {
            return ASYNC;
        }
        Set<String> overridden = OVERRIDDEN.get(c);
        return overridden.contains(method) || overridden.contains("defaultExecutor") ? null : ASYNC;
    }

    // ---- Executors.newWorkStealingPool --------------------------------------------------------------

    /** {@code Executors.newWorkStealingPool()}: see {@link #newWorkStealingPool(int)}. */
    public static ExecutorService newWorkStealingPool() {
        return newWorkStealingPool(Runtime.getRuntime().availableProcessors());
    }

    /**
     * {@code Executors.newWorkStealingPool(parallelism)}: one virtual thread per task on preempt's scheduler
     * (names {@code WorkStealingPool-N-worker}), so a hog among its tasks is time-sliced with the app's
     * other threads. The parallelism is checked as the JDK checks it; the CPU parallelism is then preempt's
     * carriers', and tasks are not queued behind {@code parallelism} (docs/threads.md says why).
     */
    public static ExecutorService newWorkStealingPool(int parallelism) {
        PreemptScheduler s = PreemptScheduler.active();
        if (s == null) {
            return Executors.newWorkStealingPool(parallelism);
        }
        if (parallelism <= 0 || parallelism > 0x7fff) { // ForkJoinPool's MAX_CAP
            throw new IllegalArgumentException("parallelism " + parallelism + " is not in 1.." + 0x7fff);
        }
        String name = "WorkStealingPool-" + POOLS.incrementAndGet() + "-worker";
        ThreadFactory perTask = task -> newThread(s, name, task);
        return Executors.newThreadPerTaskExecutor(perTask);
    }

    // ---- CompletableFuture statics ------------------------------------------------------------------

    public static <U> CompletableFuture<U> supplyAsync(Supplier<U> supplier) {
        return PreemptScheduler.active() == null ? CompletableFuture.supplyAsync(supplier) : CompletableFuture.supplyAsync(supplier, ASYNC);
    }

    public static CompletableFuture<Void> runAsync(Runnable runnable) {
        return PreemptScheduler.active() == null ? CompletableFuture.runAsync(runnable) : CompletableFuture.runAsync(runnable, ASYNC);
    }

    /** The delay is still kept by the JDK's delay scheduler thread; the task then starts on preempt. */
    public static Executor delayedExecutor(long delay, TimeUnit unit) {
        return PreemptScheduler.active() == null ? CompletableFuture.delayedExecutor(delay, unit)
                : CompletableFuture.delayedExecutor(delay, unit, ASYNC);
    }

    // ---- CompletableFuture instance methods (receiver first) ----------------------------------------

    public static <T, U> CompletableFuture<U> thenApplyAsync(CompletableFuture<T> f, Function<? super T, ? extends U> fn) {
        Executor e = executorFor(f, "thenApplyAsync");
        return e == null ? f.thenApplyAsync(fn) : f.thenApplyAsync(fn, e);
    }

    public static <T> CompletableFuture<Void> thenAcceptAsync(CompletableFuture<T> f, Consumer<? super T> action) {
        Executor e = executorFor(f, "thenAcceptAsync");
        return e == null ? f.thenAcceptAsync(action) : f.thenAcceptAsync(action, e);
    }

    public static <T> CompletableFuture<Void> thenRunAsync(CompletableFuture<T> f, Runnable action) {
        Executor e = executorFor(f, "thenRunAsync");
        return e == null ? f.thenRunAsync(action) : f.thenRunAsync(action, e);
    }

    public static <T, U, V> CompletableFuture<V> thenCombineAsync(CompletableFuture<T> f, CompletionStage<? extends U> other,
            BiFunction<? super T, ? super U, ? extends V> fn) {
        Executor e = executorFor(f, "thenCombineAsync");
        return e == null ? f.thenCombineAsync(other, fn) : f.thenCombineAsync(other, fn, e);
    }

    public static <T, U> CompletableFuture<Void> thenAcceptBothAsync(CompletableFuture<T> f, CompletionStage<? extends U> other,
            BiConsumer<? super T, ? super U> action) {
        Executor e = executorFor(f, "thenAcceptBothAsync");
        return e == null ? f.thenAcceptBothAsync(other, action) : f.thenAcceptBothAsync(other, action, e);
    }

    public static <T> CompletableFuture<Void> runAfterBothAsync(CompletableFuture<T> f, CompletionStage<?> other, Runnable action) {
        Executor e = executorFor(f, "runAfterBothAsync");
        return e == null ? f.runAfterBothAsync(other, action) : f.runAfterBothAsync(other, action, e);
    }

    public static <T, U> CompletableFuture<U> applyToEitherAsync(CompletableFuture<T> f, CompletionStage<? extends T> other,
            Function<? super T, U> fn) {
        Executor e = executorFor(f, "applyToEitherAsync");
        return e == null ? f.applyToEitherAsync(other, fn) : f.applyToEitherAsync(other, fn, e);
    }

    public static <T> CompletableFuture<Void> acceptEitherAsync(CompletableFuture<T> f, CompletionStage<? extends T> other,
            Consumer<? super T> action) {
        Executor e = executorFor(f, "acceptEitherAsync");
        return e == null ? f.acceptEitherAsync(other, action) : f.acceptEitherAsync(other, action, e);
    }

    public static <T> CompletableFuture<Void> runAfterEitherAsync(CompletableFuture<T> f, CompletionStage<?> other, Runnable action) {
        Executor e = executorFor(f, "runAfterEitherAsync");
        return e == null ? f.runAfterEitherAsync(other, action) : f.runAfterEitherAsync(other, action, e);
    }

    public static <T, U> CompletableFuture<U> thenComposeAsync(CompletableFuture<T> f, Function<? super T, ? extends CompletionStage<U>> fn) {
        Executor e = executorFor(f, "thenComposeAsync");
        return e == null ? f.thenComposeAsync(fn) : f.thenComposeAsync(fn, e);
    }

    public static <T> CompletableFuture<T> whenCompleteAsync(CompletableFuture<T> f, BiConsumer<? super T, ? super Throwable> action) {
        Executor e = executorFor(f, "whenCompleteAsync");
        return e == null ? f.whenCompleteAsync(action) : f.whenCompleteAsync(action, e);
    }

    public static <T, U> CompletableFuture<U> handleAsync(CompletableFuture<T> f, BiFunction<? super T, Throwable, ? extends U> fn) {
        Executor e = executorFor(f, "handleAsync");
        return e == null ? f.handleAsync(fn) : f.handleAsync(fn, e);
    }

    public static <T> CompletableFuture<T> exceptionallyAsync(CompletableFuture<T> f, Function<Throwable, ? extends T> fn) {
        Executor e = executorFor(f, "exceptionallyAsync");
        return e == null ? f.exceptionallyAsync(fn) : f.exceptionallyAsync(fn, e);
    }

    public static <T> CompletableFuture<T> exceptionallyComposeAsync(CompletableFuture<T> f,
            Function<Throwable, ? extends CompletionStage<T>> fn) {
        Executor e = executorFor(f, "exceptionallyComposeAsync");
        return e == null ? f.exceptionallyComposeAsync(fn) : f.exceptionallyComposeAsync(fn, e);
    }

    public static <T> CompletableFuture<T> completeAsync(CompletableFuture<T> f, Supplier<? extends T> supplier) {
        Executor e = executorFor(f, "completeAsync");
        return e == null ? f.completeAsync(supplier) : f.completeAsync(supplier, e);
    }

    // ---- CompletionStage (interface calls): a CompletableFuture as above, any other stage as written --

    public static <T, U> CompletionStage<U> thenApplyAsync(CompletionStage<T> s, Function<? super T, ? extends U> fn) {
        return s instanceof CompletableFuture<T> f ? thenApplyAsync(f, fn) : s.thenApplyAsync(fn);
    }

    public static <T> CompletionStage<Void> thenAcceptAsync(CompletionStage<T> s, Consumer<? super T> action) {
        return s instanceof CompletableFuture<T> f ? thenAcceptAsync(f, action) : s.thenAcceptAsync(action);
    }

    public static <T> CompletionStage<Void> thenRunAsync(CompletionStage<T> s, Runnable action) {
        return s instanceof CompletableFuture<T> f ? thenRunAsync(f, action) : s.thenRunAsync(action);
    }

    public static <T, U, V> CompletionStage<V> thenCombineAsync(CompletionStage<T> s, CompletionStage<? extends U> other,
            BiFunction<? super T, ? super U, ? extends V> fn) {
        return s instanceof CompletableFuture<T> f ? thenCombineAsync(f, other, fn) : s.thenCombineAsync(other, fn);
    }

    public static <T, U> CompletionStage<Void> thenAcceptBothAsync(CompletionStage<T> s, CompletionStage<? extends U> other,
            BiConsumer<? super T, ? super U> action) {
        return s instanceof CompletableFuture<T> f ? thenAcceptBothAsync(f, other, action) : s.thenAcceptBothAsync(other, action);
    }

    public static <T> CompletionStage<Void> runAfterBothAsync(CompletionStage<T> s, CompletionStage<?> other, Runnable action) {
        return s instanceof CompletableFuture<T> f ? runAfterBothAsync(f, other, action) : s.runAfterBothAsync(other, action);
    }

    public static <T, U> CompletionStage<U> applyToEitherAsync(CompletionStage<T> s, CompletionStage<? extends T> other,
            Function<? super T, U> fn) {
        return s instanceof CompletableFuture<T> f ? applyToEitherAsync(f, other, fn) : s.applyToEitherAsync(other, fn);
    }

    public static <T> CompletionStage<Void> acceptEitherAsync(CompletionStage<T> s, CompletionStage<? extends T> other,
            Consumer<? super T> action) {
        return s instanceof CompletableFuture<T> f ? acceptEitherAsync(f, other, action) : s.acceptEitherAsync(other, action);
    }

    public static <T> CompletionStage<Void> runAfterEitherAsync(CompletionStage<T> s, CompletionStage<?> other, Runnable action) {
        return s instanceof CompletableFuture<T> f ? runAfterEitherAsync(f, other, action) : s.runAfterEitherAsync(other, action);
    }

    public static <T, U> CompletionStage<U> thenComposeAsync(CompletionStage<T> s, Function<? super T, ? extends CompletionStage<U>> fn) {
        return s instanceof CompletableFuture<T> f ? thenComposeAsync(f, fn) : s.thenComposeAsync(fn);
    }

    public static <T> CompletionStage<T> whenCompleteAsync(CompletionStage<T> s, BiConsumer<? super T, ? super Throwable> action) {
        return s instanceof CompletableFuture<T> f ? whenCompleteAsync(f, action) : s.whenCompleteAsync(action);
    }

    public static <T, U> CompletionStage<U> handleAsync(CompletionStage<T> s, BiFunction<? super T, Throwable, ? extends U> fn) {
        return s instanceof CompletableFuture<T> f ? handleAsync(f, fn) : s.handleAsync(fn);
    }

    public static <T> CompletionStage<T> exceptionallyAsync(CompletionStage<T> s, Function<Throwable, ? extends T> fn) {
        return s instanceof CompletableFuture<T> f ? exceptionallyAsync(f, fn) : s.exceptionallyAsync(fn);
    }

    public static <T> CompletionStage<T> exceptionallyComposeAsync(CompletionStage<T> s,
            Function<Throwable, ? extends CompletionStage<T>> fn) {
        return s instanceof CompletableFuture<T> f ? exceptionallyComposeAsync(f, fn) : s.exceptionallyComposeAsync(fn);
    }
}
