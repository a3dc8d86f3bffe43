package dev.octet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.octet.api.DataType;
import dev.octet.api.SessionOptions;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.onnx.OnnxImporter;
import dev.octet.onnx.OnnxModelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The activations of QDQ CNNs, {@code DequantizeLinear -> op -> QuantizeLinear}, which Octet runs as one 256-entry
 * table (QdqFusion's LookupTable), against ONNX Runtime 1.23.2 with its default optimizations (its QDQ transformer
 * makes QLinearSigmoid / QLinearLeakyRelu tables of some, runs the rest in float) on every one of the 256 input
 * bytes: u8 and s8 both ways, a Vitis-style power-of-two quantization and an arbitrary one. Octet's plan must hold the
 * table and nothing else, and every byte must be ORT's.
 */
class OrtQdqActivationParityTest {
    @ParameterizedTest(name = "{0} {1} -> {2}, {3} scales")
    @CsvSource({
        "Sigmoid, u8, u8, pow2", "Sigmoid, s8, s8, arbitrary", "Sigmoid, u8, s8, arbitrary",
        "Tanh, u8, u8, pow2", "Tanh, s8, s8, arbitrary",
        "HardSwish, s8, s8, pow2", "HardSwish, u8, u8, arbitrary",
        "HardSigmoid, u8, u8, pow2", "HardSigmoid, s8, s8, arbitrary",
        "LeakyRelu, s8, s8, pow2", "LeakyRelu, u8, u8, arbitrary",
        "Relu, u8, u8, arbitrary", "Relu, s8, s8, pow2",
        "Clip, u8, u8, arbitrary", "Clip, s8, s8, pow2",
        "Exp, u8, u8, arbitrary", "Softplus, s8, s8, arbitrary", "Elu, s8, s8, pow2", "Gelu, s8, s8, arbitrary"})
    void everyByteMatchesOnnxRuntime(String op, String inType, String outType, String scales) throws Exception {
        boolean pow2 = scales.equals("pow2");
        String quantization = inType + "->" + outType + " " + scales;
        DataType in = inType.equals("u8") ? DataType.UINT8 : DataType.INT8;
        DataType out = outType.equals("u8") ? DataType.UINT8 : DataType.INT8;
        float inScale = pow2 ? 0.0625f : 0.0437f;
        float outScale = pow2 ? 1 / 128f : 0.0191f;
        int inZp = in == DataType.UINT8 ? 128 : (pow2 ? 0 : -7);
        int outZp = out == DataType.UINT8 ? (op.equals("Tanh") || op.equals("Clip") ? 128 : 0) : (pow2 ? 0 : 3);
        OnnxModelBuilder b = new OnnxModelBuilder(op.equals("Gelu") ? 20 : 19)
            .input("x", in, 256).output("y", out, 256)
            .initializer("xs", Tensor.ofFloats(new float[] {inScale}))
            .initializer("xz", zeroPoint(in, inZp))
            .initializer("ys", Tensor.ofFloats(new float[] {outScale}))
            .initializer("yz", zeroPoint(out, outZp))
            .node("DequantizeLinear", List.of("x", "xs", "xz"), List.of("f"));
        List<String> opInputs = new ArrayList<>(List.of("f"));
        List<Object> attrs = new ArrayList<>();
        switch (op) {
            case "Clip" -> {
                b.initializer("lo", Tensor.ofFloats(new float[] {-0.75f})).initializer("hi", Tensor.ofFloats(new float[] {1.5f}));
                opInputs.addAll(List.of("lo", "hi"));
            }
            case "LeakyRelu" -> attrs.addAll(List.of("alpha", 0.1f));
            case "HardSigmoid" -> attrs.addAll(List.of("alpha", 0.25f, "beta", 0.45f));
            case "Elu" -> attrs.addAll(List.of("alpha", 0.8f));
            default -> { }
        }
        byte[] model = b.node(op, opInputs, List.of("g"), attrs.toArray())
            .node("QuantizeLinear", List.of("g", "ys", "yz"), List.of("y"))
            .toBytes();

        byte[] every = new byte[256];
        for (int i = 0; i < 256; i++) {
            every[i] = (byte) i;
        }
        Tensor x = Tensor.of(in, new int[] {256}, every);
        long[] ort = OrtReference.run(model, Map.of("x", x), OptLevel.ALL_OPT).get("y").bits();
        try (CompiledSession s = new CompiledSession(OnnxImporter.load(model), SessionOptions.DEFAULTS)) {
            List<String> steps = s.executionSteps();
            boolean table = steps.stream().anyMatch(st -> st.endsWith("(op dev.octet.LookupTable)")
                || st.endsWith("(op com.microsoft.QLinearLeakyRelu)"));
            assertTrue(table && steps.size() == 1, op + " should be one table: " + steps);
            byte[] ours = s.run(Map.of("x", x)).get("y").bytes();
            int differing = 0;
            for (int i = 0; i < 256; i++) {
                if ((out == DataType.UINT8 ? ours[i] & 0xFF : ours[i]) != ort[i]) {
                    differing++;
                }
            }
            System.out.printf("QDQ %s %s: %d of 256 bytes differ from ORT%n", op, quantization, differing);
            assertEquals(0, differing, op + " " + quantization + ": bytes that differ from ORT");
        }
    }

    private static Tensor zeroPoint(DataType t, int zp) {
        return t == DataType.UINT8 ? Tensor.ofUint8(new byte[] {(byte) zp}) : Tensor.ofInt8(new byte[] {(byte) zp});
    }
}
