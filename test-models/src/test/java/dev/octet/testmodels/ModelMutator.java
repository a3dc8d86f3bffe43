package dev.octet.testmodels;

import dev.octet.onnx.proto.Onnx.AttributeProto;
import dev.octet.onnx.proto.Onnx.GraphProto;
import dev.octet.onnx.proto.Onnx.ModelProto;
import dev.octet.onnx.proto.Onnx.NodeProto;
import dev.octet.onnx.proto.Onnx.OperatorSetIdProto;
import dev.octet.onnx.proto.Onnx.StringStringEntryProto;
import dev.octet.onnx.proto.Onnx.TensorProto;
import dev.octet.onnx.proto.Onnx.TensorShapeProto;
import dev.octet.onnx.proto.Onnx.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded mutations of an ONNX model for {@link ModelFuzzer}: byte-level damage (bit flips, truncation, splices),
 * protobuf fields deleted or inserted, extreme dimensions and attribute values, wrong element and attribute types,
 * and hostile external data (locations that leave the model's folder, NUL bytes, FIFOs, symlinks, directories,
 * offsets and lengths near 2^63). The same generator state gives the same mutant.
 */
final class ModelMutator {
    enum Kind { BIT_FLIP, TRUNCATE, BYTE_SPLICE, FIELD_DELETE, FIELD_INSERT, EXTREME_VALUES, WRONG_TYPES, HOSTILE_EXTERNAL_DATA }

    /** A model to mutate: its parsed form, its bytes, and the files that sit beside it. */
    record Seed(String name, ModelProto model, byte[] bytes, List<Path> sideFiles) {}

    /**
     * One mutant, written to its case folder. {@code mustRefuse} names why loading it has to fail (external
     * data outside the folder), null when success is acceptable; {@code fifo} is a FIFO the model names, which
     * the fuzzer opens for writing to release a reader stuck on it.
     */
    record Mutant(Kind kind, String description, Path modelFile, String mustRefuse, Path fifo) {}

    /** Values that break size arithmetic: zero, negatives, int and long limits, sizes that exhaust memory. */
    private static final long[] EXTREME = {0, -1, -2, 1, 2, 3, 46_000, 65_535, 1L << 20, Integer.MAX_VALUE,
        Integer.MIN_VALUE, 1L << 31, 1L << 32, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 7};
    private static final float[] EXTREME_FLOATS = {0f, -1f, 11_000f, 1e30f, Float.NaN, Float.POSITIVE_INFINITY,
        -Float.MAX_VALUE, Float.MIN_VALUE};
    private static final String[] ATTRIBUTE_NAMES = {"axis", "axes", "perm", "pads", "strides", "kernel_shape",
        "dilations", "group", "keepdims", "transA", "transB", "alpha", "beta", "epsilon", "mode", "to", "value",
        "shape", "starts", "ends", "split", "num_outputs", "blocksize", "auto_pad", "ceil_mode", "count_include_pad"};

    private final Path root;

    /** {@code root} holds the case folders and the files external data may try to reach outside them. */
    ModelMutator(Path root) throws IOException {
        this.root = root;
        Files.write(root.resolve("outside.bin"), new byte[1 << 16]);
    }

