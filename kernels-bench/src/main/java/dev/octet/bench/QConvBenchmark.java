package dev.octet.bench;

import dev.octet.kernel.DepthwiseKernels;
import dev.octet.kernel.DepthwiseWeights;
import dev.octet.kernel.KernelProvider;
import dev.octet.kernel.PackedB;
import dev.octet.kernel.Parallel;
import dev.octet.kernel.QConvNhwc;
import dev.octet.kernel.QGemm;
import dev.octet.kernel.Winograd;
import java.util.Locale;
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
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Int8 convolution layers as the channels-last kernels run them ({@link QConvNhwc}: NHWC in and out, weights
 * packed once, requantized u8 output): MobileNetV2's pointwise expansion, depthwise and first (RGB image) layers and
 * a ResNet 3x3 layer, directly and (3x3 stride 1) with {@link Winograd}. {@link #main} runs them and prints GOPS of the
 * direct convolution's multiply-accumulates (2 ops each), so the two algorithms compare by time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
public class QConvBenchmark {
    /** kind-HxWxCin-Cout-kernel-stride; kind "conv" (GEMM) or "dw" (depthwise, Cout = Cin). */
    @Param({"conv-56x56x24-144-1-1", "dw-56x56x144-144-3-1", "dw-28x28x192-192-3-2", "conv-56x56x64-64-3-1",
        "conv-224x224x3-32-3-2"})
    public String layer;

    /** "direct" (im2col + GEMM) or "winograd" (F(2x2, 3x3); 3x3 stride-1 layers only, else direct). */
    @Param({"direct", "winograd"})
    public String algorithm;

    /** "vector" at the JVM's preferred width, "vector-256" etc., or "scalar". */
    @Param({"vector"})
    public String provider;

    @Param({"1"})
    public int threads;

    /**
     * "random" weights in [-127, 127] with zero point 0, or "widest": all -128 with zero point 127, so
     * |w - wzp| = 255 and Winograd's transformed weights reach 2295, its shortest flush interval (14 products).
     */
    @Param({"random"})
    public String weights;

    private KernelProvider kernels;
    private Parallel parallel;
    private byte[] x;
    private QGemm.Output out;
    private int[] bias;
    private QConvNhwc.Geometry geometry;
    private PackedB[] packed;
    private DepthwiseWeights dwWeights;
    private DepthwiseKernels.Shape dwShape;
    private Winograd.Weights winograd;

    /** The parsed layer: {depthwise ? 1 : 0, h, w, cin, cout, k, stride}. */
    static int[] parse(String layer) {
        String[] p = layer.split("-");
        String[] hwc = p[1].split("x");
        return new int[] {p[0].equals("dw") ? 1 : 0, Integer.parseInt(hwc[0]), Integer.parseInt(hwc[1]),
            Integer.parseInt(hwc[2]), Integer.parseInt(p[2]), Integer.parseInt(p[3]), Integer.parseInt(p[4])};
    }

    /** Multiply-accumulates of one call (padding "same": k / 2 on each side). */
    static long macs(String layer) {
        int[] l = parse(layer);
        long outPixels = (long) ((l[1] - 1) / l[6] + 1) * ((l[2] - 1) / l[6] + 1);
        return outPixels * l[4] * l[5] * l[5] * (l[0] == 1 ? 1 : l[3]);
    }

    @Setup(Level.Trial)
    public void setup() {
        int[] l = parse(layer);
        boolean depthwise = l[0] == 1;
        int h = l[1], w = l[2], cin = l[3], cout = l[4], k = l[5], stride = l[6];
        int pad = k / 2;
        int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
        kernels = QGemmBenchmark.Shapes.provider(provider);
        parallel = threads == 1 ? Parallel.SERIAL : new Parallel(threads);
        SplittableRandom r = new SplittableRandom(1);
        x = new byte[h * w * cin];
        for (int i = 0; i < x.length; i++) {
            x[i] = (byte) r.nextInt(256);
        }
        boolean widest = this.weights.equals("widest");
        weightZeroPoint[0] = widest ? 127 : 0;
        byte[] weights = new byte[cout * (depthwise ? 1 : cin) * k * k];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (byte) (widest ? -128 : r.nextInt(255) - 127);
        }
        bias = new int[cout];
        float[] scales = new float[cout];
        for (int c = 0; c < cout; c++) {
            bias[c] = r.nextInt(-5000, 5000);
            scales[c] = (float) (r.nextDouble() * 1e-3 + 1e-4);
        }
        out = new QGemm.Output.Requantized(new byte[oh * ow * cout], scales, 3, 0, 255);
        if (depthwise) {
            dwWeights = kernels.depthwise().pack(weights, 0, cout, k, k, false, weightZeroPoint);
            dwShape = new DepthwiseKernels.Shape(cin, h, w, oh, ow, k, k, stride, stride, 1, 1, pad, pad);
        } else {
            packed = QConvNhwc.packGroups(kernels.qgemm(), weights, cout, cin, k * k, 1, false);
            winograd = algorithm.equals("winograd") && k == 3 && stride == 1
                ? Winograd.plan(kernels.qgemm(), weights, cout, cin, false, weightZeroPoint) : null;
            geometry = new QConvNhwc.Geometry(1, cin, new int[] {h, w}, cout, 1, new int[] {k, k},
                new int[] {stride, stride}, new int[] {1, 1}, new int[] {pad, pad, pad, pad}, new int[] {oh, ow});
        }
    }

    private final QConvNhwc.TapCache taps = new QConvNhwc.TapCache();
    private final int[] weightZeroPoint = {0};

    @TearDown(Level.Trial)
    public void tearDown() {
        parallel.close();
    }

    @Benchmark
    public QGemm.Output conv() {
        if (winograd != null) {
            Winograd.run(kernels.qgemm(), kernels.winograd(), parallel, geometry, x, true, 131, winograd, bias,
                out);
        } else if (dwWeights != null) {
            QConvNhwc.depthwise(kernels.depthwise(), parallel, dwWeights, dwShape, 1, x, true, 131, bias, out);
        } else {
            QConvNhwc.gemm(kernels.qgemm(), parallel, geometry, taps, x, true, 131, packed, false, weightZeroPoint, bias,
                out);
        }
        return out;
    }

    /** Runs every layer and prints microseconds and GOPS per layer. */
    public static void main(String[] args) throws RunnerException {
        var results = new Runner(new OptionsBuilder().include(QConvBenchmark.class.getSimpleName())
            .shouldFailOnError(true).build()).run();
        System.out.println();
        for (RunResult r : results) {
            String layer = r.getParams().getParam("layer");
            double micros = r.getPrimaryResult().getScore();
            System.out.printf(Locale.ROOT, "qconv: %-24s %-8s %-8s threads=%s %10.1f us %7.2f GOPS%n", layer,
                r.getParams().getParam("algorithm"), r.getParams().getParam("provider"),
                r.getParams().getParam("threads"), micros,
                2.0 * macs(layer) / (micros * 1e3));
        }
    }
}
