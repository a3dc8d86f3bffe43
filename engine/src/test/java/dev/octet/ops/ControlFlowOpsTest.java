package dev.octet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.SessionOptions;
import dev.octet.api.Tensor;
import dev.octet.compile.Compiler;
import dev.octet.compile.GraphPass;
import dev.octet.exec.CompiledSession;
import dev.octet.exec.Executor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import dev.octet.kernel.KernelProviders;
import dev.octet.kernel.Parallel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * If, Loop and Scan on hand-built graphs, with results worked out by hand from the ONNX specification: outer-scope
 * captures (also through two levels of nesting), every combination of Loop's M and cond, zero iterations, Scan
 * axes and directions, Scan-8's batch axis and sequence_lens, and the typed refusals of bad models and inputs.
 */
class ControlFlowOpsTest {
    private static final Map<String, Integer> OPSET = Map.of("", 17);

    // ---- graph building ----

    private static ValueInfo v(String name, DataType type, int... dims) {
        return ValueInfo.of(name, type, dims);
    }

    /** A value of known type and unknown shape. */
    private static ValueInfo any(String name, DataType type) {
        return new ValueInfo(name, type, type.onnxCode(), null);
    }

    private static Node n(String op, List<String> in, List<String> out, Map<String, Attribute> attrs) {
        return new Node(out.get(0) + "_node", op, "", in, out, attrs);
    }

    private static Node n(String op, List<String> in, String out) {
        return n(op, in, List.of(out), Map.of());
    }

    private static Graph graph(String name, List<ValueInfo> in, List<ValueInfo> out, Map<String, Tensor> init,
                               Node... nodes) {
        return new Graph(name, in, out, init, List.of(nodes), OPSET, Map.of());
    }

    private static Attribute.GraphAttr g(Graph body) {
        return new Attribute.GraphAttr(body);
    }

    private static Tensor floats(float... v) {
        return Tensor.ofFloats(v, v.length);
    }

    private static Tensor scalar(long value) {
        return Tensor.ofLongs(new long[] {value});
    }

    private static Tensor bool(boolean value) {
        return Tensor.ofBools(new boolean[] {value});
    }

    private static final List<SessionOptions> CONFIGURATIONS = List.of(
        SessionOptions.DEFAULTS,
        SessionOptions.builder().graphOptimizations(false).shapeSpecialization(false).build(),
        SessionOptions.builder().provider("scalar").threads(2).build());

    /** Runs under optimizations on and off, scalar and vector kernels; every configuration must agree bit for bit. */
    private static Map<String, Tensor> run(Graph g, Map<String, Tensor> inputs) {
        Map<String, Tensor> first = null;
        for (SessionOptions o : CONFIGURATIONS) {
            try (CompiledSession s = new CompiledSession(g, o)) {
                Map<String, Tensor> r = s.run(inputs);
                if (first == null) {
                    first = r;
                } else {
                    for (var e : first.entrySet()) {
                        assertEquals(e.getValue().toString(), r.get(e.getKey()).toString(), o.toString());
                    }
                }
            }
        }
        return first;
    }

    private static OctetException fails(ErrorCode code, org.junit.jupiter.api.function.Executable e) {
        OctetException ex = assertThrows(OctetException.class, e);
        assertEquals(code, ex.code(), ex.getMessage());
        return ex;
    }

    // ---- If ----

    /** If(cond) { y = x + one } else { y = -x }, where x and one belong to the outer graph. */
    private static Graph ifGraph(String captured, Node... outerNodes) {
        Graph then = graph("then", List.of(), List.of(any("t", DataType.FLOAT)), Map.of(),
            n("Add", List.of(captured, "one"), "t"));
        Graph otherwise = graph("else", List.of(), List.of(any("e", DataType.FLOAT)), Map.of(),
            n("Neg", List.of(captured), "e"));
        List<Node> nodes = new ArrayList<>(List.of(outerNodes));
        nodes.add(n("If", List.of("c"), List.of("y"), Map.of("then_branch", g(then), "else_branch", g(otherwise))));
        return new Graph("outer", List.of(v("c", DataType.BOOL), v("x", DataType.FLOAT, 2)),
            List.of(v("y", DataType.FLOAT, 2)), Map.of("one", floats(1, 1)), nodes, OPSET, Map.of());
    }

    @Test
    void ifRunsTheChosenBranchOnOuterValues() {
        Graph g = ifGraph("x");
        assertArrayEquals(new float[] {3, -1}, run(g, Map.of("c", bool(true), "x", floats(2, -2))).get("y").floats());
        assertArrayEquals(new float[] {-2, 2}, run(g, Map.of("c", bool(false), "x", floats(2, -2))).get("y").floats());
    }