    Mutant mutate(Seed seed, SplittableRandom r, Path caseDir) throws IOException {
        Files.createDirectories(caseDir);
        for (Path side : seed.sideFiles()) {
            Files.copy(side, caseDir.resolve(side.getFileName()));
        }
        Kind kind = Kind.values()[r.nextInt(Kind.values().length)];
        Path modelFile = caseDir.resolve("model.onnx");
        StringBuilder what = new StringBuilder();
        byte[] bytes;
        String mustRefuse = null;
        Path fifo = null;
        switch (kind) {
            case BIT_FLIP -> bytes = flipBits(seed.bytes(), r, what);
            case TRUNCATE -> {
                int keep = r.nextInt(seed.bytes().length);
                what.append("keep ").append(keep).append(" of ").append(seed.bytes().length).append(" bytes");
                bytes = Arrays.copyOf(seed.bytes(), keep);
            }
            case BYTE_SPLICE -> bytes = splice(seed.bytes(), r, what);
            case HOSTILE_EXTERNAL_DATA -> {
                ExternalData e = hostileExternalData(seed.model(), r, caseDir, what);
                bytes = e.model().toByteArray();
                mustRefuse = e.mustRefuse();
                fifo = e.fifo();
            }
            default -> {
                ModelProto.Builder m = seed.model().toBuilder();
                GraphProto.Builder g = m.getGraphBuilder();
                switch (kind) {
                    case FIELD_DELETE -> deleteField(m, g, r, what);
                    case FIELD_INSERT -> insertField(m, g, r, what);
                    case EXTREME_VALUES -> extremeValue(g, r, what);
                    case WRONG_TYPES -> wrongType(g, r, what);
                    default -> throw new AssertionError(kind);
                }
                bytes = m.build().toByteArray();
            }
        }
        Files.write(modelFile, bytes);
        return new Mutant(kind, what.toString(), modelFile, mustRefuse, fifo);
    }

    private static byte[] flipBits(byte[] in, SplittableRandom r, StringBuilder what) {
        byte[] out = in.clone();
        int flips = 1 + r.nextInt(16);
        what.append(flips).append(" bit flips");
        for (int i = 0; i < flips; i++) {
            out[r.nextInt(out.length)] ^= (byte) (1 << r.nextInt(8));
        }
        return out;
    }

    /** Deletes a range, inserts random bytes, or overwrites a run with 0x00 / 0xff / 0x80. */
    private static byte[] splice(byte[] in, SplittableRandom r, StringBuilder what) {
        int at = r.nextInt(in.length);
        int len = 1 + r.nextInt(Math.min(64, in.length - at));
        switch (r.nextInt(3)) {
            case 0 -> {
                what.append("delete ").append(len).append(" bytes at ").append(at);
                byte[] out = new byte[in.length - len];
                System.arraycopy(in, 0, out, 0, at);
                System.arraycopy(in, at + len, out, at, in.length - at - len);
                return out;
            }
            case 1 -> {
                what.append("insert ").append(len).append(" random bytes at ").append(at);
                byte[] out = new byte[in.length + len];
                System.arraycopy(in, 0, out, 0, at);
                for (int i = 0; i < len; i++) {
                    out[at + i] = (byte) r.nextInt(256);
                }
                System.arraycopy(in, at, out, at + len, in.length - at);
                return out;
            }
            default -> {
                byte fill = new byte[] {0, (byte) 0xff, (byte) 0x80}[r.nextInt(3)];
                what.append("overwrite ").append(len).append(" bytes at ").append(at).append(" with ").append(fill);
                byte[] out = in.clone();
                Arrays.fill(out, at, at + len, fill);
                return out;
            }
        }
    }

