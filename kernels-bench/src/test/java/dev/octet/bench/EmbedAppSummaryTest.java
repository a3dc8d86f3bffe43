package dev.octet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-engine medians, ratios and summary line of scripts/bench-embed-app, on hand-made process lines. */
class EmbedAppSummaryTest {
    private static String line(String engine, double wall, double first, double run10, double steady, long rssKb) {
        return "embed-run: engine=" + engine + " runs=30 tokens=9 dims=384 load_ms=100.000 first_ms=" + first
            + " run2_ms=5.0 run3_ms=4.0 run10_ms=" + run10 + " run20_ms=3.0 steady_ms=" + steady
            + " settle_run=4 first_alloc_bytes=2097152 steady_alloc_bytes=2048 peak_rss_kb=" + rssKb + " wall_ms=" + wall;
    }

    private static String report(String... lines) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        EmbedAppSummary.report(Arrays.asList(lines), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static Map<String, String> summary(String report) {
        List<String> lines = report.lines().toList();
        String last = lines.get(lines.size() - 1);
        assertTrue(last.startsWith("embed-app: "), last);
        return EmbedAppSummary.parse("embed-run:" + last.substring("embed-app:".length()));
    }

    @Test
    void mediansPerEngineAndRatiosOctetOverOrt() {
        Map<String, String> s = summary(report(
            line("octet", 3000, 200, 12, 10, 300 * 1024),
            line("ort", 1000, 20, 2.5, 2, 200 * 1024),
            line("octet", 5000, 900, 30, 10, 500 * 1024),
            line("ort", 1200, 30, 2, 2, 220 * 1024),
            line("octet", 4000, 300, 11, 10, 400 * 1024),
            line("ort", 1100, 25, 3, 2, 210 * 1024)));
        assertEquals("3", s.get("processes"));
        assertEquals("octet,ort", s.get("engines"));
        assertEquals("4000", s.get("octet_wall_ms"));
        assertEquals("1100", s.get("ort_wall_ms"));
        assertEquals("300", s.get("octet_first_ms"));
        assertEquals("1.2", s.get("octet_run10_vs_steady"));
        assertEquals("1.25", s.get("ort_run10_vs_steady"));
        assertEquals("400", s.get("octet_peak_rss_mb"));
        assertEquals("2", s.get("octet_first_alloc_mb"));
        assertEquals("2", s.get("octet_steady_alloc_kb"));
        assertEquals("9", s.get("octet_tokens"));
        assertEquals("3.636", s.get("wall_ratio"));
        assertEquals("12", s.get("first_ratio"));
        assertEquals("5", s.get("steady_ratio"));
        assertEquals("1.905", s.get("rss_ratio"));
    }

    @Test
    void oneEngineAloneHasNoRatiosAndShortRunsNoRun10() {
        String oneEngine = report("embed-run: engine=octet runs=5 tokens=9 dims=384 load_ms=1.0 first_ms=2.0"
            + " run2_ms=1.5 run3_ms=1.0 run10_ms=n/a run20_ms=n/a steady_ms=1.0 settle_run=3"
            + " first_alloc_bytes=10 steady_alloc_bytes=1 peak_rss_kb=n/a wall_ms=500");
        Map<String, String> s = summary(oneEngine);
        assertEquals("octet", s.get("engines"));
        assertEquals("n/a", s.get("octet_run10_ms"));
        assertEquals("n/a", s.get("octet_run10_vs_steady"));
        assertEquals("n/a", s.get("octet_peak_rss_mb"));
        assertEquals("n/a", s.get("wall_ratio"));
        assertTrue(oneEngine.contains("Ratios octet / ort: process wall n/a,"), oneEngine);
    }

    @Test
    void rejectsLinesThatAreNotProcessReports() {
        assertThrows(IllegalArgumentException.class, () -> EmbedAppSummary.parse("vs-ort: model=x"));
        assertThrows(IllegalArgumentException.class, () -> EmbedAppSummary.parse("embed-run: engine octet"));
    }
}
