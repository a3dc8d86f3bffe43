package dev.octet.cli;

import java.util.Arrays;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * The warm-up of {@code bench} and {@code profile}, and when it may stop: the kernels run their scalar arithmetic
 * until the session's background warm-up has the JIT compile their vector code, and even then early runs are slower
 * than steady state. The criterion: the session no longer reports {@link dev.octet.api.InferenceSession#kernelsWarming
 * kernels warming}, and with the run times cut into windows of {@link #WINDOW} consecutive runs, the medians of the
 * last {@link #WINDOWS} windows are within {@link #TOLERANCE} of the smallest of them (medians, so that a stray slow
 * run does not hold the warm-up back).
 */
final class WarmUp {
    static final int WINDOW = 10;
    static final int WINDOWS = 3;
    static final double TOLERANCE = 0.05;

    private WarmUp() {}

    /** What a warm-up did: its runs, whether it settled (kernels warm and timings steady), the window medians. */
    record Outcome(int runs, boolean settled, boolean kernelsWarming, double[] windowMedians) {
        /** One line for the report. */
        String describe() {
            String medians = Arrays.stream(windowMedians).mapToObj(TimedModel::ms).collect(Collectors.joining(", "));
            if (settled) {
                return "warm-up: settled after " + runs + " runs (kernels compiled; medians of the last " + WINDOWS
                    + " windows of " + WINDOW + " runs within 5%: " + medians + " ms)";
            }
            return "warm-up: NOT settled after " + runs + " runs (" + (kernelsWarming
                ? "some kernels still ran their scalar code while the JIT compiled their vector code; " : "")
                + "window medians: " + (medians.isEmpty() ? "fewer than " + WINDOWS * WINDOW + " runs" : medians + " ms")
                + "); the timings below may still include JIT compilation: raise --max-warmup or --max-warmup-seconds";
        }
    }

    /**
     * Runs {@code run} (one timed run of {@code m}, returning its nanoseconds) at least {@code timing.warmup} times,
     * then until the criterion above holds or {@code --max-warmup} runs or {@code --max-warmup-seconds} have passed.
     */
    static Outcome run(TimedModel m, TimingOptions timing, Progress progress, LongSupplier run) {
        int most = Math.max(timing.warmup, timing.maxWarmup);
        long[] nanos = new long[most];
        int runs = 0;
        boolean settled = false;
        long deadline = System.nanoTime() + timing.maxWarmupSeconds * 1_000_000_000L;
        while (runs < most) {
            long t = run.getAsLong();
            nanos[runs++] = t;
            int done = runs;
            progress.update(() -> "warming up, " + done + " runs, last " + TimedModel.ms(t) + " ms");
            if (runs >= timing.warmup && (settled = !m.session.kernelsWarming() && settled(nanos, runs))) {
                break;
            }
            if (runs >= timing.warmup && System.nanoTime() - deadline >= 0) {
                break;
            }
        }
        return new Outcome(runs, settled, m.session.kernelsWarming(), lastWindowMedians(nanos, runs));
    }

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