    private static void deleteField(ModelProto.Builder m, GraphProto.Builder g, SplittableRandom r,
                                    StringBuilder what) {
        int nodes = g.getNodeCount();
        switch (r.nextInt(nodes == 0 ? 4 : 10)) {
            case 0 -> {
                if (g.getInitializerCount() > 0) {
                    int i = r.nextInt(g.getInitializerCount());
                    what.append("remove initializer ").append(g.getInitializer(i).getName());
                    g.removeInitializer(i);
                }
            }
            case 1 -> {
                if (g.getInputCount() > 0) {
                    int i = r.nextInt(g.getInputCount());
                    what.append("remove graph input ").append(g.getInput(i).getName());
                    g.removeInput(i);
                }
            }
            case 2 -> {
                if (g.getOutputCount() > 0) {
                    int i = r.nextInt(g.getOutputCount());
                    what.append("remove graph output ").append(g.getOutput(i).getName());
                    g.removeOutput(i);
                }
            }
            case 3 -> {
                what.append("remove opset imports");
                m.clearOpsetImport();
            }
            case 4 -> {
                int i = r.nextInt(nodes);
                what.append("remove node ").append(i).append(" (").append(g.getNode(i).getOpType()).append(")");
                g.removeNode(i);
            }
            default -> {
                int i = r.nextInt(nodes);
                NodeProto.Builder n = g.getNodeBuilder(i);
                what.append("node ").append(i).append(" (").append(n.getOpType()).append("): ");
                switch (r.nextInt(6)) {
                    case 0 -> {
                        what.append("drop last input");
                        List<String> in = new ArrayList<>(n.getInputList());
                        if (!in.isEmpty()) {
                            in.remove(in.size() - 1);
                        }
                        n.clearInput().addAllInput(in);
                    }
                    case 1 -> {
                        what.append("drop inputs");
                        n.clearInput();
                    }
                    case 2 -> {
                        what.append("drop outputs");
                        n.clearOutput();
                    }
                    case 3 -> {
                        what.append("drop attributes");
                        n.clearAttribute();
                    }
                    case 4 -> {
                        what.append("empty input name");
                        if (n.getInputCount() > 0) {
                            n.setInput(r.nextInt(n.getInputCount()), "");
                        }
                    }
                    default -> {
                        what.append("drop op_type");
                        n.clearOpType();
                    }
                }
            }
        }
    }

