package dev.octet.kernel;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Intra-op parallelism on threads the session owns (never the common pool). {@link #forEach} splits
 * {@code [0, tasks)} among the calling thread and the pool's workers; tasks must write disjoint outputs,
 * and each task's result may not depend on how tasks are grouped, so results are the same for any thread
 * count.
 */
public final class Parallel implements AutoCloseable {
    /** One thread: everything runs on the caller. */
    public static final Parallel SERIAL = new Parallel(1);
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final int threads;
    private final ExecutorService pool;

    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        if (threads == 1) {
            this.pool = null;
        } else {
            int id = POOLS.incrementAndGet();
            AtomicInteger n = new AtomicInteger();
            ThreadFactory f = r -> {
                Thread t = new Thread(r, "octet-" + id + "-worker-" + n.incrementAndGet());
                t.setDaemon(true); // a session the caller forgets to close must not keep the JVM alive
                return t;
            };
            this.pool = Executors.newFixedThreadPool(threads - 1, f);
        }
    }

    public int threads() {
        return threads;
    }

    /** Runs body(t) for every t in [0, tasks), spread over the threads; returns when all are done. */
    public void forEach(int tasks, IntConsumer body) {
        if (pool == null || tasks <= 1) {
            for (int t = 0; t < tasks; t++) {
                body.accept(t);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int t = next.getAndIncrement(); t < tasks; t = next.getAndIncrement()) {
                body.accept(t);
            }
        };
        int helpers = Math.min(threads, tasks) - 1;
        Future<?>[] futures = new Future<?>[helpers];
        for (int h = 0; h < helpers; h++) {
            futures[h] = pool.submit(worker);
        }
        RuntimeException failure = null;
        try {
            worker.run();
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for workers", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
