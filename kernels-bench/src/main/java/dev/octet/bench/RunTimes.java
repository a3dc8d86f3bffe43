package dev.octet.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * One engine's timing block: how many warm-up runs it got and the run times of its timed runs, in order.
 * Percentiles are nearest-rank. Whether the timings had settled is judged from the timed runs themselves:
 * the median of their second half against the median of their first half; an engine still warming up (JIT
 * compilation, caches, thread pools) or a machine whose load changed shows as a drift between the two.
 */
record RunTimes(int warmups, long[] nanos) {
    /** Settled: the two halves' medians within this fraction of each other. */
    static final double SETTLED_WITHIN = 0.05;
    /** Fewer timed runs than this cannot be split into halves worth comparing. */
    static final int MIN_RUNS_TO_JUDGE = 4;

    RunTimes {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("a timing block needs at least one timed run");
        }
    }

    int runs() {
        return nanos.length;
    }

    double p50Ms() {
        return percentileMs(nanos, 0.5);
    }

    double p90Ms() {
        return percentileMs(nanos, 0.9);
    }

    double minMs() {
        return percentileMs(nanos, 0);
    }

    /** (median of the second half - median of the first half) / median of the first half; NaN when too few runs. */
    double drift() {
        if (nanos.length < MIN_RUNS_TO_JUDGE) {
            return Double.NaN;
        }
        int half = nanos.length / 2;
        double first = percentileMs(Arrays.copyOfRange(nanos, 0, half), 0.5);
        double second = percentileMs(Arrays.copyOfRange(nanos, nanos.length - half, nanos.length), 0.5);
        return (second - first) / first;
    }

    /** {@code yes}, {@code no}, or {@code unknown} with fewer than {@link #MIN_RUNS_TO_JUDGE} timed runs. */
    String settled() {
        double d = drift();
        return Double.isNaN(d) ? "unknown" : Math.abs(d) <= SETTLED_WITHIN ? "yes" : "no";
    }

    /** The report line's tail: percentiles, counts and the verdict on settling, in words. */
    String describe() {
        String verdict = switch (settled()) {
            case "unknown" -> "settling unknown (fewer than " + MIN_RUNS_TO_JUDGE + " timed runs)";
            case "yes" -> String.format(Locale.ROOT, "settled (second half's median %+.1f%% from the first's)", 100 * drift());
            default -> String.format(Locale.ROOT, "NOT settled (second half's median %+.1f%% from the first's;"
                + " more --warmup or a quieter machine)", 100 * drift());
        };
        return String.format(Locale.ROOT, "p50 %.3f ms  p90 %.3f ms  min %.3f ms  (%d warm-up, %d timed runs; %s)",
            p50Ms(), p90Ms(), minMs(), warmups, runs(), verdict);
    }

    /** Nearest rank: the smallest sample with at least a fraction p of the samples at or below it (p 0: the minimum). */
    private static double percentileMs(long[] ns, double p) {
        long[] sorted = ns.clone();
        Arrays.sort(sorted);
        int rank = Math.max(0, (int) Math.ceil(p * sorted.length) - 1);
        return sorted[rank] / 1e6;
    }
}
