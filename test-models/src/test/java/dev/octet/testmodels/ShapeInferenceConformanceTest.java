package dev.octet.testmodels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.DataType;
import dev.octet.api.SessionOptions;
import dev.octet.api.Tensor;
import dev.octet.compile.Compiler;
import dev.octet.exec.CompiledSession;
import dev.octet.exec.ExecutionPlan;
import dev.octet.exec.Executor;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.ValueInfo;
import dev.octet.models.BundledModels;
import dev.octet.onnx.OnnxImporter;
import dev.octet.onnx.TensorProtos;
import dev.octet.onnx.conformance.OnnxTestRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Shape inference against ground truth: the ONNX node tests' expected outputs, and the real models'
 * symbolic output shapes and specialized plans.
 */
class ShapeInferenceConformanceTest {
    private static final Compiler COMPILER = Compiler.forOptions(SessionOptions.DEFAULTS, dev.octet.ops.OpEnvironment.serial());

    /**
     * With each test's concrete input shapes, whatever inference claims about an output (type, rank, fixed
     * dims) must match the expected output. Outputs whose shape depends on the values of runtime inputs
     * (Reshape's shape, Slice's starts, Resize's sizes...) cannot be fully known from shapes alone, so the
     * suite runs twice: shapes only, and with the small parameter inputs bound as constants, as a real
     * model has them; then nearly every output must be fully known.
     */
    @Test
    void onnxNodeTestsInferTheExpectedOutputTypes() throws Exception {
        List<Path> dirs = OnnxTestRunner.discover(List.of(TestData.onnxNodeTests()));
        assertEquals(398, dirs.size());
        List<String> wrong = new ArrayList<>();
        List<String> partialFromShapes = new ArrayList<>();
        List<String> partialWithConstants = new ArrayList<>();
        for (Path dir : dirs) {
            Graph graph = OnnxImporter.load(dir.resolve("model.onnx"));
            Path set = dir.resolve("test_data_set_0");
            List<ValueInfo> runtime = graph.runtimeInputs();
            Map<String, Tensor> inputs = new LinkedHashMap<>();
            for (int i = 0; Files.exists(set.resolve("input_" + i + ".pb")); i++) {
                inputs.put(runtime.get(i).name(), TensorProtos.read(set.resolve("input_" + i + ".pb")));
            }
            List<Tensor> expected = new ArrayList<>();
            for (int i = 0; Files.exists(set.resolve("output_" + i + ".pb")); i++) {
                expected.add(TensorProtos.read(set.resolve("output_" + i + ".pb")));
            }
            String test = dir.getFileName().toString();
            if (!check(test, graph, inputs, expected, wrong)) {
                partialFromShapes.add(test);
            }
            if (!check(test + " (constant parameters)", withSmallInputsConstant(graph, inputs), inputs, expected, wrong)) {
                partialWithConstants.add(test);
            }
        }
        System.out.println("shape inference: " + (dirs.size() - partialFromShapes.size()) + " of " + dirs.size()
            + " ONNX node tests have fully inferred outputs from input shapes alone, "
            + (dirs.size() - partialWithConstants.size()) + " with constant parameter inputs; partial then: "
            + partialWithConstants);
        assertEquals(List.of(), wrong);
        assertTrue(dirs.size() - partialWithConstants.size() >= 396, "partial: " + partialWithConstants);
    }

