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
 * A float Gemm of one row by weights (a classifier head: Flatten -> Gemm) against ONNX Runtime, bit for bit, in both of
 * ORT's kernels for it: transposed weights reaching it at run time (as a DequantizeLinear's output does in a QDQ model)
 * are summed in eight lanes reduced by groups of four, two and one outputs, so output counts cover each group (1..37)
 * and depths each remainder of eight; initializer weights, packed at load (transposed or not), in FMA chains over
 * blocks of 256 k steps, so depths cover one and several blocks. Biases of shape [N], [1, N] or none.
 */
class OrtGemmRowParityTest {
    @ParameterizedTest(name = "N={0} K={1} bias={2} initializer weights={3} transB={4}")
    @CsvSource({"1, 1, n, false, 1", "2, 7, n, false, 1", "3, 8, none, false, 1", "4, 9, 1n, false, 1",
        "5, 15, n, false, 1", "6, 16, n, false, 1", "7, 17, none, false, 1", "10, 32, n, false, 1",
        "11, 33, 1n, false, 1", "13, 100, n, false, 1", "16, 1280, n, false, 1", "37, 257, none, false, 1",
        "1, 1, n, true, 1", "3, 8, none, true, 1", "10, 32, n, true, 1", "13, 255, 1n, true, 1", "7, 256, n, true, 1",
        "16, 257, none, true, 1", "37, 600, n, true, 1", "1000, 1280, n, true, 1",
        "1, 1, n, true, 0", "10, 32, none, true, 0", "16, 300, 1n, true, 0", "37, 1280, n, true, 0",
        "1000, 600, n, true, 0"})
    void matchesOnnxRuntimeBitForBit(int n, int k, String bias, boolean initializerWeights, int transB)
            throws Exception {
        SplittableRandom r = new SplittableRandom(n * 1000L + k);
        float[] x = values(r, k);
        float[] w = values(r, n * k);
        int[] wShape = transB == 1 ? new int[] {n, k} : new int[] {k, n};
        List<String> inputs = new ArrayList<>(List.of("x", "w"));
        OnnxModelBuilder m = new OnnxModelBuilder(13).input("x", DataType.FLOAT, 1, k).output("y", DataType.FLOAT, 1, n);
        if (initializerWeights) {
            m.initializer("w", Tensor.ofFloats(w, wShape));
        } else {
            m.input("w", DataType.FLOAT, wShape[0], wShape[1]);
        }
        if (!bias.equals("none")) {
            m.initializer("b", bias.equals("n") ? Tensor.ofFloats(values(r, n), n) : Tensor.ofFloats(values(r, n), 1, n));
            inputs.add("b");
        }
        m.node("Gemm", inputs, List.of("y"), "transB", transB);
        byte[] model = m.toBytes();
        float[] ours;
        try (CompiledSession s = new CompiledSession(
                OnnxImporter.convert(dev.octet.onnx.proto.Onnx.ModelProto.parseFrom(model), null, "gemm"))) {
            Map<String, Tensor> feed = initializerWeights ? Map.of("x", Tensor.ofFloats(x, 1, k))
                : Map.of("x", Tensor.ofFloats(x, 1, k), "w", Tensor.ofFloats(w, wShape));
            ours = s.run(feed).get("y").floats();
        }
        float[] theirs = new float[n];
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession ort = env.createSession(model, new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, k});
             OnnxTensor tw = OnnxTensor.createTensor(env, FloatBuffer.wrap(w), new long[] {wShape[0], wShape[1]});
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
