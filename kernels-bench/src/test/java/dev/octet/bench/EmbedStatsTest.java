package dev.octet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The medians, the steady state and the settle run of scripts/bench-embed-app, on run times in ms. */
class EmbedStatsTest {
    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(3.0, EmbedStats.median(new double[] {5, 1, 3}), 0.0);
        assertEquals(2.5, EmbedStats.median(new double[] {4, 1, 3, 2}), 0.0);
        assertEquals(7.0, EmbedStats.median(new double[] {7}), 0.0);
        assertThrows(IllegalArgumentException.class, () -> EmbedStats.median(new double[0]));
    }

    @Test
    void medianLeavesItsInputInOrder() {
        double[] runs = {9, 1, 5};
        EmbedStats.median(runs);
        assertEquals(9.0, runs[0], 0.0);
    }

    @Test
    void steadyStateIsTheMedianOfTheLastThird() {
        // 9 runs: the last third is runs 7..9 = {12, 10, 11}.
        double[] runs = {2000, 600, 70, 90, 40, 30, 12, 10, 11};
        assertEquals(3, EmbedStats.steadyRunCount(runs.length));
        assertEquals(11.0, EmbedStats.steadyStateMs(runs), 0.0);
        // Fewer than three runs: the last run alone.
        assertEquals(1, EmbedStats.steadyRunCount(2));
        assertEquals(40.0, EmbedStats.steadyStateMs(new double[] {900, 40}), 0.0);
        // 30 runs: the last 10.
        assertEquals(10, EmbedStats.steadyRunCount(30));
    }

    @Test
    void settlesAtTheFirstRunFromWhichEveryLaterRunIsWithinAQuarterOfSteady() {
        // Run 3 is fast but run 4 is slow again: settled from run 5; 12.5 is exactly 1.25 x 10 and counts.
        double[] runs = {2000, 600, 11, 90, 12.5, 9, 10, 10, 11};
        assertEquals(5, EmbedStats.settleRun(runs, 10));
        assertEquals(1, EmbedStats.settleRun(new double[] {10, 10, 10}, 10));
        assertEquals(3, EmbedStats.settleRun(new double[] {10, 12.6, 10}, 10));
    }

    @Test
    void aSlowLastRunMeansNotSettledWithinTheRuns() {
        assertEquals(4, EmbedStats.settleRun(new double[] {10, 10, 13}, 10));
    }
}
