package dev.octet.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * One engine's timing block: how many warm-up runs it got, whether they had settled, and the run times of its
 * timed runs, in order. Percentiles are nearest-rank. Warm-up has settled when the medians of its last two
 * windows of {@link #WINDOW} runs are within {@link #SETTLED_WITHIN} of each other. The timed runs are judged
 * by themselves too: the median of their second half against the median of their first half; an engine still
 * warming up (JIT compilation, caches, thread pools) or a machine whose load changed shows as a drift.
 */
record RunTimes(int warmups, Verdict warmupSettled, long[] nanos) {
    /** Settled: two medians within this fraction of each other. */
    static final double SETTLED_WITHIN = 0.05;
    /** Warm-up runs are judged in windows of this many. */
    static final int WINDOW = 5;
    /** Fewer timed runs than this cannot be split into halves worth comparing. */
    static final int MIN_RUNS_TO_JUDGE = 4;

    enum Verdict {
        YES, NO, UNKNOWN;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Whether the last two windows of {@link #WINDOW} among the first n run times have medians within {@link #SETTLED_WITHIN}. */
    static Verdict windowsSettled(long[] ns, int n) {
        if (n < 2 * WINDOW) {
            return Verdict.UNKNOWN;
        }
        double previous = percentileMs(Arrays.copyOfRange(ns, n - 2 * WINDOW, n - WINDOW), 0.5);
        double last = percentileMs(Arrays.copyOfRange(ns, n - WINDOW, n), 0.5);
        return Math.abs(last - previous) <= SETTLED_WITHIN * previous ? Verdict.YES : Verdict.NO;
    }

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

    /** Whether the timed runs had settled; unknown with fewer than {@link #MIN_RUNS_TO_JUDGE} of them. */
    Verdict settled() {
        double d = drift();
        return Double.isNaN(d) ? Verdict.UNKNOWN : Math.abs(d) <= SETTLED_WITHIN ? Verdict.YES : Verdict.NO;
    }

    /** The report line's tail: percentiles, then warm-up and timed runs with their verdicts, in words. */
    String describe() {
        String warm = switch (warmupSettled) {
            case YES -> "settled";
            case NO -> "NOT settled";
            case UNKNOWN -> "too few to judge";
        };
        String timed = switch (settled()) {
            case UNKNOWN -> "too few to judge";
            case YES -> String.format(Locale.ROOT, "settled, second half's median %+.1f%% from the first's", 100 * drift());
            case NO -> String.format(Locale.ROOT, "NOT settled, second half's median %+.1f%% from the first's;"
                + " raise --warmup or use a quieter machine", 100 * drift());
        };
        return String.format(Locale.ROOT, "p50 %.3f ms  p90 %.3f ms  min %.3f ms  (%d warm-up runs, %s; %d timed runs, %s)",
            p50Ms(), p90Ms(), minMs(), warmups, warm, runs(), timed);
    }

    /** Nearest rank: the smallest sample with at least a fraction p of the samples at or below it (p 0: the minimum). */
    private static double percentileMs(long[] ns, double p) {
        long[] sorted = ns.clone();
        Arrays.sort(sorted);
        int rank = Math.max(0, (int) Math.ceil(p * sorted.length) - 1);
        return sorted[rank] / 1e6;
    }
}
