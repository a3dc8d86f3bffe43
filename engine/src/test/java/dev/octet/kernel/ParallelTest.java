package dev.octet.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @Test
    void everyTaskRunsExactlyOnceAcrossManyBackToBackJobs() {
        try (Parallel p = new Parallel(3)) {
            for (int job = 0; job < 2000; job++) {
                int tasks = 1 + job % 17;
                AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
                p.forEach(tasks, runs::incrementAndGet);
                for (int t = 0; t < tasks; t++) {
                    assertEquals(1, runs.get(t), "job " + job + " task " + t);
                }
            }
        }
    }

    @Test
    void aFailingTaskIsRethrownAfterTheOthersFinish() {
        try (Parallel p = new Parallel(2)) {
            AtomicIntegerArray runs = new AtomicIntegerArray(8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.forEach(8, t -> {
                runs.incrementAndGet(t);
                if (t == 5) {
                    throw new IllegalArgumentException("task 5");
                }
            }));
            assertEquals("task 5", e.getMessage());
            for (int t = 0; t < 8; t++) {
                assertEquals(1, runs.get(t));
            }
            // The pool still works after a failure.
            AtomicIntegerArray again = new AtomicIntegerArray(4);
            p.forEach(4, again::incrementAndGet);
            assertEquals(1, again.get(3));
        }
    }

    @Test
    void aClosedPoolRefusesWork() {
        Parallel p = new Parallel(2);
        p.close();
        OctetException e = assertThrows(OctetException.class, () -> p.forEach(4, t -> { }));
        assertEquals(ErrorCode.SESSION_CLOSED, e.code());
    }

    @Test
    void anErrorInATaskReachesTheCallerUnwrapped() {
        try (Parallel p = new Parallel(2)) {
            OutOfMemoryError thrown = new OutOfMemoryError("test");
            OutOfMemoryError caught = assertThrows(OutOfMemoryError.class, () -> p.forEach(64, t -> {
                if (t == 37) {
                    throw thrown;
                }
            }));
            assertSame(thrown, caught);
        }
    }

    @Test
    void smallWorkStaysOnTheCallerAndLargeWorkSplitsEvenly() {
        try (Parallel p = new Parallel(3)) {
            assertEquals(1, p.split(1000, 65536, 16384));
            assertEquals(3, p.split(65536, 65536, 16384));
            assertEquals(12, p.split(196608, 65536, 16384));
            assertEquals(0, p.split(1 << 20, 65536, 16384) % 3);
        }
        assertEquals(1, Parallel.SERIAL.split(1 << 20, 1, 1));
    }

    /** A finished job's body, and the arrays it captured, are not kept by the pool until the next job. */
    @Test
    void aFinishedJobIsNotRetained() throws InterruptedException {
        try (Parallel p = new Parallel(2)) {
            java.lang.ref.WeakReference<int[]> captured = runJobCapturing(p);
            for (int i = 0; i < 50 && captured.get() != null; i++) {
                System.gc();
                Thread.sleep(10);
            }
            assertEquals(null, captured.get(), "the pool still holds the last job's body");
        }
    }

    private static java.lang.ref.WeakReference<int[]> runJobCapturing(Parallel p) {
        int[] data = new int[1 << 20];
        p.forEach(8, t -> data[t] = t);
        return new java.lang.ref.WeakReference<>(data);
    }
}
