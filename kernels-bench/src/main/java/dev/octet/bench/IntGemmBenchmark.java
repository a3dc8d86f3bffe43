package dev.octet.bench;

import dev.octet.kernel.IntGemm;
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

/** The scalar reference int8 GEMM (u8 x s8 -> s32), for the baseline the vector kernels are measured against. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms1g", "-Xmx1g"})
public class IntGemmBenchmark {
    /** M x K x N. */
    @Param({"128x384x384"})
    public String shape;

    private int m, k, n;
    private byte[] a, b;
    private int[] c;

    @Setup
    public void setup() {
        String[] d = shape.split("x");
        m = Integer.parseInt(d[0]);
        k = Integer.parseInt(d[1]);
        n = Integer.parseInt(d[2]);
        SplittableRandom r = new SplittableRandom(1);
        a = new byte[m * k];
        b = new byte[k * n];
        c = new int[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (byte) r.nextInt(256);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) r.nextInt(256);
        }
    }

    @Benchmark
    public int[] scalarReference() {
        IntGemm.gemm(m, n, k, a, 0, k, true, new int[] {128}, b, 0, n, false, new int[] {0}, c, 0, n);
        return c;
    }
}
