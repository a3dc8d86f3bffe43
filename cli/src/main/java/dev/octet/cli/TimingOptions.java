package dev.octet.cli;

import com.beust.jcommander.Parameter;
import java.util.ArrayList;
import java.util.List;

/** The options {@code profile} and {@code bench} share: which model, its inputs, threads and warm-up. */
final class TimingOptions {
    @Parameter(description = "MODEL (a path, or minilm for the bundled MiniLM)", required = true, arity = 1)
    List<String> model;

    @Parameter(names = "--dim", description = "SYMBOL=SIZE for symbolic input dimensions (default 1)")
    List<String> dims = new ArrayList<>();

    @Parameter(names = "--threads", description = "Threads per operator (default 1)")
    Integer threads;

    @Parameter(names = "--warmup", description = "Untimed runs first, at least: warm-up goes on until the kernels are "
        + "compiled and timings settle (see --max-warmup)")
    Integer warmup = 10;

    @Parameter(names = "--max-warmup", description = "Most warm-up runs: after --warmup runs, warm-up goes on until the "
        + "kernels' background warm-up is done and the medians of the last 3 windows of 10 runs are within 5% of each "
        + "other, or this many runs")
    Integer maxWarmup = 1000;

    @Parameter(names = "--max-warmup-seconds", description = "Most seconds of warm-up (the same stop as --max-warmup)")
    Integer maxWarmupSeconds = 60;

    @Parameter(names = "--seed", description = "Seed for generated inputs")
    long seed = 42;

    /** Checks the numbers, then loads the model and generates its inputs. */
    TimedModel open() {
        TimedModel.checkAtLeast("--threads", threads, 1);
        TimedModel.checkAtLeast("--warmup", warmup, 0);
        TimedModel.checkAtLeast("--max-warmup", maxWarmup, 0);
        TimedModel.checkAtLeast("--max-warmup-seconds", maxWarmupSeconds, 0);
        return TimedModel.open(model.get(0), dims, threads, seed);
    }
}
