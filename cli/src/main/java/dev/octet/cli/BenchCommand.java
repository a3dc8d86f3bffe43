package dev.octet.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import com.beust.jcommander.ParametersDelegate;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.OptionalLong;

@Parameters(commandNames = "bench", commandDescription = "Time whole runs of a model on generated inputs after a warm-up "
    + "that lasts until timings settle: p50, p90, p99, max, min, mean, runs/s, heap and peak RSS")
final class BenchCommand extends Main.Command {
    @ParametersDelegate
    TimingOptions timing = new TimingOptions();

    @Parameter(names = "--iters", description = "Timed runs")
    Integer iters = 50;

    @Override
    int call(PrintStream out) {
        TimedModel.checkAtLeast("--iters", iters, 1);
        try (TimedModel m = timing.open()) {
            WarmUp.Outcome warm = WarmUp.run(m, timing, progress, () -> {
                long t0 = System.nanoTime();
                m.session.run(m.feed);
                return System.nanoTime() - t0;
            });

            long[] runNanos = new long[iters];
            for (int r = 0; r < iters; r++) {
                long t0 = System.nanoTime();
                m.session.run(m.feed);
                runNanos[r] = System.nanoTime() - t0;
                int done = r + 1;
                progress.update(() -> "timed run " + done + " of " + iters);
            }
            // Measured after the timed runs, so that the collection cannot disturb them.
            double heapMb = heapUsedAfterGc() / 1e6;
            OptionalLong peakRss = peakRssBytes();
            double p50 = TimedModel.quantile(runNanos, 0.5);
            double p90 = TimedModel.quantile(runNanos, 0.9);
            double p99 = TimedModel.quantile(runNanos, 0.99);
            long max = Arrays.stream(runNanos).max().orElseThrow();
            long min = TimedModel.min(runNanos);
            double mean = TimedModel.mean(runNanos);
            out.println("model " + m.name + " | inputs " + m.inputShapes() + " | threads " + m.threads()
                + " | kernels " + m.session.kernelDescription() + " | " + iters + " runs (" + warm.runs() + " warm-up)");
            out.println(warm.describe());
            out.println("p50 " + TimedModel.ms(p50) + " ms, p90 " + TimedModel.ms(p90) + " ms, p99 " + TimedModel.ms(p99)
                + " ms, max " + TimedModel.ms(max) + " ms, min " + TimedModel.ms(min) + " ms, mean " + TimedModel.ms(mean)
                + " ms, " + String.format(Locale.ROOT, "%.1f", 1e9 / mean) + " runs/s");
            String rss = peakRss.isPresent() ? String.format(Locale.ROOT, "%.1f", peakRss.getAsLong() / 1e6) : "na";
            out.println("memory: heap in use after the runs " + String.format(Locale.ROOT, "%.1f", heapMb)
                + " MB (after a GC), peak RSS " + rss + (peakRss.isPresent() ? " MB (VmHWM)" : " (no /proc/self/status)"));
            out.println("bench: model=" + m.name + " threads=" + m.threads() + " p50_ms=" + TimedModel.ms(p50)
                + " p90_ms=" + TimedModel.ms(p90) + " min_ms=" + TimedModel.ms(min) + " p99_ms=" + TimedModel.ms(p99)
                + " max_ms=" + TimedModel.ms(max) + " mean_ms=" + TimedModel.ms(mean) + " warmup_runs=" + warm.runs()
                + " settled=" + warm.settled() + " heap_mb=" + String.format(Locale.ROOT, "%.1f", heapMb) + " peak_rss_mb=" + rss);
        }
        return 0;
    }

    /** Heap in use after a full collection: what the session and its inputs keep between runs. */
    private static long heapUsedAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The process's peak resident set (VmHWM in /proc/self/status), where the OS reports it. */
    static OptionalLong peakRssBytes() {
        Path status = Path.of("/proc/self/status");
        try {
            if (Files.isReadable(status)) {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmHWM:")) {
                        String[] f = line.substring("VmHWM:".length()).trim().split("\\s+");
                        if (f.length == 2 && f[1].equals("kB")) {
                            return OptionalLong.of(Long.parseLong(f[0]) * 1024);
                        }
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux-like: report no value rather than fail the benchmark
        }
        return OptionalLong.empty();
    }
}
