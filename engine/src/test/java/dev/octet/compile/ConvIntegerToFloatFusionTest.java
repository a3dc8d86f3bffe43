package dev.octet.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.exec.Executor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import dev.octet.kernel.KernelProvider;
import dev.octet.kernel.KernelProviders;
import dev.octet.kernel.Parallel;
import dev.octet.ops.OpEnvironment;
import dev.octet.ops.OpRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ONNX Runtime's dynamically quantized convolution, DynamicQuantizeLinear -> ConvInteger -> Cast -> Mul(x_scale *
 * w_scale) [-> Add(bias)] [-> Relu], fused into ConvIntegerToFloat: bit for bit the unfused graph (run on the
 * scalar kernels, one thread) on every kernel provider and width and on 1 and 2 threads, over the convolution
 * kinds (GEMM, pointwise, grouped GEMM, depthwise, narrow groups through the reference loop, 1-D), weight types
 * and zero points; and the patterns that must stay unfused stay so, with the same results.
 */
class ConvIntegerToFloatFusionTest {
    private static final int TO_FLOAT = DataType.FLOAT.onnxCode();

    /** One random dynamically quantized convolution layer. */
    record Layer(String name, int batch, int cin, int[] spatial, int cout, int[] kernel, int[] strides, int[] dilations,
                 int[] pads, int group, boolean signedWeights, WeightZeroPoint wzp, boolean perChannelScale,
                 Bias bias, boolean relu) {
        @Override
        public String toString() {
            return name;
        }
    }

    enum WeightZeroPoint { ABSENT, PER_TENSOR, PER_CHANNEL }

    /** NONE: no Add; CHANNEL_AXIS: [C, 1, ...]; FULL_RANK: [1, C, 1, ...]; RESHAPED: [C] reshaped to [1, C, 1, ...]. */
    enum Bias { NONE, CHANNEL_AXIS, FULL_RANK, RESHAPED }

    static Stream<Arguments> layers() {
        WeightZeroPoint none = WeightZeroPoint.ABSENT, tensor = WeightZeroPoint.PER_TENSOR,
            channel = WeightZeroPoint.PER_CHANNEL;
        return Stream.of(
            new Layer("3x3 u8, per-tensor w_zp, relu", 2, 5, ints(11, 9), 16, ints(3, 3), ints(1, 1), ints(1, 1),
                ints(1, 1, 1, 1), 1, false, tensor, false, Bias.FULL_RANK, true),
            new Layer("3x3 s8 stride 2 dilation 2, asymmetric pads, per-channel", 2, 8, ints(13, 10), 12, ints(3, 3),
                ints(2, 2), ints(2, 2), ints(0, 1, 2, 1), 1, true, channel, true, Bias.CHANNEL_AXIS, false),
            new Layer("3x3 dilation 4, no w_zp", 2, 3, ints(17, 15), 9, ints(3, 3), ints(1, 1), ints(4, 4),
                ints(4, 4, 4, 4), 1, false, none, false, Bias.RESHAPED, true),
            new Layer("depthwise 3x3 s8, per-channel w_zp", 2, 8, ints(9, 12), 8, ints(3, 3), ints(1, 1), ints(1, 1),
                ints(1, 1, 1, 1), 8, true, channel, true, Bias.FULL_RANK, true),
            new Layer("depthwise 3x3 stride 2 dilation 2 u8", 2, 16, ints(14, 11), 16, ints(3, 3), ints(2, 2),
                ints(2, 2), ints(2, 1, 2, 0), 16, false, tensor, false, Bias.FULL_RANK, false),
            new Layer("grouped GEMM, 2 groups, stride 2", 2, 8, ints(10, 13), 32, ints(3, 3), ints(2, 2), ints(1, 1),
                ints(1, 1, 1, 1), 2, false, channel, true, Bias.FULL_RANK, true),
            new Layer("narrow groups (2 outputs each): reference loop", 2, 8, ints(7, 9), 8, ints(3, 3), ints(1, 1),
                ints(1, 1), ints(1, 0, 1, 2), 4, true, tensor, true, Bias.CHANNEL_AXIS, true),
            new Layer("one output channel: reference loop", 2, 16, ints(9, 8), 1, ints(3, 3), ints(1, 1), ints(1, 1),
                ints(1, 1, 1, 1), 1, false, tensor, false, Bias.RESHAPED, false),
            new Layer("pointwise 1x1", 2, 16, ints(7, 11), 24, ints(1, 1), ints(1, 1), ints(1, 1), ints(0, 0, 0, 0), 1,
                true, none, true, Bias.FULL_RANK, true),
            new Layer("pointwise 1x1 stride 2", 2, 12, ints(9, 10), 8, ints(1, 1), ints(2, 2), ints(1, 1),
                ints(0, 0, 0, 0), 1, false, channel, false, Bias.NONE, true),
            new Layer("1-D, dilation 2, asymmetric pads", 2, 6, ints(23), 10, ints(3), ints(1), ints(2), ints(1, 3), 1,
                false, tensor, true, Bias.FULL_RANK, true),
            new Layer("1-D depthwise stride 2", 2, 6, ints(19), 6, ints(5), ints(2), ints(1), ints(2, 2), 6, true,
                channel, false, Bias.CHANNEL_AXIS, false),
            new Layer("no bias, Relu right after the Mul", 2, 4, ints(6, 7), 8, ints(3, 3), ints(1, 1), ints(1, 1),
                ints(1, 1, 1, 1), 1, true, none, false, Bias.NONE, true)
        ).map(Arguments::of);
    }

