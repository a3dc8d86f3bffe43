package dev.octet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.onnx.OnnxImporter;
import dev.octet.onnx.OnnxModelBuilder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * LayerNormalization bit for bit against ONNX Runtime, whose kernel is also what ORT's default optimizations run
 * in place of the decomposed LayerNorm of BERT exports (and so what LangChain4j's MiniLM computes). Row counts
 * around the four-row statistics groups, widths around the vector lanes, means far from zero, where the float
 * {@code E[x^2] - mean^2} cancels, and constant rows, where it cancels to about zero: where it goes below -eps
 * ORT's result is NaN and Octet's is finite (the variance taken as 0), the one intended difference.
 */
class OrtLayerNormTest {
    @ParameterizedTest(name = "rows={0} n={1} mean={2} spread={3} eps={4}")
    @CsvSource({"1, 384, 0, 1, 1e-12", "5, 384, 0.3, 2, 1e-12", "9, 384, 0, 40, 1e-12", "4, 2, 0, 1, 1e-12",
        "7, 17, 2, 1, 1e-12", "3, 1000, 0, 0.01, 1e-12", "6, 64, 100, 1, 1e-12", "2, 129, -5, 3, 1e-12",
        "5, 8, 1.6703498, 0, 1e-5", "3, 17, 5.230672, 0, 1e-5", "4, 384, 3.3, 0, 1e-5"})
    void matchesOnnxRuntimeBitForBit(int rows, int n, float mean, float spread, float eps) throws Exception {
        SplittableRandom r = new SplittableRandom(31L * rows + n);
        float[] x = new float[rows * n];
        for (int i = 0; i < x.length; i++) {
            x[i] = mean + (float) r.nextGaussian() * spread;
        }
        float[] gamma = new float[n];
        float[] beta = new float[n];
        for (int i = 0; i < n; i++) {
            gamma[i] = (float) (0.5 + r.nextDouble());
            beta[i] = (float) r.nextGaussian() * 0.1f;
        }
        byte[] model = new OnnxModelBuilder(17)
            .input("x", DataType.FLOAT, rows, n).output("y", DataType.FLOAT, rows, n)
            .initializer("gamma", Tensor.ofFloats(gamma, n))
            .initializer("beta", Tensor.ofFloats(beta, n))
            .node("LayerNormalization", List.of("x", "gamma", "beta"), List.of("y"), "epsilon", eps)
            .toBytes();
        float[] ours;
        try (CompiledSession s = new CompiledSession(
                OnnxImporter.convert(dev.octet.onnx.proto.Onnx.ModelProto.parseFrom(model), null, "layernorm"))) {
            ours = s.run(Map.of("x", Tensor.ofFloats(x, rows, n))).get("y").floats();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] theirs = new float[rows * n];
        try (OrtSession ort = env.createSession(model, new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {rows, n});
             OrtSession.Result res = ort.run(Map.of("x", in))) {
            ((OnnxTensor) res.get(0)).getFloatBuffer().get(theirs);
        }
        for (int i = 0; i < theirs.length; i++) {
            if (Float.isNaN(theirs[i])) {
                // ORT's cancellation went below -eps (sqrt of a negative); Octet takes the variance as 0.
                assertTrue(Float.isFinite(ours[i]), "element " + i + ": Octet " + ours[i] + " where ORT has NaN");
                continue;
            }
            assertEquals(Float.floatToIntBits(theirs[i]), Float.floatToIntBits(ours[i]),
                "element " + i + " (row " + i / n + "): ORT " + theirs[i] + ", Octet " + ours[i]);
        }
    }
}
