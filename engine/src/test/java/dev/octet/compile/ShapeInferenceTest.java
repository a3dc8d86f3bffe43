package dev.octet.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.SessionOptions;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.exec.ExecutionPlan;
import dev.octet.exec.Executor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import dev.octet.kernel.FloatKernels;
import dev.octet.kernel.KernelProvider;
import dev.octet.kernel.Parallel;
import dev.octet.kernel.scalar.ScalarKernelProvider;
import dev.octet.ops.OpEnvironment;
import dev.octet.ops.OpRegistry;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShapeInferenceTest {
    private static final Dim BATCH = Dim.symbol("batch");
    private static final Dim SEQ = Dim.symbol("seq");

    private static ValueInfo input(String name, DataType type, Dim... dims) {
        return new ValueInfo(name, type, type.onnxCode(), List.of(dims));
    }

    private static Node node(String name, String op, List<String> in, List<String> out, Map<String, Attribute> attrs) {
        return new Node(name, op, "", in, out, attrs);
    }

    private static Graph graph(List<ValueInfo> inputs, String output, Map<String, Tensor> initializers, Node... nodes) {
        return new Graph("g", inputs, List.of(new ValueInfo(output, null, 0, null)), initializers, List.of(nodes),
            Map.of("", 17), Map.of());
    }

    private static ValueInfo inferred(Graph g, String value) {
        return PassContext.defaults().infer(g).types().get(value);
    }

    @Test
    void broadcastKeepsSymbols() {
        Graph g = graph(List.of(input("x", DataType.FLOAT, BATCH, Dim.of(3)), input("b", DataType.FLOAT, Dim.of(3))),
            "y", Map.of(), node("add", "Add", List.of("x", "b"), List.of("y"), Map.of()));
        assertEquals("y: float[batch,3]", inferred(g, "y").describe());
    }

    @Test
    void differentSymbolsBroadcastToUnknown() {
        Graph g = graph(List.of(input("x", DataType.FLOAT, Dim.symbol("a")), input("z", DataType.FLOAT, Dim.symbol("b"))),
            "y", Map.of(), node("add", "Add", List.of("x", "z"), List.of("y"), Map.of()));
        assertEquals(List.of(Dim.UNKNOWN), inferred(g, "y").shape());
    }

    @Test
    void matMulPropagatesBatchDims() {
        Graph g = graph(List.of(input("x", DataType.FLOAT, BATCH, SEQ, Dim.of(384))), "y",
            Map.of("w", Tensor.zeros(DataType.FLOAT, 384, 1536)),
            node("mm", "MatMul", List.of("x", "w"), List.of("y"), Map.of()));
        assertEquals(List.of(BATCH, SEQ, Dim.of(1536)), inferred(g, "y").shape());
    }

    @Test
    void reshapeResolvesZeroAndMinusOne() {
        Graph g = graph(List.of(input("x", DataType.FLOAT, BATCH, SEQ, Dim.of(384))), "z",
            Map.of("heads", Tensor.ofLongs(new long[] {0, 0, 12, -1}, 4), "flat", Tensor.ofLongs(new long[] {-1, 384}, 2)),
            node("r1", "Reshape", List.of("x", "heads"), List.of("y"), Map.of()),
            node("r2", "Reshape", List.of("y", "flat"), List.of("z"), Map.of()));
        assertEquals(List.of(BATCH, SEQ, Dim.of(12), Dim.of(32)), inferred(g, "y").shape());
        // batch * seq is no single dim: unknown, but the rank and the 384 are known.
        assertEquals(List.of(Dim.UNKNOWN, Dim.of(384)), inferred(g, "z").shape());
    }

    /** Shape -> Gather -> Unsqueeze -> Concat -> Reshape, as transformer exporters write it. */
    private static Graph shapeSubgraph() {
        Map<String, Attribute> axes0 = Map.of();
        return graph(List.of(input("x", DataType.FLOAT, BATCH, SEQ, Dim.of(384))), "y",
            Map.of("zero", Tensor.ofLongs(new long[] {0}), "one", Tensor.ofLongs(new long[] {1}),
                "axes", Tensor.ofLongs(new long[] {0}, 1), "tail", Tensor.ofLongs(new long[] {12, 32}, 2)),
            node("shape", "Shape", List.of("x"), List.of("s"), Map.of()),
            node("g0", "Gather", List.of("s", "zero"), List.of("b"), Map.of()),
            node("g1", "Gather", List.of("s", "one"), List.of("q"), Map.of()),
            node("u0", "Unsqueeze", List.of("b", "axes"), List.of("b1"), axes0),
            node("u1", "Unsqueeze", List.of("q", "axes"), List.of("q1"), axes0),
            node("cat", "Concat", List.of("b1", "q1", "tail"), List.of("spec"), Map.of("axis", new Attribute.IntAttr(0))),
            node("reshape", "Reshape", List.of("x", "spec"), List.of("y"), Map.of()));
    }

    @Test
    void shapeValuesFlowThroughTheShapeSubgraph() {
        Graph g = shapeSubgraph();
        ShapeInference.Result symbolic = PassContext.defaults().infer(g);
        assertEquals(List.of(BATCH, SEQ, Dim.of(12), Dim.of(32)), symbolic.types().get("y").shape());
        assertNull(symbolic.constants().get("spec"));

        ShapeInference.Result concrete = ShapeInference.infer(g,
            Map.of("x", List.of(Dim.of(2), Dim.of(5), Dim.of(384))), OpRegistry.defaults(), OpEnvironment.serial());
        assertArrayEquals(new long[] {2, 5, 12, 32}, concrete.constants().get("spec").longs());
        assertEquals(List.of(Dim.of(2), Dim.of(5), Dim.of(12), Dim.of(32)), concrete.types().get("y").shape());
    }

    @Test
    void specializedPlanFoldsTheShapeSubgraphAndGivesTheSameResult() {
        Graph g = shapeSubgraph();
        Compiler compiler = Compiler.forOptions(SessionOptions.DEFAULTS, dev.octet.ops.OpEnvironment.serial());
        ExecutionPlan generic = compiler.compile(g);
        ExecutionPlan specialized = compiler.compile(g, Map.of("x", new int[] {2, 5, 384}));
        assertEquals(7, generic.steps().length);
        assertEquals(List.of("node 'reshape' (op Reshape)"),
            Arrays.stream(specialized.steps()).map(ExecutionPlan.Step::description).toList());
        float[] data = new float[2 * 5 * 384];
        for (int i = 0; i < data.length; i++) {
            data[i] = i * 0.5f;
        }
        Map<String, Tensor> in = Map.of("x", Tensor.ofFloats(data, 2, 5, 384));
        Tensor a = Executor.run(generic, in).get("y");
        Tensor b = Executor.run(specialized, in).get("y");
        assertArrayEquals(a.shapeView(), b.shapeView());
        assertArrayEquals(a.floats(), b.floats());

        CompiledSession session = new CompiledSession(g);
        assertEquals("y: float[batch,seq,12,32]", session.outputTypes().get(0).describe());
        assertArrayEquals(a.floats(), session.run(in).get("y").floats());
        assertArrayEquals(a.floats(), session.run(in).get("y").floats()); // from the cached specialized plan
    }

    @Test
    void runsWithContradictoryShapesStillFailAsInputErrors() {
        Graph g = graph(List.of(input("x", DataType.FLOAT, BATCH, Dim.of(3)), input("z", DataType.FLOAT, BATCH, Dim.of(3))),
            "y", Map.of(), node("add", "Add", List.of("x", "z"), List.of("y"), Map.of()));
        CompiledSession session = new CompiledSession(g);
        OctetException e = assertThrows(OctetException.class, () -> session.run(Map.of(
            "x", Tensor.zeros(DataType.FLOAT, 2, 3), "z", Tensor.zeros(DataType.FLOAT, 4, 3))));
        assertEquals(ErrorCode.INVALID_INPUT, e.code());
    }

    private static void assertRejected(Graph g, String node) {
        OctetException e = assertThrows(OctetException.class, () -> new CompiledSession(g));
        assertEquals(ErrorCode.INVALID_GRAPH, e.code());
        assertTrue(e.getMessage().startsWith("node '" + node + "'"), e.getMessage());
    }

    @Test
    void incompatibleBroadcastFailsAtLoad() {
        assertRejected(graph(List.of(input("x", DataType.FLOAT, Dim.of(3)), input("z", DataType.FLOAT, Dim.of(4))),
            "y", Map.of(), node("add", "Add", List.of("x", "z"), List.of("y"), Map.of())), "add");
    }

    @Test
    void matMulInnerDimsMustAgree() {
        assertRejected(graph(List.of(input("x", DataType.FLOAT, BATCH, Dim.of(5))), "y",
            Map.of("w", Tensor.zeros(DataType.FLOAT, 6, 2)),
            node("mm", "MatMul", List.of("x", "w"), List.of("y"), Map.of())), "mm");
    }

    @Test
    void concatRanksMustAgree() {
        assertRejected(graph(List.of(input("x", DataType.FLOAT, Dim.of(2)), input("z", DataType.FLOAT, Dim.of(2), Dim.of(2))),
            "y", Map.of(), node("cat", "Concat", List.of("x", "z"), List.of("y"), Map.of("axis", new Attribute.IntAttr(0)))),
            "cat");
    }

    @Test
    void reshapeToTheWrongSizeFailsAtLoad() {
        assertRejected(graph(List.of(input("x", DataType.FLOAT, Dim.of(2), Dim.of(3))), "y",
            Map.of("spec", Tensor.ofLongs(new long[] {4, 2}, 2)),
            node("reshape", "Reshape", List.of("x", "spec"), List.of("y"), Map.of())), "reshape");
    }

    @Test
    void unknownShapesAreNeverRejected() {
        Graph g = graph(List.of(new ValueInfo("x", DataType.FLOAT, 1, null), input("z", DataType.FLOAT, Dim.UNKNOWN)),
            "y", Map.of(), node("mm", "MatMul", List.of("x", "z"), List.of("y"), Map.of()));
        ValueInfo y = new CompiledSession(g).valueInfo("y");
        assertEquals(DataType.FLOAT, y.type());
        assertNull(y.shape());
        assertFalse(PassContext.defaults().infer(g).constants().containsKey("y"));
    }

    @Test
    void constantsAreEvaluatedWithTheSessionsKernels() {
        List<String> calls = new ArrayList<>();
        FloatKernels scalar = ScalarKernelProvider.INSTANCE.floats();
        FloatKernels floats = (FloatKernels) Proxy.newProxyInstance(FloatKernels.class.getClassLoader(),
            new Class<?>[] {FloatKernels.class}, (proxy, method, args) -> {
                calls.add(method.getName());
                return method.invoke(scalar, args);
            });
        KernelProvider kernels = (KernelProvider) Proxy.newProxyInstance(KernelProvider.class.getClassLoader(),
            new Class<?>[] {KernelProvider.class}, (proxy, method, args) -> method.getName().equals("floats")
                ? floats : method.invoke(ScalarKernelProvider.INSTANCE, args));
        Graph g = graph(List.of(), "y", Map.of("c", Tensor.ofFloats(new float[] {0f, 1f}, 2)),
            node("exp", "Exp", List.of("c"), List.of("y"), Map.of()));
        ShapeInference.Result r = ShapeInference.infer(g, Map.of(), OpRegistry.defaults(),
            new OpEnvironment(kernels, Parallel.SERIAL));
        assertEquals(List.of("exp"), calls);
        assertArrayEquals(new float[] {1f, (float) Math.E}, r.constants().get("y").floats(), 1e-6f);
    }

    @Test
    void recurrentShapeRulesDeclareEveryOutput() {
        // The rule used to declare no output: Y_c came out of unknown type and rank.
        Graph g = graph(List.of(input("x", DataType.FLOAT, SEQ, BATCH, Dim.of(2)),
                input("w", DataType.FLOAT, Dim.of(1), Dim.of(4), Dim.of(2)),
                input("r", DataType.FLOAT, Dim.of(1), Dim.of(4), Dim.of(1))), "yc", Map.of(),
            node("lstm", "LSTM", List.of("x", "w", "r"), List.of("y", "yh", "yc"),
                Map.of("hidden_size", new Attribute.IntAttr(1))));
        ValueInfo yc = inferred(g, "yc");
        assertEquals(DataType.FLOAT, yc.type());
        assertEquals(3, yc.shape().size());
        assertEquals(4, inferred(g, "y").shape().size());
    }
}