    private static void insertField(ModelProto.Builder m, GraphProto.Builder g, SplittableRandom r,
                                    StringBuilder what) {
        int nodes = g.getNodeCount();
        switch (r.nextInt(nodes == 0 ? 2 : 7)) {
            case 0 -> {
                String domain = new String[] {"", "ai.onnx", "com.microsoft", "x.y"}[r.nextInt(4)];
                long version = EXTREME[r.nextInt(EXTREME.length)];
                what.append("opset import '").append(domain).append("' ").append(version);
                m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version));
            }
            case 1 -> {
                if (g.getInitializerCount() > 0) {
                    what.append("duplicate initializer");
                    g.addInitializer(g.getInitializer(r.nextInt(g.getInitializerCount())));
                }
            }
            case 2 -> {
                int i = r.nextInt(nodes);
                what.append("duplicate node ").append(i);
                g.addNode(r.nextInt(nodes + 1), g.getNode(i));
            }
            case 3 -> {
                int i = r.nextInt(nodes);
                String name = anyValueName(g, r);
                what.append("node ").append(i).append(": extra input '").append(name).append("'");
                g.getNodeBuilder(i).addInput(name);
            }
            case 4 -> {
                int i = r.nextInt(nodes);
                what.append("node ").append(i).append(": extra output");
                g.getNodeBuilder(i).addOutput(r.nextBoolean() ? "fuzz_extra_out" : anyValueName(g, r));
            }
            case 5 -> {
                int i = r.nextInt(nodes);
                AttributeProto a = randomAttribute(r);
                what.append("node ").append(i).append(" (").append(g.getNode(i).getOpType()).append("): attribute ")
                    .append(a.getName()).append(' ').append(a.getType());
                g.getNodeBuilder(i).addAttribute(a);
            }
            default -> {
                NodeProto n = g.getNode(r.nextInt(nodes));
                if (n.getOutputCount() > 0) {
                    what.append("graph output ").append(n.getOutput(0));
                    g.addOutput(ValueInfoProto.newBuilder().setName(n.getOutput(0)));
                }
            }
        }
    }

    /** A name from the graph (an input, initializer or node output), an empty name, or an undefined one. */
    private static String anyValueName(GraphProto.Builder g, SplittableRandom r) {
        List<String> names = new ArrayList<>();
        g.getInputList().forEach(v -> names.add(v.getName()));
        g.getInitializerList().forEach(t -> names.add(t.getName()));
        g.getNodeList().forEach(n -> names.addAll(n.getOutputList()));
        names.add("");
        names.add("fuzz_undefined");
        return names.get(r.nextInt(names.size()));
    }

    private static AttributeProto randomAttribute(SplittableRandom r) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(ATTRIBUTE_NAMES[r.nextInt(ATTRIBUTE_NAMES.length)]);
        switch (r.nextInt(5)) {
            case 0 -> a.setType(AttributeProto.AttributeType.INT).setI(EXTREME[r.nextInt(EXTREME.length)]);
            case 1 -> {
                a.setType(AttributeProto.AttributeType.INTS);
                int n = r.nextInt(9);
                for (int i = 0; i < n; i++) {
                    a.addInts(EXTREME[r.nextInt(EXTREME.length)]);
                }
            }
            case 2 -> a.setType(AttributeProto.AttributeType.FLOAT).setF(EXTREME_FLOATS[r.nextInt(EXTREME_FLOATS.length)]);
            case 3 -> a.setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(
                new String[] {"", "SAME_UPPER", "nearest", "\u0000", "x".repeat(1000)}[r.nextInt(5)]));
            default -> a.setType(AttributeProto.AttributeType.forNumber(1 + r.nextInt(14)));
        }
        return a.build();
    }

    /** An extreme value in a dimension, an integer attribute, or the data of an integer or float constant. */
    private static void extremeValue(GraphProto.Builder g, SplittableRandom r, StringBuilder what) {
        long v = EXTREME[r.nextInt(EXTREME.length)];
        switch (r.nextInt(4)) {
            case 0 -> {
                if (g.getInputCount() == 0) {
                    return;
                }
                ValueInfoProto.Builder in = g.getInputBuilder(r.nextInt(g.getInputCount()));
                if (!in.getType().hasTensorType() || in.getType().getTensorType().getShape().getDimCount() == 0) {
                    return;
                }
                TensorShapeProto.Builder shape = in.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
                int d = r.nextInt(shape.getDimCount());
                what.append("input ").append(in.getName()).append(" dim ").append(d).append(" = ").append(v);
                shape.getDimBuilder(d).setDimValue(v);
            }
            case 1 -> {
                if (g.getInitializerCount() == 0) {
                    return;
                }
                TensorProto.Builder t = g.getInitializerBuilder(r.nextInt(g.getInitializerCount()));
                if (t.getDimsCount() == 0) {
                    what.append("initializer ").append(t.getName()).append(" gains dim ").append(v);
                    t.addDims(v);
                } else {
                    int d = r.nextInt(t.getDimsCount());
                    what.append("initializer ").append(t.getName()).append(" dim ").append(d).append(" = ").append(v);
                    t.setDims(d, v);
                }
            }
            case 2 -> {
                List<AttributeProto.Builder> ints = new ArrayList<>();
                for (NodeProto.Builder n : g.getNodeBuilderList()) {
                    for (AttributeProto.Builder a : n.getAttributeBuilderList()) {
                        if (a.getType() == AttributeProto.AttributeType.INT || a.getIntsCount() > 0) {
                            ints.add(a);
                        }
                    }
                }
                if (ints.isEmpty()) {
                    return;
                }
                AttributeProto.Builder a = ints.get(r.nextInt(ints.size()));
                boolean all = r.nextInt(3) == 0;
                what.append("attribute ").append(a.getName()).append(all ? " all = " : " = ").append(v);
                if (a.getIntsCount() > 0) {
                    for (int i = all ? 0 : r.nextInt(a.getIntsCount()), n = all ? a.getIntsCount() : i + 1; i < n; i++) {
                        a.setInts(i, v);
                    }
                } else {
                    a.setI(v);
                }
            }
            default -> {
                List<TensorProto.Builder> tensors = new ArrayList<>(g.getInitializerBuilderList());
                for (NodeProto.Builder n : g.getNodeBuilderList()) {
                    for (AttributeProto.Builder a : n.getAttributeBuilderList()) {
                        if (a.hasT()) {
                            tensors.add(a.getTBuilder());
                        }
                    }
                }
                if (tensors.isEmpty()) {
                    return;
                }
                TensorProto.Builder t = tensors.get(r.nextInt(tensors.size()));
                what.append("data of ").append(t.getName().isEmpty() ? "a constant" : t.getName()).append(": ");
                setElement(t, r, v, what);
            }
        }
    }

    /** Overwrites one element (or, one time in three, every element) of an int64, int32 or float tensor. */
    private static void setElement(TensorProto.Builder t, SplittableRandom r, long v, StringBuilder what) {
        int type = t.getDataType();
        int width = type == 7 ? 8 : type == 6 || type == 1 ? 4 : 0;
        if (width == 0) {
            what.append("type ").append(type).append(" left alone");
            return;
        }
        float f = EXTREME_FLOATS[r.nextInt(EXTREME_FLOATS.length)];
        boolean all = r.nextInt(3) == 0;
        what.append(all ? "all = " : "one = ").append(type == 1 ? f : v);
        if (!t.getRawData().isEmpty()) {
            byte[] raw = t.getRawData().toByteArray();
            int n = raw.length / width;
            if (n == 0) {
                return;
            }
            ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = all ? 0 : r.nextInt(n), end = all ? n : i + 1; i < end; i++) {
                switch (type) {
                    case 7 -> b.putLong(i * width, v);
                    case 6 -> b.putInt(i * width, (int) v);
                    default -> b.putFloat(i * width, f);
                }
            }
            t.setRawData(ByteString.copyFrom(raw));
            return;
        }
        int n = type == 7 ? t.getInt64DataCount() : type == 6 ? t.getInt32DataCount() : t.getFloatDataCount();
        for (int i = n == 0 ? 0 : all ? 0 : r.nextInt(n), end = all ? n : Math.min(n, i + 1); i < end; i++) {
            switch (type) {
                case 7 -> t.setInt64Data(i, v);
                case 6 -> t.setInt32Data(i, (int) v);
                default -> t.setFloatData(i, f);
            }
        }
    }

    /** A wrong element type on an initializer or graph input/output, a wrong attribute type, or short raw data. */
    private static void wrongType(GraphProto.Builder g, SplittableRandom r, StringBuilder what) {
        int type = new int[] {0, 2, 3, 5, 6, 7, 8, 9, 10, 11, 16, 17, 22, 23, 24, -1, 1000}[r.nextInt(17)];
        switch (r.nextInt(4)) {
            case 0 -> {
                if (g.getInitializerCount() > 0) {
                    TensorProto.Builder t = g.getInitializerBuilder(r.nextInt(g.getInitializerCount()));
                    what.append("initializer ").append(t.getName()).append(" data_type ").append(type);
                    t.setDataType(type);
                }
            }
            case 1 -> {
                List<ValueInfoProto.Builder> values = new ArrayList<>(g.getInputBuilderList());
                values.addAll(g.getOutputBuilderList());
                if (!values.isEmpty()) {
                    ValueInfoProto.Builder v = values.get(r.nextInt(values.size()));
                    what.append("value ").append(v.getName()).append(" elem_type ").append(type);
                    v.getTypeBuilder().getTensorTypeBuilder().setElemType(type);
                }
            }
            case 2 -> {
                List<AttributeProto.Builder> attrs = new ArrayList<>();
                g.getNodeBuilderList().forEach(n -> attrs.addAll(n.getAttributeBuilderList()));
                if (!attrs.isEmpty()) {
                    AttributeProto.Builder a = attrs.get(r.nextInt(attrs.size()));
                    AttributeProto.AttributeType t = AttributeProto.AttributeType.forNumber(1 + r.nextInt(14));
                    what.append("attribute ").append(a.getName()).append(" type ").append(t);
                    a.setType(t);
                }
            }
            default -> {
                for (TensorProto.Builder t : g.getInitializerBuilderList()) {
                    if (!t.getRawData().isEmpty()) {
                        int cut = 1 + r.nextInt(t.getRawData().size());
                        what.append("initializer ").append(t.getName()).append(" raw data short by ").append(cut);
                        t.setRawData(t.getRawData().substring(0, t.getRawData().size() - cut));
                        return;
                    }
                }
            }
        }
    }

    private record ExternalData(ModelProto model, String mustRefuse, Path fifo) {}

    /**
     * Moves one initializer's data (or a new one's) to an external location chosen to be hostile: outside the
     * folder, through symlinks, a NUL byte, a FIFO, a directory, a missing file, or wrapping offsets and lengths.
     */
    private ExternalData hostileExternalData(ModelProto model, SplittableRandom r, Path caseDir, StringBuilder what)
            throws IOException {
        ModelProto.Builder m = model.toBuilder();
        GraphProto.Builder g = m.getGraphBuilder();
        if (g.getInitializerCount() == 0) {
            g.addInitializer(TensorProto.newBuilder().setName("fuzz_external").setDataType(1).addDims(4)
                .setRawData(ByteString.copyFrom(new byte[16])));
        }
        TensorProto.Builder t = g.getInitializerBuilder(r.nextInt(g.getInitializerCount()));
        byte[] data = t.getRawData().toByteArray();
        long expected = data.length > 0 ? data.length : 16;
        Files.write(caseDir.resolve("data.bin"), data.length > 0 ? data : new byte[16]);
        String mustRefuse = null;
        Path fifo = null;
        String location;
        switch (r.nextInt(11)) {
            case 0 -> {
                location = "../outside.bin";
                mustRefuse = "a location with '..'";
            }
            case 1 -> {
                location = root.resolve("outside.bin").toString();
                mustRefuse = "an absolute location";
            }
            case 2 -> {
                location = "link.bin";
                Files.createSymbolicLink(caseDir.resolve(location), root.resolve("outside.bin"));
                mustRefuse = "a symlink to a file outside the folder";
            }
            case 3 -> {
                Files.createSymbolicLink(caseDir.resolve("linked"), root);
                location = "linked/outside.bin";
                mustRefuse = "a path through a symlinked folder";
            }
            case 4 -> location = "data\u0000.bin";
            case 5 -> {
                location = "fifo";
                fifo = caseDir.resolve(location);
                makeFifo(fifo);
            }
            case 6 -> {
                location = "folder";
                Files.createDirectory(caseDir.resolve(location));
            }
            case 7 -> location = "missing.bin";
            case 8 -> location = "";
            default -> location = "data.bin";
        }
        t.clearRawData().clearFloatData().clearInt32Data().clearInt64Data().clearDoubleData().clearUint64Data()
            .clearExternalData().setDataLocation(TensorProto.DataLocation.EXTERNAL);
        t.addExternalData(entry("location", location));
        String[] offsets = {null, "0", "1", String.valueOf(expected), "-1", String.valueOf(Long.MAX_VALUE),
            String.valueOf(Long.MAX_VALUE - 50), String.valueOf(1L << 40), "abc"};
        String[] lengths = {null, String.valueOf(expected), String.valueOf(expected + 1), "-1",
            String.valueOf(Long.MAX_VALUE), String.valueOf(1L << 31), "x"};
        String offset = offsets[r.nextInt(offsets.length)];
        String length = lengths[r.nextInt(lengths.length)];
        if (offset != null) {
            t.addExternalData(entry("offset", offset));
        }
        if (length != null) {
            t.addExternalData(entry("length", length));
        }
        what.append("initializer ").append(t.getName()).append(" external location '")
            .append(location.replace("\u0000", "\\0").replace(root.toString(), "<root>"))
            .append("' offset ").append(offset).append(" length ").append(length);
        return new ExternalData(m.build(), mustRefuse, fifo);
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static void makeFifo(Path p) throws IOException {
        try {
            Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
            if (mk.waitFor() != 0) {
                throw new IOException("mkfifo " + p + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted making a FIFO", e);
        }
    }
}
