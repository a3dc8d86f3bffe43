package dev.octet.bench;

import dev.octet.kernel.FloatKernels;
import dev.octet.kernel.KernelProviders;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The float kernels at BERT-base-like shapes (sequence 128, hidden 384, 12 heads of 32), scalar reference
 * against the vector kernels at the JVM's preferred width:
 * {@code java -jar kernels-bench/target/benchmarks.jar FloatKernelsBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms1g", "-Xmx1g"})
public class FloatKernelsBenchmark {
    @Param({"scalar", "vector"})
    public String provider;

    private FloatKernels k;
    private float[] a, b, c, gamma, beta, rows, out;

    @Setup
    public void setup() {
        k = KernelProviders.choose(provider, 0).provider().floats();
        SplittableRandom r = new SplittableRandom(1);
        a = random(r, 128 * 384);
        b = random(r, 384 * 384);
        c = new float[128 * 384];
        gamma = random(r, 384);
        beta = random(r, 384);
        rows = random(r, 128 * 1536);
        out = new float[128 * 1536];
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return x;
    }

    /** A BERT projection: [128 x 384] x [384 x 384]. */
    @Benchmark
    public float[] gemm128x384x384() {
        k.gemm(128, 384, 384, a, 0, 384, b, 0, 384, false, c, 0, 384);
        return c;
    }

    /** Attention scores of one head: Q [128 x 32] x K^T (K is [128 x 32], transB). */
    @Benchmark
    public float[] gemmScores128x128x32T() {
        k.gemm(128, 128, 32, a, 0, 32, b, 0, 32, true, c, 0, 128);
        return c;
    }

    /** Attention context of one head: P [128 x 128] x V [128 x 32]. */
    @Benchmark
    public float[] gemmContext128x32x128() {
        k.gemm(128, 32, 128, a, 0, 128, b, 0, 32, false, c, 0, 32);
        return c;
    }

    @Benchmark
    public float[] softmax128x128() {
        k.softmax(rows, 0, out, 0, 128, 128);
        return out;
    }

    @Benchmark
    public float[] layerNorm128x384() {
        k.layerNorm(rows, 0, out, 0, 128, 384, gamma, beta, 1e-12f);
        return out;
    }

    @Benchmark
    public float[] gelu128x1536() {
        k.gelu(rows, 0, out, 0, 128 * 1536);
        return out;
    }
}
