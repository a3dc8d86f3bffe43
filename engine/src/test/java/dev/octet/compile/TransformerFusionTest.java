package dev.octet.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.exec.Executor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import dev.octet.ops.OpEnvironment;
import dev.octet.ops.OpRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each transformer fusion on small graphs: the pattern fuses and computes the same; near misses stay as they are. */
class TransformerFusionTest {
    private static final Dim BATCH = Dim.symbol("batch");
    private static final Dim SEQ = Dim.symbol("seq");

    /** A graph under construction: inputs, initializers and nodes, opset 13. */
    private static final class G {
        final List<ValueInfo> inputs = new ArrayList<>();
        final Map<String, Tensor> init = new HashMap<>();
        final List<Node> nodes = new ArrayList<>();
        int counter;

        G input(String name, Dim... dims) {
            inputs.add(new ValueInfo(name, DataType.FLOAT, DataType.FLOAT.onnxCode(), List.of(dims)));
            return this;
        }

        String init(Tensor t) {
            String name = "c" + counter++;
            init.put(name, t);
            return name;
        }

        /** A scalar float from a Constant node, as PyTorch exports them. */
        String constant(float v) {
            String name = "k" + counter++;
            nodes.add(new Node(name, "Constant", "", List.of(), List.of(name),
                Map.of("value", new Attribute.TensorAttr(Tensor.ofFloats(new float[] {v})))));
            return name;
        }

        String op(String type, List<String> in, Map<String, Attribute> attrs) {
            String out = type.toLowerCase() + counter++;
            nodes.add(new Node(out, type, "", in, List.of(out), attrs));
            return out;
        }

        String op(String type, String... in) {
            return op(type, List.of(in), Map.of());
        }

        Graph build(String... outputs) {
            return new Graph("g", inputs, List.of(outputs).stream().map(o -> new ValueInfo(o, null, 0, null)).toList(),
                init, nodes, Map.of("", 13), Map.of());
        }
    }

    private static Map<String, Attribute> ints(String name, long... v) {
        return Map.of(name, new Attribute.IntsAttr(v));
    }

    private static Graph fuse(GraphPass pass, Graph g) {
        return Compiler.sort(pass.apply(Compiler.sort(g)));
    }

    private static long count(Graph g, String opType) {
        return g.nodes().stream().filter(n -> n.opType().equals(opType)).count();
    }

    /** Runs the graph compiled with the given passes (the compiler refuses dev.octet nodes in its input). */
    private static Map<String, Tensor> run(Graph g, Map<String, Tensor> in, GraphPass... passes) {
        return Executor.run(new Compiler(OpRegistry.defaults(), List.of(passes), OpEnvironment.serial()).compile(g), in);
    }

