package dev.octet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Percentiles and the settling verdict of one timing block, on run times given in milliseconds. */
class RunTimesTest {
    private static RunTimes ms(long... millis) {
        return new RunTimes(3, RunTimes.Verdict.UNKNOWN, nanos(millis));
    }

    private static long[] nanos(long... millis) {
        return Arrays.stream(millis).map(m -> m * 1_000_000).toArray();
    }

    @Test
    void nearestRankPercentiles() {
        RunTimes t = ms(5, 1, 4, 2, 3);
        assertEquals(3.0, t.p50Ms(), 0.0);
        assertEquals(5.0, t.p90Ms(), 0.0);
        assertEquals(1.0, t.minMs(), 0.0);
        RunTimes ten = ms(10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
        assertEquals(5.0, ten.p50Ms(), 0.0);
        assertEquals(9.0, ten.p90Ms(), 0.0);
        assertEquals(7.0, ms(7).p90Ms(), 0.0);
    }

    @Test
    void settledWhenBothHalvesHaveTheSameMedian() {
        RunTimes t = ms(100, 101, 99, 100, 100, 102);
        assertEquals(0.0, t.drift(), 0.0);
        assertEquals(RunTimes.Verdict.YES, t.settled());
        assertTrue(t.describe().contains("(3 warm-up runs, too few to judge; 6 timed runs, settled, second half's"
            + " median +0.0% from the first's)"), t.describe());
    }

    @Test
    void notSettledWhileStillGettingFaster() {
        // First half's median 10, second half's 8 (the middle run of an odd count belongs to neither).
        RunTimes t = ms(10, 12, 10, 12, 9, 8, 8, 8, 8);
        assertEquals(-0.2, t.drift(), 1e-12);
        assertEquals(RunTimes.Verdict.NO, t.settled());
        assertTrue(t.describe().contains("9 timed runs, NOT settled, second half's median -20.0% from the first's"),
            t.describe());
    }

    @Test
    void tooFewRunsToJudge() {
        RunTimes t = ms(3, 2, 1);
        assertTrue(Double.isNaN(t.drift()));
        assertEquals(RunTimes.Verdict.UNKNOWN, t.settled());
        assertThrows(IllegalArgumentException.class, () -> new RunTimes(0, RunTimes.Verdict.UNKNOWN, new long[0]));
    }

    @Test
    void warmUpSettlesWhenItsLastTwoWindowsAgree() {
        // JIT-like: slow first runs, then steady around 10 ms. Windows of 5 runs, medians compared.
        long[] runs = nanos(900, 400, 120, 40, 20, 12, 11, 10, 10, 10, 10, 11, 10, 10, 9, 0, 0);
        assertEquals(RunTimes.Verdict.UNKNOWN, RunTimes.windowsSettled(runs, 9), "fewer than two windows");
        assertEquals(RunTimes.Verdict.NO, RunTimes.windowsSettled(runs, 10), "medians 120 and 10");
        assertEquals(RunTimes.Verdict.NO, RunTimes.windowsSettled(runs, 12), "medians 20 and 10 (run 3 to 12)");
        assertEquals(RunTimes.Verdict.YES, RunTimes.windowsSettled(runs, 15), "medians 10 and 10");
        assertEquals(RunTimes.Verdict.YES, RunTimes.windowsSettled(nanos(100, 100, 100, 100, 100, 104, 104, 103,
            105, 106), 10), "within 5%");
        assertEquals(RunTimes.Verdict.NO, RunTimes.windowsSettled(nanos(100, 100, 100, 100, 100, 106, 106, 106,
            106, 106), 10), "6% apart");
    }
}
