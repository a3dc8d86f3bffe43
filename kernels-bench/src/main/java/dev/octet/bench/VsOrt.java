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
import dev.octet.api.InferenceSession;
import dev.octet.api.Tensor;
import dev.octet.ir.Graph;
import dev.octet.ir.ValueInfo;
import dev.octet.models.BundledModels;
import dev.octet.onnx.OnnxImporter;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Octet against ONNX Runtime on one model: the same deterministic inputs, a warmup, then timed runs that
 * alternate between the engines (so changes in machine load hit both alike), then how far the outputs differ,
 * next to how far ORT differs from itself with graph optimizations off (the model's own noise floor).
 * The last line printed is the machine-readable summary ({@code vs-ort: model=... }).
 */
public final class VsOrt {
    private VsOrt() {}

    static final class Args {
        @Parameter(description = "MODEL (a path, or minilm for the bundled MiniLM)", required = true, arity = 1)
        List<String> model;

        @Parameter(names = "--batch", description = "Size of batch-like symbolic dimensions")
        int batch = 1;

        @Parameter(names = "--seq", description = "Size of sequence-like symbolic dimensions")
        int seq = 128;

        @Parameter(names = "--threads", description = "ONNX Runtime intra-op threads")
        int threads = 1;

        @Parameter(names = "--warmup", description = "Untimed runs of each engine")
        int warmup = 5;

        @Parameter(names = "--iters", description = "Timed runs of each engine")
        int iters = 20;

        @Parameter(names = "--budget", description = "Seconds after which warmup and timing stop early (at least one timed run each)")
        double budgetSeconds = 120;

        @Parameter(names = "--seed", description = "Seed for the generated inputs")
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
            if (batch < 1 || seq < 1 || threads < 1 || warmup < 0 || iters < 1 || !(budgetSeconds > 0)) {
                throw new ParameterException("--batch, --seq, --threads and --iters must be at least 1, --warmup at"
                    + " least 0 and --budget positive");
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
        Path path = BundledModels.resolve(spec);
        String name = spec.equalsIgnoreCase(BundledModels.MINILM) ? BundledModels.MINILM : modelName(path);
        Graph graph = OnnxImporter.load(path);
        Map<String, Tensor> feed = BenchInputs.generate(graph.runtimeInputs(), a.batch, a.seq, a.seed);
        out.printf("model: %s (%s)%n", name, path);
        for (ValueInfo v : graph.runtimeInputs()) {
            out.printf("input %s: %s, %s%n", v.name(), feed.get(v.name()), BenchInputs.describe(v));
        }

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> ortFeed = new LinkedHashMap<>();
        try (OrtSession ort = ortSession(env, path, a.threads, OptLevel.ALL_OPT)) {
            for (var e : feed.entrySet()) {
                ortFeed.put(e.getKey(), OrtTensors.toOrt(env, e.getValue()));
            }
            InferenceSession session = new InferenceSession(graph,
                dev.octet.api.SessionOptions.builder().threads(a.threads).build());
            Engines engines = new Engines(session, feed, ort, ortFeed);
            out.printf("engines: octet %s kernels with %d thread(s); onnxruntime %s with %d intra-op"
                + " thread(s), 1 inter-op, ALL_OPT%n", session.kernelDescription(), a.threads, env.getVersion(),
                a.threads);

            long deadline = System.nanoTime() + (long) (a.budgetSeconds * 1e9);
            int warmed = 0;
            while (warmed < a.warmup && System.nanoTime() < deadline) {
                engines.octet();
                engines.ort();
                warmed++;
            }
            long[] octetNs = new long[a.iters];
            long[] ortNs = new long[a.iters];
            int timed = 0;
            while (timed < a.iters && (timed == 0 || System.nanoTime() < deadline)) {
                octetNs[timed] = engines.octet();
                ortNs[timed] = engines.ort();
                timed++;
            }
            if (warmed < a.warmup || timed < a.iters) {
                out.printf(Locale.ROOT, "budget: %.0f s reached after %d of %d warmup and %d of %d timed runs%n",
                    a.budgetSeconds, warmed, a.warmup, timed, a.iters);
            }
            double[] octetMs = percentilesMs(octetNs, timed);
            double[] ortMs = percentilesMs(ortNs, timed);
            out.printf(Locale.ROOT, "octet: p50 %.3f ms  p90 %.3f ms  (%d runs)%n", octetMs[0], octetMs[1], timed);
            out.printf(Locale.ROOT, "ort:   p50 %.3f ms  p90 %.3f ms  (%d runs)%n", ortMs[0], ortMs[1], timed);

            Map<String, Output> unoptimized;
            try (OrtSession plain = ortSession(env, path, a.threads, OptLevel.NO_OPT);
                 OrtSession.Result r = plain.run(ortFeed)) {
                unoptimized = outputs(r);
            }
            session.close();
            double diff = Output.maxAbsDiff(engines.octetOutputs, engines.ortOutputs);
            double cosine = Output.minRowCosine(engines.octetOutputs, engines.ortOutputs);
            double selfCosine = Output.minRowCosine(engines.ortOutputs, unoptimized);
            out.printf(Locale.ROOT, "accuracy: max |octet - ort| %.6f, min row cosine octet/ort %.6f,"
                + " ort/ort-without-optimizations %.6f%n", diff, cosine, selfCosine);

            String line = String.format(Locale.ROOT, "vs-ort: model=%s batch=%d seq=%d threads=%d octet_p50_ms=%.3f"
                    + " ort_p50_ms=%.3f ratio=%.2f max_abs_diff=%.6f cosine=%.6f ort_self_cosine=%.6f",
                name, a.batch, a.seq, a.threads, octetMs[0], ortMs[0], octetMs[0] / ortMs[0], diff, cosine, selfCosine);
            out.println(line);
            return line;
        } finally {
            ortFeed.values().forEach(OnnxTensor::close);
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
            // ORT's workers spin for a while after each run by default; with runs alternating in one process that
            // spinning takes the core Octet's second thread needs. Octet's workers park 50 us after a job.
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            return env.createSession(model.toString(), options);
        }
    }

    /** p50 and p90 (nearest rank) of the first n samples, in milliseconds. */
    private static double[] percentilesMs(long[] ns, int n) {
        long[] sorted = Arrays.copyOf(ns, n);
        Arrays.sort(sorted);
        return new double[] {sorted[rank(0.5, n)] / 1e6, sorted[rank(0.9, n)] / 1e6};
    }

    private static int rank(double p, int n) {
        return Math.max(0, (int) Math.ceil(p * n) - 1);
    }

    private static Map<String, Output> outputs(OrtSession.Result r) {
        Map<String, Output> m = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxValue> e : r) {
            m.put(e.getKey(), OrtTensors.toOutput(e.getKey(), e.getValue()));
        }
        return m;
    }

    /** Both engines on the fixed inputs; each call returns its run time and the first outputs are kept. */
    private static final class Engines {
        private final InferenceSession octet;
        private final Map<String, Tensor> feed;
        private final OrtSession ort;
        private final Map<String, OnnxTensor> ortFeed;
        Map<String, Output> octetOutputs;
        Map<String, Output> ortOutputs;

        Engines(InferenceSession octet, Map<String, Tensor> feed, OrtSession ort, Map<String, OnnxTensor> ortFeed) {
            this.octet = octet;
            this.feed = feed;
            this.ort = ort;
            this.ortFeed = ortFeed;
        }

        long octet() {
            long t0 = System.nanoTime();
            Map<String, Tensor> result = octet.run(feed);
            long elapsed = System.nanoTime() - t0;
            if (octetOutputs == null) {
                octetOutputs = new LinkedHashMap<>();
                result.forEach((k, v) -> octetOutputs.put(k, Output.of(v)));
            }
            return elapsed;
        }

        long ort() throws OrtException {
            long t0 = System.nanoTime();
            try (OrtSession.Result result = ort.run(ortFeed)) {
                long elapsed = System.nanoTime() - t0;
                if (ortOutputs == null) {
                    ortOutputs = outputs(result);
                }
                return elapsed;
            }
        }
    }
}
