package dev.octet.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

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

/**
 * The NHWC layout pass on small int8 graphs: which convolutions and binary ops change layout, where the
 * transposes go, and that every output keeps its bits (each convolution kind: GEMM, depthwise, pointwise,
 * narrow groups through the reference loop).
 */
class ChannelsLastLayoutTest {
    private final SplittableRandom random = new SplittableRandom(17);
    private final Map<String, Tensor> init = new HashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private int counter;

    private String constant(Tensor t) {
        String name = "c" + counter++;
        init.put(name, t);
        return name;
    }

    private String scalar(float v) {
        return constant(Tensor.ofFloats(new float[] {v}));
    }

    private String zeroPoint(int v) {
        return constant(Tensor.ofUint8(new byte[] {(byte) v}));
    }

    /** ONNX QLinearConv, u8 activations, s8 weights, square kernel, "same" padding. */
    private String conv(String x, int cin, int cout, int k, int stride, int group) {
        return conv("", x, cin, cout, k, k, stride, group, k / 2);
    }

    private String conv(String domain, String x, int cin, int cout, int kh, int kw, int stride, int group, int p) {
        byte[] w = new byte[cout * (cin / group) * kh * kw];
        for (int i = 0; i < w.length; i++) {
            w[i] = (byte) random.nextInt(-127, 128);
        }
        int[] bias = new int[cout];
        for (int i = 0; i < cout; i++) {
            bias[i] = random.nextInt(-2000, 2000);
        }
        String y = "conv" + counter++;
        nodes.add(new Node(y, "QLinearConv", domain, List.of(x, scalar(0.02f), zeroPoint(128),
            constant(Tensor.ofInt8(w, cout, cin / group, kh, kw)), scalar(0.01f), constant(Tensor.ofInt8(new byte[] {0})),
            scalar(0.05f), zeroPoint(120), constant(Tensor.ofInts(bias, cout))), List.of(y),
            Map.of("group", new Attribute.IntAttr(group), "pads", new Attribute.IntsAttr(new long[] {p, p, p, p}),
                "strides", new Attribute.IntsAttr(new long[] {stride, stride}))));
        return y;
    }

    private String add(String a, String b) {
        String y = "add" + counter++;
        nodes.add(new Node(y, "QLinearAdd", OpRegistry.MICROSOFT_DOMAIN, List.of(a, scalar(0.05f), zeroPoint(120), b,
            scalar(0.05f), zeroPoint(120), scalar(0.07f), zeroPoint(125)), List.of(y), Map.of()));
        return y;
    }

    private Graph build(String... outputs) {
        return build(Map.of("", 13, OpRegistry.MICROSOFT_DOMAIN, 1), outputs);
    }

    private Graph build(Map<String, Integer> opsets, String... outputs) {
        List<ValueInfo> in = List.of(new ValueInfo("x", DataType.UINT8, DataType.UINT8.onnxCode(),
            List.of(Dim.of(2), Dim.of(8), Dim.of(9), Dim.of(11))));
        return new Graph("g", in, List.of(outputs).stream().map(o -> new ValueInfo(o, null, 0, null)).toList(), init,
            nodes, opsets, Map.of());
    }

    private void assertSameBits(Graph g, String... outputs) {
        Map<String, Tensor> in = input();
        Map<String, Tensor> expected = run(g, in);
        Map<String, Tensor> actual = run(g, in, new ChannelsLastLayout());
        for (String out : outputs) {
            assertArrayEquals(expected.get(out).shapeView(), actual.get(out).shapeView(), out);
            assertArrayEquals(expected.get(out).bytes(), actual.get(out).bytes(), out);
        }
    }

    private static Map<String, Tensor> run(Graph g, Map<String, Tensor> in, GraphPass... passes) {
        return Executor.run(new Compiler(OpRegistry.defaults(), List.of(passes), OpEnvironment.serial()).compile(g), in);
    }

    private Map<String, Tensor> input() {
        byte[] x = new byte[2 * 8 * 9 * 11];
        random.nextBytes(x);
        return Map.of("x", Tensor.ofUint8(x, 2, 8, 9, 11));
    }

    private static long count(Graph g, String opType) {
        return g.nodes().stream().filter(n -> n.opType().equals(opType)).count();
    }

    @Test
    void aConvOutputABranchCapturesIsTransposedBackForIt() {
        // y1 lives in NHWC between the two convs; the branch reads it by its NCHW name, so it must exist too.
        String y1 = conv("x", 8, 16, 3, 1, 1);
        String y2 = conv(y1, 16, 16, 3, 1, 1);
        init.put("cond", Tensor.ofBools(new boolean[] {true}));
        Graph branch = new Graph("branch", List.of(), List.of(new ValueInfo("b", null, 0, null)), Map.of(),
            List.of(new Node("copy", "Identity", "", List.of(y1), List.of("b"), Map.of())), Map.of("", 13), Map.of());
        nodes.add(new Node("if", "If", "", List.of("cond"), List.of("captured"),
            Map.of("then_branch", new Attribute.GraphAttr(branch), "else_branch", new Attribute.GraphAttr(branch))));
        Graph g = build(y2, "captured");
        Graph converted = new ChannelsLastLayout().apply(g);
        assertEquals(3, count(converted, "Transpose"), "into NHWC once, back to NCHW for the branch and for y2");
        assertSameBits(g, y2, "captured");
    }

