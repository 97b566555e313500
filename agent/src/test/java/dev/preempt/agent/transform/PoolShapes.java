package dev.preempt.agent.transform;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/** javac's shapes of the JDK-pool calls that {@link PoolCallRewriter} redirects (and one it must leave). */
public class PoolShapes {
    public static String futures() {
        CompletableFuture<Integer> a = CompletableFuture.supplyAsync(() -> 2);
        CompletableFuture<Integer> b = a.thenApplyAsync(x -> x * 10).thenCombineAsync(a, Integer::sum);
        CompletionStage<Integer> s = b;
        CompletableFuture<Void> r = CompletableFuture.runAsync(() -> { });
        String inArgs = String.valueOf(Math.max(1, b.handleAsync((v, e) -> v).join())); // inside an expression: the stack below stays
        Function<Supplier<Integer>, CompletableFuture<Integer>> ref = CompletableFuture::supplyAsync;
        CompletableFuture<Integer> late = CompletableFuture.supplyAsync(() -> 5, CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS));
        return s.thenApplyAsync(x -> x + 1).toCompletableFuture().join() + " " + r.join() + " " + inArgs + " "
                + ref.apply(() -> 3).join() + " " + late.join() + " " + new CompletableFuture<String>().completeAsync(() -> "c").join();
    }

    public static String pools() throws Exception {
        ExecutorService p = Executors.newWorkStealingPool(2);
        ForkJoinPool cast = (ForkJoinPool) Executors.newWorkStealingPool();
        try {
            return p.submit(() -> "ws").get() + " " + cast.submit(() -> "fj").get();
        } finally {
            p.shutdown();
            cast.shutdown();
        }
    }
}
