package dev.octet.kernel;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Intra-op parallelism on threads the session owns (never the common pool). {@link #forEach} splits
 * {@code [0, tasks)} among the calling thread and the workers; tasks must write disjoint outputs, and each
 * task's result may not depend on how tasks are grouped, so results are the same for any thread count.
 *
 * <p>An inference hands out many short jobs back to back (one per operator), so workers spin for a moment
 * after each job before parking: the next job usually arrives within that window and starts without a
 * thread wake-up, which costs more than a small operator itself.
 */
public final class Parallel implements AutoCloseable {
    private static final AtomicInteger POOLS = new AtomicInteger();
    /** One thread: everything runs on the caller. */
    public static final Parallel SERIAL = new Parallel(1);
    /** How long an idle worker, or a caller waiting for the workers, spins before parking. */
    private static final long SPIN_NANOS = 50_000;

    private final int threads;
    private final Thread[] workers;
    /** The job in progress; cleared when it is done, so no thread keeps its body (and the arrays it captured). */
    private final AtomicReference<Job> current = new AtomicReference<>();
    private final java.util.concurrent.atomic.AtomicLong jobs = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean closed;

    /** One forEach call: tasks are claimed by index; the caller waits until all are done. */
    private static final class Job {
        /** A number no other job of the pool has: workers remember it, not the job. */
        final long id;
        final int tasks;
        final IntConsumer body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final Thread caller;
        /** The first task's failure, rethrown as it is on the caller's thread (an Error stays an Error). */
        volatile Throwable failure;

        Job(long id, int tasks, IntConsumer body, Thread caller) {
            this.id = id;
            this.tasks = tasks;
            this.body = body;
            this.caller = caller;
        }

        void work() {
            for (int t = next.getAndIncrement(); t < tasks; t = next.getAndIncrement()) {
                try {
                    body.accept(t);
                } catch (RuntimeException | Error e) {
                    if (failure == null) {
                        failure = e;
                    }
                } finally {
                    if (done.incrementAndGet() == tasks) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }
    }

    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        int id = threads == 1 ? 0 : POOLS.incrementAndGet();
        try {
            for (int w = 0; w < workers.length; w++) {
                Thread t = new Thread(this::workLoop, "octet-" + id + "-worker-" + (w + 1));
                t.setDaemon(true); // a session the caller forgets to close must not keep the JVM alive
                workers[w] = t;
                t.start();
            }
        } catch (OutOfMemoryError e) {
            // "unable to create native thread": stop the workers already started, then report it typed.
            close();
            throw new OctetException(ErrorCode.RESOURCE_LIMIT, "cannot start " + threads + " threads: " + e.getMessage(), e);
        }
    }

    public int threads() {
        return threads;
    }

    /**
     * How many tasks to cut {@code n} units of work into: one below {@code minParallel} (waking the threads
     * costs tens of microseconds, more than a small operator), else a multiple of the thread count with about
     * {@code grain} units or more each, so every thread gets an equal share.
     */
    public int split(long n, long minParallel, long grain) {
        if (threads == 1 || n < minParallel) {
            return 1;
        }
        long rounds = Math.max(1, n / ((long) threads * grain));
        return (int) Math.min(Integer.MAX_VALUE, rounds * threads);
    }

    private void workLoop() {
        long seen = 0;
        for (Job j = nextJob(seen); j != null; j = nextJob(seen)) {
            seen = j.id;
            j.work();
            // No reference to a finished job may stay in this frame while the worker parks: it would keep the job's
            // body and everything it captured alive until the next job.
            j = null;
        }
    }

    /** The next job not yet seen, waiting (spinning, then parked) for it; null once the pool is closed. */
    private Job nextJob(long seen) {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (!closed) {
            Job j = current.get();
            if (j != null && j.id != seen) {
                return j;
            }
            j = null; // the same: not while parked
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
        return null;
    }

    /** Runs body(t) for every t in [0, tasks), spread over the threads; returns when all are done. */
    public void forEach(int tasks, IntConsumer body) {
        if (workers.length == 0 || tasks <= 1) {
            for (int t = 0; t < tasks; t++) {
                body.accept(t);
            }
            return;
        }
        if (closed) {
            throw new OctetException(ErrorCode.SESSION_CLOSED, "the session is closed: its worker threads have stopped");
        }
        Job j = new Job(jobs.incrementAndGet(), tasks, body, Thread.currentThread());
        current.set(j);
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        j.work();
        // The others' last tasks are usually microseconds from done: spin, as a park and wake-up costs tens.
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (j.done.get() < tasks) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 20_000);
            }
        }
        current.compareAndSet(j, null);
        switch (j.failure) {
            case null -> { }
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            default -> throw new IllegalStateException(j.failure);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
