package dev.octet.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import com.beust.jcommander.JCommander;
import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParameterException;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Graph;
import dev.octet.ir.ValueInfo;
import dev.octet.models.BundledModels;
import dev.octet.onnx.OnnxImporter;
import dev.octet.testmodels.QuantizedCnns;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Octet against ONNX Runtime on one model, with the same deterministic inputs.
 *
 * <p>Timing: each engine in its own block (warm-up runs, then timed runs), Octet first, then ORT, and with
 * {@code --drift-check} Octet once more. Runs are not alternated: alternating lets one engine's spinning
 * workers, JIT threads and cache traffic slow the other. With {@code --rounds R} the pair of blocks is timed R
 * times (ORT in a new session each round; after the first round each block warms up briefly, the JIT being warm),
 * and the ratio reported is the median of the rounds' ratios: on a shared machine whose load drifts over minutes,
 * one pair of blocks can catch the engines in different conditions. The budget is shared equally by the blocks.
 *
 * <p>Agreement, per output ({@link Agreement}): Octet against ORT, next to two yardsticks from ORT alone:
 * the noise floor, ORT on the inputs nudged by one ulp against ORT on the inputs as they are (how far the
 * smallest possible change of the input moves the result; n/a without float inputs), and ORT with graph
 * optimizations off against ORT with them on (how far ORT's own rewrites move it; identical when it fuses
 * nothing). The last line printed is the machine-readable summary ({@code vs-ort: model=... }).
 */
public final class VsOrt {
    private VsOrt() {}

    static final class Args {
        @Parameter(description = "MODEL (a path; minilm for the bundled MiniLM; unet-dynamic, vitis-detector,"
            + " resnet-qdq or resnet-qop for a generated quantized CNN, see --size)", required = true, arity = 1)
        List<String> model;

        @Parameter(names = "--size", description = "Input side of a generated CNN (1x3xSIZExSIZE)")
        int size = 512;

        @Parameter(names = "--batch", description = "Size of batch-like symbolic dimensions")
        int batch = 1;

        @Parameter(names = "--seq", description = "Size of sequence-like symbolic dimensions")
        int seq = 128;

        @Parameter(names = "--threads", description = "Threads per operator for both engines (ORT: intra-op)")
        int threads = 1;

        @Parameter(names = "--warmup", description = "Untimed runs of each engine before its timed runs, at least")
        int warmup = 5;

        @Parameter(names = "--max-warmup", description = "Untimed runs, at most (default: the larger of 200 and"
            + " --warmup): past --warmup and --min-warmup-seconds, warm-up goes on until the medians of the last two"
            + " windows of 5 runs are within 5% of each other")
        Integer maxWarmup;

        @Parameter(names = "--min-warmup-seconds", description = "Seconds of warm-up, at least: the Vector API"
            + " kernels run boxed until C2 has compiled them, which takes seconds, and a plateau before that can look"
            + " settled")
        double minWarmupSeconds = 3;

        @Parameter(names = "--iters", description = "Timed runs of each engine")
        int iters = 20;

        @Parameter(names = "--budget", description = "Seconds for all timing, shared equally by the engine blocks;"
            + " a block stops warming up after half its share and timing after all of it (at least one timed run)")
        double budgetSeconds = 120;

        @Parameter(names = "--drift-check", description = "Time Octet again after ORT, to show how much the"
            + " machine drifted between the blocks")
        boolean driftCheck;

        @Parameter(names = "--rounds", description = "Times the pair of blocks (Octet, then ORT) is timed; the ratio"
            + " reported is the median of the rounds' ratios")
        int rounds = 1;

        @Parameter(names = "--seed", description = "Seed for the generated inputs and the one-ulp nudges")
        long seed = 42;

        @Parameter(names = {"-h", "--help"}, help = true, description = "Show this help")
        boolean help;

        static Args parse(String... argv) {
            Args a = new Args();
            JCommander.newBuilder().addObject(a).build().parse(argv);
            a.validate();
            return a;
        }

