package dev.octet.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import com.beust.jcommander.ParametersDelegate;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.StepListener;
import dev.octet.api.StepTiming;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

@Parameters(commandNames = "profile",
    commandDescription = "Time every step of the compiled plan over repeated runs on generated inputs: time per op type, the slowest steps, optionally a Chrome trace")
final class ProfileCommand extends Main.Command {
    @ParametersDelegate
    TimingOptions timing = new TimingOptions();

    @Parameter(names = "--iters", description = "Timed runs")
    Integer iters = 20;

    @Parameter(names = "--top", description = "How many of the slowest steps to list")
    Integer top = 15;

    @Parameter(names = "--trace", description = "Also write the timed runs as a Chrome trace (JSON, for chrome://tracing or Perfetto)")
    String trace;

    private static final java.lang.management.ThreadMXBean THREADS =
        java.lang.management.ManagementFactory.getThreadMXBean();

    /** Bytes the calling thread has allocated so far (JVMs without the counter report 0). */
    private static long allocatedBytes() {
        return THREADS instanceof com.sun.management.ThreadMXBean t ? t.getCurrentThreadAllocatedBytes() : 0;
    }

    private static String mb(double bytes) {
        return String.format(Locale.ROOT, "%.2f", bytes / 1e6);
    }

    /** Collects one run's steps: each step, its time and the clock when it ended. */
    private static final class Recorder implements StepListener {
        /** The steps' descriptions and op types, in run order. */
        final List<String> steps = new ArrayList<>();
        final List<String> opTypes = new ArrayList<>();
        long[] nanos = new long[256];
        long[] ends = new long[256];
        /** Bytes allocated from the previous step's end to this one's (the step and the executor around it). */
        long[] bytes = new long[256];
        private long lastBytes;

        @Override
        public void stepDone(StepTiming step) {
            long end = System.nanoTime();
            long allocated = allocatedBytes();
            int n = steps.size();
            if (n == nanos.length) {
                nanos = Arrays.copyOf(nanos, 2 * n);
                ends = Arrays.copyOf(ends, 2 * n);
                bytes = Arrays.copyOf(bytes, 2 * n);
            }
            steps.add(step.description());
            opTypes.add(step.opType());
            nanos[n] = step.nanos();
            ends[n] = end;
            bytes[n] = allocated - lastBytes;
            lastBytes = allocatedBytes();
        }

        void reset() {
            steps.clear();
            opTypes.clear();
            lastBytes = allocatedBytes();
        }
    }

    /** Per op type: steps per run and the op's total time in each run. */
    private static final class OpRow {
        final String op;
        int count;
        final long[] perRun;
        final long[] bytesPerRun;

        OpRow(String op, int runs) {
            this.op = op;
            this.perRun = new long[runs];
            this.bytesPerRun = new long[runs];
        }
    }