    @Test
    void anIdentityTheBranchesCaptureSurvivesAliasElimination() {
        // AliasElimination would rename a to x in the outer graph only; the branches still read 'a'.
        Graph g = ifGraph("a", n("Identity", List.of("x"), "a"));
        assertArrayEquals(new float[] {3, -1}, run(g, Map.of("c", bool(true), "x", floats(2, -2))).get("y").floats());
        Graph optimized = GraphPass.defaults().stream().reduce(g, (acc, p) -> p.apply(acc), (a, b) -> b);
        assertTrue(optimized.nodes().stream().anyMatch(node -> node.outputs().contains("a")),
            "the captured Identity output must keep its name: " + optimized.nodes());
    }

    @Test
    void aValueReadOnlyByABranchIsNotDead() {
        Graph g = ifGraph("doubled", n("Add", List.of("x", "x"), "doubled"));
        assertArrayEquals(new float[] {5, -3}, run(g, Map.of("c", bool(true), "x", floats(2, -2))).get("y").floats());
        Graph pruned = new dev.octet.compile.DeadNodeElimination().apply(g);
        assertEquals(2, pruned.nodes().size(), "the Add only the branch reads must stay: " + pruned.nodes());
    }

    @Test
    void aFoldedConstantTheBranchesCaptureReachesThem() {
        // k = one + one folds at load into a constant; the branches must see the folded value under its name.
        Graph g = ifGraph("k", n("Add", List.of("one", "one"), "k"));
        assertArrayEquals(new float[] {3, 3}, run(g, Map.of("c", bool(true), "x", floats(9, 9))).get("y").floats());
        assertArrayEquals(new float[] {-2, -2}, run(g, Map.of("c", bool(false), "x", floats(9, 9))).get("y").floats());
    }

    @Test
    void aConstantConditionFoldsTheWholeIfAtLoad() {
        Graph branchOnConstant = ifGraph("one");
        Graph g = new Graph("outer", List.of(v("x", DataType.FLOAT, 2)), branchOnConstant.outputs(),
            Map.of("one", floats(1, 1), "c", bool(false)), branchOnConstant.nodes(), OPSET, Map.of());
        try (CompiledSession s = new CompiledSession(g)) {
            assertEquals(List.of(), s.executionSteps());
            assertArrayEquals(new float[] {-1, -1}, s.run(Map.of("x", floats(0, 0))).get("y").floats());
        }
    }

    @Test
    void aFusionKeepsAnIntermediateTheBranchesCapture() {
        // An erf GELU whose (erf + 1) the branches also read: fusing it into Gelu would delete that value.
        Map<String, Tensor> init = Map.of("one", floats(1, 1), "sqrt2", Tensor.ofFloats(new float[] {(float) Math.sqrt(2)}),
            "one_s", Tensor.ofFloats(new float[] {1}), "half", Tensor.ofFloats(new float[] {0.5f}));
        List<Node> nodes = new ArrayList<>(List.of(n("Div", List.of("x", "sqrt2"), "d"), n("Erf", List.of("d"), "e"),
            n("Add", List.of("e", "one_s"), "a"), n("Mul", List.of("x", "a"), "m"), n("Mul", List.of("m", "half"), "gelu")));
        nodes.addAll(ifGraph("a").nodes());
        Graph withIf = new Graph("outer", List.of(v("c", DataType.BOOL), v("x", DataType.FLOAT, 2)),
            List.of(v("gelu", DataType.FLOAT, 2), v("y", DataType.FLOAT, 2)), init, nodes, OPSET, Map.of());
        Map<String, Tensor> r = run(withIf, Map.of("c", bool(false), "x", floats(0, 0)));
        assertArrayEquals(new float[] {-1, -1}, r.get("y").floats());
    }

    @Test
    void ifRefusesABadCondition() {
        Graph g = ifGraph("x");
        Graph intCond = new Graph("outer", List.of(v("c", DataType.INT64), v("x", DataType.FLOAT, 2)), g.outputs(),
            g.initializers(), g.nodes(), OPSET, Map.of());
        fails(ErrorCode.INVALID_INPUT, () -> run(intCond, Map.of("c", scalar(1), "x", floats(0, 0))));
        Graph twoConds = new Graph("outer", List.of(any("c", DataType.BOOL), v("x", DataType.FLOAT, 2)), g.outputs(),
            g.initializers(), g.nodes(), OPSET, Map.of());
        OctetException e = fails(ErrorCode.INVALID_INPUT, () -> run(twoConds,
            Map.of("c", Tensor.ofBools(new boolean[] {true, false}, 2), "x", floats(0, 0))));
        assertTrue(e.getMessage().contains("one element"), e.getMessage());
    }

