package dev.octet.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import dev.octet.api.ErrorCode;
import dev.octet.api.InferenceSession;
import dev.octet.api.OctetException;
import dev.octet.api.SessionOptions;
import dev.octet.api.Tensor;
import dev.octet.ir.Graph;
import dev.octet.ir.ValueInfo;
import dev.octet.onnx.OnnxImporter;
import dev.octet.onnx.TensorProtos;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

@Parameters(commandNames = "run", commandDescription = "Run a model once; inputs not given get deterministic random data")
final class RunCommand extends Main.Command {
    @Parameter(description = "MODEL (a path, or minilm for the bundled MiniLM)", required = true, arity = 1)
    List<String> model;

    @Parameter(names = "--input", description = "NAME=FILE.pb, a serialized TensorProto for input NAME (repeatable)")
    List<String> inputs = new ArrayList<>();

    @Parameter(names = "--output-dir", description = "Write each output as OUTPUT_NAME.pb (TensorProto) into this directory")
    String outputDir;

    @Parameter(names = "--seed", description = "Seed for generated inputs")
    long seed = 42;

    @Parameter(names = "--dim", description = "SYMBOL=SIZE for symbolic input dimensions (default 1)")
    List<String> dims = new ArrayList<>();

    @Parameter(names = "--provider", description = "Kernels: scalar, vector or auto (default: auto, or -Doctet.provider)")
    String provider;

    @Parameter(names = "--vector-bits", description = "Vector width for the vector kernels: 128, 256 or 512 (default: the JVM's preferred)")
    Integer vectorBits;

    @Parameter(names = "--threads", description = "Threads per operator (default 1)")
    Integer threads;

    @Override
    int call(PrintStream out) throws Exception {
        Path path = dev.octet.models.BundledModels.resolve(model.get(0));
        Graph g = OnnxImporter.load(path);
        Map<String, Integer> symbolSizes = GeneratedInputs.parseDims(dims, g);
        SessionOptions options = sessionOptions();
        long t0 = System.nanoTime();
        try (InferenceSession session = new InferenceSession(g, options)) {
            long t1 = System.nanoTime();
            return run(g, session, symbolSizes, out, t1 - t0);
        }
    }

    private int run(Graph g, InferenceSession session, Map<String, Integer> symbolSizes, PrintStream out,
                    long compileNanos) throws Exception {
        Map<String, Tensor> feed = new LinkedHashMap<>();
        for (String spec : inputs) {
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "--input takes NAME=FILE.pb, got '" + spec + "'");
            }
            feed.put(spec.substring(0, eq), TensorProtos.read(Path.of(spec.substring(eq + 1))));
        }
        java.util.Set<String> known = new java.util.HashSet<>();
        g.inputs().forEach(v -> known.add(v.name()));
        for (String name : feed.keySet()) {
            if (!known.contains(name)) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "unknown input name '" + name + "', expected one of "
                    + g.runtimeInputs().stream().map(ValueInfo::name).toList());
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (ValueInfo v : g.runtimeInputs()) {
            if (!feed.containsKey(v.name())) {
                Tensor t = GeneratedInputs.randomTensor(v, symbolSizes, random);
                out.println("input " + SafeText.clean(v.name()) + ": generated " + t + " (seed " + seed + ")");
                feed.put(v.name(), t);
            } else {
                out.println("input " + SafeText.clean(v.name()) + ": " + feed.get(v.name()));
            }
        }
        long t2 = System.nanoTime();
        Map<String, Tensor> result = session.run(feed);
        long t3 = System.nanoTime();
        for (var e : result.entrySet()) {
            out.println("output " + SafeText.clean(e.getKey()) + ": " + Summaries.describe(e.getValue()));
        }
        out.println("output-sha256: " + outputSha256(result.values()));
        if (outputDir != null) {
            Path dir = Path.of(outputDir);
            Files.createDirectories(dir);
            for (var e : result.entrySet()) {
                Path file = dir.resolve(e.getKey().replaceAll("[^A-Za-z0-9_.-]", "_") + ".pb");
                TensorProtos.write(e.getValue(), e.getKey(), file);
                out.println("wrote " + file);
            }
        }
        out.println("kernels: " + session.kernelDescription() + ", threads " + session.options().threads());
        out.printf("time: compile %.1f ms, run %.1f ms%n", compileNanos / 1e6, (t3 - t2) / 1e6);
        return 0;
    }

    /** The session options from --provider, --vector-bits and --threads; unset ones keep the defaults. */
    private SessionOptions sessionOptions() {
        SessionOptions.Builder b = SessionOptions.builder();
        if (provider != null) {
            if (!List.of("scalar", "vector", "auto").contains(provider)) {
                throw new OctetException(ErrorCode.INVALID_INPUT,
                    "--provider takes scalar, vector or auto, got '" + provider + "'");
            }
            b.provider(provider);
        }
        if (vectorBits != null) {
            if (vectorBits != 128 && vectorBits != 256 && vectorBits != 512) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "--vector-bits takes 128, 256 or 512, got " + vectorBits);
            }
            b.vectorBits(vectorBits);
        }
        if (threads != null) {
            if (threads < 1) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "--threads takes a count of at least 1, got " + threads);
            }
            b.threads(threads);
        }
        return b.build();
    }

    /**
     * SHA-256 over the outputs in order; for each, its dims as int32 little-endian, then its elements'
     * little-endian bytes (floats as their raw IEEE bits, booleans as one byte 0 or 1). Equal hashes mean
     * bit-identical outputs, which is what cross-platform determinism checks compare.
     */
    static String outputSha256(Collection<Tensor> outputs) {
        return TensorProtos.sha256(outputs);
    }
}