    @Override
    int call(PrintStream out) throws Exception {
        TimedModel.checkAtLeast("--iters", iters, 1);
        TimedModel.checkAtLeast("--top", top, 1);
        if (trace != null) {
            Path dir = Path.of(trace).toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                throw new OctetException(ErrorCode.IO, "cannot write trace " + trace + ": no directory " + dir);
            }
        }
        try (TimedModel m = timing.open()) {
            return profile(m, out);
        }
    }

    private int profile(TimedModel m, PrintStream out) throws IOException {
        Recorder rec = new Recorder();
        // The timed runs' code path, listener included; until the kernels are compiled and the timings settle.
        WarmUp.Outcome warm = WarmUp.run(m, timing, progress, () -> {
            rec.reset();
            long t0 = System.nanoTime();
            m.session.run(m.feed, rec);
            return System.nanoTime() - t0;
        });
        int n = iters;
        List<String> steps = null;
        List<String> opTypes = null;
        long[][] stepNanos = new long[n][];
        long[][] stepEnds = new long[n][];
        long[][] stepBytes = new long[n][];
        long[] runStart = new long[n];
        long[] runNanos = new long[n];
        long[] runBytes = new long[n];
        for (int r = 0; r < n; r++) {
            rec.reset();
            long b0 = allocatedBytes();
            long t0 = System.nanoTime();
            m.session.run(m.feed, rec);
            long t1 = System.nanoTime();
            runBytes[r] = allocatedBytes() - b0;
            runStart[r] = t0;
            runNanos[r] = t1 - t0;
            int done = r + 1;
            progress.update(() -> "timed run " + done + " of " + n);
            if (steps == null) {
                steps = List.copyOf(rec.steps);
                opTypes = List.copyOf(rec.opTypes);
            } else if (!steps.equals(rec.steps)) {
                throw new IllegalStateException("the plan ran different steps in run " + r + " than in run 0");
            }
            stepNanos[r] = Arrays.copyOf(rec.nanos, steps.size());
            stepEnds[r] = Arrays.copyOf(rec.ends, steps.size());
            stepBytes[r] = Arrays.copyOf(rec.bytes, steps.size());
        }
        int s = steps.size();

        String[] opOf = new String[s];
        Map<String, OpRow> byOp = new LinkedHashMap<>();
        for (int i = 0; i < s; i++) {
            opOf[i] = SafeText.clean(opTypes.get(i));
            OpRow row = byOp.computeIfAbsent(opOf[i], op -> new OpRow(op, n));
            row.count++;
            for (int r = 0; r < n; r++) {
                row.perRun[r] += stepNanos[r][i];
                row.bytesPerRun[r] += stepBytes[r][i];
            }
        }
        long[] allSteps = new long[n];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < s; i++) {
                allSteps[r] += stepNanos[r][i];
            }
        }
        double runP50 = TimedModel.quantile(runNanos, 0.5);
        List<OpRow> rows = new ArrayList<>(byOp.values());
        Map<OpRow, Double> median = new LinkedHashMap<>();
        rows.forEach(row -> median.put(row, TimedModel.quantile(row.perRun, 0.5)));
        rows.sort(Comparator.comparingDouble((OpRow row) -> median.get(row)).reversed().thenComparing(row -> row.op));

        out.println("model " + m.name + " | inputs " + m.inputShapes() + " | threads " + m.threads()
            + " | kernels " + m.session.kernelDescription()
            + " | run p50 " + TimedModel.ms(runP50) + " ms, p90 " + TimedModel.ms(TimedModel.quantile(runNanos, 0.9))
            + " ms, min " + TimedModel.ms(TimedModel.min(runNanos)) + " ms over " + n + " runs (" + warm.runs() + " warm-up)"
            + " | allocated " + mb(TimedModel.quantile(runBytes, 0.5)) + " MB/run (p50, calling thread, outputs included)");
        out.println(warm.describe());

        int opWidth = Math.max("all steps".length(), rows.stream().mapToInt(row -> row.op.length()).max().orElse(0));
        String rowFormat = "%-" + opWidth + "s %7s %10s %8s %12s %10s%n";
        out.println();
        out.printf(Locale.ROOT, rowFormat, "op type", "nodes", "ms/run", "% run", "mean us/call", "KB/run");
        for (OpRow row : rows) {
            long total = Arrays.stream(row.perRun).sum();
            out.printf(Locale.ROOT, rowFormat, row.op, row.count, TimedModel.ms(median.get(row)),
                pct(median.get(row), runP50), String.format(Locale.ROOT, "%.1f", total / 1e3 / ((double) n * row.count)),
                String.format(Locale.ROOT, "%.1f", TimedModel.quantile(row.bytesPerRun, 0.5) / 1e3));
        }
        double stepsMedian = TimedModel.quantile(allSteps, 0.5);
        out.printf(Locale.ROOT, "%-" + opWidth + "s %7s %10s %8s%n", "all steps", s, TimedModel.ms(stepsMedian),
            pct(stepsMedian, runP50));

        int k = Math.min(top, s);
        double[] stepMedian = new double[s];
        Integer[] order = new Integer[s];
        for (int i = 0; i < s; i++) {
            long[] times = new long[n];
            for (int r = 0; r < n; r++) {
                times[r] = stepNanos[r][i];
            }
            stepMedian[i] = TimedModel.quantile(times, 0.5);
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> stepMedian[i]).reversed().thenComparing(i -> i));
        out.println();
        out.println("top " + k + " of " + s + " steps by median time:");
        for (int j = 0; j < k; j++) {
            int i = order[j];
            out.printf(Locale.ROOT, "%10s ms %6s%%  %s%n", TimedModel.ms(stepMedian[i]), pct(stepMedian[i], runP50),
                SafeText.clean(steps.get(i)));
        }

        if (trace != null) {
            writeTrace(Path.of(trace), m.name, steps, opOf, stepNanos, stepEnds, runStart[0]);
            out.println();
            out.println("trace: " + trace + " (" + (long) n * s + " events)");
        }
        OpRow topOp = rows.get(0);
        out.println();
        out.println("profile: model=" + m.name + " threads=" + m.threads() + " run_p50_ms=" + TimedModel.ms(runP50)
            + " steps=" + s + " top_op=" + topOp.op + " top_op_pct=" + pct(median.get(topOp), runP50)
            + " alloc_mb_per_run=" + mb(TimedModel.quantile(runBytes, 0.5)) + " warmup_runs=" + warm.runs()
            + " settled=" + warm.settled());
        return 0;
    }

    private static String pct(double part, double whole) {
        return String.format(Locale.ROOT, "%.1f", whole > 0 ? 100 * part / whole : 0);
    }

    private static void writeTrace(Path file, String name, List<String> steps, String[] opOf,
                                   long[][] stepNanos, long[][] stepEnds, long origin) {
        try (ChromeTrace t = new ChromeTrace(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
            t.names("octet profile " + name, "plan steps");
            for (int r = 0; r < stepNanos.length; r++) {
                for (int i = 0; i < steps.size(); i++) {
                    long start = stepEnds[r][i] - stepNanos[r][i] - origin;
                    t.complete(steps.get(i), opOf[i], start, stepNanos[r][i], r, i);
                }
            }
        } catch (IOException e) {
            throw new OctetException(ErrorCode.IO, "cannot write trace " + file + ": " + e.getMessage(), e);
        }
    }
}
