package dev.octet.onnx.conformance;

import dev.octet.api.InferenceSession;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
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
            try (InferenceSession session = new InferenceSession(graph)) {
                List<Path> sets;
                try (Stream<Path> s = Files.list(dir)) {
                    sets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set_")).sorted().toList();
                }
                if (sets.isEmpty()) {
                    return new Result(dir, Status.ERROR, "no test_data_set_* directory");
                }
                for (Path set : sets) {
                    String problem = runDataSet(session, set);
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

    private static String runDataSet(InferenceSession session, Path set) {
        List<ValueInfo> inputs = session.inputs().stream()
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
            String m = TensorComparison.mismatch(actual.get(i), expected, TensorComparison.DEFAULT_RTOL,
                TensorComparison.DEFAULT_ATOL);
            if (m != null) {
                return "output '" + session.outputs().get(i).name() + "': " + m;
            }
        }
        return null;
    }
}
