package dev.octet.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.onnx.OnnxImporter;
import dev.octet.onnx.OnnxModelBuilder;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * com.microsoft QLinearLeakyRelu and QLinearSigmoid against ONNX Runtime on every 8-bit code: LeakyRelu's
 * table is exact; Sigmoid may differ by one step, since ORT's logistic is MLAS's approximation.
 */
class OrtLookupOpsTest {
    @ParameterizedTest
    @CsvSource({"QLinearLeakyRelu, UINT8, 0", "QLinearLeakyRelu, INT8, 0", "QLinearSigmoid, UINT8, 1",
        "QLinearSigmoid, INT8, 1"})
    void everyCodeMatchesOnnxRuntime(String op, DataType type, int tolerance) throws Exception {
        byte[] codes = new byte[256];
        for (int i = 0; i < 256; i++) {
            codes[i] = (byte) i;
        }
        byte zp = (byte) (type == DataType.UINT8 ? 131 : -3);
        OnnxModelBuilder b = new OnnxModelBuilder(13).opset("com.microsoft", 1)
            .input("x", type, 256).output("y", type, 256)
            .initializer("xs", Tensor.ofFloats(new float[] {0.0473f}))
            .initializer("xzp", Tensor.of(type, new int[0], new byte[] {zp}))
            .initializer("ys", Tensor.ofFloats(new float[] {op.equals("QLinearSigmoid") ? 1f / 256 : 0.031f}))
            .initializer("yzp", Tensor.of(type, new int[0], new byte[] {type == DataType.UINT8 ? (byte) 0 : (byte) -128}));
        if (op.equals("QLinearLeakyRelu")) {
            b.node("com.microsoft", op, List.of("x", "xs", "xzp", "ys", "yzp"), List.of("y"), "alpha", 0.13f);
        } else {
            b.node("com.microsoft", op, List.of("x", "xs", "xzp", "ys", "yzp"), List.of("y"));
        }
        byte[] model = b.toBytes();
        byte[] ours;
        try (CompiledSession s = new CompiledSession(
                OnnxImporter.convert(dev.octet.onnx.proto.Onnx.ModelProto.parseFrom(model), null, op))) {
            ours = s.run(Map.of("x", Tensor.of(type, new int[] {256}, codes))).get("y").bytes();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        byte[] theirs = new byte[256];
        try (OrtSession ort = env.createSession(model, new OrtSession.SessionOptions());
             OnnxTensor x = OnnxTensor.createTensor(env, ByteBuffer.wrap(codes), new long[] {256},
                 type == DataType.UINT8 ? ai.onnxruntime.OnnxJavaType.UINT8 : ai.onnxruntime.OnnxJavaType.INT8);
             OrtSession.Result r = ort.run(Map.of("x", x))) {
            ((OnnxTensor) r.get(0)).getByteBuffer().get(theirs);
        }
        int worst = 0;
        for (int i = 0; i < 256; i++) {
            int a = type == DataType.UINT8 ? ours[i] & 0xFF : ours[i];
            int e = type == DataType.UINT8 ? theirs[i] & 0xFF : theirs[i];
            worst = Math.max(worst, Math.abs(a - e));
        }
        assertTrue(worst <= tolerance, op + " " + type + " differs from ONNX Runtime by " + worst + " steps");
    }
}
