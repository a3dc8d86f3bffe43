package dev.octet.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report of scripts/bench-embed-app: per-engine medians over the processes' {@code embed-run:} lines (each
 * with the {@code wall_ms=} the script measured from outside appended), the octet/ort ratios issue 12's
 * acceptance uses, and the one-line {@code embed-app:} summary. Usage: {@code EmbedAppSummary LINES_FILE}.
 */
public final class EmbedAppSummary {
    /** A per-process figure: its key in the embed-run line, its label, and the factor to the unit printed. */
    private record Metric(String key, String summaryKey, String label, double scale) {}

    private static final String RUN10_VS_STEADY = "run10_vs_steady";

    private static final List<Metric> METRICS = List.of(
        new Metric("wall_ms", "wall_ms", "process wall, launch to exit (ms)", 1),
        new Metric("load_ms", "load_ms", "model load (ms)", 1),
        new Metric("first_ms", "first_ms", "first inference (ms)", 1),
        new Metric("run2_ms", "run2_ms", "run 2 (ms)", 1),
        new Metric("run3_ms", "run3_ms", "run 3 (ms)", 1),
        new Metric("run10_ms", "run10_ms", "run 10 (ms)", 1),
        new Metric("run20_ms", "run20_ms", "run 20 (ms)", 1),
        new Metric("steady_ms", "steady_ms", "steady state p50 (ms)", 1),
        new Metric("settle_run", "settle_run", "within 1.25x of steady from run", 1),
        new Metric(RUN10_VS_STEADY, RUN10_VS_STEADY, "run 10 / steady state", 1),
        new Metric("first_alloc_bytes", "first_alloc_mb", "allocated by the first inference (MB)", 1.0 / (1 << 20)),
        new Metric("steady_alloc_bytes", "steady_alloc_kb", "allocated per steady run (KB)", 1.0 / (1 << 10)),
        new Metric("peak_rss_kb", "peak_rss_mb", "peak RSS (MB)", 1.0 / (1 << 10)));

    /** A ratio of medians, octet over ort, that issue 12's acceptance reads. */
    private record Ratio(String summaryKey, String metricKey, String label) {}

    private static final List<Ratio> RATIOS = List.of(
        new Ratio("wall_ratio", "wall_ms", "process wall"),
        new Ratio("first_ratio", "first_ms", "first inference"),
        new Ratio("steady_ratio", "steady_ms", "steady state"),
        new Ratio("rss_ratio", "peak_rss_kb", "peak RSS"));

    private static final String[] ENGINES = {"octet", "ort"};

    private EmbedAppSummary() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: EmbedAppSummary LINES_FILE");
            System.exit(2);
        }
        report(Files.readAllLines(Path.of(args[0])), System.out);
    }

    /** The key=value pairs of one {@code embed-run:} line, with {@code run10_vs_steady} derived. */
    static Map<String, String> parse(String line) {
        if (!line.startsWith("embed-run:")) {
            throw new IllegalArgumentException("not an embed-run line: " + line);
        }
        Map<String, String> values = new HashMap<>();
        for (String pair : line.substring("embed-run:".length()).trim().split("\\s+")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("not key=value: '" + pair + "' in " + line);
            }
            values.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        double run10 = number(values.get("run10_ms"));
        double steady = number(values.get("steady_ms"));
        values.put(RUN10_VS_STEADY, Double.isNaN(run10) || Double.isNaN(steady) ? "n/a" : Double.toString(run10 / steady));
        return values;
    }

    /** A value as a number; NaN for {@code n/a}, a missing key and the -1 that means unknown. */
    private static double number(String value) {
        if (value == null || value.equals("n/a")) {
            return Double.NaN;
        }
        double v = Double.parseDouble(value);
        return v < 0 ? Double.NaN : v;
    }

    /** Per engine and metric (in printed units), the median over the processes that have it; NaN if none. */
    static Map<String, Map<String, Double>> medians(List<Map<String, String>> processes) {
        Map<String, Map<String, Double>> byEngine = new LinkedHashMap<>();
        for (String engine : ENGINES) {
            List<Map<String, String>> mine = processes.stream().filter(p -> engine.equals(p.get("engine"))).toList();
            if (mine.isEmpty()) {
                continue;
            }
            Map<String, Double> medians = new LinkedHashMap<>();
            for (Metric m : METRICS) {
                double[] known = mine.stream().mapToDouble(p -> number(p.get(m.key()))).filter(v -> !Double.isNaN(v)).toArray();
                medians.put(m.key(), known.length == 0 ? Double.NaN : EmbedStats.median(known) * m.scale());
            }
            medians.put("tokens", number(mine.get(0).get("tokens")));
            byEngine.put(engine, medians);
        }
        return byEngine;
    }

    static void report(List<String> lines, PrintStream out) {
        List<Map<String, String>> processes = new ArrayList<>();
        for (String line : lines) {
            if (!line.isBlank()) {
                processes.add(parse(line));
            }
        }
        if (processes.isEmpty()) {
            throw new IllegalArgumentException("no embed-run lines");
        }
        Map<String, Map<String, Double>> medians = medians(processes);
        long perEngine = processes.stream().filter(p -> p.get("engine").equals(processes.get(0).get("engine"))).count();
        out.printf(Locale.ROOT, "Medians over the processes (%d per engine):%n", perEngine);
        out.printf(Locale.ROOT, "  %-40s", "");
        medians.keySet().forEach(e -> out.printf(Locale.ROOT, "%12s", e));
        out.println();
        for (Metric m : METRICS) {
            out.printf(Locale.ROOT, "  %-40s", m.label());
            medians.values().forEach(v -> out.printf(Locale.ROOT, "%12s", show(v.get(m.key()))));
            out.println();
        }
        StringBuilder summary = new StringBuilder("embed-app: processes=").append(perEngine)
            .append(" runs=").append(processes.get(0).get("runs"))
            .append(" engines=").append(String.join(",", medians.keySet()));
        medians.forEach((engine, v) -> summary.append(' ').append(engine).append("_tokens=").append(show(v.get("tokens"))));
        medians.forEach((engine, v) -> METRICS.forEach(m ->
            summary.append(' ').append(engine).append('_').append(m.summaryKey()).append('=').append(show(v.get(m.key())))));
        StringBuilder ratios = new StringBuilder("Ratios octet / ort:");
        for (Ratio r : RATIOS) {
            double ratio = medians.containsKey("octet") && medians.containsKey("ort")
                ? medians.get("octet").get(r.metricKey()) / medians.get("ort").get(r.metricKey()) : Double.NaN;
            ratios.append(' ').append(r.label()).append(' ').append(show(ratio)).append(',');
            summary.append(' ').append(r.summaryKey()).append('=').append(show(ratio));
        }
        ratios.setLength(ratios.length() - 1);
        out.println(ratios);
        out.println(summary);
    }

    /** 4 significant digits, {@code n/a} for NaN. */
    private static String show(double v) {
        return Double.isNaN(v) ? "n/a" : Agreement.formatNumber(v);
    }
}
