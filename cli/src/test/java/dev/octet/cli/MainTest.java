package dev.octet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.onnx.OnnxModelBuilder;
import dev.octet.onnx.TensorProtos;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's contract: one-line typed errors and a non-zero status for bad input, outputs on success. */
class MainTest {
    @TempDir
    Path tmp;

    private record Outcome(int status, String out, String err) {}

    private static Outcome octet(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path addModel() throws Exception {
        return Cli.addModel(tmp);
    }

    private static void assertOneLineError(Outcome o, String expected) {
        assertEquals(1, o.status, o.err);
        assertTrue(o.err.contains(expected), o.err);
        assertEquals(1, o.err.strip().lines().count(), "one line, no stack trace: " + o.err);
    }

    @Test
    void randomBytesAreAnInvalidModel() throws Exception {
        byte[] junk = new byte[4096];
        new Random(7).nextBytes(junk);
        Path f = Files.write(tmp.resolve("junk.onnx"), junk);
        assertOneLineError(octet("inspect", f.toString()), "INVALID_MODEL");
    }

    @Test
    void truncatedModelIsAnInvalidModel() throws Exception {
        byte[] full = Files.readAllBytes(addModel());
        Path f = Files.write(tmp.resolve("cut.onnx"), java.util.Arrays.copyOf(full, full.length - 9));
        assertOneLineError(octet("run", f.toString()), "INVALID_MODEL");
    }

    @Test
    void unknownOperatorIsNamedAtLoad() throws Exception {
        Path f = new OnnxModelBuilder(17)
            .input("x", DataType.FLOAT, 2)
            .output("y", DataType.FLOAT, 2)
            .node("FrobnicateLinear", List.of("x"), List.of("y"))
            .write(tmp.resolve("unknown.onnx"));
        Outcome o = octet("inspect", f.toString());
        assertOneLineError(o, "UNSUPPORTED_OP");
        assertTrue(o.err.contains("FrobnicateLinear"), o.err);
    }

    @Test
    void wrongInputNameListsTheExpectedOnes() throws Exception {
        Path model = addModel();
        Path pb = tmp.resolve("in.pb");
        TensorProtos.write(Tensor.ofFloats(new float[3], 1, 3), "q", pb);
        Outcome o = octet("run", model.toString(), "--input", "q=" + pb);
        assertOneLineError(o, "unknown input name 'q', expected one of [x, y]");
    }

    @Test
    void verbosePrintsTheStackTrace() throws Exception {
        Path f = Files.write(tmp.resolve("junk.onnx"), new byte[] {(byte) 0xff, 0x01, 0x02});
        Outcome o = octet("--verbose", "inspect", f.toString());
        assertEquals(1, o.status);
        assertTrue(o.err.lines().count() > 1 && o.err.contains("\tat "), o.err);
    }

    @Test
    void runWritesOutputsAsTensorProtos() throws Exception {
        Path model = addModel();
        Path x = tmp.resolve("x.pb");
        TensorProtos.write(Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3), "x", x);
        Path outDir = tmp.resolve("out");
        Outcome o = octet("run", model.toString(), "--input", "x=" + x, "--input", "y=" + x,
            "--output-dir", outDir.toString());
        assertEquals(0, o.status, o.err);
        Tensor z = TensorProtos.read(outDir.resolve("z.pb"));
        assertEquals(List.of(2f, 4f, 6f, 8f, 10f, 12f), boxed(z.floats()));
        assertFalse(o.out.isEmpty());
    }

    @Test
    void validateEndsWithTheSummaryLineAndFailsOnErrors() throws Exception {
        Path dir = tmp.resolve("test_bad");
        Files.createDirectories(dir.resolve("test_data_set_0"));
        new OnnxModelBuilder(17).input("x", DataType.FLOAT, 1).output("y", DataType.FLOAT, 1)
            .node("Nope", List.of("x"), List.of("y")).write(dir.resolve("model.onnx"));
        Outcome o = octet("validate", dir.toString());
        assertEquals(1, o.status);
        List<String> lines = o.out.strip().lines().toList();
        assertTrue(lines.get(0).startsWith("ERROR test_bad"), o.out);
        assertEquals("onnx-tests: 0 passed, 0 failed, 1 errors", lines.get(lines.size() - 1));
        assertEquals(0, octet("validate", "--allow-failures", dir.toString()).status);
    }

    @Test
    void dimSizesTheNamedSymbol() throws Exception {
        Outcome o = octet("run", addModel().toString(), "--dim", "batch=4");
        assertEquals(0, o.status, o.err);
        assertTrue(o.out.contains("input x: generated FLOAT[4, 3]"), o.out);
    }

    @Test
    void unknownDimSymbolIsNamedWithTheModelsSymbols() throws Exception {
        String model = addModel().toString();
        Outcome o = octet("run", model, "--dim", "batch_size=2");
        assertOneLineError(o, "--dim batch_size=2: no input of the model has a dimension named 'batch_size'; "
            + "its symbols are [batch] [INVALID_INPUT]");
        Path fixed = new OnnxModelBuilder(17).input("x", DataType.FLOAT, 2).output("y", DataType.FLOAT, 2)
            .node("Relu", List.of("x"), List.of("y")).write(tmp.resolve("fixed.onnx"));
        assertOneLineError(octet("run", fixed.toString(), "--dim", "n=2"), "its inputs have no symbolic dimensions");
        assertOneLineError(octet("run", model, "--dim", "batch=1", "--dim", "batch=2"), "--dim gives 'batch' twice");
    }

    @Test
    void malformedDimIsAnInvalidInput() throws Exception {
        String model = addModel().toString();
        for (String bad : List.of("batch", "=3", "batch=", "batch=x", "batch=-1", "batch=1.5", "batch=99999999999")) {
            assertOneLineError(octet("run", model, "--dim", bad), "--dim takes SYMBOL=SIZE");
        }
    }

    private static List<Float> boxed(float[] v) {
        List<Float> r = new java.util.ArrayList<>();
        for (float f : v) {
            r.add(f);
        }
        return r;
    }
}
