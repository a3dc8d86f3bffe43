package dev.octet.testmodels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.DataType;
import dev.octet.api.SessionOptions;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.onnx.OnnxImporter;
import dev.octet.onnx.OnnxModelBuilder;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * QDQ fusion must give exactly what the equivalent QOperator model gives, and stay within one output step
 * of running the QDQ graph in float, operator by operator.
 */
class QdqFusionTest {
    private static final float XS = 0.02f, YS = 0.05f;
    private static final int XZP = 120, YZP = 10;
    private static final float[] WS = {0.011f, 0.007f, 0.023f, 0.004f};

    private final Tensor weights;
    private final Tensor bias;

    QdqFusionTest() {
        SplittableRandom r = new SplittableRandom(3);
        byte[] w = new byte[4 * 3 * 3 * 3];
        for (int i = 0; i < w.length; i++) {
            w[i] = (byte) (r.nextInt(255) - 127);
        }
        weights = Tensor.ofInt8(w, 4, 3, 3, 3);
        int[] b = new int[4];
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextInt(-2000, 2000);
        }
        bias = Tensor.ofInts(b, 4);
    }

    private OnnxModelBuilder common() {
        float[] biasScale = new float[4];
        for (int i = 0; i < 4; i++) {
            biasScale[i] = XS * WS[i];
        }
        return new OnnxModelBuilder(13)
            .input("x", DataType.FLOAT, 1, 3, 9, 9)
            .output("y", DataType.FLOAT, 1, 4, 5, 5)
            .initializer("xs", Tensor.ofFloats(new float[] {XS}))
            .initializer("xzp", Tensor.ofUint8(new byte[] {(byte) XZP}))
            .initializer("w", weights)
            .initializer("ws", Tensor.ofFloats(WS.clone(), 4))
            .initializer("wzp", Tensor.ofInt8(new byte[4], 4))
            .initializer("b", bias)
            .initializer("bs", Tensor.ofFloats(biasScale, 4))
            .initializer("bzp", Tensor.ofInts(new int[4], 4))
            .initializer("ys", Tensor.ofFloats(new float[] {YS}))
            .initializer("yzp", Tensor.ofUint8(new byte[] {(byte) YZP}))
            .node("QuantizeLinear", List.of("x", "xs", "xzp"), List.of("xq"));
    }

    private CompiledSession qdq(boolean optimize) {
        var m = common()
            .node("DequantizeLinear", List.of("xq", "xs", "xzp"), List.of("xf"))
            .node("DequantizeLinear", List.of("w", "ws", "wzp"), List.of("wf"), "axis", 0)
            .node("DequantizeLinear", List.of("b", "bs", "bzp"), List.of("bf"), "axis", 0)
            .node("Conv", List.of("xf", "wf", "bf"), List.of("c"), "pads", new int[] {1, 1, 1, 1},
                "strides", new int[] {2, 2})
            .node("Relu", List.of("c"), List.of("r"))
            .node("QuantizeLinear", List.of("r", "ys", "yzp"), List.of("yq"))
            .node("DequantizeLinear", List.of("yq", "ys", "yzp"), List.of("y"))
            .build();
        return new CompiledSession(OnnxImporter.convert(m, null, "qdq"),
            SessionOptions.builder().graphOptimizations(optimize).build());
    }

    private CompiledSession qoperator() {
        var m = common()
            .node("QLinearConv", List.of("xq", "xs", "xzp", "w", "ws", "wzp", "ys", "yzp", "b"), List.of("yq"),
                "pads", new int[] {1, 1, 1, 1}, "strides", new int[] {2, 2})
            .node("DequantizeLinear", List.of("yq", "ys", "yzp"), List.of("d"))
            .node("Relu", List.of("d"), List.of("y"))
            .build();
        return new CompiledSession(OnnxImporter.convert(m, null, "qop"));
    }

    @Test
    void fusedQdqEqualsQOperatorAndFloatWithinOneStep() {
        CompiledSession fused = qdq(true);
        assertTrue(fused.executionSteps().stream().anyMatch(s -> s.contains("dev.octet.QLinearConv")),
            fused.executionSteps().toString());
        assertTrue(fused.executionSteps().stream().noneMatch(s -> s.contains("op Conv") || s.contains("op Relu")),
            fused.executionSteps().toString());
        CompiledSession reference = qoperator();
        CompiledSession unfused = qdq(false);
        SplittableRandom r = new SplittableRandom(11);
        for (int trial = 0; trial < 20; trial++) {
            float[] x = new float[3 * 9 * 9];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (r.nextDouble() * 6 - 3);
            }
            Map<String, Tensor> in = Map.of("x", Tensor.ofFloats(x, 1, 3, 9, 9));
            float[] f = fused.run(in).get("y").floats();
            assertArrayEquals(reference.run(in).get("y").floats(), f);
            float[] u = unfused.run(in).get("y").floats();
            for (int i = 0; i < f.length; i++) {
                assertEquals(u[i], f[i], YS * 1.001f, "element " + i);
            }
        }
    }
}
