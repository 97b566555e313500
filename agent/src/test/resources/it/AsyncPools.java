import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import java.util.function.*;
import java.util.stream.*;

/**
 * The JDK's pools as an app uses them. Modes:
 * <ul>
 *   <li>{@code latency HOGS SMALL}: HOGS CPU hogs by {@code CompletableFuture.runAsync(r)}, then SMALL small
 *       {@code runAsync} tasks 10 ms apart; prints how long each small task waited to start (p50, p99, max);</li>
 *   <li>{@code stealing HOGS SMALL}: the same on {@code Executors.newWorkStealingPool()};</li>
 *   <li>{@code results}: what chains, exceptions, joins, subclasses and ForkJoin pools compute ({@code r.*}
 *       lines, identical with and without the agent) and where the async work ran ({@code t.*} lines).</li>
 *   <li>{@code fresh TASKS}: TASKS {@code runAsync} tasks one after another, each leaving state on its thread
 *       (thread-locals, an interrupt, a context loader, a name, a handler) and each checking that it finds
 *       none left by an earlier one; then bursts of tasks that sleep, block on each other and spin, at random,
 *       all of which must run once; prints {@code f.*} lines.</li>
 * </ul>
 */
public class AsyncPools {
    static volatile boolean stop;

    public static void main(String[] a) throws Exception {
        switch (a[0]) {
            case "latency" -> latency(Integer.parseInt(a[1]), Integer.parseInt(a[2]), false);
            case "stealing" -> latency(Integer.parseInt(a[1]), Integer.parseInt(a[2]), true);
            case "results" -> results();
            case "fresh" -> fresh(Integer.parseInt(a[1]));
            default -> throw new IllegalArgumentException(a[0]);
        }
    }

    static long hog() {
        long x = 1;
        long end = System.nanoTime() + 20_000_000_000L; // a bound, should stop never be seen
        while (!stop && System.nanoTime() < end) {
            for (int i = 0; i < 1000; i++) x = x * 6364136223846793005L + 1;
        }
        return x;
    }

    static void latency(int hogs, int small, boolean stealing) throws Exception {
        ExecutorService pool = stealing ? Executors.newWorkStealingPool() : null;
        AtomicLong sink = new AtomicLong();
        List<Future<?>> hogFutures = new ArrayList<>();
        for (int i = 0; i < hogs; i++) {
            Runnable r = () -> sink.addAndGet(hog());
            hogFutures.add(stealing ? pool.submit(r) : CompletableFuture.runAsync(r));
        }
        Thread.sleep(200); // the hogs own the CPUs
        long[] waitedNanos = new long[small];
        CountDownLatch started = new CountDownLatch(small);
        for (int i = 0; i < small; i++) {
            int k = i;
            long submitted = System.nanoTime();
            Runnable r = () -> { waitedNanos[k] = System.nanoTime() - submitted; started.countDown(); };
            if (stealing) pool.execute(r); else CompletableFuture.runAsync(r);
            Thread.sleep(10);
        }
        boolean allStarted = started.await(3, TimeUnit.SECONDS);
        stop = true; // on a pool that never slices, the small tasks start only now
        started.await();
        for (Future<?> f : hogFutures) f.get();
        if (pool != null) { pool.shutdown(); pool.awaitTermination(10, TimeUnit.SECONDS); }
        long[] ms = Arrays.stream(waitedNanos).map(n -> n / 1_000_000).sorted().toArray();
        System.out.println("startedWhileHogsRan=" + allStarted);
        System.out.println("p50Millis=" + ms[ms.length / 2]);
        System.out.println("p99Millis=" + ms[(int) Math.ceil(ms.length * 0.99) - 1]);
        System.out.println("maxMillis=" + ms[ms.length - 1]);
    }

    static String where() {
        Thread t = Thread.currentThread();
        return t.isVirtual() ? "virtual" : "platform";
    }

    static void r(String k, Object v) { System.out.println("r." + k + "=" + v); }
    static void t(String k, String v) { System.out.println("t." + k + "=" + v); }