    @Test
    void ifRefusesBranchesThatDisagree() {
        Graph one = graph("then", List.of(), List.of(any("t", DataType.FLOAT)), Map.of(), n("Neg", List.of("x"), "t"));
        Graph two = graph("else", List.of(), List.of(any("e", DataType.FLOAT), any("f", DataType.FLOAT)), Map.of(),
            n("Neg", List.of("x"), "e"), n("Neg", List.of("x"), "f"));
        Graph ints = graph("else", List.of(), List.of(any("e", DataType.INT32)), Map.of(),
            n("Cast", List.of("x"), List.of("e"), Map.of("to", new Attribute.IntAttr(DataType.INT32.onnxCode()))));
        for (Graph otherwise : List.of(two, ints)) {
            Graph g = graph("outer", List.of(v("c", DataType.BOOL), v("x", DataType.FLOAT, 2)),
                List.of(any("y", DataType.FLOAT)), Map.of(),
                n("If", List.of("c"), List.of("y"), Map.of("then_branch", g(one), "else_branch", g(otherwise))));
            OctetException e = fails(ErrorCode.INVALID_GRAPH, () -> new CompiledSession(g).close());
            assertTrue(e.getMessage().contains("y_node"), e.getMessage());
        }
    }

    @Test
    void aValueNoScopeDefinesIsRefusedNamingNodeAndValue() {
        Graph then = graph("then", List.of(), List.of(any("t", DataType.FLOAT)), Map.of(),
            n("Neg", List.of("nowhere"), "t"));
        Graph g = graph("outer", List.of(v("c", DataType.BOOL)), List.of(any("y", DataType.FLOAT)), Map.of(),
            n("If", List.of("c"), List.of("y"), Map.of("then_branch", g(then), "else_branch", g(then))));
        OctetException e = fails(ErrorCode.INVALID_GRAPH, () -> new CompiledSession(g).close());
        assertTrue(e.getMessage().contains("y_node") && e.getMessage().contains("'nowhere'"), e.getMessage());
    }

    @Test
    void branchInferenceKnowsTheShapesOfCapturedValues() {
        // x is [2] in the outer graph; adding a [3] constant to it in a branch can never work: refused at load.
        Graph then = graph("then", List.of(), List.of(any("t", DataType.FLOAT)), Map.of("three", floats(1, 2, 3)),
            n("Add", List.of("x", "three"), "t"));
        Graph g = graph("outer", List.of(v("c", DataType.BOOL), v("x", DataType.FLOAT, 2)),
            List.of(any("y", DataType.FLOAT)), Map.of(),
            n("If", List.of("c"), List.of("y"), Map.of("then_branch", g(then), "else_branch", g(then))));
        OctetException e = fails(ErrorCode.INVALID_GRAPH, () -> new CompiledSession(g).close());
        assertTrue(e.getMessage().contains("then_branch") && e.getMessage().contains("t_node"), e.getMessage());
    }

    @Test
    void anUnsupportedOperatorInABranchIsReportedWithTheModel() {
        Graph then = graph("then", List.of(), List.of(any("t", DataType.FLOAT)), Map.of(),
            n("NoSuchOp", List.of("x"), "t"));
        Graph g = graph("outer", List.of(v("c", DataType.BOOL), v("x", DataType.FLOAT, 2)),
            List.of(any("y", DataType.FLOAT)), Map.of(),
            n("If", List.of("c"), List.of("y"), Map.of("then_branch", g(then), "else_branch", g(then))));
        assertEquals(List.of("NoSuchOp"), OpRegistry.defaults().unsupported(g).stream()
            .map(OpRegistry.Unsupported::opType).toList());
        OctetException e = fails(ErrorCode.UNSUPPORTED_OP, () -> new CompiledSession(g).close());
        assertTrue(e.getMessage().contains("node 't_node' (op NoSuchOp)"), e.getMessage());
    }

    // ---- Loop ----

