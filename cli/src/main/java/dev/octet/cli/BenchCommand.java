package dev.octet.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import com.beust.jcommander.ParametersDelegate;
import java.io.PrintStream;
import java.util.Locale;

@Parameters(commandNames = "bench", commandDescription = "Time whole runs of a model on generated inputs: p50, p90, min, mean, runs/s")
final class BenchCommand extends Main.Command {
    @ParametersDelegate
    TimingOptions timing = new TimingOptions();

    @Parameter(names = "--iters", description = "Timed runs")
    Integer iters = 50;

    @Override
    int call(PrintStream out) {
        TimedModel.checkAtLeast("--iters", iters, 1);
        try (TimedModel m = timing.open()) {
            for (int w = 0; w < timing.warmup; w++) {
                m.session.run(m.feed);
            }
            long[] runNanos = new long[iters];
            for (int r = 0; r < iters; r++) {
                long t0 = System.nanoTime();
                m.session.run(m.feed);
                runNanos[r] = System.nanoTime() - t0;
            }
            double p50 = TimedModel.quantile(runNanos, 0.5);
            double p90 = TimedModel.quantile(runNanos, 0.9);
            long min = TimedModel.min(runNanos);
            double mean = TimedModel.mean(runNanos);
            out.println("model " + m.name + " | inputs " + m.inputShapes() + " | threads " + m.threads()
                + " | kernels " + m.session.kernelDescription() + " | " + iters + " runs (" + timing.warmup + " warm-up)");
            out.println("p50 " + TimedModel.ms(p50) + " ms, p90 " + TimedModel.ms(p90) + " ms, min " + TimedModel.ms(min)
                + " ms, mean " + TimedModel.ms(mean) + " ms, " + String.format(Locale.ROOT, "%.1f", 1e9 / mean) + " runs/s");
            out.println("bench: model=" + m.name + " threads=" + m.threads() + " p50_ms=" + TimedModel.ms(p50)
                + " p90_ms=" + TimedModel.ms(p90) + " min_ms=" + TimedModel.ms(min));
        }
        return 0;
    }
}
