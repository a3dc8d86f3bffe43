package dev.octet.bench;

import java.util.Arrays;

/**
 * The statistics of scripts/bench-embed-app, on run times in milliseconds (index 0 is run 1, the first
 * inference). The steady state is the median of the last third of the runs; a process has settled at the first
 * run from which every later run stays within {@link #SETTLED_WITHIN} times the steady state.
 */
final class EmbedStats {
    /** Settled: no run slower than this multiple of the steady state. */
    static final double SETTLED_WITHIN = 1.25;

    private EmbedStats() {}

    /** The middle value; the mean of the two middle values for an even count. */
    static double median(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("the median of no values");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** How many runs make the last third: at least one. */
    static int steadyRunCount(int runs) {
        return Math.max(1, runs / 3);
    }

    /** The median of the last third of the runs. */
    static double steadyStateMs(double[] runMs) {
        return median(Arrays.copyOfRange(runMs, runMs.length - steadyRunCount(runMs.length), runMs.length));
    }

    /**
     * The 1-based run from which every later run is at most {@link #SETTLED_WITHIN} times {@code steadyMs};
     * {@code runMs.length + 1} when the last run itself is slower (not settled within the runs).
     */
    static int settleRun(double[] runMs, double steadyMs) {
        int settled = runMs.length + 1;
        for (int i = runMs.length - 1; i >= 0 && runMs[i] <= SETTLED_WITHIN * steadyMs; i--) {
            settled = i + 1;
        }
        return settled;
    }
}