    /**
     * A Loop over s (float[2]) with a scan output of every new s: s += x at even iterations and s -= x at odd ones
     * (an If inside the body, whose branches read x two scopes up), and cond_out = (i + 1 < stop).
     */
    private static Graph loopGraph(boolean withM, boolean withCond) {
        Graph plus = graph("plus", List.of(), List.of(any("p", DataType.FLOAT)), Map.of(),
            n("Add", List.of("s_in", "x"), "p"));
        Graph minus = graph("minus", List.of(), List.of(any("m", DataType.FLOAT)), Map.of(),
            n("Sub", List.of("s_in", "x"), "m"));
        Graph body = graph("body", List.of(v("i", DataType.INT64), v("c_in", DataType.BOOL), any("s_in", DataType.FLOAT)),
            List.of(v("c_out", DataType.BOOL), any("s_out", DataType.FLOAT), v("scan", DataType.FLOAT, 2)),
            Map.of("two", scalar(2), "zero", scalar(0), "one_i", scalar(1)),
            n("Mod", List.of("i", "two"), "parity"),
            n("Equal", List.of("parity", "zero"), "even"),
            n("If", List.of("even"), List.of("s_out"), Map.of("then_branch", g(plus), "else_branch", g(minus))),
            n("Identity", List.of("s_out"), "scan"),
            n("Add", List.of("i", "one_i"), "next"),
            n("Less", List.of("next", "stop"), "c_out"));
        return graph("outer", List.of(v("m", DataType.INT64), v("c", DataType.BOOL), v("stop", DataType.INT64),
                v("x", DataType.FLOAT, 2), v("s0", DataType.FLOAT, 2)),
            List.of(any("s", DataType.FLOAT), any("all", DataType.FLOAT)), Map.of(),
            n("Loop", List.of(withM ? "m" : "", withCond ? "c" : "", "s0"), List.of("s", "all"),
                Map.of("body", g(body))));
    }

    private static Map<String, Tensor> loopInputs(long m, boolean c, long stop) {
        return Map.of("m", scalar(m), "c", bool(c), "stop", scalar(stop), "x", floats(1, 10), "s0", floats(0, 0));
    }

    private static Map<String, Tensor> runLoop(boolean withM, boolean withCond, long m, boolean c, long stop) {
        Graph g = loopGraph(withM, withCond);
        Map<String, Tensor> in = new HashMap<>(loopInputs(m, c, stop));
        return run(g, in);
    }

    @Test
    void loopWithTripCountOnlyRunsMTimesAndStacksScanOutputs() {
        // The body's condition counts in every form of Loop; stop = 100 keeps it true, so M = 3 decides.
        Map<String, Tensor> r = runLoop(true, false, 3, true, 100);
        assertArrayEquals(new float[] {1, 10}, r.get("s").floats()); // +x, -x, +x
        assertArrayEquals(new int[] {3, 2}, r.get("all").shape());
        assertArrayEquals(new float[] {1, 10, 0, 0, 1, 10}, r.get("all").floats());
    }

    @Test
    void loopWithConditionOnlyRunsUntilTheBodySaysStop() {
        Map<String, Tensor> r = runLoop(false, true, 0, true, 4);
        assertArrayEquals(new int[] {4, 2}, r.get("all").shape());
        assertArrayEquals(new float[] {0, 0}, r.get("s").floats()); // +x, -x, +x, -x
    }

    @Test
    void loopWithBothStopsAtWhicheverComesFirst() {
        assertArrayEquals(new int[] {2, 2}, runLoop(true, true, 2, true, 100).get("all").shape());
        assertArrayEquals(new int[] {3, 2}, runLoop(true, true, 50, true, 3).get("all").shape());
    }

    @Test
    void loopOfZeroIterationsReturnsTheInitialValuesAndEmptyScanOutputs() {
        for (Map<String, Tensor> r : List.of(runLoop(true, false, 0, true, 5), runLoop(false, true, 9, false, 5))) {
            assertArrayEquals(new float[] {0, 0}, r.get("s").floats());
            assertArrayEquals(new int[] {0, 2}, r.get("all").shape());
            assertEquals(DataType.FLOAT, r.get("all").type());
        }
    }

    @Test
    void aLoopThatNeverStopsHitsTheIterationLimit() {
        Graph g = loopGraph(false, false);
        SessionOptions limited = SessionOptions.builder().maxLoopIterations(50).build();
        try (CompiledSession s = new CompiledSession(g, limited)) {
            OctetException e = fails(ErrorCode.RESOURCE_LIMIT, () -> s.run(loopInputs(0, true, Long.MAX_VALUE)));
            assertTrue(e.getMessage().contains("50 iterations"), e.getMessage());
            // A loop under the limit still runs.
            assertArrayEquals(new int[] {49, 2}, s.run(loopInputs(0, true, 49)).get("all").shape());
        }
        assertThrows(IllegalArgumentException.class, () -> SessionOptions.builder().maxLoopIterations(0).build());
    }