        private void validate() {
            if (maxWarmup == null) {
                maxWarmup = Math.max(200, warmup);
            }
            if (size < 1 || batch < 1 || seq < 1 || threads < 1 || warmup < 0 || maxWarmup < warmup || iters < 1
                    || rounds < 1 || !(budgetSeconds > 0) || !(minWarmupSeconds >= 0)) {
                throw new ParameterException("--size, --batch, --seq, --threads, --iters and --rounds must be at"
                    + " least 1, --warmup at least 0, --max-warmup at least --warmup, --min-warmup-seconds at least 0 and"
                    + " --budget positive");
            }
        }
    }

    public static void main(String[] argv) {
        System.exit(main(argv, System.out, System.err));
    }

    static int main(String[] argv, PrintStream out, PrintStream err) {
        Args args;
        try {
            args = Args.parse(argv);
        } catch (ParameterException e) {
            err.println("bench-vs-ort: " + e.getMessage());
            err.print(usage());
            return 2;
        }
        if (args.help) {
            out.print(usage());
            return 0;
        }
        try {
            run(args, out);
            return 0;
        } catch (OrtException | RuntimeException e) {
            err.println("bench-vs-ort: " + e.getMessage());
            return 1;
        }
    }

    private static String usage() {
        StringBuilder sb = new StringBuilder();
        JCommander jc = JCommander.newBuilder().addObject(new Args()).programName("bench-vs-ort").build();
        jc.getUsageFormatter().usage(sb);
        return sb.toString();
    }

    /** Runs the comparison, printing progress and the summary line to {@code out}; returns the summary line. */
    static String run(Args a, PrintStream out) throws OrtException {
        String spec = a.model.get(0);
        Optional<QuantizedCnns.Kind> generated = QuantizedCnns.Kind.byName(spec);
        Path path = generated.isPresent() ? generate(generated.get(), a.size) : BundledModels.resolve(spec);
        String name = spec.equalsIgnoreCase(BundledModels.MINILM) ? BundledModels.MINILM : modelName(path);
        Graph graph = OnnxImporter.load(path);
        Map<String, Tensor> feed = BenchInputs.generate(graph.runtimeInputs(), a.batch, a.seq, a.seed);
        Optional<Map<String, Tensor>> nudged = BenchInputs.nudgedByOneUlp(feed, a.seed);
        out.printf("model: %s (%s)%n", name, path);
        for (ValueInfo v : graph.runtimeInputs()) {
            out.printf("input %s: %s, %s%n", v.name(), feed.get(v.name()), BenchInputs.describe(v));
        }

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long blockBudget = (long) (a.budgetSeconds * 1e9 / (2 * a.rounds + (a.driftCheck ? 1 : 0)));
        Map<String, OnnxTensor> ortFeed = new LinkedHashMap<>();
        Map<String, OnnxTensor> ortNudgedFeed = new LinkedHashMap<>();
        try (CompiledSession session = new CompiledSession(graph,
                dev.octet.api.SessionOptions.builder().threads(a.threads).build())) {
            out.printf("engines: octet %s kernels with %d thread(s); onnxruntime %s with %d intra-op"
                + " thread(s), 1 inter-op, ALL_OPT, default spinning%n", session.kernelDescription(), a.threads,
                env.getVersion(), a.threads);
            out.printf("timing: each engine in its own block (warm-up, then timed runs), octet first, then ort%s%s%n",
                a.rounds > 1 ? ", " + a.rounds + " rounds" : "", a.driftCheck ? ", then octet again" : "");

            Engine octet = new Engine() {
                @Override
                long run() {
                    long t0 = System.nanoTime();
                    Map<String, Tensor> result = session.run(feed);
                    long elapsed = System.nanoTime() - t0;
                    if (firstOutputs == null) {
                        firstOutputs = new LinkedHashMap<>();
                        result.forEach((k, v) -> firstOutputs.put(k, Output.of(v)));
                    }
                    return elapsed;
                }

                @Override
                boolean warming() {
                    return session.kernelsWarming();
                }
            };
            for (var e : feed.entrySet()) {
                ortFeed.put(e.getKey(), OrtTensors.toOrt(env, e.getValue()));
            }
            if (nudged.isPresent()) {
                for (var e : nudged.get().entrySet()) {
                    ortNudgedFeed.put(e.getKey(), OrtTensors.toOrt(env, e.getValue()));
                }
            }
            RunTimes[] octetRounds = new RunTimes[a.rounds];
            RunTimes[] ortRounds = new RunTimes[a.rounds];
            Rounds timing = new Rounds(octetRounds, ortRounds);
            Map<String, Output> ortOutputs = null;
            Map<String, Output> ortNudged = null;
            for (int round = 0; round < a.rounds; round++) {
                Warmup warmup = round == 0 ? Warmup.of(a) : Warmup.again(a);
                String suffix = a.rounds == 1 ? "" : " " + (round + 1);
                octetRounds[round] = timeBlock(octet, warmup, a.iters, blockBudget, "octet" + suffix, out);
                // ORT's session (and its thread pool) exists only for its own block.
                try (OrtSession ort = ortSession(env, path, a.threads, OptLevel.ALL_OPT)) {
                    Engine ortEngine = new Engine() {
                        @Override
                        long run() throws OrtException {
                            long t0 = System.nanoTime();
                            try (OrtSession.Result result = ort.run(ortFeed)) {
                                long elapsed = System.nanoTime() - t0;
                                if (firstOutputs == null) {
                                    firstOutputs = outputs(result);
                                }
                                return elapsed;
                            }
                        }
                    };
                    ortRounds[round] = timeBlock(ortEngine, warmup, a.iters, blockBudget, "ort" + suffix, out);
                    if (round == 0) {
                        ortOutputs = ortEngine.firstOutputs;
                        if (nudged.isPresent()) {
                            try (OrtSession.Result r = ort.run(ortNudgedFeed)) {
                                ortNudged = outputs(r);
                            }
                        }
                    }
                }
                if (a.rounds > 1) {
                    out.printf(Locale.ROOT, "round %d: ratio octet/ort (p50) %.2f%n", round + 1,
                        timing.roundRatio(round));
                }
            }
            RunTimes octetAgain = a.driftCheck
                ? timeBlock(octet, Warmup.again(a), a.iters, blockBudget, "octet again", out) : null;
            out.printf(Locale.ROOT, "ratio octet/ort (p50%s): %.2f%n",
                a.rounds > 1 ? ", median of " + a.rounds + " rounds" : "", timing.ratio());

            Map<String, Output> unoptimized;
            try (OrtSession plain = ortSession(env, path, a.threads, OptLevel.NO_OPT);
                 OrtSession.Result r = plain.run(ortFeed)) {
                unoptimized = outputs(r);
            }
            Map<String, Agreement> vsOrt = Agreement.perOutput(octet.firstOutputs, ortOutputs);
            Map<String, Agreement> noise = ortNudged == null ? null : Agreement.perOutput(ortNudged, ortOutputs);
            Map<String, Agreement> noOpt = Agreement.perOutput(unoptimized, ortOutputs);
            printAgreement(out, ortOutputs, vsOrt, noise, noOpt);

            String line = summary(a, name, timing, octetAgain, Agreement.overall(vsOrt.values()),
                noise == null ? null : Agreement.overall(noise.values()), Agreement.overall(noOpt.values()));
            out.println(line);
            return line;
        } finally {
            ortFeed.values().forEach(OnnxTensor::close);
            ortNudgedFeed.values().forEach(OnnxTensor::close);
        }
    }

