package dev.octet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code octet profile} and {@code octet bench} on a small real model (ONNX Runtime's QDQ conv test model from
 * ../shared/testdata): the summary lines scripts parse, a sane op table, a loadable Chrome trace, typed errors.
 * Runs are few and tiny; the numbers are only checked for consistency, never for speed.
 */
class ProfileBenchTest {
    @TempDir
    Path tmp;

    private record Outcome(int status, String out, String err) {
        String lastLine() {
            List<String> lines = out.strip().lines().toList();
            return lines.get(lines.size() - 1);
        }
    }

    private static Outcome octet(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Q -> QLinearConv -> DQ once fused: three steps of three op types, input float[batch_size,3,24,24]. */
    private static String convModel() {
        String prop = System.getProperty("octet.shared.dir");
        Path shared = prop != null ? Path.of(prop) : Path.of("..", "..", "shared");
        Path model = shared.resolve("testdata/ort-quant/conv_qdq_u8u8.onnx");
        assertTrue(Files.isRegularFile(model), "shared test data not found at " + model.toAbsolutePath()
            + " (set -Doctet.shared.dir or place the shared folder beside the repository)");
        return model.toString();
    }

    private static void assertOneLineError(Outcome o, String... expected) {
        assertEquals(1, o.status, o.err);
        for (String e : expected) {
            assertTrue(o.err.contains(e), o.err);
        }
        assertEquals(1, o.err.strip().lines().count(), "one line, no stack trace: " + o.err);
    }

    private static final Pattern PROFILE_LINE = Pattern.compile(
        "profile: model=(\\S+) threads=(\\d+) run_p50_ms=(\\d+\\.\\d{3}) steps=(\\d+) top_op=(\\S+) top_op_pct=(\\d+\\.\\d)"
            + " alloc_mb_per_run=(\\d+\\.\\d{2}) warmup_runs=(\\d+) settled=(true|false)");

    private record OpRow(String op, int nodes, double ms, double pct) {}

    /** The rows of the op table: from its heading to the "all steps" line, exclusive. */
    private static List<OpRow> opTable(String out) {
        List<OpRow> rows = new ArrayList<>();
        boolean in = false;
        for (String line : out.lines().toList()) {
            if (line.startsWith("op type ")) {
                in = true;
            } else if (line.startsWith("all steps ")) {
                break;
            } else if (in) {
                String[] f = line.trim().split("\\s+");
                assertEquals(6, f.length, line);
                assertTrue(Double.parseDouble(f[5]) >= 0, "allocated KB: " + line);
                rows.add(new OpRow(f[0], Integer.parseInt(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3])));
            }
        }
        return rows;
    }

    @Test
    void profileEndsWithTheSummaryLineAndAnOpTableOfSanePercentages() {
        Outcome o = octet("profile", convModel(), "--dim", "batch_size=2", "--warmup", "1", "--max-warmup", "1", "--iters",
            "3", "--top", "2");
        assertEquals(0, o.status, o.err);
        Matcher m = PROFILE_LINE.matcher(o.lastLine());
        assertTrue(m.matches(), "last line: " + o.lastLine() + "\n" + o.out);
        assertEquals("conv_qdq_u8u8", m.group(1));
        assertEquals("1", m.group(2));
        int steps = Integer.parseInt(m.group(4));
        assertEquals(3, steps, o.out);
        assertTrue(o.out.startsWith("model conv_qdq_u8u8 | inputs input=FLOAT[2,3,24,24] | threads 1 | kernels "), o.out);

        List<OpRow> rows = opTable(o.out);
        assertEquals(3, rows.size(), o.out);
        assertTrue(rows.stream().anyMatch(r -> r.op.endsWith("QLinearConv")), o.out);
        assertEquals(steps, rows.stream().mapToInt(OpRow::nodes).sum());
        double sum = 0;
        for (int i = 0; i < rows.size(); i++) {
            OpRow r = rows.get(i);
            // Each op's time is part of every run, so its median is at most the median run.
            assertTrue(r.pct >= 0 && r.pct <= 100, r.toString());
            assertTrue(i == 0 || rows.get(i - 1).ms >= r.ms, "sorted by time, descending:\n" + o.out);
            sum += r.pct;
        }
        assertTrue(sum > 0 && sum <= 150, "percentages add up to " + sum + "\n" + o.out);
        assertEquals(rows.get(0).op, m.group(5));
        assertEquals(rows.get(0).pct, Double.parseDouble(m.group(6)));
        assertTrue(o.out.contains("top 2 of 3 steps by median time:"), o.out);
        assertEquals("1", m.group(8));
        assertEquals("false", m.group(9));
        assertTrue(o.out.contains("warm-up: NOT settled after 1 runs"), o.out);
    }

