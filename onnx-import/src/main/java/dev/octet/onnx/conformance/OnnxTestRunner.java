package dev.octet.onnx.conformance;

import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Graph;
import dev.octet.ir.ValueInfo;
import dev.octet.onnx.OnnxImporter;
import dev.octet.onnx.TensorProtos;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs ONNX backend-test directories ({@code model.onnx} + {@code test_data_set_N/input_K.pb, output_K.pb}):
 * inputs bind to the model's runtime inputs in order, outputs compare with {@link TensorComparison}.
 */
public final class OnnxTestRunner {
    public enum Status { PASS, FAIL, ERROR }

    public record Result(Path dir, Status status, String detail) {
        public String line() {
            return status + " " + dir.getFileName() + (detail == null ? "" : ": " + detail);
        }
    }

    private OnnxTestRunner() {}

    /**
     * Tests held to a wider absolute tolerance than {@link TensorComparison#DEFAULT_ATOL}, as ONNX's own backend
     * suite (onnx/test/test_backend_reference.py, {@code dft_atol} on Linux) holds them: their stored outputs
     * are numpy's float32 FFT, whose round-off (~2e-7) sits where the exact transform is 0.
     */
    static final Map<String, Double> ABSOLUTE_TOLERANCE = Map.of(
        "test_dft", 1e-6,
        "test_dft_axis", 1e-6,
        "test_dft_axis_opset19", 1e-6,
        "test_dft_inverse", 1e-6,
        "test_dft_inverse_opset19", 1e-6,
        "test_dft_opset19", 1e-6);

    /** The absolute tolerance a test's outputs are compared with: its entry in the table, else the default. */
    public static double absoluteTolerance(String testName) {
        return ABSOLUTE_TOLERANCE.getOrDefault(testName, TensorComparison.DEFAULT_ATOL);
    }

    /** The test directories under the given paths: a path holding model.onnx is one test, else its children are. */
    public static List<Path> discover(List<Path> roots) throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (Path root : roots) {
            if (Files.isRegularFile(root.resolve("model.onnx"))) {
                dirs.add(root);
                continue;
            }
            if (!Files.isDirectory(root)) {
                throw new IOException("not a test directory: " + root);
            }
            try (Stream<Path> s = Files.list(root)) {
                s.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).sorted().forEach(dirs::add);
            }
        }
        return dirs;
    }

    public static Result run(Path dir) {
        try {
            Graph graph = OnnxImporter.load(dir.resolve("model.onnx"));
            try (CompiledSession session = new CompiledSession(graph)) {
                List<Path> sets;
                try (Stream<Path> s = Files.list(dir)) {
                    sets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set_")).sorted().toList();
                }
                if (sets.isEmpty()) {
                    return new Result(dir, Status.ERROR, "no test_data_set_* directory");
                }
                for (Path set : sets) {
                    String problem = runDataSet(session, set, absoluteTolerance(dir.getFileName().toString()));
                    if (problem != null) {
                        return new Result(dir, Status.FAIL, set.getFileName() + " " + problem);
                    }
                }
                return new Result(dir, Status.PASS, null);
            }
        } catch (OctetException e) {
            return new Result(dir, Status.ERROR, e.code() + ": " + e.getMessage());
        } catch (IOException | RuntimeException | StackOverflowError | OutOfMemoryError e) {
            return new Result(dir, Status.ERROR, e.toString());
        }
    }

    private static String runDataSet(CompiledSession session, Path set, double atol) {
        List<ValueInfo> inputs = session.inputValues().stream()
            .filter(v -> !session.graph().initializers().containsKey(v.name())).toList();
        Map<String, Tensor> feed = new LinkedHashMap<>();
        for (int i = 0; Files.exists(set.resolve("input_" + i + ".pb")); i++) {
            if (i >= inputs.size()) {
                return "has more inputs than the model's " + inputs.size();
            }
            feed.put(inputs.get(i).name(), TensorProtos.read(set.resolve("input_" + i + ".pb")));
        }
        Map<String, Tensor> out = session.run(feed);
        List<Tensor> actual = new ArrayList<>(out.values());
        for (int i = 0; Files.exists(set.resolve("output_" + i + ".pb")); i++) {
            Tensor expected = TensorProtos.read(set.resolve("output_" + i + ".pb"));
            String m = TensorComparison.mismatch(actual.get(i), expected, TensorComparison.DEFAULT_RTOL, atol);
            if (m != null) {
                return "output '" + session.outputs().get(i).name() + "': " + m;
            }
        }
        return null;
    }
}
