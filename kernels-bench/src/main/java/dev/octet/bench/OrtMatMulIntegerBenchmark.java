package dev.octet.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.onnx.OnnxModelBuilder;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ONNX Runtime's MatMulInteger on the same problem as {@link QGemmBenchmark}: a one-node model built in
 * memory, u8 activations (zero point 131) x constant s8 weights, int32 out, intra-op threads as given.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
public class OrtMatMulIntegerBenchmark {
    @Param({"512x512x512", "128x384x384", "128x384x1536", "128x1536x384", "1x384x1536"})
    public String shape;

    @Param({"1"})
    public int threads;

    private OrtEnvironment env;
    private OrtSession session;
    private OnnxTensor input;

    @Setup(Level.Trial)
    public void setup() throws OrtException {
        int[] d = QGemmBenchmark.Shapes.parse(shape);
        int m = d[0], k = d[1], n = d[2];
        SplittableRandom r = new SplittableRandom(1);
        byte[] a = new byte[m * k];
        byte[] w = new byte[k * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (byte) r.nextInt(256);
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (byte) (r.nextInt(255) - 127);
        }
        byte[] model = new OnnxModelBuilder(13)
            .input("A", DataType.UINT8, m, k)
            .output("Y", DataType.INT32, m, n)
            .initializer("B", Tensor.ofInt8(w, k, n))
            .initializer("a_zp", Tensor.ofUint8(new byte[] {(byte) 131}))
            .node("MatMulInteger", List.of("A", "B", "a_zp"), List.of("Y"))
            .toBytes();
        env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        session = env.createSession(model, options);
        input = OnnxTensor.createTensor(env, ByteBuffer.wrap(a), new long[] {m, k},
            ai.onnxruntime.OnnxJavaType.UINT8);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        input.close();
        session.close();
    }

    @Benchmark
    public long matMulInteger() throws OrtException {
        try (OrtSession.Result r = session.run(Map.of("A", input))) {
            return r.size();
        }
    }
}
