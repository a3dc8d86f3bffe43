package dev.octet.bench;

import dev.octet.kernel.panama.FmaCeilingProbe;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The fp32 FMA register tile that defines "the Java ceiling" the int8 kernels are measured against. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms1g", "-Xmx1g"})
public class FmaCeilingBenchmark {
    /** k steps per call: 256 x (8 + 32) floats = 40 KB, resident in L1/L2 like a GEMM panel. */
    public static final int K_STEPS = 256;

    private float[] a;
    private float[] b;

    @Setup
    public void setup() {
        a = new float[8 * K_STEPS];
        b = new float[32 * K_STEPS];
        for (int i = 0; i < a.length; i++) {
            a[i] = (i % 7) - 3;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (i % 5) - 2;
        }
    }

    @Benchmark
    public float fmaTile() {
        return FmaCeilingProbe.run(a, b, K_STEPS);
    }
}