    @Test
    void aLoopStopsWhenTheSessionCloses() {
        AtomicInteger checks = new AtomicInteger();
        ControlFlow closesAfterTen = new ControlFlow(ControlFlow.DEFAULTS.compiler(), Long.MAX_VALUE,
            () -> checks.incrementAndGet() > 10);
        OpEnvironment env = new OpEnvironment(KernelProviders.get(), Parallel.SERIAL).withControlFlow(closesAfterTen);
        var plan = new Compiler(OpRegistry.defaults(), GraphPass.defaults(), env).compile(loopGraph(false, false));
        OctetException e = fails(ErrorCode.SESSION_CLOSED, () -> Executor.run(plan, loopInputs(0, true, Long.MAX_VALUE)));
        assertTrue(e.getMessage().contains("while a loop ran"), e.getMessage());
        assertEquals(11, checks.get());
    }

    @Test
    void aSessionClosedDuringAnEndlessLoopFailsTheRun() throws Exception {
        Graph g = loopGraph(false, false);
        CompiledSession s = new CompiledSession(g, SessionOptions.builder().maxLoopIterations(Long.MAX_VALUE).build());
        var failure = new java.util.concurrent.atomic.AtomicReference<Throwable>();
        Thread t = new Thread(() -> {
            try {
                s.run(loopInputs(0, true, Long.MAX_VALUE));
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.setDaemon(true); // should the loop not stop, the test fails below without keeping the JVM alive
        t.start();
        Thread.sleep(100);
        s.close();
        t.join(60_000);
        assertTrue(failure.get() instanceof OctetException oe && oe.code() == ErrorCode.SESSION_CLOSED,
            String.valueOf(failure.get()));
    }

    @Test
    void loopRefusesABodyOfTheWrongArity() {
        Graph body = graph("body", List.of(v("i", DataType.INT64), v("c_in", DataType.BOOL)),
            List.of(v("c_out", DataType.BOOL)), Map.of(), n("Identity", List.of("c_in"), "c_out"));
        Graph g = graph("outer", List.of(v("s0", DataType.FLOAT, 2)), List.of(any("s", DataType.FLOAT)), Map.of(),
            n("Loop", List.of("", "", "s0"), List.of("s"), Map.of("body", g(body))));
        OctetException e = fails(ErrorCode.INVALID_GRAPH, () -> new CompiledSession(g).close());
        assertTrue(e.getMessage().contains("takes 2 inputs"), e.getMessage());
    }

    @Test
    void aScanOutputWhoseShapeChangesIsRefused() {
        // scan = Range(0, i + 1): one element more every iteration.
        Graph body = graph("body", List.of(v("i", DataType.INT64), v("c_in", DataType.BOOL)),
            List.of(v("c_out", DataType.BOOL), any("scan", DataType.INT64)), Map.of("zero", scalar(0), "one", scalar(1)),
            n("Identity", List.of("c_in"), "c_out"),
            n("Add", List.of("i", "one"), "limit"),
            n("Range", List.of("zero", "limit", "one"), "scan"));
        Graph g = graph("outer", List.of(v("m", DataType.INT64)), List.of(any("all", DataType.INT64)), Map.of(),
            n("Loop", List.of("m", ""), List.of("all"), Map.of("body", g(body))));
        assertArrayEquals(new long[] {0}, run(g, Map.of("m", scalar(1))).get("all").longs());
        OctetException e = fails(ErrorCode.INVALID_SHAPE, () -> run(g, Map.of("m", scalar(2))));
        assertTrue(e.getMessage().contains("scan output 0 changed"), e.getMessage());
    }

    // ---- Scan ----

    /** A running sum over columns (axis -1) of x [2, 3]: state s [2], scan output y = s after each step. */
    private static Graph scanGraph(long inputDirection, long outputDirection, long outputAxis) {
        Graph body = graph("body", List.of(any("s_in", DataType.FLOAT), any("col", DataType.FLOAT)),
            List.of(any("s_out", DataType.FLOAT), any("y", DataType.FLOAT)), Map.of(),
            n("Add", List.of("s_in", "col"), "s_out"),
            n("Identity", List.of("s_out"), "y"));
        Map<String, Attribute> attrs = Map.of("body", g(body), "num_scan_inputs", new Attribute.IntAttr(1),
            "scan_input_axes", new Attribute.IntsAttr(new long[] {-1}),
            "scan_input_directions", new Attribute.IntsAttr(new long[] {inputDirection}),
            "scan_output_axes", new Attribute.IntsAttr(new long[] {outputAxis}),
            "scan_output_directions", new Attribute.IntsAttr(new long[] {outputDirection}));
        return graph("outer", List.of(v("s0", DataType.FLOAT, 2), any("x", DataType.FLOAT)),
            List.of(any("s", DataType.FLOAT), any("ys", DataType.FLOAT)), Map.of(),
            n("Scan", List.of("s0", "x"), List.of("s", "ys"), attrs));
    }

    private static final Map<String, Tensor> SCAN_IN = Map.of("s0", floats(0, 0),
        "x", Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));

    @Test
    void scanReversedInputStackedAlongTheLastAxis() {
        // Columns in reverse: [3,6], [2,5], [1,4]; running sums [3,6], [5,11], [6,15].
        Map<String, Tensor> r = run(scanGraph(1, 0, -1), SCAN_IN);
        assertArrayEquals(new float[] {6, 15}, r.get("s").floats());
        assertArrayEquals(new int[] {2, 3}, r.get("ys").shape());
        assertArrayEquals(new float[] {3, 5, 6, 6, 11, 15}, r.get("ys").floats());
    }

    @Test
    void scanReversedOutputAlongAxisZero() {
        // Forward columns [1,4], [2,5], [3,6]; sums [1,4], [3,9], [6,15], written last to first as rows.
        Map<String, Tensor> r = run(scanGraph(0, 1, 0), SCAN_IN);
        assertArrayEquals(new int[] {3, 2}, r.get("ys").shape());
        assertArrayEquals(new float[] {6, 15, 3, 9, 1, 4}, r.get("ys").floats());
    }

    @Test
    void scanOverZeroStepsKeepsTheState() {
        Map<String, Tensor> r = run(scanGraph(0, 0, 0), Map.of("s0", floats(7, 8), "x", Tensor.ofFloats(new float[0], 2, 0)));
        assertArrayEquals(new float[] {7, 8}, r.get("s").floats());
        assertEquals(0, r.get("ys").size());
    }

    @Test
    void scanRefusesInputsOfDifferentLengthsAndBadAxes() {
        Graph body = graph("body", List.of(any("a", DataType.FLOAT), any("b", DataType.FLOAT)),
            List.of(any("y", DataType.FLOAT)), Map.of(), n("Add", List.of("a", "b"), "y"));
        Graph g = graph("outer", List.of(any("p", DataType.FLOAT), any("q", DataType.FLOAT)),
            List.of(any("ys", DataType.FLOAT)), Map.of(),
            n("Scan", List.of("p", "q"), List.of("ys"), Map.of("body", g(body), "num_scan_inputs", new Attribute.IntAttr(2))));
        assertArrayEquals(new float[] {4, 6}, run(g, Map.of("p", floats(1, 2), "q", floats(3, 4))).get("ys").floats());
        OctetException e = fails(ErrorCode.INVALID_INPUT, () -> run(g, Map.of("p", floats(1, 2, 3), "q", floats(3, 4))));
        assertTrue(e.getMessage().contains("scan input 1 has 2"), e.getMessage());
        fails(ErrorCode.INVALID_INPUT, () -> run(g, Map.of("p", Tensor.ofFloats(new float[] {1}), "q", floats(3))));
    }

    @Test
    void scan8RunsEachBatchEntryForItsSequenceLength() {
        Graph body = graph("body", List.of(any("s_in", DataType.FLOAT), any("x_t", DataType.FLOAT)),
            List.of(any("s_out", DataType.FLOAT), any("y", DataType.FLOAT)), Map.of(),
            n("Add", List.of("s_in", "x_t"), "s_out"), n("Identity", List.of("s_out"), "y"));
        Graph g = new Graph("outer", List.of(v("lens", DataType.INT64, 2), v("s0", DataType.FLOAT, 2),
                v("x", DataType.FLOAT, 2, 3)), List.of(any("s", DataType.FLOAT), any("ys", DataType.FLOAT)), Map.of(),
            List.of(n("Scan", List.of("lens", "s0", "x"), List.of("s", "ys"),
                Map.of("body", g(body), "num_scan_inputs", new Attribute.IntAttr(1),
                    "directions", new Attribute.IntsAttr(new long[] {1})))), Map.of("", 8), Map.of());
        Map<String, Tensor> r = run(g, Map.of("lens", Tensor.ofLongs(new long[] {3, 1}, 2), "s0", floats(0, 0),
            "x", Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)));
        // Entry 0 reversed over [1,2,3]: sums 3, 5, 6. Entry 1 over its first element only, then zeros.
        assertArrayEquals(new float[] {6, 4}, r.get("s").floats());
        assertArrayEquals(new int[] {2, 3}, r.get("ys").shape());
        assertArrayEquals(new float[] {3, 5, 6, 4, 0, 0}, r.get("ys").floats());
        fails(ErrorCode.INVALID_INPUT, () -> run(g, Map.of("lens", Tensor.ofLongs(new long[] {4, 1}, 2),
            "s0", floats(0, 0), "x", Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3))));
    }

