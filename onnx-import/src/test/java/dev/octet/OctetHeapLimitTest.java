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

/** A model larger than the heap: {@link Octet#load} ends in RESOURCE_LIMIT naming the heap, never an OutOfMemoryError. */
class OctetHeapLimitTest {
    /** Loads the model at args[0] and prints the outcome: run in a JVM whose heap is too small for it. */
    public static void main(String[] args) {
        try (InferenceSession s = Octet.load(Path.of(args[0]))) {
            System.out.println("loaded " + s.inputs());
        } catch (OctetException e) {
            System.out.println("error " + e.code() + ": " + e.getMessage());
        }
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
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx24m",
            "-cp", System.getProperty("java.class.path"), OctetHeapLimitTest.class.getName(), model.toString())
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the forked JVM did not finish");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("error RESOURCE_LIMIT: the model does not fit in the Java heap (at most"), out);
        assertTrue(out.contains("-Xmx"), out);
    }
}
