package dev.octet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The benchmark end to end on small models, one warm-up and one or two timed runs, so it takes seconds. */
class VsOrtTest {
    private static final String NUMBER = "(?:\\d+(?:\\.\\d+)?(?:E-\\d+)?|Infinity|NaN)";
    private static final String COSINE = "-?\\d\\.\\d{9}";

    /** Runs the benchmark, checks that the summary is the last line printed, and returns its key=value pairs. */
    private static Map<String, String> run(String... argv) throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        String line = VsOrt.run(VsOrt.Args.parse(argv), out);
        String printed = buffer.toString(StandardCharsets.UTF_8);
        String[] lines = printed.split("\n");
        assertEquals(line, lines[lines.length - 1], "the summary is the last line printed");
        assertTrue(line.startsWith("vs-ort: "), line);
        Map<String, String> keys = new LinkedHashMap<>();
        for (String pair : line.substring("vs-ort: ".length()).split(" ")) {
            String[] kv = pair.split("=", 2);
            assertEquals(2, kv.length, "not key=value: " + pair + " in " + line);
            keys.put(kv[0], kv[1]);
        }
        keys.put("(printed)", printed);
        return keys;
    }

    private static void assertFigures(Map<String, String> s, String prefix) {
        assertTrue(s.get(prefix + "max_abs_diff").matches(NUMBER), s.toString());
        assertTrue(s.get(prefix + "diff_elems").matches("\\d+"), s.toString());
        assertTrue(s.get(prefix + "cosine").matches(COSINE), s.toString());
    }

    @Test
    void minilmHasNoFloatInputsSoItsNoiseFloorIsNotApplicable() throws Exception {
        Map<String, String> s = run("minilm", "--batch", "1", "--seq", "8", "--threads", "1", "--warmup", "1",
            "--max-warmup", "1", "--iters", "2");
        assertEquals("minilm", s.get("model"));
        assertEquals("8", s.get("seq"));
        assertTrue(s.get("octet_p50_ms").matches("\\d+\\.\\d{3}") && s.get("ort_p50_ms").matches("\\d+\\.\\d{3}"), s.toString());
        assertTrue(s.get("ratio").matches("\\d+\\.\\d{2}"), s.toString());
        assertFigures(s, "");
        assertFigures(s, "noopt_");
        assertEquals(String.valueOf(8 * 384), s.get("elems"), "last_hidden_state is 1 x 8 x 384");
        assertTrue(Double.parseDouble(s.get("cosine")) > 0.99, "octet/ort cosine: " + s);
        assertTrue(s.get("frac_gt_1e-2").matches(NUMBER) && s.get("frac_gt_1e-1").matches(NUMBER), s.toString());
        assertEquals("n/a", s.get("noise_max_abs_diff"));
        assertEquals("n/a", s.get("noise_diff_elems"));
        assertTrue(s.get("(printed)").contains("n/a: no float inputs to nudge"), s.get("(printed)"));
        assertEquals("1", s.get("octet_warmup"));
        assertEquals("1", s.get("ort_warmup"));
        assertEquals("2", s.get("octet_runs"));
        assertEquals("unknown", s.get("octet_settled"), "two timed runs are too few to judge");
        assertTrue(!s.containsKey("octet_again_p50_ms"), "no drift check unless asked");
    }

    @Test
    void floatInputsGetANoiseFloorAndTheDriftCheckTimesOctetTwice() throws Exception {
        String shared = System.getProperty("octet.shared.dir", "../shared");
        Path model = Path.of(shared, "testdata", "ort-quant", "conv_qdq_u8u8.onnx");
        Map<String, String> s = run(model.toString(), "--warmup", "1", "--max-warmup", "1", "--iters", "1",
            "--drift-check");
        assertEquals("conv_qdq_u8u8", s.get("model"));
        assertFigures(s, "noise_");
        assertTrue(s.get("noise_frac_gt_1e-2").matches(NUMBER), s.toString());
        assertTrue(s.get("octet_again_p50_ms").matches("\\d+\\.\\d{3}"), s.toString());
        assertTrue(s.get("(printed)").contains("octet again:"), s.get("(printed)"));
    }

    @Test
    void roundsTimeThePairOfBlocksAgainAndReportTheMedianRatio() throws Exception {
        String shared = System.getProperty("octet.shared.dir", "../shared");
        Path model = Path.of(shared, "testdata", "ort-quant", "conv_qdq_u8u8.onnx");
        Map<String, String> s = run(model.toString(), "--warmup", "1", "--max-warmup", "1", "--iters", "3",
            "--min-warmup-seconds", "0", "--rounds", "3");
        assertEquals("3", s.get("rounds"));
        String[] ratios = s.get("round_ratios").split(",");
        assertEquals(3, ratios.length, s.toString());
        String printed = s.get("(printed)");
        for (int round = 1; round <= 3; round++) {
            assertTrue(printed.contains("octet " + round + ":") && printed.contains("ort " + round + ":")
                && printed.contains("round " + round + ": ratio octet/ort (p50) " + ratios[round - 1]), printed);
        }
        java.util.Arrays.sort(ratios, java.util.Comparator.comparingDouble(Double::parseDouble));
        assertEquals(ratios[1], s.get("ratio"), "the median of the rounds' ratios: " + s);
        assertTrue(printed.contains("ratio octet/ort (p50, median of 3 rounds): " + ratios[1]), printed);
    }

    @Test
    void generatedCnnsRunByNameAtTheRequestedSize() throws Exception {
        Map<String, String> s = run("unet-dynamic", "--size", "16", "--warmup", "0", "--max-warmup", "0",
            "--iters", "1", "--min-warmup-seconds", "0");
        assertEquals("unet-dynamic-16", s.get("model"));
        assertEquals(String.valueOf(16 * 16), s.get("elems"), "the mask is 1 x 1 x 16 x 16");
        assertFigures(s, "");
        assertFigures(s, "noise_");
    }

    @Test
    void modelNamesAreOneWord() {
        assertEquals("mobilenetv2-qdq", VsOrt.modelName(Path.of("../shared/real/mobilenetv2-qdq/model.onnx")));
        assertEquals("conv_qdq_u8u8", VsOrt.modelName(Path.of("ort-quant/conv_qdq_u8u8.onnx")));
        assertEquals("my_model", VsOrt.modelName(Path.of("my model.onnx")));
    }
}