    private static int[] ints(int... v) {
        return v;
    }

    /** The graph under construction. */
    private static final class G {
        final Map<String, Tensor> init = new HashMap<>();
        final List<Node> nodes = new ArrayList<>();
        final List<ValueInfo> inputs = new ArrayList<>();
        int counter;

        String init(Tensor t) {
            String name = "c" + counter++;
            init.put(name, t);
            return name;
        }

        String op(String type, List<String> in, Map<String, Attribute> attrs) {
            String y = type.toLowerCase() + counter++;
            nodes.add(new Node(y, type, "", in, List.of(y), attrs));
            return y;
        }

        String op(String type, String... in) {
            return op(type, List.of(in), Map.of());
        }

        Graph build(String... outputs) {
            return new Graph("g", inputs, Stream.of(outputs).map(o -> new ValueInfo(o, null, 0, null)).toList(), init,
                nodes, Map.of("", 13), Map.of());
        }
    }

    /** One layer reading DynamicQuantizeLinear "dql"'s outputs; returns the names of its Cast and its output. */
    private static String[] layer(G g, Layer l, SplittableRandom r) {
        return layer(g, l, r, "xq", "xs", "xz");
    }

    /** One layer reading quantized {@code xq} (scale xs, zero point xz); returns its Cast's and its output's names. */
    private static String[] layer(G g, Layer l, SplittableRandom r, String xq, String xs, String xz) {
        int cinG = l.cin() / l.group();
        int taps = Arrays.stream(l.kernel()).reduce(1, (a, b) -> a * b);
        byte[] w = new byte[l.cout() * cinG * taps];
        r.nextBytes(w);
        int[] wShape = new int[l.kernel().length + 2];
        wShape[0] = l.cout();
        wShape[1] = cinG;
        System.arraycopy(l.kernel(), 0, wShape, 2, l.kernel().length);
        String weights = g.init(l.signedWeights() ? Tensor.ofInt8(w, wShape) : Tensor.ofUint8(w, wShape));
        List<String> convIn = new ArrayList<>(List.of(xq, weights, xz));
        if (l.wzp() != WeightZeroPoint.ABSENT) {
            byte[] zp = new byte[l.wzp() == WeightZeroPoint.PER_TENSOR ? 1 : l.cout()];
            for (int i = 0; i < zp.length; i++) {
                zp[i] = (byte) (l.signedWeights() ? r.nextInt(-4, 5) : r.nextInt(120, 137));
            }
            convIn.add(g.init(l.signedWeights() ? Tensor.ofInt8(zp, zp.length) : Tensor.ofUint8(zp, zp.length)));
        }
        int rank = wShape.length;
        Map<String, Attribute> attrs = Map.of("kernel_shape", longs(l.kernel()), "strides", longs(l.strides()),
            "dilations", longs(l.dilations()), "pads", longs(l.pads()), "group", new Attribute.IntAttr(l.group()));
        String conv = g.op("ConvInteger", convIn, attrs);
        String cast = g.op("Cast", List.of(conv), Map.of("to", new Attribute.IntAttr(TO_FLOAT)));
        float[] ws = new float[l.perChannelScale() ? l.cout() : 1];
        for (int i = 0; i < ws.length; i++) {
            ws[i] = (float) (0.0005 + r.nextDouble() * 0.004);
        }
        int[] scaleShape = new int[rank - 1]; // [C, 1, ...]: per channel on an NCHW output
        Arrays.fill(scaleShape, 1);
        scaleShape[0] = ws.length;
        String scale = g.op("Mul", xs, g.init(Tensor.ofFloats(ws, scaleShape)));
        String y = g.op("Mul", cast, scale);
        if (l.bias() != Bias.NONE) {
            float[] b = new float[l.cout()];
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) r.nextGaussian();
            }
            int[] shape = new int[l.bias() == Bias.CHANNEL_AXIS ? rank - 1 : rank];
            Arrays.fill(shape, 1);
            shape[l.bias() == Bias.CHANNEL_AXIS ? 0 : 1] = l.cout();
            String bias = l.bias() == Bias.RESHAPED
                ? g.op("Reshape", g.init(Tensor.ofFloats(b, l.cout())), g.init(Tensor.ofLongs(toLongs(shape), rank)))
                : g.init(Tensor.ofFloats(b, shape));
            y = g.op("Add", bias, y);
        }
        return new String[] {cast, l.relu() ? g.op("Relu", y) : y};
    }

    private static Attribute longs(int[] v) {
        return new Attribute.IntsAttr(toLongs(v));
    }

    private static long[] toLongs(int[] v) {
        return Arrays.stream(v).asLongStream().toArray();
    }

    private static G withInput(Layer l) {
        G g = new G();
        List<Dim> shape = new ArrayList<>(List.of(Dim.of(l.batch()), Dim.of(l.cin())));
        Arrays.stream(l.spatial()).forEach(d -> shape.add(Dim.of(d)));
        g.inputs.add(new ValueInfo("x", DataType.FLOAT, TO_FLOAT, shape));
        g.nodes.add(new Node("dql", "DynamicQuantizeLinear", "", List.of("x"), List.of("xq", "xs", "xz"), Map.of()));
        return g;
    }

    private static Map<String, Tensor> input(Layer l, SplittableRandom r) {
        int[] shape = new int[l.spatial().length + 2];
        shape[0] = l.batch();
        shape[1] = l.cin();
        System.arraycopy(l.spatial(), 0, shape, 2, l.spatial().length);
        float[] x = new float[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        double lo = -r.nextDouble() * 2, hi = r.nextDouble() * 3; // an asymmetric range: x_zp away from 0 and 255
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (lo + r.nextDouble() * (hi - lo));
        }
        return Map.of("x", Tensor.ofFloats(x, shape));
    }

    private static Map<String, Tensor> run(Graph g, Map<String, Tensor> in, OpEnvironment env, GraphPass... passes) {
        return Executor.run(new Compiler(OpRegistry.defaults(), List.of(passes), env).compile(g), in);
    }

    private static long count(Graph g, String opType) {
        return g.nodes().stream().filter(n -> n.opType().equals(opType)).count();
    }

    private static OpEnvironment environment(String provider, int bits, Parallel parallel) {
        KernelProvider kernels = KernelProviders.choose(provider, bits).provider();
        return new OpEnvironment(kernels, parallel);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void fusedIsBitExactWithTheUnfusedGraph(Layer l) {
        SplittableRandom r = new SplittableRandom(l.name().hashCode());
        G g = withInput(l);
        String y = layer(g, l, r)[1];
        Graph plain = g.build(y);
        Graph fused = new ConvIntegerToFloatFusion().apply(plain);
        assertEquals(1, count(fused, "ConvIntegerToFloat"));
        assertEquals(List.of("ConvIntegerToFloat", "DynamicQuantizeLinear"),
            fused.nodes().stream().map(Node::opType).filter(t -> !t.equals("Reshape")).distinct().sorted().toList());
        OpEnvironment reference = environment("scalar", 0, Parallel.SERIAL);
        try (Parallel two = new Parallel(2)) {
            for (int trial = 0; trial < 2; trial++) {
                Map<String, Tensor> in = input(l, r);
                Tensor expected = run(plain, in, reference).get(y);
                for (OpEnvironment env : List.of(reference, environment("scalar", 0, two),
                    environment("vector", 128, Parallel.SERIAL), environment("vector", 256, two),
                    environment("vector", 512, Parallel.SERIAL), environment("vector", 512, two))) {
                    String where = env.kernels().getClass().getSimpleName() + "/" + env.kernels().vectorBits()
                        + " bits, "
                        + env.parallel().threads() + " threads";
                    Tensor actual = run(plain, in, env, new ConvIntegerToFloatFusion()).get(y);
                    assertArrayEquals(expected.shapeView(), actual.shapeView(), where);
                    assertArrayEquals(expected.floats(), actual.floats(), where);
                }
            }
        }
    }

    /**
     * The layer in NHWC (ChannelsLastLayout after the fusion): its output pooled (ceil mode), resized back
     * (bilinear, a non-integer scale on odd sides), concatenated with itself and quantized again for a second
     * fused convolution; only the model's input and output are transposed, and the bits are the unfused graph's.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void chainsInNhwcAreBitExactWithTheUnfusedGraph(Layer l) {
        assumeTrue(l.kernel().length == 2, "the layout pass keeps 2-D convolutions");
        SplittableRandom r = new SplittableRandom(l.name().hashCode() + 1);
        G g = withInput(l);
        String y1 = layer(g, l, r)[1];
        int oh = outSide(l, 0), ow = outSide(l, 1);
        String pooled = g.op("MaxPool", List.of(y1), Map.of("kernel_shape", longs(ints(2, 2)),
            "strides", longs(ints(2, 2)), "ceil_mode", new Attribute.IntAttr(1)));
        String sizes = g.init(Tensor.ofLongs(new long[] {l.batch(), l.cout(), oh, ow}, 4));
        String up = g.op("Resize", List.of(pooled, "", "", sizes), Map.of("mode", new Attribute.StringAttr("linear"),
            "coordinate_transformation_mode", new Attribute.StringAttr("half_pixel")));
        String joined = g.op("Concat", List.of(up, y1), Map.of("axis", new Attribute.IntAttr(1)));
        g.nodes.add(new Node("dql2", "DynamicQuantizeLinear", "", List.of(joined), List.of("xq2", "xs2", "xz2"),
            Map.of()));
        Layer second = new Layer("second", l.batch(), 2 * l.cout(), ints(oh, ow), 8, ints(3, 3), ints(1, 1),
            ints(1, 1), ints(1, 1, 1, 1), 1, false, WeightZeroPoint.PER_TENSOR, false, Bias.FULL_RANK, false);
        String y2 = layer(g, second, r, "xq2", "xs2", "xz2")[1];
        Graph plain = g.build(y2);
        GraphPass[] passes = {new ConvIntegerToFloatFusion(), new ChannelsLastLayout(), new ConcatQuantizeFusion(),
            new DeadNodeElimination()};
        Graph converted = plain;
        for (GraphPass p : passes) {
            converted = p.apply(converted);
        }
        assertEquals(2, count(converted, "ConvIntegerToFloat"));
        assertEquals(0, count(converted, "Concat"), "the join quantized in place");
        assertEquals(2, count(converted, "Transpose"), "into NHWC after the first quantization, out at the end");
        assertEquals(List.of(OpRegistry.OCTET_DOMAIN), converted.nodes().stream()
            .filter(n -> n.opType().equals("MaxPool")).map(Node::domain).toList());
        OpEnvironment reference = environment("scalar", 0, Parallel.SERIAL);
        try (Parallel two = new Parallel(2)) {
            Map<String, Tensor> in = input(l, r);
            Tensor expected = run(plain, in, reference).get(y2);
            for (OpEnvironment env : List.of(reference, environment("vector", 256, Parallel.SERIAL),
                environment("vector", 512, two))) {
                Tensor actual = run(plain, in, env, passes).get(y2);
                assertArrayEquals(expected.shapeView(), actual.shapeView());
                assertArrayEquals(expected.floats(), actual.floats(), env.kernels().vectorBits() + " bits");
            }
        }
    }

    /** The output side of a 2-D layer along spatial axis d. */
    private static int outSide(Layer l, int d) {
        int window = l.dilations()[d] * (l.kernel()[d] - 1) + 1;
        return (l.spatial()[d] + l.pads()[d] + l.pads()[d + 2] - window) / l.strides()[d] + 1;
    }

    // ---- patterns that stay as they are ---------------------------------------------------------------

    private static final Layer PLAIN = new Layer("plain", 2, 8, ints(9, 10), 16, ints(3, 3), ints(1, 1), ints(1, 1),
        ints(1, 1, 1, 1), 1, false, WeightZeroPoint.PER_TENSOR, false, Bias.FULL_RANK, true);

    /**
     * Checks how many fused ops the pass makes, and that every output agrees with and without it; {@code inputs}
     * are the graph inputs other than x.
     */
    private static void assertFusesAndAgrees(Graph g, Layer l, long fusedOps, Map<String, Tensor> inputs,
                                             String... outputs) {
        assertEquals(fusedOps, count(new ConvIntegerToFloatFusion().apply(g), "ConvIntegerToFloat"));
        Map<String, Tensor> in = new HashMap<>(input(l, new SplittableRandom(5)));
        in.putAll(inputs);
        OpEnvironment env = environment("scalar", 0, Parallel.SERIAL);
        Map<String, Tensor> expected = run(g, in, env), actual = run(g, in, env, new ConvIntegerToFloatFusion());
        for (String o : outputs) {
            assertArrayEquals(expected.get(o).shapeView(), actual.get(o).shapeView(), o);
            assertEquals(expected.get(o).toString(), actual.get(o).toString(), o);
            if (expected.get(o).type() == DataType.FLOAT) {
                assertArrayEquals(expected.get(o).floats(), actual.get(o).floats(), o);
            }
        }
    }

    @Test
    void anIntermediateReadTwiceKeepsTheChain() {
        G g = withInput(PLAIN);
        String[] names = layer(g, PLAIN, new SplittableRandom(1));
        String other = g.op("Neg", names[0]); // the Cast's output has a second reader
        assertFusesAndAgrees(g.build(names[1], other), PLAIN, 0, Map.of(), names[1], other);
    }

    @Test
    void aGraphOutputInTheMiddleKeepsTheChain() {
        G g = withInput(PLAIN);
        String[] names = layer(g, PLAIN, new SplittableRandom(2));
        assertFusesAndAgrees(g.build(names[1], names[0]), PLAIN, 0, Map.of(), names[1], names[0]);
    }

    @Test
    void aGraphOutputBeforeTheReluEndsTheFusionThere() {
        G g = withInput(PLAIN);
        String[] names = layer(g, PLAIN, new SplittableRandom(2));
        String add = g.nodes.stream().filter(n -> n.opType().equals("Add")).findFirst().orElseThrow().outputs().get(0);
        Graph graph = g.build(names[1], add);
        Graph fused = new ConvIntegerToFloatFusion().apply(graph);
        assertEquals(List.of("ConvIntegerToFloat", "DynamicQuantizeLinear", "Relu"),
            fused.nodes().stream().map(Node::opType).sorted().toList());
        assertFusesAndAgrees(graph, PLAIN, 1, Map.of(), names[1], add);
    }

    @Test
    void weightsThatAreNotConstantKeepTheChain() {
        G g = withInput(PLAIN);
        String[] names = layer(g, PLAIN, new SplittableRandom(3));
        Node conv = g.nodes.stream().filter(n -> n.opType().equals("ConvInteger")).findFirst().orElseThrow();
        String w = conv.inputs().get(1);
        Tensor value = g.init.remove(w);
        g.inputs.add(new ValueInfo(w, value.type(), value.type().onnxCode(),
            Arrays.stream(value.shapeView()).mapToObj(Dim::of).toList()));
        assertFusesAndAgrees(g.build(names[1]), PLAIN, 0, Map.of(w, value), names[1]);
    }

    @Test
    void aCastToAnythingButFloatKeepsTheChain() {
        G g = withInput(PLAIN);
        String weights = g.init(Tensor.ofUint8(new byte[16 * 8 * 9], 16, 8, 3, 3));
        String conv = g.op("ConvInteger", List.of("xq", weights, "xz"),
            Map.of("pads", longs(ints(1, 1, 1, 1))));
        String cast = g.op("Cast", List.of(conv), Map.of("to", new Attribute.IntAttr(DataType.INT64.onnxCode())));
        String y = g.op("Mul", cast, g.init(Tensor.ofLongs(new long[] {3}, 1)));
        assertFusesAndAgrees(g.build(y), PLAIN, 0, Map.of(), y);
    }

    @Test
    void aBiasAlongTheLastAxisIsNotPerChannelAndStaysAnAdd() {
        // Bias [C] on an NCHW output broadcasts along W (W == C here, so the graph is valid): the Add stays.
        Layer l = new Layer("bias [C]", 2, 8, ints(9, 16), 16, ints(3, 3), ints(1, 1), ints(1, 1), ints(1, 1, 1, 1), 1,
            false, WeightZeroPoint.PER_TENSOR, false, Bias.NONE, false);
        G g = withInput(l);
        String[] names = layer(g, l, new SplittableRandom(6));
        float[] b = new float[16];
        for (int i = 0; i < b.length; i++) {
            b[i] = i * 0.25f - 2;
        }
        String y = g.op("Relu", g.op("Add", names[1], g.init(Tensor.ofFloats(b, 16))));
        Graph graph = g.build(y);
        Graph fused = new ConvIntegerToFloatFusion().apply(graph);
        assertEquals(1, count(fused, "Add"));
        assertEquals(1, count(fused, "Relu"), "the Relu reads the Add, not the fused op");
        assertFusesAndAgrees(graph, l, 1, Map.of(), y);
    }

    @Test
    void aWeightScaleThatIsNotConstantKeepsTheChain() {
        G g = withInput(PLAIN);
        String[] names = layer(g, PLAIN, new SplittableRandom(8));
        Node scaleMul = g.nodes.stream().filter(n -> n.opType().equals("Mul") && n.inputs().get(0).equals("xs"))
            .findFirst().orElseThrow();
        String ws = scaleMul.inputs().get(1);
        Tensor value = g.init.remove(ws);
        g.inputs.add(new ValueInfo(ws, DataType.FLOAT, TO_FLOAT,
            Arrays.stream(value.shapeView()).mapToObj(Dim::of).toList()));
        assertFusesAndAgrees(g.build(names[1]), PLAIN, 0, Map.of(ws, value), names[1]);
    }
}
