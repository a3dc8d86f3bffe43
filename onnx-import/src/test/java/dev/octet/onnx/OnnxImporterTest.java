package dev.octet.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.onnx.proto.Onnx.ModelProto;
import dev.octet.onnx.proto.Onnx.StringStringEntryProto;
import dev.octet.onnx.proto.Onnx.TensorProto;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxImporterTest {
    @TempDir
    Path tmp;

    private static OctetException expectError(ErrorCode code, org.junit.jupiter.api.function.Executable e) {
        OctetException ex = assertThrows(OctetException.class, e);
        assertEquals(code, ex.code(), ex.getMessage());
        return ex;
    }

    /** y = x + w, where w is the given initializer proto. */
    private Path modelWithWeight(TensorProto w) throws Exception {
        return Files.write(tmp.resolve("model.onnx"), modelWithWeightBytes(w));
    }

    private static byte[] modelWithWeightBytes(TensorProto w) {
        ModelProto m = new OnnxModelBuilder(17)
            .input("x", DataType.FLOAT, 4).output("y", DataType.FLOAT, 4)
            .node("Add", List.of("x", "w"), List.of("y")).build();
        return m.toBuilder().setGraph(m.getGraph().toBuilder().addInitializer(w)).build().toByteArray();
    }

    private static TensorProto.Builder floatWeight(String name) {
        return TensorProto.newBuilder().setName(name).setDataType(1).addDims(4);
    }

    private static float[] run(Path model) {
        CompiledSession s = new CompiledSession(OnnxImporter.load(model));
        return s.run(Map.of("x", Tensor.ofFloats(new float[4], 4))).get("y").floats();
    }

    @Test
    void typedFieldsAndRawDataDecodeAlike() throws Exception {
        float[] typed = run(modelWithWeight(floatWeight("w").addFloatData(1).addFloatData(-2).addFloatData(3.5f)
            .addFloatData(0).build()));
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putFloat(1).putFloat(-2).putFloat(3.5f).putFloat(0);
        float[] raw = run(modelWithWeight(floatWeight("w").setRawData(ByteString.copyFrom(b.array())).build()));
        assertArrayEquals(new float[] {1, -2, 3.5f, 0}, typed);
        assertArrayEquals(typed, raw);
    }

    @Test
    void halfAndDoubleTensorsDecodeFromTheirTypedFieldsAndRawDataAlike() {
        // onnx.proto: float16 and bfloat16 keep their bit patterns in int32_data, doubles live in double_data.
        for (DataType type : List.of(DataType.FLOAT16, DataType.BFLOAT16)) {
            TensorProto typed = TensorProto.newBuilder().setName("h").setDataType(type.onnxCode()).addDims(3)
                .addInt32Data(0x3C00).addInt32Data(0xFBFF).addInt32Data(0x7E00).build();
            Tensor t = TensorProtos.toTensor(typed, null);
            assertEquals(type, t.type());
            assertArrayEquals(new short[] {0x3C00, (short) 0xFBFF, 0x7E00}, (short[]) t.data());
            Tensor raw = TensorProtos.toTensor(TensorProtos.toProto(t, "h"), null);
            assertArrayEquals((short[]) t.data(), (short[]) raw.data());
        }
        TensorProto doubles = TensorProto.newBuilder().setName("d").setDataType(DataType.DOUBLE.onnxCode()).addDims(2)
            .addDoubleData(0.1).addDoubleData(-1e300).build();
        Tensor d = TensorProtos.toTensor(doubles, null);
        assertArrayEquals(new double[] {0.1, -1e300}, d.doubles());
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).putDouble(-1e300);
        assertArrayEquals(b.array(), TensorProtos.rawBytes(d));
        assertArrayEquals(d.doubles(), TensorProtos.toTensor(TensorProtos.toProto(d, "d"), null).doubles());
        OctetException e = assertThrows(OctetException.class, () -> TensorProtos.toTensor(
            TensorProto.newBuilder().setDataType(DataType.DOUBLE.onnxCode()).addDims(2).addDoubleData(1).build(), null));
        assertEquals(ErrorCode.INVALID_MODEL, e.code());
    }

    @Test
    void externalDataIsReadRelativeToTheModel() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        b.putFloat(99).putFloat(99).putFloat(5).putFloat(6).putFloat(7).putFloat(8);
        Files.createDirectories(tmp.resolve("data"));
        Files.write(tmp.resolve("data/weights.bin"), b.array());
        TensorProto w = floatWeight("w").setDataLocation(TensorProto.DataLocation.EXTERNAL)
            .addExternalData(entry("location", "data/weights.bin")).addExternalData(entry("offset", "8"))
            .addExternalData(entry("length", "16")).build();
        assertArrayEquals(new float[] {5, 6, 7, 8}, run(modelWithWeight(w)));
    }

    @Test
    void aModelLoadsFromBytesAndStreamsAsFromItsFile() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putFloat(1).putFloat(-2).putFloat(3.5f).putFloat(0);
        Path file = modelWithWeight(floatWeight("w").setRawData(ByteString.copyFrom(b.array())).build());
        byte[] bytes = Files.readAllBytes(file);
        Map<String, Tensor> feed = Map.of("x", Tensor.ofFloats(new float[] {10, 20, 30, 40}, 4));
        float[] fromFile = new CompiledSession(OnnxImporter.load(file)).run(feed).get("y").floats();
        float[] fromBytes = new CompiledSession(OnnxImporter.load(bytes)).run(feed).get("y").floats();
        float[] fromStream = new CompiledSession(OnnxImporter.load(new ByteArrayInputStream(bytes))).run(feed)
            .get("y").floats();
        assertArrayEquals(new float[] {11, 18, 33.5f, 40}, fromFile);
        assertArrayEquals(fromFile, fromBytes);
        assertArrayEquals(fromFile, fromStream);
        // Exactly at the limit is fine; one byte more is not.
        OnnxImporter.load(new ByteArrayInputStream(bytes), bytes.length);
        OctetException e = expectError(ErrorCode.INVALID_MODEL,
            () -> OnnxImporter.load(new ByteArrayInputStream(bytes), bytes.length - 1));
        assertTrue(e.getMessage().contains("limit of " + (bytes.length - 1) + " bytes"), e.getMessage());
    }

    /**
     * An in-memory model's tensor data is read in place: the parse allocates next to nothing beyond the graph's own
     * copy of the weights (a parse that copied the raw data too allocated twice as much), and the graph does not
     * keep the caller's array.
     */
    @Test
    void anInMemoryModelsTensorDataIsNotCopiedTwice() {
        int n = 1 << 21;
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat(i % 7 - 3);
        }
        ModelProto m = new OnnxModelBuilder(17)
            .input("x", DataType.FLOAT, n).output("y", DataType.FLOAT, n)
            .node("Add", List.of("x", "w"), List.of("y")).build();
        byte[] bytes = m.toBuilder().setGraph(m.getGraph().toBuilder().addInitializer(floatWeight("w").setDims(0, n)
            .setRawData(ByteString.copyFrom(b.array())))).build().toByteArray();
        com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        Graph graph = OnnxImporter.load(bytes);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 4L * n * 3 / 2, "loading " + 4 * n + " bytes of weights allocated " + allocated);
        java.util.Arrays.fill(bytes, (byte) 0);
        float[] y = new CompiledSession(graph).run(Map.of("x", Tensor.ofFloats(new float[n], n))).get("y").floats();
        for (int i = 0; i < n; i += 4099) {
            assertEquals(i % 7 - 3, y[i], "y[" + i + "]");
        }
    }

    @Test
    void anEndlessStreamStopsAtTheLimit() {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 0;
            }
        };
        expectError(ErrorCode.INVALID_MODEL, () -> OnnxImporter.load(endless, 1 << 20));
    }

    @Test
    void garbageBytesAndFailingStreamsAreTypedErrors() {
        expectError(ErrorCode.INVALID_MODEL, () -> OnnxImporter.load(new byte[] {(byte) 0xff, 1, 2, 3}));
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("disk on fire");
            }
        };
        OctetException e = expectError(ErrorCode.IO, () -> OnnxImporter.load(failing));
        assertTrue(e.getMessage().contains("disk on fire"), e.getMessage());
    }

    @Test
    void anInMemoryModelCannotNameExternalData() throws Exception {
        Files.write(tmp.resolve("w.bin"), new byte[16]);
        TensorProto w = floatWeight("w").setDataLocation(TensorProto.DataLocation.EXTERNAL)
            .addExternalData(entry("location", "w.bin")).build();
        byte[] bytes = Files.readAllBytes(modelWithWeight(w));
        OctetException e = expectError(ErrorCode.INVALID_MODEL, () -> OnnxImporter.load(bytes));
        assertTrue(e.getMessage().contains("external data"), e.getMessage());
    }

    @Test
    void externalDataMayNotEscapeTheModelDirectory() throws Exception {
        for (String location : List.of("../secret.bin", "/etc/passwd", "data/../../x.bin")) {
            TensorProto w = floatWeight("w").setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", location)).build();
            Path model = modelWithWeight(w);
            OctetException e = expectError(ErrorCode.INVALID_MODEL, () -> OnnxImporter.load(model));
            assertTrue(e.getMessage().contains("escapes the model directory"), e.getMessage());
        }
    }

    private static TensorProto external(String location, String... offsetAndLength) {
        TensorProto.Builder w = floatWeight("w").setDataLocation(TensorProto.DataLocation.EXTERNAL)
            .addExternalData(entry("location", location));
        if (offsetAndLength.length > 0) {
            w.addExternalData(entry("offset", offsetAndLength[0]));
        }
        if (offsetAndLength.length > 1) {
            w.addExternalData(entry("length", offsetAndLength[1]));
        }
        return w.build();
    }

    /** Issue 13: the check compared names, so a link inside the folder read a file outside it. */
    @Test
    void externalDataThroughASymlinkMayNotLeaveTheModelDirectory() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.write(outside.resolve("secret.bin"), new byte[16]);
        Path modelDir = Files.createDirectories(tmp.resolve("model"));
        Files.createSymbolicLink(modelDir.resolve("w.bin"), outside.resolve("secret.bin"));
        Files.createSymbolicLink(modelDir.resolve("linked"), outside);
        for (String location : List.of("w.bin", "linked/secret.bin")) {
            Path model = Files.write(modelDir.resolve("model.onnx"), modelWithWeightBytes(external(location)));
            OctetException e = expectError(ErrorCode.INVALID_MODEL, () -> OnnxImporter.load(model));
            assertTrue(e.getMessage().contains("escapes the model directory"), e.getMessage());
        }
        // A link that stays inside the folder is fine.
        Files.write(modelDir.resolve("real.bin"), new byte[16]);
        Files.createSymbolicLink(modelDir.resolve("alias.bin"), modelDir.resolve("real.bin"));
        Path model = Files.write(modelDir.resolve("model.onnx"), modelWithWeightBytes(external("alias.bin")));
        assertArrayEquals(new float[4], run(model));
    }

    /** Issue 13: opening a FIFO blocked the load forever. */
    @Test
    void externalDataMustBeARegularFile() throws Exception {
        Path fifo = tmp.resolve("w.fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mkfifo.waitFor());
        Files.createDirectories(tmp.resolve("dir.bin"));
        for (String location : List.of("w.fifo", "dir.bin")) {
            Path model = modelWithWeight(external(location));
            OctetException e = assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
                () -> expectError(ErrorCode.INVALID_MODEL, () -> OnnxImporter.load(model)));
            assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        }
    }

    /** Issue 13: a NUL byte in the location escaped as InvalidPathException. */
    @Test
    void anInvalidLocationIsATypedError() throws Exception {
        Path model = modelWithWeight(external("w\0.bin"));
        OctetException e = expectError(ErrorCode.INVALID_MODEL, () -> OnnxImporter.load(model));
        assertTrue(e.getMessage().contains("not a valid path"), e.getMessage());
    }

    /** Issue 13: offset + length wrapped past Long.MAX_VALUE and slipped under the size check. */
    @Test
    void offsetsNearTheTopOfLongDoNotWrapPastTheSizeCheck() throws Exception {
        Files.write(tmp.resolve("w.bin"), new byte[16]);
        String nearMax = Long.toString(Long.MAX_VALUE - 7);
        OctetException e = expectError(ErrorCode.INVALID_MODEL,
            () -> OnnxImporter.load(modelWithWeight(external("w.bin", nearMax, "16"))));
        assertTrue(e.getMessage().contains("fewer than offset " + nearMax), e.getMessage());
        expectError(ErrorCode.INVALID_MODEL, () -> OnnxImporter.load(modelWithWeight(external("w.bin", "1", "16"))));
        expectError(ErrorCode.INVALID_MODEL, () -> OnnxImporter.load(modelWithWeight(external("w.bin", "0", "-16"))));
    }

    /** Issue 13: a 2 GiB external tensor in a tiny file was allocated (or overflowed int) before any size check. */
    @Test
    void aHugeExternalTensorIsRejectedBeforeAllocating() throws Exception {
        Files.write(tmp.resolve("w.bin"), new byte[16]);
        for (long elements : List.of(1L << 29, (1L << 28) + 1)) { // 2 GiB (past the array limit), 1 GiB + 4 bytes
            TensorProto w = TensorProto.newBuilder(external("w.bin", Long.toString(Long.MAX_VALUE - 100)))
                .setDims(0, elements).build();
            OctetException e = expectError(ErrorCode.INVALID_MODEL, () -> OnnxImporter.load(modelWithWeight(w)));
            assertTrue(e.getMessage().contains("external"), e.getMessage());
        }
    }

    @Test
    void externalDataShorterThanItsShapeIsRejected() throws Exception {
        Files.write(tmp.resolve("w.bin"), new byte[8]);
        TensorProto w = floatWeight("w").setDataLocation(TensorProto.DataLocation.EXTERNAL)
            .addExternalData(entry("location", "w.bin")).build();
        Path model = modelWithWeight(w);
        expectError(ErrorCode.INVALID_MODEL, () -> OnnxImporter.load(model));
    }

    @Test
    void rawDataOfTheWrongSizeIsRejected() throws Exception {
        Path model = modelWithWeight(floatWeight("w").setRawData(ByteString.copyFrom(new byte[15])).build());
        OctetException e = expectError(ErrorCode.INVALID_MODEL, () -> OnnxImporter.load(model));
        assertTrue(e.getMessage().contains("tensor 'w'"), e.getMessage());
    }

    @Test
    void unsupportedElementTypeIsNamedAtLoad() throws Exception {
        Path model = modelWithWeight(TensorProto.newBuilder().setName("w").setDataType(4).addDims(4)
            .setRawData(ByteString.copyFrom(new byte[8])).build());
        OctetException e = expectError(ErrorCode.UNSUPPORTED_TYPE, () -> OnnxImporter.load(model));
        assertTrue(e.getMessage().contains("UINT16") && e.getMessage().contains("'w'"), e.getMessage());
    }

    @Test
    void absurdDimensionsAreRejected() throws Exception {
        Path model = modelWithWeight(TensorProto.newBuilder().setName("w").setDataType(1).addDims(1L << 40).build());
        expectError(ErrorCode.INVALID_MODEL, () -> OnnxImporter.load(model));
        Path huge = modelWithWeight(TensorProto.newBuilder().setName("w").setDataType(1).addDims(1 << 20)
            .addDims(1 << 20).build());
        expectError(ErrorCode.INVALID_MODEL, () -> OnnxImporter.load(huge));
    }

    @Test
    void symbolicDimensionsAreKeptAndBoundConsistently() throws Exception {
        Path f = new OnnxModelBuilder(17)
            .input("a", DataType.FLOAT, "batch", 2).input("b", DataType.FLOAT, "batch", 2)
            .output("c", DataType.FLOAT, "batch", 2)
            .node("Add", List.of("a", "b"), List.of("c")).write(tmp.resolve("sym.onnx"));
        Graph g = OnnxImporter.load(f);
        assertEquals(List.of(Dim.symbol("batch"), Dim.of(2)), g.inputs().get(0).shape());
        CompiledSession s = new CompiledSession(g);
        Tensor three = Tensor.ofFloats(new float[6], 3, 2);
        assertEquals(3, s.run(Map.of("a", three, "b", three)).get("c").dim(0));
        OctetException e = expectError(ErrorCode.INVALID_INPUT,
            () -> s.run(Map.of("a", three, "b", Tensor.ofFloats(new float[4], 2, 2))));
        assertTrue(e.getMessage().contains("'batch'"), e.getMessage());
        expectError(ErrorCode.INVALID_INPUT, () -> s.run(Map.of("a", three)));
        expectError(ErrorCode.INVALID_INPUT,
            () -> s.run(Map.of("a", three, "b", Tensor.ofInts(new int[6], 3, 2))));
    }

    /** An If node: y = c ? -x : x, both branches reading x from the outer graph. */
    private static OnnxModelBuilder ifModel(dev.octet.onnx.proto.Onnx.GraphProto then,
                                            dev.octet.onnx.proto.Onnx.GraphProto otherwise) {
        return new OnnxModelBuilder(17).input("c", DataType.BOOL).input("x", DataType.FLOAT, 2)
            .output("y", DataType.FLOAT, 2)
            .node("If", List.of("c"), List.of("y"), "then_branch", then, "else_branch", otherwise);
    }

    private static dev.octet.onnx.proto.Onnx.GraphProto branch(String op, String in, String out) {
        return new OnnxModelBuilder(17).output(out, DataType.FLOAT, 2).node(op, List.of(in), List.of(out)).build()
            .getGraph();
    }

    @Test
    void subgraphsReadOuterValuesByName() throws Exception {
        Path model = ifModel(branch("Neg", "x", "t"), branch("Identity", "x", "e")).write(tmp.resolve("if.onnx"));
        try (CompiledSession s = new CompiledSession(OnnxImporter.load(model))) {
            Tensor x = Tensor.ofFloats(new float[] {1, -2}, 2);
            assertArrayEquals(new float[] {-1, 2}, s.run(Map.of("c", Tensor.ofBools(new boolean[] {true}), "x", x))
                .get("y").floats());
            assertArrayEquals(new float[] {1, -2}, s.run(Map.of("c", Tensor.ofBools(new boolean[] {false}), "x", x))
                .get("y").floats());
        }
        Path ghost = ifModel(branch("Neg", "ghost", "t"), branch("Identity", "x", "e")).write(tmp.resolve("g.onnx"));
        OctetException e = expectError(ErrorCode.INVALID_GRAPH, () -> new CompiledSession(OnnxImporter.load(ghost)));
        assertTrue(e.getMessage().contains("'ghost'") && e.getMessage().contains("If_0"), e.getMessage());
    }

    @Test
    void subgraphNestingIsBounded() {
        dev.octet.onnx.proto.Onnx.GraphProto g = branch("Identity", "x", "y");
        for (int depth = 0; depth < OnnxImporter.MAX_SUBGRAPH_DEPTH + 1; depth++) {
            g = ifModel(g, branch("Identity", "x", "e")).build().getGraph();
        }
        byte[] tooDeep = new OnnxModelBuilder(17).build().toBuilder().setGraph(g).build().toByteArray();
        OctetException e = expectError(ErrorCode.INVALID_MODEL, () -> OnnxImporter.load(tooDeep));
        assertTrue(e.getMessage().contains("nest more than " + OnnxImporter.MAX_SUBGRAPH_DEPTH), e.getMessage());
        byte[] deepEnough = new OnnxModelBuilder(17).build().toBuilder().setGraph(g.getNode(0).getAttribute(0).getG())
            .build().toByteArray();
        OnnxImporter.load(deepEnough);
    }

    @Test
    void graphErrorsNameTheNode() throws Exception {
        Path undefined = new OnnxModelBuilder(17).input("x", DataType.FLOAT, 1).output("y", DataType.FLOAT, 1)
            .node("Add", List.of("x", "ghost"), List.of("y")).write(tmp.resolve("u.onnx"));
        OctetException e = expectError(ErrorCode.INVALID_GRAPH, () -> new CompiledSession(OnnxImporter.load(undefined)));
        assertTrue(e.getMessage().contains("'ghost'") && e.getMessage().contains("Add_0"), e.getMessage());

        Path cycle = new OnnxModelBuilder(17).input("x", DataType.FLOAT, 1).output("y", DataType.FLOAT, 1)
            .node("Add", List.of("x", "b"), List.of("a")).node("Relu", List.of("a"), List.of("b"))
            .node("Relu", List.of("a"), List.of("y")).write(tmp.resolve("c.onnx"));
        e = expectError(ErrorCode.INVALID_GRAPH, () -> new CompiledSession(OnnxImporter.load(cycle)));
        assertTrue(e.getMessage().contains("cycle"), e.getMessage());

        Path twice = new OnnxModelBuilder(17).input("x", DataType.FLOAT, 1).output("y", DataType.FLOAT, 1)
            .node("Relu", List.of("x"), List.of("y")).node("Neg", List.of("x"), List.of("y")).write(tmp.resolve("t.onnx"));
        expectError(ErrorCode.INVALID_GRAPH, () -> new CompiledSession(OnnxImporter.load(twice)));
    }

    @Test
    void unsupportedOpsetsAndDomainsAreRejected() throws Exception {
        Path future = new OnnxModelBuilder(99).input("x", DataType.FLOAT, 1).output("y", DataType.FLOAT, 1)
            .node("Relu", List.of("x"), List.of("y")).write(tmp.resolve("f.onnx"));
        OctetException e = expectError(ErrorCode.UNSUPPORTED_OPSET, () -> new CompiledSession(OnnxImporter.load(future)));
        assertTrue(e.getMessage().contains("99"), e.getMessage());

        Path tooOld = new OnnxModelBuilder(9).input("x", DataType.FLOAT, 1).output("y", DataType.UINT8, 1)
            .initializer("s", Tensor.ofFloats(new float[] {1f}))
            .node("QuantizeLinear", List.of("x", "s"), List.of("y")).write(tmp.resolve("o.onnx"));
        e = expectError(ErrorCode.UNSUPPORTED_OPSET, () -> new CompiledSession(OnnxImporter.load(tooOld)));
        assertTrue(e.getMessage().contains("QuantizeLinear") && e.getMessage().contains("opset 9"), e.getMessage());

        Path internal = new OnnxModelBuilder(17).input("x", DataType.FLOAT, 1).output("y", DataType.FLOAT, 1)
            .node("dev.octet", "QLinearConv", List.of("x"), List.of("y")).write(tmp.resolve("i.onnx"));
        expectError(ErrorCode.UNSUPPORTED_OP, () -> new CompiledSession(OnnxImporter.load(internal)));
    }

    @Test
    void badAttributesFailAtLoadNotAtRun() throws Exception {
        Path f = new OnnxModelBuilder(17).input("x", DataType.FLOAT, 1, 1, 4, 4).output("y", DataType.FLOAT, 1, 1, 2, 2)
            .node("MaxPool", List.of("x"), List.of("y"), "kernel_shape", new int[] {2, 2}, "auto_pad", "SIDEWAYS")
            .write(tmp.resolve("p.onnx"));
        OctetException e = expectError(ErrorCode.INVALID_GRAPH, () -> new CompiledSession(OnnxImporter.load(f)));
        assertTrue(e.getMessage().contains("SIDEWAYS"), e.getMessage());
    }

    private static StringStringEntryProto entry(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }
}