    /** Infers with the inputs' shapes; records wrong claims and returns whether every output is fully known. */
    private static boolean check(String test, Graph graph, Map<String, Tensor> inputs, List<Tensor> expected,
                                 List<String> wrong) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (ValueInfo v : graph.runtimeInputs()) {
            shapes.put(v.name(), inputs.get(v.name()).shape());
        }
        ExecutionPlan plan = COMPILER.compile(graph, shapes);
        boolean full = true;
        for (int i = 0; i < expected.size(); i++) {
            String name = graph.outputs().get(i).name();
            ValueInfo inferred = plan.valueTypes().get(name);
            String problem = mismatch(inferred, expected.get(i));
            if (problem != null) {
                wrong.add(test + " " + name + ": " + problem);
            }
            full &= inferred.type() != null && inferred.shape() != null && inferred.shape().stream().allMatch(Dim::isFixed);
        }
        return full;
    }

    /**
     * The graph with its small parameter inputs (at most 64 elements: integer ones, or any but the first)
     * turned into initializers.
     */
    private static Graph withSmallInputsConstant(Graph g, Map<String, Tensor> inputs) {
        Map<String, Tensor> initializers = new LinkedHashMap<>(g.initializers());
        List<ValueInfo> kept = new ArrayList<>();
        List<ValueInfo> runtime = g.runtimeInputs();
        for (ValueInfo v : g.inputs()) {
            Tensor t = inputs.get(v.name());
            boolean integer = t != null && (t.type() == DataType.INT64 || t.type() == DataType.INT32);
            if (t != null && t.size() <= 64 && (integer || !v.equals(runtime.get(0)))) {
                initializers.put(v.name(), t);
            } else {
                kept.add(v);
            }
        }
        return new Graph(g.name(), kept, g.outputs(), initializers, g.nodes(), g.opsets(), g.valueInfo());
    }

    /** Null when every claim of the inferred type agrees with the actual tensor. */
    private static String mismatch(ValueInfo inferred, Tensor actual) {
        if (inferred.type() != null && inferred.type() != actual.type()) {
            return "type " + inferred.type() + " but the output is " + actual.type();
        }
        if (inferred.shape() == null) {
            return null;
        }
        int[] s = actual.shapeView();
        if (inferred.shape().size() != s.length) {
            return "shape " + inferred.shape() + " but the output is " + Arrays.toString(s);
        }
        for (int d = 0; d < s.length; d++) {
            Dim dim = inferred.shape().get(d);
            if (dim.isFixed() && dim.value() != s[d]) {
                return "shape " + inferred.shape() + " but the output is " + Arrays.toString(s);
            }
        }
        return null;
    }

    @Test
    void miniLmKeepsSymbolicDimsAndSpecializesToTheSameResults() {
        Graph graph = OnnxImporter.load(BundledModels.minilmModel());
        CompiledSession session = new CompiledSession(graph);
        ValueInfo out = session.valueInfo("last_hidden_state");
        assertEquals(DataType.FLOAT, out.type());
        assertEquals(List.of(Dim.symbol("batch_size"), Dim.symbol("sequence_length"), Dim.of(384)), out.shape());
        assertEquals(List.of(out), session.outputTypes());

        int[] shape = {2, 37};
        Map<String, int[]> shapes = Map.of("input_ids", shape, "attention_mask", shape, "token_type_ids", shape);
        ExecutionPlan generic = COMPILER.compile(graph);
        ExecutionPlan specialized = COMPILER.compile(graph, shapes);
        List<String> steps = Arrays.stream(specialized.steps()).map(ExecutionPlan.Step::description).toList();
        assertTrue(Arrays.stream(generic.steps()).anyMatch(s -> s.description().endsWith("(op Shape)")));
        assertFalse(steps.stream().anyMatch(s -> s.endsWith("(op Shape)")), steps.toString());
        assertTrue(steps.size() < generic.steps().length);
        assertEquals(List.of(Dim.of(2), Dim.of(37), Dim.of(384)),
            specialized.valueTypes().get("last_hidden_state").shape());

        Map<String, Tensor> inputs = miniLmInputs(shape, new Random(7));
        float[] expected = Executor.run(generic, inputs).get("last_hidden_state").floats();
        float[] viaPlan = Executor.run(specialized, inputs).get("last_hidden_state").floats();
        float[] viaSession = session.run(inputs).get("last_hidden_state").floats();
        assertEquals(2 * 37 * 384, expected.length);
        assertArrayEquals(bits(expected), bits(viaPlan));
        assertArrayEquals(bits(expected), bits(viaSession));
    }

    private static Map<String, Tensor> miniLmInputs(int[] shape, Random random) {
        int n = shape[0] * shape[1];
        long[] ids = new long[n];
        long[] mask = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = random.nextInt(30000);
            mask[i] = 1;
        }
        return Map.of("input_ids", Tensor.ofLongs(ids, shape), "attention_mask", Tensor.ofLongs(mask, shape),
            "token_type_ids", Tensor.ofLongs(new long[n], shape));
    }

    private static int[] bits(float[] v) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = Float.floatToRawIntBits(v[i]);
        }
        return r;
    }

    @Test
    void mobileNetV2QdqInfersSymbolicScores() {
        Graph graph = OnnxImporter.load(TestData.mobileNetV2Qdq().resolve("model.onnx"));
        CompiledSession session = new CompiledSession(graph);
        ValueInfo scores = session.valueInfo("scores");
        assertEquals(DataType.FLOAT, scores.type());
        assertEquals(List.of(Dim.symbol("batch"), Dim.of(1000)), scores.shape());
    }
}
