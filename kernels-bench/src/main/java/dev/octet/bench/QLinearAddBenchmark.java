package dev.octet.bench;

import dev.octet.kernel.QuantizeKernels;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * com.microsoft QLinearAdd as {@link QuantizeKernels#qlinearAdd} runs it: u8, same shapes, the size of a
 * MobileNetV2 residual add (1x24x56x56), ORT's x86 arithmetic. Time per call; divide by 75264 for ns per
 * element. Run a single configuration with, e.g., {@code -p provider=vector-256}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class QLinearAddBenchmark {
    /** "vector" at the JVM's preferred width, "vector-256" etc., or "scalar". */
    @Param({"scalar", "vector"})
    public String provider;

    @Param({"75264"})
    public int n;

    private QuantizeKernels kernels;
    private byte[] a;
    private byte[] b;
    private byte[] out;

    @Setup(Level.Trial)
    public void setup() {
        kernels = QGemmBenchmark.Shapes.provider(provider).quantize();
        SplittableRandom r = new SplittableRandom(1);
        a = new byte[n];
        b = new byte[n];
        out = new byte[n];
        r.nextBytes(a);
        r.nextBytes(b);
    }

    @Benchmark
    public byte[] qlinearAdd() {
        kernels.qlinearAdd(a, 0, false, b, 0, false, n, true, 0.0213f, 121, 0.0178f, 133, 0.0291f, 127, 0, 255, out, 0);
        return out;
    }
}