    // ---- review findings: resource bounds and contracts ----

    @Test
    void loopScanOutputsAreBoundedByTheHeapInBytesNotElements() {
        // Each slice is 16 Mi int64 elements (128 MiB); counted as floats against a quarter of the heap, the old
        // check let the saved slices fill the whole heap before refusing.
        int sliceElements = 16 << 20;
        long m = Runtime.getRuntime().maxMemory() / ((long) sliceElements * Long.BYTES) + 1;
        Graph body = graph("body", List.of(v("i", DataType.INT64), v("c_in", DataType.BOOL)),
            List.of(v("c_out", DataType.BOOL), any("big", DataType.INT64)),
            Map.of("seven", Tensor.ofLongs(new long[] {7}, 1), "size", Tensor.ofLongs(new long[] {sliceElements}, 1)),
            n("Identity", List.of("c_in"), "c_out"),
            n("Expand", List.of("seven", "size"), "big"));
        Graph g = graph("outer", List.of(v("m", DataType.INT64)), List.of(any("all", DataType.INT64)), Map.of(),
            n("Loop", List.of("m", ""), List.of("all"), Map.of("body", g(body))));
        try (CompiledSession s = new CompiledSession(g)) {
            OctetException e = fails(ErrorCode.RESOURCE_LIMIT, () -> s.run(Map.of("m", scalar(m))));
            assertTrue(e.getMessage().contains("scan output 0"), e.getMessage());
        }
    }