    @Test
    void chainsRunInNhwcWithTheSameBits() {
        String y1 = conv("x", 8, 16, 3, 1, 1);         // GEMM over 3x3 taps
        String y2 = conv(y1, 16, 16, 3, 2, 16);        // depthwise, stride 2
        String y3 = conv(y2, 16, 16, 1, 1, 1);         // pointwise
        String y4 = add(y2, y3);                        // residual: same shapes, stays NHWC
        String y5 = conv(y4, 16, 8, 3, 1, 4);          // 2 outputs per group: the NCHW reference loop
        byte[] perChannel = new byte[8];
        random.nextBytes(perChannel);
        String y6 = add(y5, constant(Tensor.ofUint8(perChannel, 1, 8, 1, 1))); // broadcast: NCHW again
        Graph g = build(y1, y6);

        Graph converted = Compiler.sort(new ChannelsLastLayout().apply(Compiler.sort(g)));
        assertEquals(4, converted.nodes().stream().filter(n -> n.opType().equals("QLinearConv")
            && n.attributes().get("channels_last") instanceof Attribute.IntAttr a && a.value() == 1).count());
        // x in; y1 out (a graph output); y5 out (the broadcast add reads it in NCHW).
        assertEquals(3, count(converted, "Transpose"), converted.nodes().toString());
        assertEquals(1, converted.nodes().stream().filter(n -> n.opType().equals("QLinearAdd")
            && n.outputs().get(0).endsWith("__nhwc")).count());

        assertSameBits(g, y1, y6);
    }

    /** Two NHWC values that broadcast ([2,16,5,6] + [2,16,1,1]) pair the same elements in either layout. */
    @Test
    void broadcastsBetweenNhwcValuesStayNhwc() {
        String y1 = conv("x", 8, 16, 3, 2, 1);                          // [2, 16, 5, 6]
        String y2 = conv("", y1, 16, 16, 5, 6, 1, 1, 0);                 // a full-size window: [2, 16, 1, 1]
        String y3 = add(y1, y2);
        String y4 = conv(y3, 16, 8, 1, 1, 1);
        Graph g = build(y4);
        Graph converted = Compiler.sort(new ChannelsLastLayout().apply(Compiler.sort(g)));
        assertEquals(2, count(converted, "Transpose"), converted.nodes().toString());
        assertSameBits(g, y4);
    }

    /** A model importing only com.microsoft gets an ai.onnx opset for the Transposes the pass adds. */
    @Test
    void microsoftOnlyModelsGetTheirTransposes() {
        String y1 = conv(OpRegistry.MICROSOFT_DOMAIN, "x", 8, 16, 3, 3, 1, 1, 1);
        String y2 = conv(OpRegistry.MICROSOFT_DOMAIN, y1, 16, 16, 3, 3, 1, 16, 1);
        Graph g = build(Map.of(OpRegistry.MICROSOFT_DOMAIN, 1), y2);
        assertSameBits(g, y2);
        assertEquals(2, count(new ChannelsLastLayout().apply(Compiler.sort(g)), "Transpose"));
    }

    /**
     * A QDQ model's upsampling skip (a Vitis-style detector's): a convolution's codes dequantized, resized nearest,
     * quantized at another scale and concatenated with an earlier convolution's codes for the next one. The per-tensor
     * DequantizeLinear / QuantizeLinear pair, the Resize (its sizes permuted) and the Concat all follow in NHWC: one
     * transpose in, one out, and the same bits (nearest copies the elements its per-axis maps pick, in any layout).
     */
    @Test
    void quantizedUpsamplingSkipsStayNhwc() {
        String y1 = conv("x", 8, 16, 3, 1, 1);                        // [2, 16, 9, 11]
        String y2 = conv(y1, 16, 16, 3, 2, 1);                        // [2, 16, 5, 6]
        nodes.add(new Node("dq", "DequantizeLinear", "", List.of(y2, scalar(0.05f), zeroPoint(120)), List.of("dq"),
            Map.of()));
        nodes.add(new Node("up", "Resize", "", List.of("dq", "", "", constant(Tensor.ofLongs(new long[] {2, 16, 9, 11}, 4))),
            List.of("up"), Map.of("mode", new Attribute.StringAttr("nearest"),
                "nearest_mode", new Attribute.StringAttr("round_prefer_ceil"))));
        nodes.add(new Node("q", "QuantizeLinear", "", List.of("up", scalar(0.03f), zeroPoint(128)), List.of("q"),
            Map.of()));
        nodes.add(new Node("cat", "Concat", "", List.of("q", y1), List.of("cat"), Map.of("axis", new Attribute.IntAttr(1))));
        String y3 = conv("cat", 32, 8, 1, 1, 1);
        Graph g = build(y3);
        Graph converted = Compiler.sort(new ChannelsLastLayout().apply(Compiler.sort(g)));
        assertEquals(2, count(converted, "Transpose"), converted.nodes().toString());
        for (String op : List.of("DequantizeLinear", "Resize", "QuantizeLinear", "Concat")) {
            assertEquals(1, converted.nodes().stream().filter(n -> n.opType().equals(op)
                && n.outputs().get(0).endsWith("__nhwc")).count(), op + " in NHWC: " + converted.nodes());
        }
        assertSameBits(g, y3);
    }

    @Test
    void aLoneConvolutionKeepsItsLayout() {
        String y = conv("x", 8, 16, 3, 1, 1);
        Graph g = Compiler.sort(build(y));
        assertSame(g, new ChannelsLastLayout().apply(g));
    }
}