    /** One engine on the fixed inputs: each run returns its time; the first run's outputs are kept. */
    private abstract static class Engine {
        Map<String, Output> firstOutputs;

        /** One run, in nanoseconds. */
        abstract long run() throws OrtException;

        /** Whether some kernels still run their scalar code while the JIT compiles their vector code (Octet's). */
        boolean warming() {
            return false;
        }
    }

    /**
     * A block's warm-up: at least {@code runs} runs and {@code minSeconds}, at most {@code max} runs (see timeBlock).
     */
    record Warmup(int runs, int max, double minSeconds) {
        /** Runs after the first round: the engine's code is compiled, so a short warm-up brings it back to speed. */
        static final int AGAIN = 50;

        static Warmup of(Args a) {
            return new Warmup(a.warmup, a.maxWarmup, a.minWarmupSeconds);
        }

        /** A later round's: at most {@link #AGAIN} runs before the settled check, no minimum time. */
        static Warmup again(Args a) {
            return new Warmup(Math.min(a.warmup, AGAIN), a.maxWarmup, 0);
        }
    }

    /** Each round's blocks; the ratio is the median of the rounds' p50 ratios, each engine's p50 its rounds' median. */
    record Rounds(RunTimes[] octet, RunTimes[] ort) {
        /** Round i's ratio of p50s, octet over ort. */
        double roundRatio(int i) {
            return octet[i].p50Ms() / ort[i].p50Ms();
        }

