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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * DequantizeLinear -> LeakyRelu -> QuantizeLinear becomes com.microsoft QLinearLeakyRelu, LeakyRelu's integer
 * variant, as ORT's QDQ transformer makes it. Its 256-entry table dequantizes, applies LeakyRelu and quantizes in
 * the float path's own arithmetic, so the fused graph must give the unfused graph's bytes for every code.
 */
class QdqIntegerVariantTest {
    private static Graph leakyReluBetweenQdq(DataType in, DataType out) {
        Tensor xzp = in == DataType.UINT8 ? Tensor.ofUint8(new byte[] {(byte) 128}) : Tensor.ofInt8(new byte[] {-3});
        Tensor yzp = out == DataType.UINT8 ? Tensor.ofUint8(new byte[] {(byte) 100}) : Tensor.ofInt8(new byte[] {7});
        Map<String, Tensor> init = Map.of("xs", Tensor.ofFloats(new float[] {0.05f}), "xzp", xzp,
            "ys", Tensor.ofFloats(new float[] {0.03f}), "yzp", yzp);
        List<Node> nodes = List.of(
            new Node("dq", "DequantizeLinear", "", List.of("x", "xs", "xzp"), List.of("d"), Map.of()),
            new Node("lrelu", "LeakyRelu", "", List.of("d"), List.of("l"), Map.of("alpha", new Attribute.FloatAttr(0.2f))),
            new Node("q", "QuantizeLinear", "", List.of("l", "ys", "yzp"), List.of("y"), Map.of()));
        return new Graph("g", List.of(new ValueInfo("x", in, in.onnxCode(), List.of(Dim.of(256)))),
            List.of(new ValueInfo("y", out, out.onnxCode(), List.of(Dim.of(256)))), init, nodes, Map.of("", 17), Map.of());
    }

    private static ExecutionPlan compile(Graph g, List<GraphPass> passes) {
        return new Compiler(OpRegistry.defaults(), passes, OpEnvironment.serial()).compile(g);
    }

    private static long count(ExecutionPlan plan, String opType) {
        return plan.graph().nodes().stream().filter(n -> n.opType().equals(opType)).count();
    }

    @Test
    void leakyReluBetweenQdqRunsOnItsIntegerVariantWithTheSameBytes() {
        for (DataType t : List.of(DataType.UINT8, DataType.INT8)) {
            byte[] codes = new byte[256];
            for (int i = 0; i < codes.length; i++) {
                codes[i] = (byte) i;
            }
            Map<String, Tensor> in = Map.of("x", Tensor.of(t, new int[] {256}, codes));
            Graph g = leakyReluBetweenQdq(t, t);
            ExecutionPlan fused = compile(g, GraphPass.defaults());
            assertEquals(1, count(fused, "QLinearLeakyRelu"), t.toString());
            assertEquals(0, count(fused, "LeakyRelu"), t.toString());
            assertArrayEquals(Executor.run(compile(g, List.of()), in).get("y").bytes(),
                Executor.run(fused, in).get("y").bytes(), t.toString());
        }
    }

    @Test
    void aChangeOfQuantizedTypeStaysFloat() {
        ExecutionPlan plan = compile(leakyReluBetweenQdq(DataType.UINT8, DataType.INT8), GraphPass.defaults());
        assertEquals(0, count(plan, "QLinearLeakyRelu"));
        assertEquals(1, count(plan, "LeakyRelu"));
    }
}
