package dev.octet.bench;

import dev.octet.kernel.KernelProvider;
import dev.octet.kernel.KernelProviders;
import dev.octet.kernel.PackedB;
import dev.octet.kernel.Parallel;
import dev.octet.kernel.QGemm;
import dev.octet.kernel.QGemmKernel;
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
 * The int8 GEMM as operators run it ({@link QGemm}: prepare A, multiply, int32 epilogue with zero points):
 * u8 activations x s8 weights (per-column zero points 0), weights packed once. M x K x N shapes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
public class QGemmBenchmark {
    @Param({"512x512x512", "128x384x384", "128x384x1536", "128x1536x384", "1x384x1536"})
    public String shape;

    /** "vector" at the JVM's preferred width, "vector-256" etc., or "scalar". */
    @Param({"vector"})
    public String provider;

    @Param({"1"})
    public int threads;

    private int m;
    private int k;
    private byte[] a;
    private PackedB b;
    private QGemmKernel kernel;
    private Parallel parallel;
    private QGemm.Output output;
    private final int[] weightZeroPoint = {0};

    @Setup(Level.Trial)
    public void setup() {
        int[] d = Shapes.parse(shape);
        m = d[0];
        k = d[1];
        int n = d[2];
        KernelProvider p = Shapes.provider(provider);
        kernel = p.qgemm();
        SplittableRandom r = new SplittableRandom(1);
        a = new byte[m * k];
        byte[] w = new byte[k * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (byte) r.nextInt(256);
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (byte) (r.nextInt(255) - 127);
        }
        b = kernel.packB(w, 0, k, n, false, false);
        parallel = threads == 1 ? Parallel.SERIAL : new Parallel(threads);
        output = new QGemm.Output.Int32(new int[m * n]);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        parallel.close();
    }

    @Benchmark
    public QGemm.Output gemm() {
        QGemm.run(kernel, parallel, m, a, 0, k, true, 131, b, false, weightZeroPoint, null, output, 0);
        return output;
    }

    /** Shape strings and provider names shared by the benchmarks. */
    static final class Shapes {
        private Shapes() {}

        static int[] parse(String s) {
            String[] p = s.split("x");
            int[] r = new int[p.length];
            for (int i = 0; i < p.length; i++) {
                r[i] = Integer.parseInt(p[i]);
            }
            return r;
        }

        static KernelProvider provider(String name) {
            int dash = name.indexOf('-');
            String kind = dash < 0 ? name : name.substring(0, dash);
            int bits = dash < 0 ? 0 : Integer.parseInt(name.substring(dash + 1));
            return KernelProviders.choose(kind, bits).provider();
        }
    }
}
