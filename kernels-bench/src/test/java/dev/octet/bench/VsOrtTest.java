package dev.octet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The benchmark end to end on the bundled MiniLM, kept small (seq 8, two timed runs) so it takes seconds. */
class VsOrtTest {
    private static final Pattern LINE = Pattern.compile("vs-ort: model=minilm batch=1 seq=8 threads=1"
        + " octet_p50_ms=\\d+\\.\\d{3} ort_p50_ms=\\d+\\.\\d{3} ratio=\\d+\\.\\d{2} max_abs_diff=\\d+\\.\\d{6}"
        + " cosine=(\\d\\.\\d{6}) ort_self_cosine=(\\d\\.\\d{6})");

    @Test
    void minilmSummaryLine() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        String line = VsOrt.run(VsOrt.Args.parse("minilm", "--batch", "1", "--seq", "8", "--threads", "1",
            "--warmup", "1", "--iters", "2"), out);

        String[] printed = buffer.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(line, printed[printed.length - 1], "the summary is the last line printed");
        Matcher m = LINE.matcher(line);
        assertTrue(m.matches(), "unexpected summary line: " + line);
        assertTrue(Double.parseDouble(m.group(1)) > 0.9, "octet/ort cosine: " + line);
        assertTrue(Double.parseDouble(m.group(2)) > 0.9, "ort self cosine: " + line);
    }

    @Test
    void modelNamesAreOneWord() {
        assertEquals("mobilenetv2-qdq", VsOrt.modelName(java.nio.file.Path.of("../shared/real/mobilenetv2-qdq/model.onnx")));
        assertEquals("conv_qdq_u8u8", VsOrt.modelName(java.nio.file.Path.of("ort-quant/conv_qdq_u8u8.onnx")));
        assertEquals("my_model", VsOrt.modelName(java.nio.file.Path.of("my model.onnx")));
    }
}
