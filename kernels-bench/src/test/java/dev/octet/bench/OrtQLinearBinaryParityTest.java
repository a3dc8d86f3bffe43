package dev.octet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.octet.api.DataType;
import dev.octet.api.SessionOptions;
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
 * com.microsoft QLinearAdd and QLinearMul against ONNX Runtime on every pair of 8-bit codes, in the three forms ORT's
 * kernels take: two arrays ([65536] + [65536]), a constant first operand over each run ([256, 1] + [1, 256]) and a
 * constant second one ([1, 256] + [256, 1]). ORT's x86 QLinearAdd sums with FMAs from a constant term, so which operand
 * is constant changes bits; scales whose ratios are powers of two put many sums exactly halfway between codes.
 */
class OrtQLinearBinaryParityTest {
    private static final int[][][] FORMS = {{{65536}, {65536}}, {{256, 1}, {1, 256}}, {{1, 256}, {256, 1}}};

    @ParameterizedTest(name = "{0} {1} sa={2} sb={4} sc={6}")
    @CsvSource({
        "QLinearAdd, UINT8, 0.0473, 131, 0.0219, 7, 0.0611, 119",
        "QLinearAdd, UINT8, 0.125, 128, 0.0625, 100, 0.25, 128",
        "QLinearAdd, INT8, 0.0317, -3, 0.0452, 12, 0.0388, -7",
        "QLinearAdd, INT8, 0.5, 0, 0.25, -1, 1.0, 3",
        "QLinearMul, UINT8, 0.0473, 131, 0.0219, 7, 0.0611, 119",
        "QLinearMul, INT8, 0.0317, -3, 0.0452, 12, 0.0388, -7",
    })
    void everyPairOfCodesMatchesOnnxRuntime(String op, DataType type, float sa, int za, float sb, int zb, float sc,
                                            int zc) throws Exception {
        for (int[][] form : FORMS) {
            byte[] a = codes(form[0], true);
            byte[] b = codes(form[1], false);
            int n = 65536;
            OnnxModelBuilder m = new OnnxModelBuilder(13).opset("com.microsoft", 1)
                .input("a", type, dims(form[0])).input("b", type, dims(form[1])).output("c", type, dims(outShape(form)))
                .initializer("as", Tensor.ofFloats(new float[] {sa})).initializer("az", zeroPoint(type, za))
                .initializer("bs", Tensor.ofFloats(new float[] {sb})).initializer("bz", zeroPoint(type, zb))
                .initializer("cs", Tensor.ofFloats(new float[] {sc})).initializer("cz", zeroPoint(type, zc));
            m.node("com.microsoft", op, List.of("a", "as", "az", "b", "bs", "bz", "cs", "cz"), List.of("c"));
            byte[] model = m.toBytes();
            byte[] ours;
            try (CompiledSession s = new CompiledSession(
                    OnnxImporter.convert(dev.octet.onnx.proto.Onnx.ModelProto.parseFrom(model), null, op),
                    SessionOptions.builder().threads(2).build())) {
                ours = s.run(Map.of("a", Tensor.of(type, form[0], a), "b", Tensor.of(type, form[1], b))).get("c").bytes();
            }
            byte[] theirs = new byte[n];
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OnnxJavaType t = type == DataType.UINT8 ? OnnxJavaType.UINT8 : OnnxJavaType.INT8;
            try (OrtSession ort = env.createSession(model, new OrtSession.SessionOptions());
                 OnnxTensor ta = OnnxTensor.createTensor(env, ByteBuffer.wrap(a), longs(form[0]), t);
                 OnnxTensor tb = OnnxTensor.createTensor(env, ByteBuffer.wrap(b), longs(form[1]), t);
                 OrtSession.Result r = ort.run(Map.of("a", ta, "b", tb))) {
                ((OnnxTensor) r.get(0)).getByteBuffer().get(theirs);
            }
            int differ = 0;
            for (int i = 0; i < n; i++) {
                differ += ours[i] != theirs[i] ? 1 : 0;
            }
            assertEquals(0, differ, op + " " + type + " " + java.util.Arrays.deepToString(form) + ": codes differing");
        }
    }

    /**
     * Every code along a tensor of 256 elements (each row or column one code), or of 65536: the first operand's code
     * changing every 256 elements, the second's every element, so the two cover every pair.
     */
    private static byte[] codes(int[] shape, boolean first) {
        int n = shape.length == 1 ? shape[0] : shape[0] * shape[1];
        byte[] x = new byte[n];
        for (int i = 0; i < n; i++) {
            x[i] = (byte) (n == 65536 && first ? i >> 8 : i);
        }
        return x;
    }

    private static Object[] dims(int[] shape) {
        return java.util.Arrays.stream(shape).boxed().toArray();
    }

    private static int[] outShape(int[][] form) {
        return form[0].length == 1 ? new int[] {65536} : new int[] {256, 256};
    }

    private static long[] longs(int[] shape) {
        return java.util.Arrays.stream(shape).asLongStream().toArray();
    }

    private static Tensor zeroPoint(DataType type, int v) {
        return Tensor.of(type, new int[0], new byte[] {(byte) v});
    }
}
