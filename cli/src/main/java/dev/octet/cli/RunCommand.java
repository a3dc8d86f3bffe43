package dev.octet.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.SessionOptions;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
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

    @Parameter(names = "--input", description = "NAME=FILE for input NAME: a serialized TensorProto (.pb), a NumPy .npy, "
        + "or an .npz holding an array NAME (or only one array); or FILE.npz alone, whose arrays are inputs by name (repeatable)")
    List<String> inputs = new ArrayList<>();

    @Parameter(names = "--output-dir", description = "Write each output into this directory (see --output-format)")
    String outputDir;

    @Parameter(names = "--output-format", description = "pb: OUTPUT_NAME.pb (TensorProto) each; npy: OUTPUT_NAME.npy each; "
        + "npz: all outputs in outputs.npz (default pb)")
    String outputFormat;

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

    @Parameter(names = "--max-tensor-elements", description = "Refuse (RESOURCE_LIMIT) any tensor larger than this, "
        + "initializers included, before allocating it (default: what the heap holds)")
    Long maxTensorElements;

    @Parameter(names = "--max-folded-elements", description = "Compute constant values larger than this at run time "
        + "instead of at load (default: no limit)")
    Long maxFoldedElements;

    @Override
    int call(PrintStream out) throws Exception {
        if (outputFormat != null && (outputDir == null || !List.of("pb", "npy", "npz").contains(outputFormat))) {
            throw new OctetException(ErrorCode.INVALID_INPUT, outputDir == null ? "--output-format needs --output-dir"
                : "--output-format takes pb, npy or npz, got '" + outputFormat + "'");
        }
        Path path = dev.octet.models.BundledModels.resolve(model.get(0));
        SessionOptions options = sessionOptions();
        Graph g = dev.octet.ops.TensorLimit.with(options.maxTensorElements(), () -> OnnxImporter.load(path));
        Map<String, Integer> symbolSizes = GeneratedInputs.parseDims(dims, g);
        long t0 = System.nanoTime();
        try (CompiledSession session = new CompiledSession(g, options)) {
            long t1 = System.nanoTime();
            return run(g, session, symbolSizes, out, t1 - t0);
        }
    }

    private int run(Graph g, CompiledSession session, Map<String, Integer> symbolSizes, PrintStream out,
                    long compileNanos) throws Exception {
        Map<String, Tensor> feed = readInputs(inputs);
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
                Tensor t = dev.octet.ops.TensorLimit.with(session.options().maxTensorElements(),
                    () -> GeneratedInputs.randomTensor(v, symbolSizes, random));
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
            writeOutputs(result, Path.of(outputDir), out);
        }
        out.println("kernels: " + session.kernelDescription() + ", threads " + session.options().threads());
        out.printf("time: compile %.1f ms, run %.1f ms%n", compileNanos / 1e6, (t3 - t2) / 1e6);
        return 0;
    }

    /** The --input values as input name to tensor, in the order given; a name given twice is an error. */
    static Map<String, Tensor> readInputs(List<String> specs) {
        Map<String, Tensor> feed = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            Map<String, Tensor> read;
            if (eq < 0 && isNpz(spec)) {
                read = Npy.readNpz(Path.of(spec));
            } else if (eq <= 0) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "--input takes NAME=FILE (.pb, .npy or .npz) or FILE.npz, got '"
                    + spec + "'");
            } else {
                String name = spec.substring(0, eq);
                read = Map.of(name, readTensor(name, Path.of(spec.substring(eq + 1))));
            }
            for (var e : read.entrySet()) {
                if (feed.put(e.getKey(), e.getValue()) != null) {
                    throw new OctetException(ErrorCode.INVALID_INPUT, "--input gives '" + e.getKey() + "' twice");
                }
            }
        }
        return feed;
    }

    private static boolean isNpz(String file) {
        return file.toLowerCase(java.util.Locale.ROOT).endsWith(".npz");
    }

    /** Input {@code name} from a .npy, from an .npz (its array {@code name}, or its only one), else from a TensorProto. */
    private static Tensor readTensor(String name, Path file) {
        String lower = file.toString().toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith(".npy")) {
            return Npy.read(file);
        }
        if (isNpz(lower)) {
            Map<String, Tensor> arrays = Npy.readNpz(file);
            if (arrays.containsKey(name)) {
                return arrays.get(name);
            }
            if (arrays.size() == 1) {
                return arrays.values().iterator().next();
            }
            throw new OctetException(ErrorCode.INVALID_INPUT, file + " has no array '" + name + "'; it has " + arrays.keySet());
        }
        return TensorProtos.read(file);
    }

    private void writeOutputs(Map<String, Tensor> result, Path dir, PrintStream out) throws java.io.IOException {
        String format = outputFormat == null ? "pb" : outputFormat;
        Files.createDirectories(dir);
        if (format.equals("npz")) {
            Map<String, Tensor> byFileName = new LinkedHashMap<>();
            result.forEach((name, t) -> byFileName.put(fileName(name), t));
            Path file = dir.resolve("outputs.npz");
            Npy.writeNpz(byFileName, file);
            out.println("wrote " + SafeText.clean(file.toString()));
            return;
        }
        for (var e : result.entrySet()) {
            Path file = dir.resolve(fileName(e.getKey()) + "." + format);
            if (format.equals("npy")) {
                Npy.write(e.getValue(), file);
            } else {
                TensorProtos.write(e.getValue(), e.getKey(), file);
            }
            out.println("wrote " + SafeText.clean(file.toString()));
        }
    }

    /** An output name as a file name: characters other than letters, digits, '_', '.' and '-' become '_'. */
    private static String fileName(String outputName) {
        return outputName.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    /** The session options from --provider, --vector-bits, --threads and the limits; unset ones keep the defaults. */
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
        if (maxTensorElements != null) {
            b.maxTensorElements(positive("--max-tensor-elements", maxTensorElements));
        }
        if (maxFoldedElements != null) {
            b.maxFoldedElements(positive("--max-folded-elements", maxFoldedElements));
        }
        return b.build();
    }

    private static long positive(String option, long n) {
        if (n < 1) {
            throw new OctetException(ErrorCode.INVALID_INPUT, option + " takes a count of at least 1, got " + n);
        }
        return n;
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
