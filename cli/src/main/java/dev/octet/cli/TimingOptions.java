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

    @Parameter(names = "--warmup", description = "Untimed runs first, to let the JIT compile the kernels (bench: the least; it goes on until timings settle)")
    Integer warmup = 10;

    @Parameter(names = "--seed", description = "Seed for generated inputs")
    long seed = 42;

    /** Checks the numbers, then loads the model and generates its inputs. */
    TimedModel open() {
        TimedModel.checkAtLeast("--threads", threads, 1);
        TimedModel.checkAtLeast("--warmup", warmup, 0);
        return TimedModel.open(model.get(0), dims, threads, seed);
    }
}
