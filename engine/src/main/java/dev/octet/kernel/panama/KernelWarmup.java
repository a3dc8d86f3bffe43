package dev.octet.kernel.panama;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The background warm-up behind {@link WarmingKernelProvider}: a daemon thread that first makes C2 compile the
 * scalar paths a first inference runs ({@link #warmColdPaths}), then calls the vector kernels on small shapes
 * covering their branches until C2 has compiled them, and opens each kernel's {@link Gate}. Vector
 * API code that runs interpreted or C1-compiled boxes every vector, so "compiled" is read from the thread's own
 * allocation: a batch of calls that allocates (almost) nothing, {@link #QUIET_BATCHES} times in a row. A gate
 * whose batches never get quiet opens after {@link #CAP_NANOS} anyway: the results are the same either way.
 */
final class KernelWarmup {
    private static final System.Logger LOG = System.getLogger(KernelWarmup.class.getName());
    /** Quiet batches in a row before a kernel counts as compiled. */
    static final int QUIET_BATCHES = 3;
    /** What a quiet batch may allocate per kernel call (a returned range array, a thread-local's first use). */
    static final long QUIET_BYTES_PER_CALL = 64;
    /**
     * After this long a kernel's gate opens once its batches allocate at most 1/{@link #MOSTLY_COMPILED} of the
     * first one (its hot paths compiled: a C2 quirk may keep some boxing), and after {@link #HARD_CAP_NANOS}
     * regardless. Opening while the code is still interpreted would run real calls boxed, slower than scalar.
     */
    static final long CAP_NANOS = TimeUnit.SECONDS.toNanos(5);
    static final long MOSTLY_COMPILED = 8;
    static final long HARD_CAP_NANOS = TimeUnit.SECONDS.toNanos(30);
    /**
     * The warm-up starts once a run has finished, or this long after a kernel was first called without one
     * finishing (a long first run, or kernels called without a session). Warming while an app's first run is on
     * the scalar code made that run about twice as slow: on two cores the warm-up's boxed vector code and the
     * compiles it queues take the cores and the JIT's queue from it (MiniLM's first inference 450-600 ms, ~200 ms
     * when the warm-up waits).
     */
    static final long FIRST_RUN_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * Rounds of the cold paths' batches run before the first call (see {@link #warmColdPaths}): enough for HotSpot
     * to queue each scalar method for C2 (over a thousand calls and tens of thousands of loop iterations each).
     * MiniLM's first inference took 109 ms after 150 rounds as after 300 (217-257 without), with less CPU.
     */
    static final int COLD_ROUNDS = 150;

    /** One batch of warm-up calls of one kernel method; returns how many kernel calls it made. */
    interface Batch {
        int run();
    }

    /** The switch of one kernel method: closed (scalar arithmetic) until its warm-up has compiled the vector code. */
    final class Gate {
        private final String name;
        private final Batch batch;
        private final AtomicBoolean requested = new AtomicBoolean();
        private volatile boolean open;
        /** Whether a real call has run the cold path (and so shown the shapes to warm up). */
        private volatile boolean called;
        private long started;
        private int quiet;
        private long firstBatchBytes = -1;

        /** Warmed alone, ahead of the others (see {@link #run}). */
        private final boolean first;

        Gate(String name, boolean first, Batch batch) {
            this.name = name;
            this.first = first;
            this.batch = batch;
        }

        /** Whether to run the vector kernel; the first call that finds the gate closed starts its warm-up. */
        boolean open() {
            if (open) {
                return true;
            }
            if (!called) {
                called = true;
                if (firstCall.compareAndSet(0, System.nanoTime())) {
                    java.util.concurrent.locks.LockSupport.unpark(thread);
                }
            }
            request();
            return false;
        }

        /** Whether open, without starting the warm-up as {@link #open} does. */
        boolean isOpen() {
            return open;
        }

        /** Starts this kernel's warm-up (once). */
        void request() {
            if (!requested.get() && requested.compareAndSet(false, true)) {
                enqueue(this);
            }
        }

        /** One warm-up batch; true when the gate is now open. */
        private boolean warm() {
            if (started == 0) {
                started = System.nanoTime();
            }
            long before = allocatedBytes();
            int calls;
            try {
                calls = batch.run();
            } catch (RuntimeException | Error e) {
                // A vector kernel failing on a warm-up shape is a bug; the scalar path stays, with the same results.
                LOG.log(System.Logger.Level.WARNING, "warm-up of " + name + " failed; it stays on scalar code", e);
                failed.add(name);
                return true;
            }
            long bytes = allocatedBytes() - before;
            if (firstBatchBytes < 0) {
                firstBatchBytes = bytes;
            }
            quiet = before >= 0 && bytes <= calls * QUIET_BYTES_PER_CALL ? quiet + 1 : 0;
            if (quiet >= QUIET_BATCHES && called) {
                open = true;
            } else if (System.nanoTime() - started > CAP_NANOS
                && (bytes <= firstBatchBytes / MOSTLY_COMPILED || System.nanoTime() - started > HARD_CAP_NANOS)) {
                if (quiet < QUIET_BATCHES) {
                    // The last batch alone may be quiet (C2 still recompiling now and then): say what was seen.
                    LOG.log(System.Logger.Level.INFO, "Octet kernels: " + name + " had no " + QUIET_BATCHES
                        + " quiet warm-up batches in a row after "
                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms (the last allocated "
                        + bytes / calls + " bytes per call, the first " + firstBatchBytes / calls
                        + "); switching to its vector code anyway");
                }
                open = true;
            }
            return open;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final String description;
    private final LinkedBlockingQueue<Gate> requests = new LinkedBlockingQueue<>();
    private final List<Gate> gates = new ArrayList<>();
    private final List<String> failed = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Batches of the cold (scalar) paths; registered while the provider is built, before the thread starts. */
    private final List<Batch> coldPaths = new ArrayList<>();
    private volatile int coldRoundsRun;
    private volatile boolean idle = true;
    private volatile Thread thread;
    /** When a gated kernel was first called (0: not yet), and whether a session has finished a run since. */
    private final java.util.concurrent.atomic.AtomicLong firstCall = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean runFinished;
    private volatile boolean started;

    KernelWarmup(String description) {
        this.description = description;
    }

    Gate gate(String name, Batch batch) {
        return gate(name, false, batch);
    }

    /** A gate; {@code first} ones are warmed alone, before the others. */
    Gate gate(String name, boolean first, Batch batch) {
        Gate g = new Gate(name, first, batch);
        gates.add(g);
        return g;
    }

    /** True while a requested kernel still runs its scalar path. */
    boolean warming() {
        return !idle || !requests.isEmpty();
    }

    /** A batch of calls of a cold path, run by {@link #warmColdPaths} before the first call. */
    void coldPath(Batch batch) {
        coldPaths.add(batch);
    }

    /** How many rounds of the cold paths ran before the first call (tests). */
    int coldRoundsRun() {
        return coldRoundsRun;
    }

    /** Waits until every requested kernel runs vector code; false on timeout. */
    boolean awaitIdle(long timeoutMillis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (warming()) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** The kernels whose warm-up threw (a bug; tests). */
    List<String> failed() {
        return List.copyOf(failed);
    }

    /** Whether every gate is open (tests). */
    boolean allOpen() {
        return gates.stream().allMatch(g -> g.open);
    }

    private synchronized void enqueue(Gate g) {
        idle = false;
        requests.add(g);
        start();
    }

    /**
     * Starts the warm-up thread (once): its cold paths run at once, its vector warm-up once a kernel is requested
     * and {@link #mayStart} says so.
     */
    synchronized void start() {
        if (thread == null) {
            thread = new Thread(this::run, "octet-warmup-" + description);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** A session finished a run: the warm-up may start (see {@link #FIRST_RUN_GRACE_NANOS}). */
    void runFinished() {
        if (!runFinished) {
            runFinished = true;
            java.util.concurrent.locks.LockSupport.unpark(thread);
        }
    }

    private boolean mayStart() {
        long first = firstCall.get();
        return runFinished || first != 0 && System.nanoTime() - first >= FIRST_RUN_GRACE_NANOS;
    }

    /** Whether the warm-up has started calling the vector kernels (tests). */
    boolean started() {
        return started;
    }

    /**
     * Once it may start ({@link #mayStart}): a kernel marked {@link Gate#first} alone while it is at the head (the
     * int8 GEMM: its weights are packed at load, and it is most of a transformer's time; warmed round robin with the
     * rest it took 3.1 s instead of 2.2 s, C2's queue being what limits a warm-up on a small machine), then round
     * robin over the rest, so that one kernel whose code keeps allocating does not hold up the others until its cap;
     * between passes it {@link #rest}s.
     */
    private void run() {
        warmColdPaths();
        try {
            while (!mayStart()) {
                if (firstCall.get() == 0) {
                    // Queued at load, nothing called yet: sleep until the first call or a finished run wakes us.
                    java.util.concurrent.locks.LockSupport.parkNanos(this, FIRST_RUN_GRACE_NANOS);
                    if (Thread.interrupted()) {
                        return;
                    }
                } else {
                    Thread.sleep(5);
                }
            }
        } catch (InterruptedException e) {
            return;
        }
        started = true;
        long allocatedAtStart = allocatedBytes();
        List<Gate> active = new ArrayList<>();
        long since = 0;
        while (true) {
            Gate next;
            try {
                next = active.isEmpty() ? requests.take() : requests.poll();
            } catch (InterruptedException e) {
                return;
            }
            if (next != null) {
                idle = false;
                if (active.isEmpty()) {
                    since = System.nanoTime();
                }
                active.add(next);
                continue;
            }
            long pass = System.nanoTime();
            if (active.get(0).first) {
                if (active.get(0).warm()) {
                    active.remove(0);
                }
            } else {
                active.removeIf(Gate::warm);
            }
            if (!active.isEmpty()) {
                rest(System.nanoTime() - pass);
            }
            if (active.isEmpty()) {
                idle = requests.isEmpty();
                LOG.log(System.Logger.Level.INFO, "Octet kernels: " + description + " vector code took over after "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since) + " ms of warm-up ("
                    + gates.stream().filter(g -> g.open).count() + " kernels warm, "
                    + (allocatedBytes() - allocatedAtStart) / (1 << 20) + " MB allocated by the warm-up so far)");
            }
        }
    }

    /**
     * Sleeps as long as the last pass of batches took: once HotSpot has queued a kernel, what its gate waits for is
     * C2's thread, and every further boxed batch only takes a core and allocation (young collections stop the app's
     * threads) from the app and from that compiler thread. Half the passes (MiniLM, six fresh JVMs alternated on two
     * cores) halved the warm-up's allocation (1,971 -> 905 MB), opened the gates earlier (the last at 3.5 s after
     * the JVM started instead of 3.8 s) and brought the app's 80th run forward from 3.7 s to 2.9 s; resting twice as
     * long as a pass opened them later.
     */
    private static void rest(long passNanos) {
        java.util.concurrent.locks.LockSupport.parkNanos(passNanos);
    }

    /**
     * Before the first call (the thread starts as the first session using the provider compiles): the cold paths'
     * batches, {@link #COLD_ROUNDS} times, so that C2 compiles the plain Java a first run executes while the model
     * is still loading rather than a hundred milliseconds into that run (MiniLM's first inference spent most of its
     * time in the interpreted and C1-compiled cold GEMM). Scalar code boxes nothing, so this is a bounded amount of
     * CPU and little garbage. It stops at the first call, from which the run itself makes the same code hot.
     */
    private void warmColdPaths() {
        for (int round = 0; round < COLD_ROUNDS && firstCall.get() == 0; round++) {
            for (Batch batch : coldPaths) {
                try {
                    batch.run();
                } catch (RuntimeException | Error e) {
                    // A scalar kernel failing on a warm-up shape is a bug; the real calls will show it too.
                    LOG.log(System.Logger.Level.WARNING, "warm-up of the scalar kernels failed", e);
                    failed.add("scalar kernels");
                    return;
                }
            }
            coldRoundsRun = round + 1;
        }
    }

    private static final com.sun.management.ThreadMXBean THREADS = threads();

    private static com.sun.management.ThreadMXBean threads() {
        try {
            if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled()) {
                return t;
            }
        } catch (RuntimeException | LinkageError e) {
            // No allocation counter: gates open at the cap.
        }
        return null;
    }

    /** This thread's allocated bytes so far, or -1 when the JVM does not count them. */
    private static long allocatedBytes() {
        return THREADS == null ? -1 : THREADS.getCurrentThreadAllocatedBytes();
    }
}