    private static Graph scan8Graph(Graph body) {
        return new Graph("outer", List.of(any("x", DataType.FLOAT)), List.of(any("ys", DataType.FLOAT)), Map.of(),
            List.of(n("Scan", List.of("", "x"), List.of("ys"),
                Map.of("body", g(body), "num_scan_inputs", new Attribute.IntAttr(1)))), Map.of("", 8), Map.of());
    }

    private static Graph scan8Identity() {
        return scan8Graph(graph("body", List.of(any("x_t", DataType.FLOAT)), List.of(any("y", DataType.FLOAT)), Map.of(),
            n("Identity", List.of("x_t"), "y")));
    }

    @Test
    void scan8BoundsBatchTimesSequenceByTheIterationLimitBeforeAllocating() {
        try (CompiledSession s = new CompiledSession(scan8Identity())) {
            // Zero elements, but two billion batch entries.
            OctetException e = fails(ErrorCode.RESOURCE_LIMIT,
                () -> s.run(Map.of("x", Tensor.ofFloats(new float[0], 2_000_000_000, 1, 0))));
            assertTrue(e.getMessage().contains("maxLoopIterations"), e.getMessage());
        }
        SessionOptions limited = SessionOptions.builder().maxLoopIterations(10).build();
        try (CompiledSession s = new CompiledSession(scan8Identity(), limited)) {
            // 4 entries of 3 steps: 12 body runs, over the limit of 10 although each entry alone is under it.
            fails(ErrorCode.RESOURCE_LIMIT, () -> s.run(Map.of("x", Tensor.ofFloats(new float[12], 4, 3))));
            assertArrayEquals(new int[] {3, 3}, s.run(Map.of("x", Tensor.ofFloats(new float[9], 3, 3))).get("ys").shape());
        }
    }

    @Test
    void scan8OverAnEmptyBatchKeepsTheSequenceAxis() {
        // Scan outputs of Scan-8 are [batch, sequence, ...]: with no batch entries the sequence axis stays.
        try (CompiledSession s = new CompiledSession(scan8Identity())) {
            Tensor ys = s.run(Map.of("x", Tensor.ofFloats(new float[0], 0, 3))).get("ys");
            assertArrayEquals(new int[] {0, 3}, ys.shape());
        }
    }

    @Test
    void aLoopOnConstantsRunsAtRunTimeNotAtLoad() {
        // Folded at load, a constant loop ran inside the session constructor where nothing can stop it.
        Graph body = graph("body", List.of(v("i", DataType.INT64), v("c_in", DataType.BOOL), any("s_in", DataType.INT64)),
            List.of(v("c_out", DataType.BOOL), any("s_out", DataType.INT64)), Map.of("one", scalar(1)),
            n("Identity", List.of("c_in"), "c_out"), n("Add", List.of("s_in", "one"), "s_out"));
        Graph g = graph("outer", List.of(), List.of(any("s", DataType.INT64)),
            Map.of("m", scalar(10), "s0", scalar(0)),
            n("Loop", List.of("m", "", "s0"), List.of("s"), Map.of("body", g(body))));
        try (CompiledSession s = new CompiledSession(g, SessionOptions.builder().maxLoopIterations(5).build())) {
            fails(ErrorCode.RESOURCE_LIMIT, () -> s.run(Map.of()));
        }
        assertArrayEquals(new long[] {10}, run(g, Map.of()).get("s").longs());
    }

