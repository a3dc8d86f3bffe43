package dev.octet.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.exec.ExecutionPlan;
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
 * A Vitis-AI-style QDQ convolution: fake-quantized float weights (initializer -> QuantizeLinear ->
 * DequantizeLinear), an int8 bias with a power-of-two scale of its own, power-of-two activation scales. ORT's QDQ
 * transformer leaves it a float Conv, whose sums are exact here; Octet folds the weights at load and runs it as a
 * QLinearConv with the bias in int32 units, which must give the float graph's bytes. Where exactness is not proved
 * (a scale that is not a power of two, a bias between units, sums that may pass 2^24 units) the Conv stays float.
 */
class QdqExactConvTest {
    private static final int CIN = 5;
    private static final int COUT = 7;
    private static final int SIDE = 9;

    /** The pattern with the given input scale, weight scale exponent, bias scale and weight magnitude. */
    private static Graph vitisConv(float xScale, int weightExponent, float biasScale, int channelsIn,
                                   float weightRange) {
        SplittableRandom r = new SplittableRandom(83);
        float[] w = new float[COUT * channelsIn * 9];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((r.nextDouble() * 2 - 1) * weightRange);
        }
        float[] b = new float[COUT];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) ((r.nextDouble() * 2 - 1) * 2);
        }
        Map<String, Tensor> init = new HashMap<>();
        init.put("w", Tensor.ofFloats(w, COUT, channelsIn, 3, 3));
        init.put("b", Tensor.ofFloats(b, COUT));
        init.put("xs", Tensor.ofFloats(new float[] {xScale}));
        init.put("ws", Tensor.ofFloats(new float[] {(float) Math.scalb(1.0, weightExponent)}));
        init.put("bs", Tensor.ofFloats(new float[] {biasScale}));
        init.put("ys", Tensor.ofFloats(new float[] {0.125f}));
        init.put("zp", Tensor.ofInt8(new byte[] {0}));
        List<Node> nodes = new ArrayList<>();
        nodes.add(new Node("dqx", "DequantizeLinear", "", List.of("x", "xs", "zp"), List.of("xd"), Map.of()));
        nodes.add(new Node("qw", "QuantizeLinear", "", List.of("w", "ws", "zp"), List.of("wq"), Map.of()));
        nodes.add(new Node("dqw", "DequantizeLinear", "", List.of("wq", "ws", "zp"), List.of("wd"), Map.of()));
        nodes.add(new Node("qb", "QuantizeLinear", "", List.of("b", "bs", "zp"), List.of("bq"), Map.of()));
        nodes.add(new Node("dqb", "DequantizeLinear", "", List.of("bq", "bs", "zp"), List.of("bd"), Map.of()));
        nodes.add(new Node("conv", "Conv", "", List.of("xd", "wd", "bd"), List.of("c"), Map.of(
            "kernel_shape", new Attribute.IntsAttr(new long[] {3, 3}),
            "pads", new Attribute.IntsAttr(new long[] {1, 1, 1, 1}))));
        nodes.add(new Node("qy", "QuantizeLinear", "", List.of("c", "ys", "zp"), List.of("y"), Map.of()));
        return new Graph("g",
            List.of(new ValueInfo("x", DataType.INT8, DataType.INT8.onnxCode(),
                List.of(Dim.of(1), Dim.of(channelsIn), Dim.of(SIDE), Dim.of(SIDE)))),
            List.of(new ValueInfo("y", DataType.INT8, DataType.INT8.onnxCode(),
                List.of(Dim.of(1), Dim.of(COUT), Dim.of(SIDE), Dim.of(SIDE)))),
            init, nodes, Map.of("", 17), Map.of());
    }

    private static ExecutionPlan compile(Graph g, List<GraphPass> passes) {
        return new Compiler(OpRegistry.defaults(), passes, OpEnvironment.serial()).compile(g);
    }

    private static long count(ExecutionPlan plan, String opType) {
        return plan.graph().nodes().stream().filter(n -> n.opType().equals(opType)).count();
    }

    /** Fused or not as expected, and the bytes of the unfused float graph either way. */
    private static void check(Graph g, int channelsIn, boolean fuses) {
        ExecutionPlan plan = compile(g, GraphPass.defaults());
        assertEquals(fuses ? 1 : 0, count(plan, "QLinearConv"), "QLinearConv");
        assertEquals(fuses ? 0 : 1, count(plan, "Conv"), "Conv");
        SplittableRandom r = new SplittableRandom(89);
        byte[] codes = new byte[channelsIn * SIDE * SIDE];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = (byte) (i % 5 == 0 ? (i % 2 == 0 ? 127 : -128) : r.nextInt(256));
        }
        Map<String, Tensor> in = Map.of("x", Tensor.ofInt8(codes, 1, channelsIn, SIDE, SIDE));
        assertArrayEquals(Executor.run(compile(g, List.of()), in).get("y").bytes(),
            Executor.run(plan, in).get("y").bytes());
    }

    @Test
    void powerOfTwoScalesWithAnInt8BiasRunAsAnIntegerConvolution() {
        check(vitisConv(0.0625f, -7, 0.03125f, CIN, 0.5f), CIN, true);
    }

    @Test
    void anInputScaleThatIsNotAPowerOfTwoStaysFloat() {
        // 0.75 with a bias in whole units of 0.75 * 2^-7: only the power-of-two rule (which proves the products
        // and the output division exact; 0.05 would round them) keeps this one float.
        check(vitisConv(0.75f, -7, 0.0234375f, CIN, 0.5f), CIN, false);
        check(vitisConv(0.05f, -7, 0.03125f, CIN, 0.5f), CIN, false);
    }

    @Test
    void aBiasBetweenUnitsStaysFloat() {
        // Bias steps of 2^-20 against units of 2^-4 * 2^-7.
        check(vitisConv(0.0625f, -7, (float) Math.scalb(1.0, -20), CIN, 0.5f), CIN, false);
    }

    @Test
    void sumsThatMayPass2To24UnitsStayFloat() {
        // 600 channels of weights near 127: 255 * 600 * 9 * ~100 units > 2^24.
        check(vitisConv(0.0625f, -7, 0.03125f, 600, 0.99f), 600, false);
    }
}
