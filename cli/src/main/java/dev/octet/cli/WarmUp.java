package dev.octet.cli;

import java.util.Arrays;

/**
 * When {@code bench}'s warm-up may stop: the Vector API kernels run boxed until C2 compiles them, so early runs
 * can be several times slower than steady state. The criterion: the run times are cut into windows of
 * {@link #WINDOW} consecutive runs, and timings have settled when the medians of the last {@link #WINDOWS}
 * windows are within {@link #TOLERANCE} of the smallest of them (medians, so that a stray slow run does not
 * hold the warm-up back).
 */
final class WarmUp {
    static final int WINDOW = 10;
    static final int WINDOWS = 3;
    static final double TOLERANCE = 0.05;

    private WarmUp() {}

    /** Whether the first {@code n} of {@code runNanos} have settled by the criterion above. */
    static boolean settled(long[] runNanos, int n) {
        double[] m = lastWindowMedians(runNanos, n);
        if (m.length < WINDOWS) {
            return false;
        }
        double min = Arrays.stream(m).min().orElseThrow();
        double max = Arrays.stream(m).max().orElseThrow();
        return max <= min * (1 + TOLERANCE);
    }

    /** The medians of the last (up to) {@link #WINDOWS} whole windows ending at run {@code n}, oldest first. */
    static double[] lastWindowMedians(long[] runNanos, int n) {
        int windows = Math.min(WINDOWS, n / WINDOW);
        double[] medians = new double[windows];
        for (int w = 0; w < windows; w++) {
            int end = n - (windows - 1 - w) * WINDOW;
            medians[w] = TimedModel.quantile(Arrays.copyOfRange(runNanos, end - WINDOW, end), 0.5);
        }
        return medians;
    }
}