    @Test
    void aBranchWhoseOutputContradictsItsDeclaredShapeIsRefused() {
        // Both branches produce [3] but declare [2]: Shape(y) must never answer [2].
        Graph then = graph("then", List.of(), List.of(v("t", DataType.FLOAT, 2)), Map.of("k", floats(1, 2, 3)),
            n("Identity", List.of("k"), "t"));
        Graph g = graph("outer", List.of(v("c", DataType.BOOL)), List.of(any("z", DataType.INT64)), Map.of(),
            n("If", List.of("c"), List.of("y"), Map.of("then_branch", g(then), "else_branch", g(then))),
            n("Shape", List.of("y"), "z"));
        for (SessionOptions o : CONFIGURATIONS) {
            OctetException e = fails(ErrorCode.INVALID_GRAPH, () -> new CompiledSession(g, o).close());
            assertTrue(e.getMessage().contains("'t'"), e.getMessage());
        }
        // A shape inference cannot know is checked when the branch runs.
        Graph dynamic = graph("then", List.of(), List.of(v("t", DataType.FLOAT, 2)), Map.of(),
            n("Identity", List.of("x"), "t"));
        Graph h = graph("outer", List.of(v("c", DataType.BOOL), any("x", DataType.FLOAT)), List.of(any("y", DataType.FLOAT)),
            Map.of(), n("If", List.of("c"), List.of("y"), Map.of("then_branch", g(dynamic), "else_branch", g(dynamic))));
        assertArrayEquals(new float[] {1, 2}, run(h, Map.of("c", bool(true), "x", floats(1, 2))).get("y").floats());
        OctetException e = fails(ErrorCode.INVALID_GRAPH, () -> run(h, Map.of("c", bool(true), "x", floats(1, 2, 3))));
        assertTrue(e.getMessage().contains("'t'"), e.getMessage());
    }

    @Test
    void loopFeedsIterationNumberAndConditionWithTheRankTheBodyDeclares() {
        Graph body = graph("body", List.of(v("i", DataType.INT64, 1), v("c_in", DataType.BOOL, 1)),
            List.of(v("c_out", DataType.BOOL, 1), v("scan", DataType.INT64, 1)), Map.of(),
            n("Identity", List.of("c_in"), "c_out"), n("Identity", List.of("i"), "scan"));
        Graph g = graph("outer", List.of(v("m", DataType.INT64)), List.of(any("all", DataType.INT64)), Map.of(),
            n("Loop", List.of("m", ""), List.of("all"), Map.of("body", g(body))));
        Tensor all = run(g, Map.of("m", scalar(3))).get("all");
        assertArrayEquals(new int[] {3, 1}, all.shape());
        assertArrayEquals(new long[] {0, 1, 2}, all.longs());
    }

    @Test
    void aGraphAttributeTheOperatorDoesNotDeclareIsRefused() {
        Graph junk = graph("junk", List.of(), List.of(any("b", DataType.FLOAT)), Map.of(), n("Identity", List.of("b0"), "b"));
        Graph g = graph("outer", List.of(v("a", DataType.FLOAT, 2), v("b0", DataType.FLOAT, 2)),
            List.of(any("y", DataType.FLOAT)), Map.of(),
            n("Concat", List.of("a"), List.of("y"), Map.of("axis", new Attribute.IntAttr(0), "junk", g(junk))));
        OctetException e = fails(ErrorCode.INVALID_GRAPH, () -> new CompiledSession(g).close());
        assertTrue(e.getMessage().contains("'junk'") && e.getMessage().contains("y_node"), e.getMessage());
    }

    @Test
    void loopNeedsBothTheTripCountAndConditionPositions() {
        Graph body = graph("body", List.of(v("i", DataType.INT64), v("c_in", DataType.BOOL)),
            List.of(v("c_out", DataType.BOOL), any("scan", DataType.INT64)), Map.of(),
            n("Identity", List.of("flag"), "c_out"), n("Identity", List.of("i"), "scan"));
        // With one input, the capture 'flag' that follows the node's inputs was read as the condition.
        Graph g = graph("outer", List.of(v("m", DataType.INT64), v("flag", DataType.BOOL)),
            List.of(any("all", DataType.INT64)), Map.of(),
            n("Loop", List.of("m"), List.of("all"), Map.of("body", g(body))));
        OctetException e = fails(ErrorCode.INVALID_GRAPH, () -> new CompiledSession(g).close());
        assertTrue(e.getMessage().contains("Loop"), e.getMessage());
    }
}
