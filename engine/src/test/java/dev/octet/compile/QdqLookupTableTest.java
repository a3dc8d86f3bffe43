package dev.octet.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.exec.Executor;
import dev.octet.ir.Attribute;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code DequantizeLinear -> elementwise op -> QuantizeLinear} becomes QdqFusion's LookupTable: bit for bit the
 * unfused graph over all 256 input bytes, for every activation a QDQ CNN holds, 8-bit types in and out, power-of-two
 * and arbitrary scales, on the scalar kernels and each vector width; what must stay float stays float.
 */
class QdqLookupTableTest {
    /** One activation between Q/DQ: the op, its attributes and constant inputs, and the quantization on each side. */
    record Case(String op, Map<String, Attribute> attrs, float[] constants, DataType in, float inScale, int inZp,
                DataType out, float outScale, int outZp) {
        @Override
        public String toString() {
            return op + attrs.keySet() + " " + in + "(" + inScale + "," + inZp + ") -> " + out + "(" + outScale + ","
                + outZp + ")";
        }
    }

    static Stream<Arguments> cases() {
        DataType u8 = DataType.UINT8, s8 = DataType.INT8;
        Map<String, Attribute> none = Map.of();
        List<Case> cases = new ArrayList<>();
        for (String op : List.of("Sigmoid", "Tanh", "HardSwish", "Relu", "Exp", "Softplus", "Neg", "Abs", "Sqrt",
            "Round", "Erf", "Softsign", "Log")) {
            cases.add(new Case(op, none, null, u8, 0.0625f, 128, u8, 1 / 256f, 0));
            cases.add(new Case(op, none, null, s8, 0.0371f, -3, s8, 0.0193f, 5));
        }
        cases.add(new Case("HardSigmoid", Map.of("alpha", new Attribute.FloatAttr(0.25f), "beta",
            new Attribute.FloatAttr(0.4f)), null, u8, 0.05f, 100, u8, 1 / 255f, 0));
        cases.add(new Case("Elu", Map.of("alpha", new Attribute.FloatAttr(0.7f)), null, s8, 0.03125f, 0, s8, 0.0625f, 0));
        cases.add(new Case("Selu", none, null, u8, 0.02f, 77, s8, 0.04f, -20));
        cases.add(new Case("Gelu", Map.of("approximate", new Attribute.StringAttr("tanh")), null, s8, 0.05f, 0, u8,
            0.03f, 10));
        cases.add(new Case("Clip", none, new float[] {-1.5f, 2.25f}, u8, 0.07f, 90, s8, 0.03f, 0));
        cases.add(new Case("ThresholdedRelu", Map.of("alpha", new Attribute.FloatAttr(1.1f)), null, s8, 0.09f, 12, u8,
            0.05f, 3));
        return cases.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theTableIsTheUnfusedGraphOnEveryByte(Case c) {
        Graph g = graph(c, false);
        Graph fused = new DeadNodeElimination().apply(new QdqFusion().apply(g));
        assertEquals(Stream.of("DequantizeLinear", "LookupTable", c.op, "QuantizeLinear").sorted().toList(),
            fused.nodes().stream().map(Node::opType).distinct().sorted().toList(),
            "the table's own DQ, op and Q fold at load; the model's are gone");
        assertEquals(1, fused.nodes().stream().filter(n -> n.opType().equals("LookupTable")).count());
        Map<String, Tensor> in = Map.of("x", everyByte(c.in));
        byte[] expected = run(g, in, env("scalar", 0), List.of()).bytes();
        for (int bits : new int[] {0, 128, 256, 512}) {
            OpEnvironment env = bits == 0 ? env("scalar", 0) : env("vector", bits);
            Tensor y = run(g, in, env, List.of(new QdqFusion(), new DeadNodeElimination()));
            assertEquals(c.out, y.type());
            assertArrayEquals(expected, y.bytes(), "width " + bits);
        }
    }

    @Test
    void aDequantizedValueReadElsewhereStillGetsItsTable() {
        Case c = new Case("Sigmoid", Map.of(), null, DataType.UINT8, 0.0625f, 128, DataType.UINT8, 1 / 256f, 0);
        Graph g = graph(c, true);
        Graph fused = new DeadNodeElimination().apply(new QdqFusion().apply(g));
        assertEquals(1, fused.nodes().stream().filter(n -> n.opType().equals("LookupTable")).count());
        Map<String, Tensor> in = Map.of("x", everyByte(c.in));
        Map<String, Tensor> expected = Executor.run(compiler(env("scalar", 0), List.of()).compile(g), in);
        Map<String, Tensor> actual = Executor.run(compiler(env("scalar", 0),
            List.of(new QdqFusion(), new DeadNodeElimination())).compile(g), in);
        assertArrayEquals(expected.get("y").bytes(), actual.get("y").bytes());
        assertArrayEquals(expected.get("dq").floats(), actual.get("dq").floats());
    }

    @Test
    void whatCannotBeATableStaysFloat() {
        Case c = new Case("Sigmoid", Map.of(), null, DataType.UINT8, 0.0625f, 128, DataType.UINT8, 1 / 256f, 0);
        // The op's output is also a graph output: the float value must exist.
        Graph opIsOutput = graph(c, false);
        opIsOutput = new Graph("g", opIsOutput.inputs(), List.of(new ValueInfo("y", null, 0, null),
            new ValueInfo("f", null, 0, null)), opIsOutput.initializers(), opIsOutput.nodes(), opIsOutput.opsets(),
            Map.of());
        assertEquals(0, count(new QdqFusion().apply(opIsOutput), "LookupTable"));
        // Per-channel dequantization: one table would not do.
        Graph perChannel = graph(c, false);
        Map<String, Tensor> init = new HashMap<>(perChannel.initializers());
        init.put("xs", Tensor.ofFloats(new float[] {0.1f, 0.2f, 0.3f, 0.4f}, 4));
        init.put("xz", Tensor.ofUint8(new byte[4], 4));
        List<Node> nodes = perChannel.nodes().stream().map(n -> n.opType().equals("DequantizeLinear")
            ? new Node(n.name(), n.opType(), n.domain(), n.inputs(), n.outputs(), Map.of("axis", new Attribute.IntAttr(1)))
            : n).toList();
        assertEquals(0, count(new QdqFusion().apply(perChannel.withNodes(nodes, init)), "LookupTable"));
        // Clip whose bound is a graph input, not a constant.
        Case clip = new Case("Clip", Map.of(), new float[] {-1f, 1f}, DataType.UINT8, 0.05f, 128, DataType.UINT8,
            0.01f, 0);
        Graph g = graph(clip, false);
        Map<String, Tensor> clipInit = new HashMap<>(g.initializers());
        clipInit.remove("c0");
        List<ValueInfo> inputs = new ArrayList<>(g.inputs());
        inputs.add(new ValueInfo("c0", DataType.FLOAT, DataType.FLOAT.onnxCode(), List.of()));
        Graph variableBound = new Graph("g", inputs, g.outputs(), clipInit, g.nodes(), g.opsets(), Map.of());
        assertEquals(0, count(new QdqFusion().apply(variableBound), "LookupTable"));
    }

    /** x (8-bit, [1, 4, 8, 8]) -> DQ -> op -> Q -> y; with {@code dqOutput}, DQ's float result is an output too. */
    private static Graph graph(Case c, boolean dqOutput) {
        Map<String, Tensor> init = new HashMap<>();
        init.put("xs", Tensor.ofFloats(new float[] {c.inScale}));
        init.put("xz", zeroPoint(c.in, c.inZp));
        init.put("ys", Tensor.ofFloats(new float[] {c.outScale}));
        init.put("yz", zeroPoint(c.out, c.outZp));
        List<String> opInputs = new ArrayList<>(List.of("dq"));
        if (c.constants != null) {
            for (int i = 0; i < c.constants.length; i++) {
                init.put("c" + i, Tensor.ofFloats(new float[] {c.constants[i]}));
                opInputs.add("c" + i);
            }
        }
        List<Node> nodes = List.of(
            new Node("dq", "DequantizeLinear", "", List.of("x", "xs", "xz"), List.of("dq"), Map.of()),
            new Node("f", c.op, "", opInputs, List.of("f"), c.attrs),
            new Node("q", "QuantizeLinear", "", List.of("f", "ys", "yz"), List.of("y"), Map.of()));
        List<ValueInfo> outputs = new ArrayList<>(List.of(new ValueInfo("y", null, 0, null)));
        if (dqOutput) {
            outputs.add(new ValueInfo("dq", null, 0, null));
        }
        List<ValueInfo> inputs = List.of(new ValueInfo("x", c.in, c.in.onnxCode(), List.of(
            dev.octet.ir.Dim.of(1), dev.octet.ir.Dim.of(4), dev.octet.ir.Dim.of(8), dev.octet.ir.Dim.of(8))));
        return new Graph("g", inputs, outputs, init, nodes, Map.of("", 20), Map.of());
    }

    private static Tensor zeroPoint(DataType t, int zp) {
        return t == DataType.UINT8 ? Tensor.ofUint8(new byte[] {(byte) zp}) : Tensor.ofInt8(new byte[] {(byte) zp});
    }

    /** The 256 byte patterns, shuffled (so no kernel sees them in order), as a [1, 4, 8, 8] tensor. */
    private static Tensor everyByte(DataType t) {
        byte[] b = new byte[256];
        for (int i = 0; i < 256; i++) {
            b[i] = (byte) i;
        }
        SplittableRandom r = new SplittableRandom(256);
        for (int i = 255; i > 0; i--) {
            int j = r.nextInt(i + 1);
            byte tmp = b[i];
            b[i] = b[j];
            b[j] = tmp;
        }
        return Tensor.of(t, new int[] {1, 4, 8, 8}, b);
    }

    private static Tensor run(Graph g, Map<String, Tensor> in, OpEnvironment env, List<GraphPass> passes) {
        return Executor.run(compiler(env, passes).compile(g), in).get("y");
    }

    private static Compiler compiler(OpEnvironment env, List<GraphPass> passes) {
        return new Compiler(OpRegistry.defaults(), passes, env);
    }

    private static OpEnvironment env(String provider, int bits) {
        return new OpEnvironment(KernelProviders.choose(provider, bits).provider(), Parallel.SERIAL);
    }

    private static long count(Graph g, String opType) {
        return g.nodes().stream().filter(n -> n.opType().equals(opType)).count();
    }
}
