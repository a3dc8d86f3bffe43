package dev.octet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.DataType;
import dev.octet.api.Dimension;
import dev.octet.api.ErrorCode;
import dev.octet.api.InferenceSession;
import dev.octet.api.OctetException;
import dev.octet.api.SessionOptions;
import dev.octet.api.StepTiming;
import dev.octet.api.Tensor;
import dev.octet.api.TensorInfo;
import dev.octet.exec.CompiledSession;
import dev.octet.onnx.OnnxImporter;
import dev.octet.onnx.OnnxModelBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The front door: every form of {@link Octet#load} gives the session the importer and the engine give. */
class OctetTest {
    @TempDir
    Path tmp;

    /** y = Relu(x W + b) with x [batch, 3]: a symbolic dimension, an initializer, a fusable MatMul + Add. */
    private static byte[] denseRelu() {
        return new OnnxModelBuilder(17)
            .input("x", DataType.FLOAT, "batch", 3).output("y", DataType.FLOAT, "batch", 2)
            .initializer("w", Tensor.ofFloats(new float[] {1, -2, 0.5f, 3, -1, 0.25f}, 3, 2))
            .initializer("b", Tensor.ofFloats(new float[] {0.5f, -4}, 2))
            .node("MatMul", List.of("x", "w"), List.of("xw"))
            .node("Add", List.of("xw", "b"), List.of("xwb"))
            .node("Relu", List.of("xwb"), List.of("y"))
            .toBytes();
    }

    private static final Map<String, Tensor> FEED = Map.of("x", Tensor.ofFloats(
        new float[] {1, 2, 3, -1, 0.5f, 4, 0, 0, 1}, 3, 3));

    private static float[] reference(byte[] model) {
        try (CompiledSession s = new CompiledSession(OnnxImporter.load(model))) {
            return s.run(FEED).get("y").floats();
        }
    }

    private static OctetException expectError(ErrorCode code, org.junit.jupiter.api.function.Executable e) {
        OctetException ex = assertThrows(OctetException.class, e);
        assertEquals(code, ex.code(), ex.getMessage());
        return ex;
    }

    /** The three sources of one model, each with and without options. */
    private List<Function<byte[], InferenceSession>> loaders(SessionOptions options) {
        return List.of(
            bytes -> Octet.load(write(bytes)),
            bytes -> Octet.load(write(bytes), options),
            Octet::load,
            bytes -> Octet.load(bytes, options),
            bytes -> Octet.load(new ByteArrayInputStream(bytes)),
            bytes -> Octet.load(new ByteArrayInputStream(bytes), options));
    }

    /** The loads that take these options (the others use the defaults). */
    private List<Function<byte[], InferenceSession>> loadersWith(SessionOptions options) {
        return List.of(
            bytes -> Octet.load(write(bytes), options),
            bytes -> Octet.load(bytes, options),
            bytes -> Octet.load(new ByteArrayInputStream(bytes), options));
    }

    private Path write(byte[] bytes) {
        try {
            return Files.write(Files.createTempFile(tmp, "model", ".onnx"), bytes);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void everyLoadGivesTheOutputsOfTheImporterAndEngine() {
        byte[] model = denseRelu();
        float[] expected = reference(model);
        // Hand-checked: row 0 is Relu([1 + 1 - 3 + 0.5, -2 + 6 + 0.75 - 4]) = [0, 0.75].
        assertArrayEquals(new float[] {0, 0.75f}, java.util.Arrays.copyOf(expected, 2));
        for (var load : loaders(SessionOptions.builder().threads(2).build())) {
            try (InferenceSession s = load.apply(model)) {
                Map<String, Tensor> out = s.run(FEED);
                assertEquals(List.of("y"), List.copyOf(out.keySet()));
                assertArrayEquals(new int[] {3, 2}, out.get("y").shape());
                assertArrayEquals(expected, out.get("y").floats());
            }
        }
    }

    @Test
    void optionsReachTheSession() {
        SessionOptions options = SessionOptions.builder().threads(2).provider("scalar").build();
        try (InferenceSession s = Octet.load(denseRelu(), options)) {
            assertEquals(options, s.options());
            assertEquals("scalar", s.kernelDescription());
            assertFalse(s.kernelsWarming(), "scalar kernels have no warm-up");
        }
    }

    @Test
    void metadataUsesPublicTypesWithSymbolicAndInferredDimensions() {
        try (InferenceSession s = Octet.load(denseRelu())) {
            assertEquals(List.of(new TensorInfo("x", DataType.FLOAT, List.of(Dimension.symbolic("batch"),
                Dimension.fixed(3)))), s.inputs());
            assertEquals(List.of(new TensorInfo("y", DataType.FLOAT, List.of(Dimension.symbolic("batch"),
                Dimension.fixed(2)))), s.outputs());
            assertEquals("x: float[batch,3]", s.inputs().getFirst().toString());
        }
    }

    @Test
    void theProfilingHookReportsEveryStepInOrder() {
        try (InferenceSession s = Octet.load(denseRelu(), SessionOptions.builder().graphOptimizations(false).build())) {
            List<StepTiming> steps = new ArrayList<>();
            float[] y = s.run(FEED, steps::add).get("y").floats();
            assertArrayEquals(reference(denseRelu()), y);
            assertEquals(List.of("MatMul", "Add", "Relu"), steps.stream().map(StepTiming::opType).toList());
            for (int i = 0; i < steps.size(); i++) {
                assertEquals(i, steps.get(i).index());
                assertTrue(steps.get(i).nanos() >= 0);
                assertTrue(steps.get(i).description().contains(steps.get(i).opType()), steps.get(i).description());
            }
            expectError(ErrorCode.INVALID_INPUT, () -> s.run(FEED, null));
        }
    }

    @Test
    void aMissingFileIsAnIoError() {
        Path missing = tmp.resolve("missing.onnx");
        OctetException e = expectError(ErrorCode.IO, () -> Octet.load(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        expectError(ErrorCode.IO, () -> Octet.load(tmp, SessionOptions.DEFAULTS));
    }

    @Test
    void malformedBytesAreAnInvalidModelThroughEveryLoad() {
        byte[] garbage = "this is not an ONNX model, it is text".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (var load : loaders(SessionOptions.DEFAULTS)) {
            expectError(ErrorCode.INVALID_MODEL, () -> load.apply(garbage));
            expectError(ErrorCode.INVALID_MODEL, () -> load.apply(new byte[0]));
            // Valid protobuf, cut in the middle of the graph.
            byte[] model = denseRelu();
            expectError(ErrorCode.INVALID_MODEL, () -> load.apply(java.util.Arrays.copyOf(model, model.length / 2)));
        }
    }

    @Test
    void anUnsupportedOperatorIsTypedThroughEveryLoad() {
        byte[] model = new OnnxModelBuilder(17).input("x", DataType.FLOAT, 2).output("y", DataType.FLOAT, 2)
            .node("NoSuchOp", List.of("x"), List.of("y")).toBytes();
        for (var load : loaders(SessionOptions.DEFAULTS)) {
            OctetException e = expectError(ErrorCode.UNSUPPORTED_OP, () -> load.apply(model));
            assertTrue(e.getMessage().contains("NoSuchOp"), e.getMessage());
        }
    }

    /** Initializers are held to the session's tensor limit while the model is read, before they are decoded. */
    @Test
    void anInitializerOverTheTensorLimitIsARefusedLoad() {
        SessionOptions fiveElements = SessionOptions.builder().maxTensorElements(5).build();
        for (var load : loadersWith(fiveElements)) {
            OctetException e = expectError(ErrorCode.RESOURCE_LIMIT, () -> load.apply(denseRelu()));
            assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("6 elements")
                && e.getMessage().contains("maxTensorElements"), e.getMessage());
        }
        // The largest tensor is the 3x3 input.
        SessionOptions nineElements = SessionOptions.builder().maxTensorElements(9).build();
        for (var load : loadersWith(nineElements)) {
            try (InferenceSession s = load.apply(denseRelu())) {
                assertArrayEquals(reference(denseRelu()), s.run(FEED).get("y").floats());
            }
        }
    }

    @Test
    void aFailingStreamIsAnIoError() {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("disk on fire");
            }
        };
        OctetException e = expectError(ErrorCode.IO, () -> Octet.load(failing));
        assertTrue(e.getMessage().contains("disk on fire"), e.getMessage());
    }

    @Test
    void nullArgumentsAreInvalidInputs() {
        expectError(ErrorCode.INVALID_INPUT, () -> Octet.load((Path) null));
        expectError(ErrorCode.INVALID_INPUT, () -> Octet.load((byte[]) null));
        expectError(ErrorCode.INVALID_INPUT, () -> Octet.load((InputStream) null));
        expectError(ErrorCode.INVALID_INPUT, () -> Octet.load(denseRelu(), null));
    }
}
