package dev.octet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The warm-up stop: the medians of the last 3 windows of 10 runs within 5% of the smallest. */
class WarmUpTest {
    private static long[] repeat(long... perWindow) {
        long[] r = new long[perWindow.length * WarmUp.WINDOW];
        for (int i = 0; i < r.length; i++) {
            r[i] = perWindow[i / WarmUp.WINDOW];
        }
        return r;
    }

    @Test
    void needsThreeWholeWindows() {
        long[] flat = repeat(100, 100, 100);
        assertFalse(WarmUp.settled(flat, 29));
        assertTrue(WarmUp.settled(flat, 30));
        assertArrayEquals(new double[] {100, 100}, WarmUp.lastWindowMedians(flat, 25));
    }

    @Test
    void stillFallingIsNotSettled() {
        // JIT compilation: each window 10% faster than the last.
        assertFalse(WarmUp.settled(repeat(500, 300, 110, 100, 90), 50));
        assertTrue(WarmUp.settled(repeat(500, 300, 104, 100, 102), 50));
        // Exactly 5% apart still counts; just over does not.
        assertTrue(WarmUp.settled(repeat(100, 105, 100), 30));
        assertFalse(WarmUp.settled(repeat(100, 106, 100), 30));
    }

    @Test
    void oneSlowRunPerWindowDoesNotHoldItBack() {
        long[] times = repeat(100, 100, 100);
        times[3] = times[13] = times[27] = 10_000; // a GC pause in each window
        assertTrue(WarmUp.settled(times, 30));
        assertArrayEquals(new double[] {100, 100, 100}, WarmUp.lastWindowMedians(times, 30));
    }
}