    private static Tensor random(SplittableRandom r, double range, int... shape) {
        float[] v = new float[Tensor.checkedSize(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((r.nextDouble() * 2 - 1) * range);
        }
        return Tensor.ofFloats(v, shape);
    }

    private static void assertClose(Tensor expected, Tensor actual, double tolerance) {
        assertArrayEquals(expected.shapeView(), actual.shapeView());
        float[] e = expected.floats(), a = actual.floats();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tolerance * Math.max(1, Math.abs(e[i])), "element " + i);
        }
    }

    // ---- MatMulIntegerToFloat ------------------------------------------------------------------------

    /** DynamicQuantizeLinear(x) feeding {@code outputs} dynamically quantized matmuls, each [8 -> 6] with bias. */
    private static G dynamicMatMuls(SplittableRandom r, int outputs) {
        G g = new G().input("x", BATCH, SEQ, Dim.of(8));
        g.nodes.add(new Node("dql", "DynamicQuantizeLinear", "", List.of("x"), List.of("xq", "xs", "xz"), Map.of()));
        for (int o = 0; o < outputs; o++) {
            byte[] w = new byte[8 * 6];
            byte[] wz = new byte[6];
            float[] ws = new float[6];
            float[] bias = new float[6];
            for (int j = 0; j < 6; j++) {
                wz[j] = (byte) r.nextInt(-3, 4);
                ws[j] = (float) (0.001 + r.nextDouble() * 0.01);
                bias[j] = (float) r.nextGaussian();
            }
            for (int i = 0; i < w.length; i++) {
                w[i] = (byte) r.nextInt(-128, 128);
            }
            String scales = g.op("Mul", "xs", g.init(Tensor.ofFloats(ws, 6)));
            String acc = g.op("MatMulInteger", "xq", g.init(Tensor.ofInt8(w, 8, 6)), "xz", g.init(Tensor.ofInt8(wz, 6)));
            String f = g.op("Cast", List.of(acc), Map.of("to", new Attribute.IntAttr(DataType.FLOAT.onnxCode())));
            String scaled = g.op("Mul", f, scales);
            g.nodes.add(new Node("add" + o, "Add", "", List.of(g.init(Tensor.ofFloats(bias, 6)), scaled),
                List.of("y" + o), Map.of()));
        }
        return g;
    }

    @Test
    void matMulIntegerToFloatIsBitExactAndSharesTheQuantization() {
        SplittableRandom r = new SplittableRandom(1);
        Graph g = dynamicMatMuls(r, 3).build("y0", "y1", "y2");
        Graph fused = fuse(new MatMulIntegerToFloatFusion(), g);
        assertEquals(3, count(fused, "MatMulIntegerToFloat"));
        assertEquals(1, count(fused, "DynamicQuantizeLinear"));
        assertEquals(List.of("DynamicQuantizeLinear", "MatMulIntegerToFloat"),
            fused.nodes().stream().map(Node::opType).distinct().sorted().toList());
        for (int trial = 0; trial < 5; trial++) {
            Map<String, Tensor> in = Map.of("x", random(r, 3, 2, 7, 8));
            Map<String, Tensor> expected = run(g, in), actual = run(g, in, new MatMulIntegerToFloatFusion());
            for (String y : List.of("y0", "y1", "y2")) {
                assertArrayEquals(expected.get(y).floats(), actual.get(y).floats(), y);
            }
        }
    }

    @Test
    void matMulIntegerToFloatKeepsIntermediatesOthersRead() {
        G g = dynamicMatMuls(new SplittableRandom(2), 1);
        // The float accumulator is also a graph output: the matmul cannot disappear.
        String cast = g.nodes.stream().filter(n -> n.opType().equals("Cast")).findFirst().orElseThrow().outputs().get(0);
        Graph fused = fuse(new MatMulIntegerToFloatFusion(), g.build("y0", cast));
        assertEquals(0, count(fused, "MatMulIntegerToFloat"));
        assertEquals(1, count(fused, "MatMulInteger"));
    }

    @Test
    void matMulIntegerToFloatWithoutConstantBiasLeavesTheAdd() {
        G g = new G().input("x", Dim.of(3), Dim.of(4)).input("b", Dim.of(5));
        g.nodes.add(new Node("dql", "DynamicQuantizeLinear", "", List.of("x"), List.of("xq", "xs", "xz"), Map.of()));
        String scales = g.op("Mul", "xs", g.init(Tensor.ofFloats(new float[] {0.02f})));
        byte[] w = new byte[20];
        for (int i = 0; i < w.length; i++) {
            w[i] = (byte) (i * 13 - 100);
        }
        String acc = g.op("MatMulInteger", "xq", g.init(Tensor.ofInt8(w, 4, 5)), "xz");
        String f = g.op("Cast", List.of(acc), Map.of("to", new Attribute.IntAttr(DataType.FLOAT.onnxCode())));
        String y = g.op("Add", g.op("Mul", scales, f), "b");
        Graph plain = g.build(y);
        Graph fused = fuse(new MatMulIntegerToFloatFusion(), plain);
        assertEquals(1, count(fused, "MatMulIntegerToFloat"));
        assertEquals(1, count(fused, "Add"));
        Map<String, Tensor> in = Map.of("x", random(new SplittableRandom(3), 2, 3, 4), "b",
            random(new SplittableRandom(4), 1, 5));
        float[] expected = run(plain, in).get(y).floats();
        assertArrayEquals(expected, run(plain, in, new MatMulIntegerToFloatFusion()).get(y).floats());
    }

    // ---- LayerNormalization --------------------------------------------------------------------------

    /** PyTorch's decomposed layer norm over x; returns the output name. */
    private static String layerNorm(G g, String x, long axis, String eps, int n) {
        SplittableRandom r = new SplittableRandom(5);
        String mean = g.op("ReduceMean", List.of(x), ints("axes", axis));
        String d = g.op("Sub", x, mean);
        String var = g.op("ReduceMean", List.of(g.op("Pow", d, g.constant(2f))), ints("axes", axis));
        String norm = g.op("Div", d, g.op("Sqrt", g.op("Add", var, eps)));
        String scaled = g.op("Mul", norm, g.init(random(r, 2, n)));
        return g.op("Add", scaled, g.init(random(r, 1, n)));
    }

    @Test
    void layerNormFusesAndMatchesTheDecomposedGraph() {
        G g = new G().input("x", BATCH, SEQ, Dim.of(48));
        String y = layerNorm(g, "x", -1, g.constant(1e-12f), 48);
        Graph plain = g.build(y);
        Graph fused = fuse(new LayerNormFusion(), plain);
        assertEquals(1, count(fused, "LayerNormalization"));
        Node ln = fused.nodes().stream().filter(n -> n.opType().equals("LayerNormalization")).findFirst().orElseThrow();
        assertEquals(OpRegistry.OCTET_DOMAIN, ln.domain());
        assertEquals(new Attribute.FloatAttr(1e-12f), ln.attributes().get("epsilon"));
        assertEquals(0, count(fused, "ReduceMean") + count(fused, "Pow") + count(fused, "Sqrt"));
        Map<String, Tensor> in = Map.of("x", random(new SplittableRandom(6), 4, 2, 5, 48));
        // ORT's float E[x^2] - mean^2 statistics against the graph's two-pass means: well within 1e-5 here.
        assertClose(run(plain, in).get(y), run(plain, in, new LayerNormFusion()).get(y), 1e-5);
    }

    @Test
    void layerNormNearMissesStayDecomposed() {
        G wrongAxis = new G().input("x", Dim.of(4), Dim.of(48));
        Graph g1 = wrongAxis.build(layerNorm(wrongAxis, "x", 0, wrongAxis.constant(1e-5f), 48));
        assertEquals(0, count(fuse(new LayerNormFusion(), g1), "LayerNormalization"));

        G runtimeEps = new G().input("x", Dim.of(4), Dim.of(48)).input("eps");
        Graph g2 = runtimeEps.build(layerNorm(runtimeEps, "x", -1, "eps", 48));
        assertEquals(0, count(fuse(new LayerNormFusion(), g2), "LayerNormalization"));

        G sharedDeviation = new G().input("x", Dim.of(4), Dim.of(48));
        String y = layerNorm(sharedDeviation, "x", -1, sharedDeviation.constant(1e-5f), 48);
        String d = sharedDeviation.nodes.stream().filter(n -> n.opType().equals("Sub")).findFirst().orElseThrow()
            .outputs().get(0);
        Graph g3 = sharedDeviation.build(y, d);
        assertEquals(0, count(fuse(new LayerNormFusion(), g3), "LayerNormalization"));
    }

    // ---- Gelu ----------------------------------------------------------------------------------------

    @Test
    void geluFusesBothOperationOrders() {
        G g = new G().input("x", BATCH, Dim.of(64));
        String erf = g.op("Erf", g.op("Div", "x", g.constant((float) Math.sqrt(2))));
        String plus = g.op("Add", erf, g.constant(1f));
        String y1 = g.op("Mul", g.op("Mul", "x", plus), g.constant(0.5f));
        String erf2 = g.op("Erf", g.op("Mul", "x", g.constant((float) (1 / Math.sqrt(2)))));
        String y2 = g.op("Mul", g.op("Mul", "x", g.constant(0.5f)), g.op("Add", g.constant(1f), erf2));
        Graph plain = g.build(y1, y2);
        Graph fused = fuse(new GeluFusion(), plain);
        assertEquals(2, count(fused, "Gelu"));
        assertEquals(0, count(fused, "Erf") + count(fused, "Mul") + count(fused, "Div"));
        Map<String, Tensor> in = Map.of("x", random(new SplittableRandom(7), 6, 3, 64));
        Map<String, Tensor> expected = run(plain, in), actual = run(plain, in, new GeluFusion());
        // The erf argument may differ by one rounding (x / sqrt2 against x * (1/sqrt2)).
        assertClose(expected.get(y1), actual.get(y1), 1e-6);
        assertClose(expected.get(y2), actual.get(y2), 1e-6);
    }

    @Test
    void geluNearMissesStayDecomposed() {
        G g = new G().input("x", BATCH, Dim.of(64));
        String erf = g.op("Erf", g.op("Div", "x", g.constant(1.41f)));
        String y1 = g.op("Mul", g.op("Mul", "x", g.op("Add", erf, g.constant(1f))), g.constant(0.5f));
        // Exact constants, but the erf is also read by another output.
        String erf2 = g.op("Erf", g.op("Div", "x", g.constant((float) Math.sqrt(2))));
        String y2 = g.op("Mul", g.op("Mul", "x", g.op("Add", erf2, g.constant(1f))), g.constant(0.5f));
        Graph fused = fuse(new GeluFusion(), g.build(y1, y2, erf2));
        assertEquals(0, count(fused, "Gelu"));
    }

    // ---- Attention -----------------------------------------------------------------------------------

    private static final int HEADS = 3, HEAD_SIZE = 4, HIDDEN = HEADS * HEAD_SIZE;

    /** {@code [dims of x at 0 and 1] ++ tail}, computed from Shape as exporters do. */
    private static String shapeOf(G g, String x, long... tail) {
        List<String> parts = new ArrayList<>();
        for (long i = 0; i < 2; i++) {
            String dim = g.op("Gather", List.of(g.op("Shape", x), g.init(Tensor.ofLongs(new long[] {i}, 1))),
                Map.of("axis", new Attribute.IntAttr(0)));
            parts.add(dim);
        }
        parts.add(g.init(Tensor.ofLongs(tail, tail.length)));
        return g.op("Concat", parts, Map.of("axis", new Attribute.IntAttr(0)));
    }

    private static String splitHeads(G g, String x, long... perm) {
        String reshaped = g.op("Reshape", x, shapeOf(g, x, HEADS, HEAD_SIZE));
        return g.op("Transpose", List.of(reshaped), ints("perm", perm));
    }

    /** BERT's self-attention over q, k, v and a mask [batch, 1, 1, seq], with a given softmax axis and scaling. */
    private static G attention(long softmaxAxis, String scaling) {
        return attention(softmaxAxis, scaling, BATCH, Dim.of(1), Dim.of(1), SEQ);
    }

    private static G attention(long softmaxAxis, String scaling, Dim... maskShape) {
        G g = new G().input("q", BATCH, SEQ, Dim.of(HIDDEN)).input("k", BATCH, SEQ, Dim.of(HIDDEN))
            .input("v", BATCH, SEQ, Dim.of(HIDDEN)).input("mask", maskShape);
        String scores = g.op("MatMul", splitHeads(g, "q", 0, 2, 1, 3), splitHeads(g, "k", 0, 2, 3, 1));
        scores = switch (scaling) {
            case "div" -> g.op("Div", scores, g.constant((float) Math.sqrt(HEAD_SIZE)));
            case "mul" -> g.op("Mul", scores, g.constant(0.5f));
            default -> scores;
        };
        String probs = g.op("Softmax", List.of(g.op("Add", scores, "mask")),
            Map.of("axis", new Attribute.IntAttr(softmaxAxis)));
        String context = g.op("MatMul", probs, splitHeads(g, "v", 0, 2, 1, 3));
        String merged = g.op("Transpose", List.of(context), ints("perm", 0, 2, 1, 3));
        g.nodes.add(new Node("out", "Reshape", "", List.of(merged, shapeOf(g, merged, HIDDEN)), List.of("y"), Map.of()));
        return g;
    }

    private static Map<String, Tensor> attentionInputs(SplittableRandom r, int batch, int seq) {
        float[] mask = new float[batch * seq];
        for (int i = seq - 2; i < seq; i++) {
            mask[(batch - 1) * seq + i] = -3.4028235e38f; // padding of the last row, as BERT's mask does
        }
        return Map.of("q", random(r, 2, batch, seq, HIDDEN), "k", random(r, 2, batch, seq, HIDDEN),
            "v", random(r, 2, batch, seq, HIDDEN), "mask", Tensor.ofFloats(mask, batch, 1, 1, seq));
    }

    @Test
    void attentionFusesAndMatchesTheUnfusedGraph() {
        SplittableRandom r = new SplittableRandom(8);
        for (String scaling : List.of("div", "mul", "none")) {
            Graph plain = attention(-1, scaling).build("y");
            Graph fused = fuse(new AttentionFusion(), plain);
            // The Shape/Gather/Concat computations of the Reshape targets go with the pattern.
            assertEquals(List.of("Attention"), fused.nodes().stream().map(Node::opType).toList(), scaling);
            Node att = fused.nodes().get(0);
            assertEquals(new Attribute.IntAttr(HEADS), att.attributes().get("num_heads"));
            assertEquals(List.of("q", "k", "v", "mask"), att.inputs());
            for (int[] bs : new int[][] {{2, 7}, {1, 70}}) {
                Map<String, Tensor> in = attentionInputs(r, bs[0], bs[1]);
                // Same operations except the softmax's sum (double vs canonical float) and x * (1/d) for x / d: 1e-6.
                assertClose(run(plain, in).get("y"), run(plain, in, new AttentionFusion()).get("y"), 1e-6);
            }
        }
    }

    @Test
    void attentionTakesAMaskPerHeadAndQuery() {
        Graph plain = attention(-1, "div", BATCH, Dim.of(HEADS), SEQ, SEQ).build("y");
        assertEquals(1, count(fuse(new AttentionFusion(), plain), "Attention"));
        SplittableRandom r = new SplittableRandom(9);
        Map<String, Tensor> in = new HashMap<>(attentionInputs(r, 2, 6));
        in.put("mask", random(r, 3, 2, HEADS, 6, 6));
        assertClose(run(plain, in).get("y"), run(plain, in, new AttentionFusion()).get("y"), 1e-6);
    }

    @Test
    void attentionNearMissesStayUnfused() {
        Graph wrongAxis = attention(2, "div").build("y");
        assertEquals(0, count(fuse(new AttentionFusion(), wrongAxis), "Attention"));
        G g = attention(-1, "div");
        String probs = g.nodes.stream().filter(n -> n.opType().equals("Softmax")).findFirst().orElseThrow()
            .outputs().get(0);
        assertEquals(0, count(fuse(new AttentionFusion(), g.build("y", probs)), "Attention"));
    }

    @Test
    void defaultPassesRunEveryFusion() {
        List<Class<?>> passes = GraphPass.defaults().stream().<Class<?>>map(Object::getClass).toList();
        assertTrue(passes.containsAll(List.of(MatMulIntegerToFloatFusion.class, LayerNormFusion.class, GeluFusion.class,
            AttentionFusion.class)));
        assertEquals(DeadNodeElimination.class, passes.get(passes.size() - 1));
    }
}
