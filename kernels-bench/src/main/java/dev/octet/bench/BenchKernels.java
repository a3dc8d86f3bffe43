package dev.octet.bench;

import dev.octet.kernel.KernelProviders;
import dev.octet.kernel.panama.FmaCeilingProbe;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * scripts/bench-kernels: runs the kernel benchmarks, the fp32 FMA ceiling and ONNX Runtime's MatMulInteger
 * in one session and prints one table (kernel, shape, threads, time, GOPS, % of the Java ceiling, time
 * ratio Octet/ORT) and a final summary line to track from run to run.
 */
public final class BenchKernels {
    private static final List<String> TRANSFORMER = List.of("128x384x384", "128x384x1536", "128x1536x384");

    private BenchKernels() {}

    public static void main(String[] args) throws RunnerException {
        boolean quick = List.of(args).contains("--quick");
        List<String> shapes = new ArrayList<>(List.of("512x512x512"));
        shapes.addAll(TRANSFORMER);
        if (!quick) {
            shapes.addAll(List.of("256x256x256", "1024x1024x1024", "1x384x1536"));
        }
        String[] threads = quick ? new String[] {"1"} : new String[] {"1", "2"};
        System.out.println("bench-kernels: " + KernelProviders.defaultChoice().provider().describe() + " kernels, "
            + Runtime.getRuntime().availableProcessors() + " cpus, " + (quick ? "quick" : "full") + " run");
        Collection<RunResult> results = new ArrayList<>();
        results.addAll(run(opts(quick).include(FmaCeilingBenchmark.class.getSimpleName())));
        results.addAll(run(opts(quick).include(QGemmBenchmark.class.getSimpleName())
            .param("shape", shapes.toArray(String[]::new)).param("threads", threads)));
        results.addAll(run(opts(quick).include(OrtMatMulIntegerBenchmark.class.getSimpleName())
            .param("shape", shapes.toArray(String[]::new)).param("threads", threads)));
        report(results);
    }

    private static ChainedOptionsBuilder opts(boolean quick) {
        ChainedOptionsBuilder b = new OptionsBuilder().forks(1).shouldFailOnError(true);
        if (quick) {
            b.warmupIterations(3).warmupTime(TimeValue.milliseconds(500))
                .measurementIterations(3).measurementTime(TimeValue.milliseconds(500));
        }
        return b;
    }

    private static Collection<RunResult> run(ChainedOptionsBuilder b) throws RunnerException {
        return new Runner(b.build()).run();
    }

    private record Row(String kernel, String shape, int threads, double micros) {}

    private static void report(Collection<RunResult> results) {
        double ceilingGops = 0;
        Map<String, Row> octet = new LinkedHashMap<>();
        Map<String, Row> ort = new LinkedHashMap<>();
        for (RunResult r : results) {
            String bench = r.getParams().getBenchmark();
            double micros = r.getPrimaryResult().getScore(); // JMH: mean time per call over the iterations
            if (bench.endsWith("fmaTile")) {
                ceilingGops = FmaCeilingProbe.ops(FmaCeilingBenchmark.K_STEPS) / (micros * 1e3);
                continue;
            }
            String shape = r.getParams().getParam("shape");
            int threads = Integer.parseInt(r.getParams().getParam("threads"));
            Row row = new Row(bench.substring(bench.lastIndexOf('.') + 1), shape, threads, micros);
            (bench.contains("Ort") ? ort : octet).put(shape + "/" + threads, row);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-24s %-16s %7s %12s %9s %10s %12s%n", "kernel", "shape MxKxN", "threads",
            "time_us", "GOPS", "%ceiling", "octet/ort");
        System.out.printf(Locale.ROOT, "%-24s %-16s %7s %12.2f %9.1f %10s %12s%n", "fp32-fma-tile-8x32", "-", "1",
            FmaCeilingProbe.ops(FmaCeilingBenchmark.K_STEPS) / ceilingGops / 1e3, ceilingGops, "100.0", "-");
        double logSum = 0;
        int logCount = 0;
        double gemm512 = 0;
        for (Map.Entry<String, Row> e : octet.entrySet()) {
            Row o = e.getValue();
            double gops = gops(o);
            Row base = ort.get(e.getKey());
            double ratio = base == null ? Double.NaN : o.micros / base.micros;
            if (o.threads == 1 && o.shape.equals("512x512x512")) {
                gemm512 = gops;
            }
            if (o.threads == 1 && TRANSFORMER.contains(o.shape) && base != null) {
                logSum += Math.log(ratio);
                logCount++;
            }
            System.out.printf(Locale.ROOT, "%-24s %-16s %7d %12.2f %9.1f %10.1f %12.3f%n", "qs8-gemm " + o.kernel,
                o.shape, o.threads, o.micros, gops, 100 * gops / ceilingGops, ratio);
            if (base != null) {
                System.out.printf(Locale.ROOT, "%-24s %-16s %7d %12.2f %9.1f %10s %12s%n", "ort MatMulInteger",
                    base.shape, base.threads, base.micros, gops(base), "-", "-");
            }
        }
        double transformerRatio = logCount == 0 ? Double.NaN : Math.exp(logSum / logCount);
        System.out.println();
        System.out.printf(Locale.ROOT, "kernels: gemm512_gops=%.1f fp32_ref_gops=%.1f gemm512_pct_of_ceiling=%.1f "
            + "transformer_ratio_vs_ort=%.3f%n", gemm512, ceilingGops, 100 * gemm512 / ceilingGops, transformerRatio);
    }

    private static double gops(Row r) {
        int[] d = QGemmBenchmark.Shapes.parse(r.shape);
        return 2.0 * d[0] * d[1] * d[2] / (r.micros * 1e3);
    }
}
