package dev.octet.cli;

import static dev.octet.cli.Cli.octet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.DataType;
import dev.octet.cli.Cli.Outcome;
import dev.octet.onnx.OnnxModelBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress lines: when they are due, what they say, and that commands print none unless asked. */
class ProgressTest {
    @TempDir
    Path tmp;

    private static final long S = 1_000_000_000L;

    @Test
    void firstLineAfterTwoSecondsThenOnePerInterval() {
        AtomicLong now = new AtomicLong(100 * S);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(err, true, StandardCharsets.UTF_8), "bench", 5 * S, now::get);
        AtomicInteger asked = new AtomicInteger();
        for (long t : new long[] {1, 2, 3, 6, 7, 11, 12}) {
            now.set((100 + t) * S);
            p.update(() -> "at " + asked.incrementAndGet());
        }
        assertEquals(List.of("octet bench: at 1 (2 s)", "octet bench: at 2 (7 s)", "octet bench: at 3 (12 s)"),
            err.toString(StandardCharsets.UTF_8).lines().toList());
        assertEquals(3, asked.get(), "the text is only made for lines that are printed");
        Progress.OFF.update(() -> {
            throw new AssertionError("OFF never asks");
        });
    }

    private Path badTest() throws Exception {
        Path dir = tmp.resolve("test_bad");
        Files.createDirectories(dir.resolve("test_data_set_0"));
        new OnnxModelBuilder(17).input("x", DataType.FLOAT, 1).output("y", DataType.FLOAT, 1)
            .node("Nope", List.of("x"), List.of("y")).write(dir.resolve("model.onnx"));
        return dir;
    }

    @Test
    void commandsReportOnlyWhenAsked() throws Exception {
        String dir = badTest().toString();
        Outcome quiet = octet("validate", dir);
        assertEquals("", quiet.err());
        Outcome o = octet("--progress", "--progress-every", "0", "validate", dir);
        assertEquals(1, o.status());
        assertTrue(o.err().startsWith("octet validate: 1 of 1 tests: 0 passed, 0 failed, 1 errors ("), o.err());

        Path model = new OnnxModelBuilder(17).input("x", DataType.FLOAT, 4).output("y", DataType.FLOAT, 4)
            .node("Relu", List.of("x"), List.of("y")).write(tmp.resolve("relu.onnx"));
        o = octet("--progress", "--progress-every", "0", "bench", model.toString(), "--warmup", "2", "--max-warmup", "2",
            "--iters", "2");
        assertEquals(0, o.status(), o.err());
        List<String> lines = o.err().lines().map(l -> l.replaceAll(", last [0-9.]+ ms", "").replaceAll(" \\(\\d+ s\\)$", ""))
            .toList();
        assertEquals(List.of("octet bench: warming up, 1 runs", "octet bench: warming up, 2 runs",
            "octet bench: timed run 1 of 2", "octet bench: timed run 2 of 2"), lines);
        o = octet("--progress", "--progress-every", "0", "profile", model.toString(), "--warmup", "1", "--max-warmup", "1",
            "--iters", "1");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.err().contains("octet profile: warming up, 1 runs") && o.err().contains("octet profile: timed run 1 of 1"),
            o.err());
        assertEquals("", octet("bench", model.toString(), "--warmup", "0", "--max-warmup", "0", "--iters", "1").err());
        assertEquals(1, octet("--progress", "--progress-every", "-1", "validate", dir).status());
    }
}
