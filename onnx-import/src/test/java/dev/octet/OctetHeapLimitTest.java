package dev.octet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.DataType;
import dev.octet.api.InferenceSession;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.onnx.OnnxModelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model larger than the heap, or a run whose tensors outgrow it: RESOURCE_LIMIT naming the heap, never an
 * OutOfMemoryError.
 */
class OctetHeapLimitTest {
    /**
     * Loads the model at args[0] (and with a second argument N runs it, expanding x to N elements) and prints the
     * outcome: run in a JVM whose heap is too small.
     */
    public static void main(String[] args) {
        try (InferenceSession s = Octet.load(Path.of(args[0]))) {
            System.out.println("loaded " + s.inputs());
            if (args.length > 1) {
                s.run(java.util.Map.of("x", Tensor.ofFloats(new float[] {1}, 1),
                    "shape", Tensor.ofLongs(new long[] {Long.parseLong(args[1])}, 1)));
                System.out.println("ran");
            }
        } catch (OctetException e) {
            System.out.println("error " + e.code() + ": " + e.getMessage());
        }
    }

    private static String fork(Path model, String... more) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString(), "-Xmx24m", "-cp", System.getProperty("java.class.path"), OctetHeapLimitTest.class.getName(),
            model.toString()));
        command.addAll(List.of(more));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the forked JVM did not finish");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /**
     * Each tensor fits (5 M floats, 20 MB, under the 24 MB heap's per-tensor limit), but the second one does not fit
     * beside the first: the step that runs out of heap ends the run with RESOURCE_LIMIT naming it.
     */
    @Test
    void aRunWhoseTensorsOutgrowTheHeapIsAResourceLimitError(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("growing.onnx");
        Files.write(model, new OnnxModelBuilder(13)
            .input("x", DataType.FLOAT, 1).input("shape", DataType.INT64, 1).output("y", DataType.FLOAT, "n")
            .node("Expand", List.of("x", "shape"), List.of("big"))
            .node("Add", List.of("big", "big"), List.of("y"))
            .toBytes());
        String out = fork(model, "1000");
        assertTrue(out.contains("ran"), out);
        out = fork(model, "5000000");
        assertTrue(out.contains("error RESOURCE_LIMIT: ") && out.contains("do not fit in the Java heap (at most"), out);
    }

    @Test
    void aModelLargerThanTheHeapIsAResourceLimitError(@TempDir Path dir) throws Exception {
        // 4096 x 2048 float weights: 32 MB, in a 24 MB heap.
        Path model = dir.resolve("large.onnx");
        Files.write(model, new OnnxModelBuilder(13)
            .input("x", DataType.FLOAT, 1, 4096).output("y", DataType.FLOAT, 1, 2048)
            .initializer("w", Tensor.ofFloats(new float[4096 * 2048], 4096, 2048))
            .node("MatMul", List.of("x", "w"), List.of("y"))
            .toBytes());
        String out = fork(model);
        assertTrue(out.contains("error RESOURCE_LIMIT: the model does not fit in the Java heap (at most"), out);
        assertTrue(out.contains("-Xmx"), out);
    }
}