    @Test
    void profileWarmsUpUntilTimingsSettleAsBenchDoes() {
        Outcome o = octet("profile", convModel(), "--warmup", "2", "--iters", "2");
        assertEquals(0, o.status, o.err);
        Matcher m = PROFILE_LINE.matcher(o.lastLine());
        assertTrue(m.matches(), o.out);
        int warmRuns = Integer.parseInt(m.group(8));
        boolean settled = Boolean.parseBoolean(m.group(9));
        // Past --warmup: settled needs three whole windows; otherwise a bound stopped it and the report says so.
        assertTrue(settled ? warmRuns >= WarmUp.WINDOWS * WarmUp.WINDOW : o.out.contains("warm-up: NOT settled"), o.out);
        assertTrue(o.out.contains(settled ? "warm-up: settled after " + warmRuns + " runs (kernels compiled;"
            : "warm-up: NOT settled after " + warmRuns + " runs"), o.out);
        assertTrue(o.out.contains("over 2 runs (" + warmRuns + " warm-up)"), o.out);
        assertOneLineError(octet("profile", convModel(), "--max-warmup-seconds", "-1"), "--max-warmup-seconds",
            "at least 0", "INVALID_INPUT");
    }

    @Test
    void traceHasOneCompleteEventPerStepAndRunInValidJson() throws Exception {
        Path trace = tmp.resolve("trace.json");
        int iters = 3;
        Outcome o = octet("profile", convModel(), "--warmup", "0", "--max-warmup", "0", "--iters", String.valueOf(iters),
            "--trace", trace.toString());
        assertEquals(0, o.status, o.err);
        Matcher m = PROFILE_LINE.matcher(o.lastLine());
        assertTrue(m.matches(), o.out);
        int steps = Integer.parseInt(m.group(4));

        String json = Files.readString(trace);
        MiniJson.validate(json);
        assertTrue(json.startsWith("{") && json.contains("\"traceEvents\":["), json);
        assertEquals(iters * steps, count(json, "\"ph\":\"X\""));
        // Events follow one another in time, runs 0..iters-1 in order.
        Matcher ev = Pattern.compile("\"ts\":([0-9.]+),\"dur\":([0-9.]+),\"pid\":1,\"tid\":1,\"args\":\\{\"run\":(\\d+)")
            .matcher(json);
        double end = 0; // microseconds, printed with 3 decimals: compared with a rounding margin
        int events = 0;
        int lastRun = 0;
        while (ev.find()) {
            double ts = Double.parseDouble(ev.group(1));
            double dur = Double.parseDouble(ev.group(2));
            int run = Integer.parseInt(ev.group(3));
            assertTrue(ts >= end - 0.002 && dur >= 0 && run >= lastRun && run < iters, ev.group());
            end = ts + dur;
            lastRun = run;
            events++;
        }
        assertEquals(iters * steps, events);
        assertEquals(iters - 1, lastRun);
    }

    @Test
    void traceStringsAreEscaped() {
        String q = ChromeTrace.quote("node 'a\"b\\c\n\t\u0001é'");
        assertEquals("\"node 'a\\\"b\\\\c\\n\\t\\u0001\\u00e9'\"", q);
        MiniJson.validate("{\"name\":" + q + "}");
    }

    @Test
    void benchEndsWithTheSummaryLine() {
        Outcome o = octet("bench", convModel(), "--warmup", "1", "--iters", "3", "--threads", "1");
        assertEquals(0, o.status, o.err);
        Matcher m = Pattern.compile(
            "bench: model=conv_qdq_u8u8 threads=1 p50_ms=(\\d+\\.\\d{3}) p90_ms=(\\d+\\.\\d{3}) min_ms=(\\d+\\.\\d{3})"
                + " p99_ms=(\\d+\\.\\d{3}) max_ms=(\\d+\\.\\d{3}) mean_ms=(\\d+\\.\\d{3}) warmup_runs=(\\d+)"
                + " settled=(true|false) heap_mb=(\\d+\\.\\d) peak_rss_mb=(\\d+\\.\\d|na)")
            .matcher(o.lastLine());
        assertTrue(m.matches(), o.out);
        double p50 = Double.parseDouble(m.group(1));
        double p90 = Double.parseDouble(m.group(2));
        double min = Double.parseDouble(m.group(3));
        double p99 = Double.parseDouble(m.group(4));
        double max = Double.parseDouble(m.group(5));
        double mean = Double.parseDouble(m.group(6));
        assertTrue(min <= p50 && p50 <= p90 && p90 <= p99 && p99 <= max, o.lastLine());
        assertTrue(min <= mean && mean <= max, o.lastLine());
        assertTrue(o.out.contains(" runs/s"), o.out);
        int warmRuns = Integer.parseInt(m.group(7));
        boolean settled = Boolean.parseBoolean(m.group(8));
        // Settling needs three whole windows; stopping early without settling only happens at the limits.
        assertTrue(settled ? warmRuns >= WarmUp.WINDOWS * WarmUp.WINDOW : warmRuns == 1000 || o.out.contains("NOT settled"),
            o.out);
        assertTrue(o.out.contains(settled ? "warm-up: settled after " + warmRuns + " runs" : "warm-up: NOT settled"), o.out);
        assertTrue(Double.parseDouble(m.group(9)) > 0, o.lastLine());
        if (!m.group(10).equals("na")) {
            // The peak RSS only grows: what this JVM reads afterwards bounds what bench reported.
            double reported = Double.parseDouble(m.group(10)) * 1e6;
            assertTrue(reported > 0 && reported <= BenchCommand.peakRssBytes().orElseThrow() + 0.05e6, o.lastLine());
        }
    }

