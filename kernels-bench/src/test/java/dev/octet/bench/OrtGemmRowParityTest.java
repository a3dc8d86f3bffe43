package dev.octet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.onnx.OnnxImporter;
import dev.octet.onnx.OnnxModelBuilder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A float Gemm of one row by transposed weights (a classifier head: Flatten -> Gemm, transB = 1) against ONNX Runtime,
 * bit for bit, in both of ORT's kernels for it: weights reaching it at run time (as a DequantizeLinear's output does in
 * a QDQ model) are summed in eight lanes reduced by groups of four, two and one outputs, so output counts cover each
 * group (1..37) and depths each remainder of eight; initializer weights, packed at load, in FMA chains over blocks of
 * 256 k steps, so depths cover one and several blocks. Biases of shape [N], [1, N] or none.
 */
class OrtGemmRowParityTest {
    @ParameterizedTest(name = "N={0} K={1} bias={2} initializer weights={3}")
    @CsvSource({"1, 1, n, false", "2, 7, n, false", "3, 8, none, false", "4, 9, 1n, false", "5, 15, n, false",
        "6, 16, n, false", "7, 17, none, false", "10, 32, n, false", "11, 33, 1n, false", "13, 100, n, false",
        "16, 1280, n, false", "37, 257, none, false",
        "1, 1, n, true", "3, 8, none, true", "10, 32, n, true", "13, 255, 1n, true", "7, 256, n, true",
        "16, 257, none, true", "37, 600, n, true", "1000, 1280, n, true"})
    void matchesOnnxRuntimeBitForBit(int n, int k, String bias, boolean initializerWeights) throws Exception {
        SplittableRandom r = new SplittableRandom(n * 1000L + k);
        float[] x = values(r, k);
        float[] w = values(r, n * k);
        List<String> inputs = new ArrayList<>(List.of("x", "w"));
        OnnxModelBuilder m = new OnnxModelBuilder(13).input("x", DataType.FLOAT, 1, k).output("y", DataType.FLOAT, 1, n);
        if (initializerWeights) {
            m.initializer("w", Tensor.ofFloats(w, n, k));
        } else {
            m.input("w", DataType.FLOAT, n, k);
        }
        if (!bias.equals("none")) {
            m.initializer("b", bias.equals("n") ? Tensor.ofFloats(values(r, n), n) : Tensor.ofFloats(values(r, n), 1, n));
            inputs.add("b");
        }
        m.node("Gemm", inputs, List.of("y"), "transB", 1);
        byte[] model = m.toBytes();
        float[] ours;
        try (CompiledSession s = new CompiledSession(
                OnnxImporter.convert(dev.octet.onnx.proto.Onnx.ModelProto.parseFrom(model), null, "gemm"))) {
            Map<String, Tensor> feed = initializerWeights ? Map.of("x", Tensor.ofFloats(x, 1, k))
                : Map.of("x", Tensor.ofFloats(x, 1, k), "w", Tensor.ofFloats(w, n, k));
            ours = s.run(feed).get("y").floats();
        }
        float[] theirs = new float[n];
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession ort = env.createSession(model, new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, k});
             OnnxTensor tw = OnnxTensor.createTensor(env, FloatBuffer.wrap(w), new long[] {n, k});
             OrtSession.Result res = ort.run(initializerWeights ? Map.of("x", t) : Map.of("x", t, "w", tw))) {
            ((OnnxTensor) res.get(0)).getFloatBuffer().get(theirs);
        }
        int differ = 0;
        for (int j = 0; j < n; j++) {
            differ += Float.floatToRawIntBits(ours[j]) != Float.floatToRawIntBits(theirs[j]) ? 1 : 0;
        }
        assertEquals(0, differ, "outputs whose bits differ from ORT's");
    }

    /** Values of mixed signs and magnitudes, so that sums round differently in different orders. */
    private static float[] values(SplittableRandom r, int count) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (float) (r.nextGaussian() * Math.exp(r.nextDouble(-3, 3)));
        }
        return v;
    }
}