    /** Its own default executor: the JDK's documented way to choose one, which preempt must keep. */
    static final class OwnExecutorFuture<T> extends CompletableFuture<T> {
        static final Executor OWN = r -> { Thread t = new Thread(r, "own-executor"); t.start(); };
        @Override public Executor defaultExecutor() { return OWN; }
        @Override public <U> CompletableFuture<U> newIncompleteFuture() { return new OwnExecutorFuture<>(); }
    }

    /** A subclass that changes nothing about executors: redirected like a plain CompletableFuture. */
    static final class PlainSubFuture<T> extends CompletableFuture<T> {
        @Override public <U> CompletableFuture<U> newIncompleteFuture() { return new PlainSubFuture<>(); }
    }

    static void results() throws Exception {
        // supplyAsync chains, combined and composed
        CompletableFuture<Integer> a = CompletableFuture.supplyAsync(() -> 20);
        CompletableFuture<Integer> b = a.thenApplyAsync(x -> x + 1).thenApply(x -> x * 2);
        CompletableFuture<Integer> c = b.thenCombineAsync(CompletableFuture.supplyAsync(() -> 100), Integer::sum);
        CompletableFuture<String> d = c.thenComposeAsync(x -> CompletableFuture.supplyAsync(() -> "v" + x));
        r("chain", d.join());
        // where the async work ran, and its context
        t("supplyAsync", CompletableFuture.supplyAsync(AsyncPools::where).join());
        t("thenApplyAsync", a.thenApplyAsync(x -> where()).join());
        t("runAsync", runWhere(f -> CompletableFuture.runAsync(f)));
        r("contextLoaderIsSystem", CompletableFuture.supplyAsync(() -> Thread.currentThread().getContextClassLoader() == ClassLoader.getSystemClassLoader()).join());
        InheritableThreadLocal<String> itl = new InheritableThreadLocal<>();
        itl.set("main's");
        r("inheritedThreadLocal", CompletableFuture.supplyAsync(itl::get).join());
        r("daemon", CompletableFuture.supplyAsync(() -> Thread.currentThread().isDaemon()).join());
        // exceptions
        CompletableFuture<Integer> failed = CompletableFuture.supplyAsync(() -> { throw new IllegalStateException("boom"); });
        r("exceptionally", failed.exceptionally(e -> -1).join());
        r("exceptionallyAsync", failed.exceptionallyAsync(e -> -2).join());
        r("exceptionallyComposeAsync", failed.exceptionallyComposeAsync(e -> CompletableFuture.supplyAsync(() -> -3)).join());
        r("handleAsync", failed.handleAsync((v, e) -> e.getCause().getMessage()).join());
        try { failed.join(); r("join", "no exception"); } catch (CompletionException e) { r("join", e.getCause()); }
        try { failed.get(); } catch (ExecutionException e) { r("get", e.getCause()); }
        AtomicReference<String> seen = new AtomicReference<>();
        failed.whenCompleteAsync((v, e) -> seen.set(String.valueOf(e.getCause()))).exceptionally(e -> null).join();
        r("whenCompleteAsync", seen.get());
        // allOf, anyOf, either, both
        List<CompletableFuture<Integer>> many = IntStream.range(0, 50).mapToObj(i -> CompletableFuture.supplyAsync(() -> i * i)).toList();
        CompletableFuture.allOf(many.toArray(CompletableFuture[]::new)).join();
        r("allOf", many.stream().mapToInt(CompletableFuture::join).sum());
        r("anyOf", CompletableFuture.anyOf(CompletableFuture.supplyAsync(() -> 7)).join());
        CompletableFuture<Integer> never = new CompletableFuture<>();
        r("applyToEitherAsync", a.applyToEitherAsync(never, x -> x * 3).join());
        AtomicInteger acc = new AtomicInteger();
        a.acceptEitherAsync(never, acc::addAndGet).join();
        a.thenAcceptBothAsync(b, (x, y) -> acc.addAndGet(x + y)).join();
        a.runAfterBothAsync(b, acc::incrementAndGet).join();
        a.runAfterEitherAsync(never, acc::incrementAndGet).join();
        a.thenAcceptAsync(acc::addAndGet).join();
        a.thenRunAsync(acc::incrementAndGet).join();
        r("accumulated", acc.get());
        r("completeAsync", new CompletableFuture<String>().completeAsync(() -> "done").join());
        r("delayedExecutor", CompletableFuture.supplyAsync(() -> "late", CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS)).join());
        t("delayedExecutor", CompletableFuture.supplyAsync(AsyncPools::where, CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS)).join());
        // CompletionStage-typed calls and method references
        CompletionStage<Integer> stage = a;
        r("stage", stage.thenApplyAsync(x -> x + 1).thenCombineAsync(stage, Integer::sum).toCompletableFuture().join());
        t("stage", stage.thenApplyAsync(x -> where()).toCompletableFuture().join());
        Function<Supplier<String>, CompletableFuture<String>> ref = CompletableFuture::supplyAsync;
        t("methodReference", ref.apply(AsyncPools::where).join());
        // the JDK's minimal stage refuses completeAsync; its async methods still work
        CompletionStage<Integer> minimal = CompletableFuture.completedStage(5);
        r("minimalStage", minimal.thenApplyAsync(x -> x * 2).toCompletableFuture().join());
        try { ((CompletableFuture<Integer>) minimal).completeAsync(() -> 1); r("minimalCompleteAsync", "allowed"); }
        catch (UnsupportedOperationException e) { r("minimalCompleteAsync", "UnsupportedOperationException"); }
        // subclasses: one with its own default executor keeps it, one without is like CompletableFuture
        OwnExecutorFuture<Integer> own = new OwnExecutorFuture<>();
        own.complete(1);
        r("ownExecutor", own.thenApplyAsync(x -> Thread.currentThread().getName()).join());
        CompletableFuture<Integer> plain = new PlainSubFuture<>(); // typed as CompletableFuture, as code passes futures around
        plain.complete(2);
        CompletableFuture<Integer> plainNext = plain.thenApplyAsync(x -> x + 1);
        r("plainSubclass", plainNext.join() + " " + plainNext.getClass().getSimpleName());
        t("plainSubclass", plain.thenApplyAsync(x -> where()).join());
        // ForkJoin pools are the JDK's: fork/join, ManagedBlocker, parallel streams, the common pool
        r("forkJoinSum", new ForkJoinPool(2).invoke(new Sum(0, 2_000_000)));
        r("commonPoolSum", ForkJoinPool.commonPool().invoke(new Sum(0, 1_000_000)));
        r("managedBlocker", managedBlocker());
        r("parallelStream", LongStream.range(0, 1_000_000).parallel().map(x -> x % 7).sum());
        ForkJoinPool cast = (ForkJoinPool) Executors.newWorkStealingPool();
        r("workStealingCastToForkJoinPool", cast.invoke(new Sum(0, 1000)));
        ExecutorService stealing = Executors.newWorkStealingPool(2);
        List<Callable<Integer>> calls = IntStream.range(0, 20).<Callable<Integer>>mapToObj(i -> () -> i).toList();
        int sum = 0;
        for (Future<Integer> f : stealing.invokeAll(calls)) sum += f.get();
        r("workStealingInvokeAll", sum);
        t("workStealing", stealing.submit(AsyncPools::where).get());
        stealing.shutdown();
        r("workStealingTerminated", stealing.awaitTermination(10, TimeUnit.SECONDS));
        try { Executors.newWorkStealingPool(0); r("workStealingZero", "accepted"); }
        catch (IllegalArgumentException e) { r("workStealingZero", "IllegalArgumentException"); }
        t("forkJoin", new ForkJoinPool(1).submit(AsyncPools::where).get());
    }

    static final ThreadLocal<String> LEFT = new ThreadLocal<>();
    static final InheritableThreadLocal<String> LEFT_INHERITABLE = new InheritableThreadLocal<>();

    static void fresh(int tasks) throws Exception {
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        List<String> stale = new ArrayList<>();
        ClassLoader other = new java.net.URLClassLoader(new java.net.URL[0]);
        for (int i = 0; i < tasks; i++) {
            int n = i;
            String found = CompletableFuture.supplyAsync(() -> {
                Thread me = Thread.currentThread();
                threads.add(me);
                String seen = (LEFT.get() != null ? " threadLocal" : "") + (LEFT_INHERITABLE.get() != null ? " inheritable" : "")
                        + (me.isInterrupted() ? " interrupted" : "") + (me.getContextClassLoader() != ClassLoader.getSystemClassLoader() ? " contextLoader" : "")
                        + (me.getName().startsWith("renamed") ? " name" : "") + (me.getUncaughtExceptionHandler() != me.getThreadGroup() ? " handler" : "");
                LEFT.set("task " + n);
                LEFT_INHERITABLE.set("task " + n);
                me.setContextClassLoader(other);
                me.setName("renamed-" + n);
                me.setUncaughtExceptionHandler((t, e) -> {});
                me.interrupt();
                return seen;
            }).join();
            if (!found.isEmpty()) stale.add(n + ":" + found);
        }
        System.out.println("f.stale=" + stale);
        System.out.println("f.threads=" + threads.size());
        // bursts that sleep, block on each other and spin: every task runs exactly once
        Random random = new Random(7);
        AtomicIntegerArray ran = new AtomicIntegerArray(20_000);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int burst = 0; burst < 40; burst++) {
            CountDownLatch pair = new CountDownLatch(2);
            for (int k = 0; k < 500; k++) {
                int id = burst * 500 + k;
                int kind = random.nextInt(10);
                all.add(CompletableFuture.runAsync(() -> {
                    ran.incrementAndGet(id);
                    try {
                        if (id % 500 < 2) { pair.countDown(); pair.await(); } // the first two tasks of a burst wait for each other
                        else if (kind == 0) Thread.sleep(1 + id % 3);
                        else if (kind == 1) { long x = id; for (int j = 0; j < 20_000; j++) x = x * 31 + j; if (x == 42) System.out.print(""); }
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            if (random.nextBoolean()) Thread.sleep(random.nextInt(5));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        int wrong = 0;
        for (int i = 0; i < ran.length(); i++) if (ran.get(i) != 1) wrong++;
        System.out.println("f.burstTasks=" + all.size());
        System.out.println("f.notOnce=" + wrong);
    }

    static String runWhere(Function<Runnable, CompletableFuture<Void>> submit) {
        AtomicReference<String> w = new AtomicReference<>();
        submit.apply(() -> w.set(where())).join();
        return w.get();
    }

    static final class Sum extends RecursiveTask<Long> {
        final long from, to;
        Sum(long from, long to) { this.from = from; this.to = to; }
        @Override protected Long compute() {
            if (to - from <= 10_000) { long s = 0; for (long i = from; i < to; i++) s += i; return s; }
            long mid = (from + to) >>> 1;
            Sum left = new Sum(from, mid);
            left.fork();
            return new Sum(mid, to).compute() + left.join();
        }
    }

    /** Four tasks on a pool of parallelism 1 that each block until all four arrived: only compensation gets them there. */
    static String managedBlocker() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(1);
        CountDownLatch all = new CountDownLatch(4);
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            fs.add(pool.submit(() -> {
                all.countDown();
                try {
                    ForkJoinPool.managedBlock(new ForkJoinPool.ManagedBlocker() {
                        public boolean block() throws InterruptedException { all.await(); return true; }
                        public boolean isReleasable() { return all.getCount() == 0; }
                    });
                } catch (InterruptedException e) { throw new RuntimeException(e); }
            }));
        }
        for (Future<?> f : fs) f.get(20, TimeUnit.SECONDS);
        pool.shutdown();
        return "all four met";
    }
}
