package dev.octet.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.exec.CompiledSession;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A closed session refuses runs with SESSION_CLOSED at any thread count, runs racing a close either finish with
 * the right outputs or fail the same way, and the worker threads stop after close, or once a session that was
 * never closed becomes unreachable.
 */
class SessionLifecycleTest {
    /** Large enough that Gelu splits its work over the session's worker threads. */
    private static final int N = 1 << 17;

    private static Graph gelu() {
        List<Dim> shape = List.of(Dim.of(1), Dim.of(N));
        return new Graph("g", List.of(new ValueInfo("x", DataType.FLOAT, DataType.FLOAT.onnxCode(), shape)),
            List.of(new ValueInfo("y", DataType.FLOAT, DataType.FLOAT.onnxCode(), shape)), Map.of(),
            List.of(new Node("gelu", "Gelu", "com.microsoft", List.of("x"), List.of("y"), Map.of())),
            Map.of("", 17, "com.microsoft", 1), Map.of());
    }

    private static Map<String, Tensor> input() {
        float[] x = new float[N];
        java.util.Random r = new java.util.Random(13);
        for (int i = 0; i < N; i++) {
            x[i] = (float) r.nextGaussian() * 3;
        }
        return Map.of("x", Tensor.ofFloats(x, 1, N));
    }

    private static SessionOptions threads(int n) {
        return SessionOptions.builder().threads(n).build();
    }

    /** Live Octet worker threads, by the name Parallel gives them. */
    private static Set<Thread> workerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && t.getName().matches("octet-\\d+-worker-\\d+")).collect(Collectors.toSet());
    }

    private static Set<Thread> startedSince(Set<Thread> before) {
        Set<Thread> now = workerThreads();
        now.removeAll(before);
        return now;
    }

    /** Waits at most 10 s in all for the threads to end. */
    private static void assertAllStop(Set<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            assertFalse(t.isAlive(), t.getName() + " is still running");
        }
    }

    @Test
    void runAfterCloseFailsAsClosedAtAnyThreadCount() {
        for (int n : new int[] {1, 2, 4}) {
            CompiledSession s = new CompiledSession(gelu(), threads(n));
            s.run(input());
            s.close();
            OctetException e = assertThrows(OctetException.class, () -> s.run(input()));
            assertEquals(ErrorCode.SESSION_CLOSED, e.code(), n + " threads: " + e.getMessage());
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            s.close(); // closing twice is harmless
        }
    }

    @Test
    void runWithNullInputsIsAnInputError() {
        try (CompiledSession s = new CompiledSession(gelu())) {
            assertEquals(ErrorCode.INVALID_INPUT, assertThrows(OctetException.class, () -> s.run(null)).code());
        }
    }

    @Test
    void eightThreadsRacingACloseSeeCorrectOutputsOrTheClosedError() throws Exception {
        Map<String, Tensor> in = input();
        float[] expected;
        try (CompiledSession serial = new CompiledSession(gelu(), threads(1))) {
            expected = serial.run(in).get("y").floats();
        }
        Set<Thread> before = workerThreads();
        CompiledSession shared = new CompiledSession(gelu(), threads(4));
        Set<Thread> workers = startedSince(before);
        assertEquals(3, workers.size(), "a 4-thread session starts 3 workers besides the caller");

        int callers = 8;
        int runsEach = 200;
        AtomicInteger finished = new AtomicInteger();
        CountDownLatch halfway = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        List<Future<int[]>> results = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            results.add(pool.submit(() -> {
                int ok = 0;
                int closed = 0;
                boolean sawClosed = false;
                for (int r = 0; r < runsEach; r++) {
                    try {
                        float[] y = shared.run(in).get("y").floats();
                        assertFalse(sawClosed, "a run succeeded after this caller saw the session closed");
                        assertArrayEquals(expected, y);
                        ok++;
                    } catch (OctetException e) {
                        assertEquals(ErrorCode.SESSION_CLOSED, e.code(), e.getMessage());
                        sawClosed = true;
                        closed++;
                    }
                    if (finished.incrementAndGet() == callers * runsEach / 2) {
                        halfway.countDown();
                    }
                }
                return new int[] {ok, closed};
            }));
        }
        assertTrue(halfway.await(5, TimeUnit.MINUTES));
        shared.close();
        int ok = 0;
        int closed = 0;
        for (Future<int[]> f : results) {
            int[] counts = f.get(5, TimeUnit.MINUTES);
            ok += counts[0];
            closed += counts[1];
        }
        pool.shutdown();
        assertEquals(callers * runsEach, ok + closed);
        assertTrue(ok >= callers * runsEach / 2, "the runs before the close succeeded: " + ok);
        assertTrue(closed > 0, "runs after the close fail");
        assertThrows(OctetException.class, () -> shared.run(in));
        assertAllStop(workers);
    }

    /** The worker threads of a session that is run once, never closed, and unreachable on return. */
    private static Set<Thread> runUnclosedSession() {
        Set<Thread> before = workerThreads();
        CompiledSession s = new CompiledSession(gelu(), threads(2));
        Set<Thread> started = startedSince(before);
        s.run(input());
        return started;
    }

    @Test
    void sessionsNeverClosedReleaseTheirThreadsOnceUnreachable() throws InterruptedException {
        Set<Thread> workers = new java.util.HashSet<>();
        for (int i = 0; i < 50; i++) {
            workers.addAll(runUnclosedSession());
        }
        assertEquals(50, workers.size(), "each 2-thread session starts one worker");
        // Unreachable sessions are cleaned after a collection; wait boundedly for the Cleaner's thread.
        for (int attempt = 0; attempt < 100 && workers.stream().anyMatch(Thread::isAlive); attempt++) {
            System.gc();
            Thread.sleep(100);
        }
        assertAllStop(workers);
    }
}