        double ratio() {
            return EmbedStats.median(java.util.stream.IntStream.range(0, octet.length).mapToDouble(this::roundRatio)
                .toArray());
        }

        double octetP50Ms() {
            return EmbedStats.median(Arrays.stream(octet).mapToDouble(RunTimes::p50Ms).toArray());
        }

        double ortP50Ms() {
            return EmbedStats.median(Arrays.stream(ort).mapToDouble(RunTimes::p50Ms).toArray());
        }

        /** Each round's ratio, comma-separated. */
        String ratios() {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < octet.length; i++) {
                sb.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.2f", roundRatio(i)));
            }
            return sb.toString();
        }
    }

    /**
     * Warm-up runs: at least {@code --warmup} and {@code --min-warmup-seconds}, then on until the engine's kernels are
     * compiled and the last two windows have settled, at most
     * {@code --max-warmup} and half the block's budget. Then timed runs: {@code --iters}, or fewer once the whole
     * budget is spent (at least one). Collects garbage first so that the previous block's leftovers are not this
     * one's pause.
     */
    private static RunTimes timeBlock(Engine engine, Warmup w, int iters, long budgetNanos, String label,
                                      PrintStream out) throws OrtException {
        System.gc();
        long start = System.nanoTime();
        long[] warm = new long[w.max()];
        int warmed = 0;
        long minWarmupNanos = (long) (w.minSeconds() * 1e9);
        while (warmed < w.max() && System.nanoTime() - start < budgetNanos / 2
                && (warmed < w.runs() || System.nanoTime() - start < minWarmupNanos
                    || engine.warming() || RunTimes.windowsSettled(warm, warmed) != RunTimes.Verdict.YES)) {
            warm[warmed++] = engine.run();
        }
        boolean stillWarming = engine.warming();
        long[] ns = new long[iters];
        int timed = 0;
        while (timed < iters && (timed == 0 || System.nanoTime() - start < budgetNanos)) {
            ns[timed++] = engine.run();
        }
        if (warmed < w.runs() || timed < iters) {
            out.printf(Locale.ROOT, "budget: %s stopped at %.0f s after %d of %d warm-up and %d of %d timed runs%n",
                label, budgetNanos / 1e9, warmed, w.runs(), timed, iters);
        }
        RunTimes times = new RunTimes(warmed, stillWarming ? RunTimes.Verdict.NO : RunTimes.windowsSettled(warm, warmed),
            Arrays.copyOf(ns, timed));
        out.printf("%-12s %s%n", label + ":", times.describe());
        return times;
    }

    private static void printAgreement(PrintStream out, Map<String, Output> ortOutputs, Map<String, Agreement> vsOrt,
                                       Map<String, Agreement> noise, Map<String, Agreement> noOpt) {
        out.println("agreement per output (|diff| absolute; >1e-2, >1e-1: fraction of elements off by more;"
            + " bits differ: elements not bit for bit equal; cosine over the whole tensor):");
        for (var e : vsOrt.entrySet()) {
            Output o = ortOutputs.get(e.getKey());
            out.printf("  %s: %s%s, %d elements%n", e.getKey(), o.type(), Arrays.toString(o.shape()), o.values().length);
            out.printf("    %-28s %s%n", "octet vs ort", describe(e.getValue()));
            out.printf("    %-28s %s%n", "noise floor: ort(input±1ulp)", noise == null
                ? "n/a: no float inputs to nudge (integer inputs such as token ids stay as they are)"
                : describe(noise.get(e.getKey())));
            out.printf("    %-28s %s%n", "ort without optimizations", describe(noOpt.get(e.getKey())));
        }
    }

    private static String describe(Agreement g) {
        return String.format(Locale.ROOT, "max|diff| %-10s cosine %s  >1e-2 %-10s >1e-1 %-10s bits differ in %d of %d",
            Agreement.formatNumber(g.maxAbsDiff()), Agreement.formatCosine(g.cosine()),
            Agreement.formatNumber(g.fractionBeyond1e2()), Agreement.formatNumber(g.fractionBeyond1e1()),
            g.differingElements(), g.elements());
    }

    /** The machine-readable last line; {@code noise} null when the model has no float inputs (keys say n/a). */
    static String summary(Args a, String name, Rounds timing, RunTimes octetAgain, Agreement vsOrt, Agreement noise,
                          Agreement noOpt) {
        RunTimes octet = timing.octet()[0];
        RunTimes ort = timing.ort()[0];
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
            "vs-ort: model=%s batch=%d seq=%d threads=%d octet_p50_ms=%.3f ort_p50_ms=%.3f ratio=%.2f",
            name, a.batch, a.seq, a.threads, timing.octetP50Ms(), timing.ortP50Ms(), timing.ratio()));
        sb.append(" max_abs_diff=").append(Agreement.formatNumber(vsOrt.maxAbsDiff()))
            .append(" diff_elems=").append(vsOrt.differingElements())
            .append(" elems=").append(vsOrt.elements())
            .append(" cosine=").append(Agreement.formatCosine(vsOrt.cosine()))
            .append(" frac_gt_1e-2=").append(Agreement.formatNumber(vsOrt.fractionBeyond1e2()))
            .append(" frac_gt_1e-1=").append(Agreement.formatNumber(vsOrt.fractionBeyond1e1()));
        sb.append(" noise_max_abs_diff=").append(noise == null ? "n/a" : Agreement.formatNumber(noise.maxAbsDiff()))
            .append(" noise_diff_elems=").append(noise == null ? "n/a" : Long.toString(noise.differingElements()))
            .append(" noise_cosine=").append(noise == null ? "n/a" : Agreement.formatCosine(noise.cosine()))
            .append(" noise_frac_gt_1e-2=").append(noise == null ? "n/a" : Agreement.formatNumber(noise.fractionBeyond1e2()));
        sb.append(" noopt_max_abs_diff=").append(Agreement.formatNumber(noOpt.maxAbsDiff()))
            .append(" noopt_diff_elems=").append(noOpt.differingElements())
            .append(" noopt_cosine=").append(Agreement.formatCosine(noOpt.cosine()));
        sb.append(String.format(Locale.ROOT, " octet_warmup=%d ort_warmup=%d octet_runs=%d ort_runs=%d"
            + " octet_settled=%s ort_settled=%s", octet.warmups(), ort.warmups(), octet.runs(), ort.runs(),
            octet.settled(), ort.settled()));
        if (a.rounds > 1) {
            sb.append(" rounds=").append(a.rounds).append(" round_ratios=").append(timing.ratios());
        }
        if (octetAgain != null) {
            sb.append(String.format(Locale.ROOT, " octet_again_p50_ms=%.3f", octetAgain.p50Ms()));
        }
        return sb.toString();
    }

    /** Writes a generated CNN (the default seed) into a temporary folder removed when the JVM exits. */
    private static Path generate(QuantizedCnns.Kind kind, int size) {
        try {
            Path dir = Files.createTempDirectory("octet-vs-ort-");
            dir.toFile().deleteOnExit();
            Path file = QuantizedCnns.write(kind, size, QuantizedCnns.DEFAULT_SEED, dir);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the generated " + kind.modelName(), e);
        }
    }

    /** The file name without .onnx, or the folder's name for a generic model.onnx; one word for scripts. */
    static String modelName(Path path) {
        String file = path.getFileName().toString().replaceFirst("\\.onnx$", "");
        Path dir = path.toAbsolutePath().getParent();
        String name = file.equals("model") && dir != null && dir.getFileName() != null ? dir.getFileName().toString() : file;
        return name.replaceAll("\\s+", "_");
    }

    private static OrtSession ortSession(OrtEnvironment env, Path model, int threads, OptLevel level) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(level);
            // A bundled model is a path inside its jar, which ORT cannot open; a file on disk is passed by name so
            // that ORT finds external data beside it.
            if (model.getFileSystem() != FileSystems.getDefault()) {
                try {
                    return env.createSession(Files.readAllBytes(model), options);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + model, e);
                }
            }
            return env.createSession(model.toString(), options);
        }
    }

    private static Map<String, Output> outputs(OrtSession.Result r) {
        Map<String, Output> m = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxValue> e : r) {
            m.put(e.getKey(), OrtTensors.toOutput(e.getKey(), e.getValue()));
        }
        return m;
    }
}
