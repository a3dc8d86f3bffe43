package dev.octet.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.exec.Executor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import dev.octet.kernel.KernelProviders;
import dev.octet.kernel.Parallel;
import dev.octet.ops.OpEnvironment;
import dev.octet.ops.OpRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Ops that only move, copy or select elements, between a DequantizeLinear and a QuantizeLinear of the same scale and
 * zero point, run on the quantized tensor itself (QdqFusion): bit for bit the float round trip, and only when the
 * quantization on both sides agrees and the scale is positive.
 */
class QdqDataMovementTest {
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"Slice, u8", "Slice, s8", "Gather, u8", "Tile, s8", "Expand, u8", "DepthToSpace, s8",
        "SpaceToDepth, u8", "MaxPool, u8", "MaxPool, s8", "Concat, s8", "Concat, u8", "Transpose, u8"})
    void runsOnTheQuantizedTensor(String op, String type) {
        DataType t = type.equals("u8") ? DataType.UINT8 : DataType.INT8;
        Graph g = graph(op, t, 0.05f, 0.05f);
        Graph fused = new DeadNodeElimination().apply(new QdqFusion().apply(g));
        assertEquals(List.of(op), fused.nodes().stream().map(Node::opType).toList(), "no DQ or Q left");
        Map<String, Tensor> in = inputs(t);
        Tensor expected = run(g, in, List.of());
        Tensor actual = run(g, in, List.of(new QdqFusion(), new DeadNodeElimination()));
        assertEquals(t, actual.type());
        assertArrayEquals(expected.shape(), actual.shape());
        assertArrayEquals(expected.bytes(), actual.bytes());
    }

    @Test
    void anotherOutputQuantizationOrANegativeScaleStaysFloat() {
        Graph rescaled = graph("MaxPool", DataType.UINT8, 0.05f, 0.1f);
        assertEquals(1, count(new QdqFusion().apply(rescaled), "QuantizeLinear"));
        // With a negative scale the largest code stands for the smallest value: MaxPool must see the floats.
        Graph negative = graph("MaxPool", DataType.INT8, -0.05f, -0.05f);
        assertEquals(1, count(new QdqFusion().apply(negative), "QuantizeLinear"));
        Map<String, Tensor> in = inputs(DataType.INT8);
        assertArrayEquals(run(negative, in, List.of()).bytes(),
            run(negative, in, List.of(new QdqFusion(), new DeadNodeElimination())).bytes());
    }

    /** x (and for Concat x2), [1, 4, 6, 6] 8-bit -> DQ -> op -> Q -> y. */
    private static Graph graph(String op, DataType t, float inScale, float outScale) {
        Map<String, Tensor> init = new HashMap<>();
        init.put("xs", Tensor.ofFloats(new float[] {inScale}));
        init.put("ys", Tensor.ofFloats(new float[] {outScale}));
        init.put("z", t == DataType.UINT8 ? Tensor.ofUint8(new byte[] {(byte) 130}) : Tensor.ofInt8(new byte[] {-3}));
        List<Node> nodes = new ArrayList<>();
        nodes.add(new Node("dq", "DequantizeLinear", "", List.of("x", "xs", "z"), List.of("f"), Map.of()));
        List<String> opIn = new ArrayList<>(List.of("f"));
        Map<String, Attribute> attrs = new HashMap<>();
        switch (op) {
            case "Slice" -> {
                init.put("starts", Tensor.ofLongs(new long[] {1, 0}, 2));
                init.put("ends", Tensor.ofLongs(new long[] {5, 6}, 2));
                init.put("axes", Tensor.ofLongs(new long[] {2, 3}, 2));
                init.put("steps", Tensor.ofLongs(new long[] {2, 3}, 2));
                opIn.addAll(List.of("starts", "ends", "axes", "steps"));
            }
            case "Gather" -> {
                init.put("idx", Tensor.ofLongs(new long[] {3, 0, 3, -1}, 4));
                opIn.add("idx");
                attrs.put("axis", new Attribute.IntAttr(1));
            }
            case "Tile" -> {
                init.put("reps", Tensor.ofLongs(new long[] {1, 2, 1, 3}, 4));
                opIn.add("reps");
            }
            case "Expand" -> {
                init.put("shape", Tensor.ofLongs(new long[] {3, 4, 6, 6}, 4));
                opIn.add("shape");
            }
            case "DepthToSpace", "SpaceToDepth" -> attrs.put("blocksize", new Attribute.IntAttr(2));
            case "MaxPool" -> {
                attrs.put("kernel_shape", new Attribute.IntsAttr(new long[] {3, 3}));
                attrs.put("pads", new Attribute.IntsAttr(new long[] {1, 1, 1, 1}));
                attrs.put("strides", new Attribute.IntsAttr(new long[] {2, 1}));
            }
            case "Concat" -> {
                nodes.add(new Node("dq2", "DequantizeLinear", "", List.of("x2", "xs", "z"), List.of("f2"), Map.of()));
                opIn.add("f2");
                attrs.put("axis", new Attribute.IntAttr(1));
            }
            case "Transpose" -> attrs.put("perm", new Attribute.IntsAttr(new long[] {0, 2, 3, 1}));
            default -> throw new IllegalArgumentException(op);
        }
        nodes.add(new Node("op", op, "", opIn, List.of("g"), attrs));
        nodes.add(new Node("q", "QuantizeLinear", "", List.of("g", "ys", "z"), List.of("y"), Map.of()));
        List<Dim> shape = List.of(Dim.of(1), Dim.of(4), Dim.of(6), Dim.of(6));
        List<ValueInfo> inputs = new ArrayList<>(List.of(new ValueInfo("x", t, t.onnxCode(), shape)));
        if (op.equals("Concat")) {
            inputs.add(new ValueInfo("x2", t, t.onnxCode(), shape));
        }
        return new Graph("g", inputs, List.of(new ValueInfo("y", null, 0, null)), init, nodes, Map.of("", 19), Map.of());
    }

    private static Map<String, Tensor> inputs(DataType t) {
        SplittableRandom r = new SplittableRandom(144);
        byte[] a = new byte[144];
        byte[] b = new byte[144];
        for (int i = 0; i < 144; i++) {
            a[i] = (byte) r.nextInt(256);
            b[i] = (byte) r.nextInt(256);
        }
        return Map.of("x", Tensor.of(t, new int[] {1, 4, 6, 6}, a), "x2", Tensor.of(t, new int[] {1, 4, 6, 6}, b));
    }

    private static Tensor run(Graph g, Map<String, Tensor> in, List<GraphPass> passes) {
        Map<String, Tensor> feed = new HashMap<>(in);
        if (g.inputs().size() == 1) {
            feed.remove("x2");
        }
        OpEnvironment env = new OpEnvironment(KernelProviders.choose("scalar", 0).provider(), Parallel.SERIAL);
        return Executor.run(new Compiler(OpRegistry.defaults(), passes, env).compile(g), feed).get("y");
    }

    private static long count(Graph g, String opType) {
        return g.nodes().stream().filter(n -> n.opType().equals(opType)).count();
    }

    /** Q(DQ(x)) with the same parameters is x for every byte and every ordinary scale: the pair becomes an Identity. */
    @ParameterizedTest(name = "{0} scale {1}")
    @CsvSource({"u8, 0.05", "s8, 0.05", "u8, 0.001", "s8, 3.7", "u8, 1e-30", "s8, 2e34"})
    void aDequantizeQuantizePairWithTheSameParametersIsDropped(String type, float scale) {
        DataType t = type.equals("u8") ? DataType.UINT8 : DataType.INT8;
        Graph g = roundTrip(t, scale, scale);
        Graph fused = new DeadNodeElimination().apply(new QdqFusion().apply(g));
        assertEquals(List.of("Identity"), fused.nodes().stream().map(Node::opType).toList());
        Map<String, Tensor> in = Map.of("x", everyByte(t));
        assertArrayEquals(in.get("x").bytes(), run(g, in, List.of()).bytes(), "the float round trip is the identity");
        assertArrayEquals(in.get("x").bytes(), run(g, in, List.of(new QdqFusion(), new DeadNodeElimination())).bytes());
    }

    @Test
    void aPairThatDoesNotRoundTripStays() {
        // Another scale, and a subnormal one (the product leaves the normal range and loses the value).
        for (float[] scales : new float[][] {{0.05f, 0.1f}, {1e-40f, 1e-40f}}) {
            Graph g = roundTrip(DataType.UINT8, scales[0], scales[1]);
            assertEquals(1, count(new QdqFusion().apply(g), "QuantizeLinear"));
            Map<String, Tensor> in = Map.of("x", everyByte(DataType.UINT8));
            assertArrayEquals(run(g, in, List.of()).bytes(),
                run(g, in, List.of(new QdqFusion(), new DeadNodeElimination())).bytes());
        }
    }

    private static Graph roundTrip(DataType t, float inScale, float outScale) {
        Map<String, Tensor> init = new HashMap<>();
        init.put("xs", Tensor.ofFloats(new float[] {inScale}));
        init.put("ys", Tensor.ofFloats(new float[] {outScale}));
        init.put("z", t == DataType.UINT8 ? Tensor.ofUint8(new byte[] {(byte) 130}) : Tensor.ofInt8(new byte[] {-3}));
        List<Node> nodes = List.of(
            new Node("dq", "DequantizeLinear", "", List.of("x", "xs", "z"), List.of("f"), Map.of()),
            new Node("q", "QuantizeLinear", "", List.of("f", "ys", "z"), List.of("y"), Map.of()));
        return new Graph("g", List.of(new ValueInfo("x", t, t.onnxCode(), List.of(Dim.of(256)))),
            List.of(new ValueInfo("y", null, 0, null)), init, nodes, Map.of("", 19), Map.of());
    }

    private static Tensor everyByte(DataType t) {
        byte[] b = new byte[256];
        for (int i = 0; i < 256; i++) {
            b[i] = (byte) i;
        }
        return Tensor.of(t, new int[] {256}, b);
    }

    /** An int8 MaxPool window that lies all in padding: the float path's -inf quantizes to -128, and so must the bytes. */
    @Test
    void aWindowAllInPaddingGivesTheSmallestCode() {
        Graph g = graph("MaxPool", DataType.INT8, 0.05f, 0.05f);
        List<Node> nodes = g.nodes().stream().map(n -> !n.opType().equals("MaxPool") ? n
            : new Node(n.name(), n.opType(), n.domain(), n.inputs(), n.outputs(), Map.of(
                "kernel_shape", new Attribute.IntsAttr(new long[] {1, 1}),
                "pads", new Attribute.IntsAttr(new long[] {1, 1, 1, 1})))).toList();
        Graph padded = g.withNodes(nodes, g.initializers());
        assertEquals(List.of("MaxPool"), new DeadNodeElimination().apply(new QdqFusion().apply(padded)).nodes().stream()
            .map(Node::opType).toList());
        Map<String, Tensor> in = inputs(DataType.INT8);
        byte[] expected = run(padded, in, List.of()).bytes();
        assertEquals(Byte.MIN_VALUE, expected[0], "the unfused corner");
        assertArrayEquals(expected, run(padded, in, List.of(new QdqFusion(), new DeadNodeElimination())).bytes());
    }

    /**
     * Without zero points an int8 X dequantizes with zero point int8 0 while Q writes uint8: moving the int8 bytes
     * would change their type and values, so the float path stays; so it does where the scale overflows the values.
     */
    @Test
    void unnamedZeroPointsAndOverflowingScalesStayFloat() {
        for (float scale : new float[] {0.05f, 1e37f}) {
            boolean named = scale > 1;
            Graph g = graph("Slice", DataType.INT8, scale, scale);
            List<Node> nodes = g.nodes().stream().map(n -> named || !n.opType().endsWith("quantizeLinear")
                && !n.opType().equals("QuantizeLinear") ? n
                : new Node(n.name(), n.opType(), n.domain(), n.inputs().subList(0, 2), n.outputs(), n.attributes()))
                .toList();
            Graph variant = g.withNodes(nodes, g.initializers());
            assertEquals(1, count(new QdqFusion().apply(variant), "QuantizeLinear"), "scale " + scale);
            Map<String, Tensor> in = inputs(DataType.INT8);
            Tensor expected = run(variant, in, List.of());
            Tensor actual = run(variant, in, List.of(new QdqFusion(), new DeadNodeElimination()));
            assertEquals(expected.type(), actual.type());
            assertArrayEquals(expected.bytes(), actual.bytes());
        }
    }
}