    @Test
    void benchSaysWhenTimingsDidNotSettle() {
        Outcome o = octet("bench", convModel(), "--warmup", "2", "--max-warmup", "5", "--iters", "2");
        assertEquals(0, o.status, o.err);
        assertTrue(o.out.contains("warm-up: NOT settled after 5 runs (window medians: fewer than 30 runs); the timings"
            + " below may still include JIT compilation"), o.out);
        assertTrue(o.lastLine().contains(" warmup_runs=5 settled=false "), o.lastLine());
        assertOneLineError(octet("bench", convModel(), "--max-warmup", "-1"), "--max-warmup", "at least 0", "INVALID_INPUT");
    }

    @Test
    void badCountsAreInvalidInputBeforeAnythingRuns() {
        String model = convModel();
        assertOneLineError(octet("profile", model, "--iters", "0"), "--iters", "at least 1", "INVALID_INPUT");
        assertOneLineError(octet("bench", model, "--iters", "0"), "--iters", "at least 1", "INVALID_INPUT");
        assertOneLineError(octet("bench", model, "--warmup", "-1"), "--warmup", "at least 0", "INVALID_INPUT");
        assertOneLineError(octet("profile", model, "--threads", "0"), "--threads", "INVALID_INPUT");
        assertOneLineError(octet("profile", model, "--top", "0"), "--top", "INVALID_INPUT");
        assertOneLineError(octet("bench", model, "--dim", "batch_size"), "--dim takes SYMBOL=SIZE", "INVALID_INPUT");
        assertEquals(2, octet("bench", model, "--iters", "many").status); // not a number: a usage error
    }

    @Test
    void unknownModelPathIsAnIoError() {
        String missing = tmp.resolve("no-such-model.onnx").toString();
        assertOneLineError(octet("profile", missing, "--iters", "1"), "model file not found", "[IO]");
        assertOneLineError(octet("bench", missing, "--iters", "1"), "model file not found", "[IO]");
    }

    @Test
    void traceIntoAMissingDirectoryFailsBeforeRunning() {
        Outcome o = octet("profile", convModel(), "--iters", "1", "--trace", tmp.resolve("nope/t.json").toString());
        assertOneLineError(o, "cannot write trace", "[IO]");
        assertTrue(o.out.isEmpty(), o.out);
    }

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }

    /** A strict JSON syntax check (RFC 8259 grammar), enough to know chrome://tracing can parse the file. */
    private static final class MiniJson {
        private final String s;
        private int i;

        private MiniJson(String s) {
            this.s = s;
        }

        static void validate(String s) {
            MiniJson p = new MiniJson(s);
            p.value();
            p.ws();
            if (p.i != s.length()) {
                throw p.fail("trailing characters");
            }
        }

        private AssertionError fail(String what) {
            int from = Math.max(0, i - 40);
            return new AssertionError("invalid JSON at " + i + ": " + what + " near '"
                + s.substring(from, Math.min(s.length(), i + 40)) + "'");
        }

        private void ws() {
            while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
        }

        private char peek() {
            if (i >= s.length()) {
                throw fail("unexpected end");
            }
            return s.charAt(i);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw fail("expected '" + c + "'");
            }
            i++;
        }

        private void value() {
            ws();
            char c = peek();
            if (c == '{') {
                i++;
                ws();
                if (peek() == '}') {
                    i++;
                    return;
                }
                do {
                    ws();
                    string();
                    ws();
                    expect(':');
                    value();
                    ws();
                } while (peek() == ',' && i++ >= 0);
                expect('}');
            } else if (c == '[') {
                i++;
                ws();
                if (peek() == ']') {
                    i++;
                    return;
                }
                do {
                    value();
                    ws();
                } while (peek() == ',' && i++ >= 0);
                expect(']');
            } else if (c == '"') {
                string();
            } else if (s.startsWith("true", i) || s.startsWith("null", i)) {
                i += 4;
            } else if (s.startsWith("false", i)) {
                i += 5;
            } else {
                Matcher m = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?").matcher(s).region(i, s.length());
                if (!m.lookingAt()) {
                    throw fail("expected a value");
                }
                i = m.end();
            }
        }

        private void string() {
            expect('"');
            while (true) {
                char c = peek();
                i++;
                if (c == '"') {
                    return;
                } else if (c < 0x20) {
                    throw fail("raw control character in a string");
                } else if (c == '\\') {
                    char e = peek();
                    i++;
                    if (e == 'u') {
                        if (i + 4 > s.length() || !s.substring(i, i + 4).matches("[0-9a-fA-F]{4}")) {
                            throw fail("bad \\u escape");
                        }
                        i += 4;
                    } else if ("\"\\/bfnrt".indexOf(e) < 0) {
                        throw fail("bad escape \\" + e);
                    }
                }
            }
        }
    }
}
