package dev.octet.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import dev.octet.onnx.proto.Onnx.AttributeProto;
import dev.octet.onnx.proto.Onnx.GraphProto;
import dev.octet.onnx.proto.Onnx.ModelProto;
import dev.octet.onnx.proto.Onnx.NodeProto;
import dev.octet.onnx.proto.Onnx.OperatorSetIdProto;
import dev.octet.onnx.proto.Onnx.TensorProto;
import dev.octet.onnx.proto.Onnx.TensorShapeProto;
import dev.octet.onnx.proto.Onnx.TypeProto;
import dev.octet.onnx.proto.Onnx.ValueInfoProto;
import dev.octet.ops.OpRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX ModelProto to Octet {@link Graph}: initializers (raw and typed, external data relative to the model's
 * directory), Constant nodes kept as nodes, attributes of every kind, opset imports, value_info and
 * symbolic dimensions, and subgraph attributes (If, Loop, Scan) as nested graphs. Structural validation
 * (undefined values, also those subgraphs read from enclosing scopes, cycles, unsupported ops) happens when
 * the graph is compiled.
 */
public final class OnnxImporter {
    /** Protobuf's default nesting limit is 100; ONNX graphs nest little, but be generous. */
    private static final int RECURSION_LIMIT = 200;

    private OnnxImporter() {}

    /**
     * The largest model {@link #load(InputStream)} reads by default: protobuf messages, and so ONNX files without
     * external data, cannot be larger than 2 GiB.
     */
    public static final long DEFAULT_MAX_MODEL_BYTES = Integer.MAX_VALUE - 8;

    /** A model file; external data is read relative to its folder. */
    public static Graph load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new OctetException(ErrorCode.IO, "model file not found: " + file);
        }
        ModelProto model;
        try (InputStream in = Files.newInputStream(file)) {
            model = parse(CodedInputStream.newInstance(in), file.toString());
        } catch (IOException e) {
            throw new OctetException(ErrorCode.IO, "cannot read " + file + ": " + e.getMessage(), e);
        }
        Path dir = file.toAbsolutePath().getParent();
        return convert(model, dir, file.toString());
    }

    /** A model held in memory. It has no folder, so a model with external data is rejected. */
    public static Graph load(byte[] model) {
        String label = "the in-memory model";
        // Tensor data stays a view of the caller's array until conversion copies it out: without aliasing the
        // parser copied every initializer once more (22 MB for MiniLM, at the peak of the footprint). Protobuf
        // aliases only a buffer it may treat as immutable, which CodedInputStream.newInstance(byte[]) is not.
        CodedInputStream in = UnsafeByteOperations.unsafeWrap(model).newCodedInput();
        in.enableAliasing(true);
        return convert(parse(in, label), null, label);
    }

    /** A model read from a stream (not closed here), at most {@link #DEFAULT_MAX_MODEL_BYTES} long. */
    public static Graph load(InputStream in) {
        return load(in, DEFAULT_MAX_MODEL_BYTES);
    }

    /**
     * A model read from a stream (not closed here); a stream longer than {@code maxBytes} is rejected before more
     * than {@code maxBytes + 1} bytes are read. External data is rejected, as for {@link #load(byte[])}.
     */
    public static Graph load(InputStream in, long maxBytes) {
        if (maxBytes < 0 || maxBytes > DEFAULT_MAX_MODEL_BYTES) {
            throw new IllegalArgumentException("maxBytes must be in [0, " + DEFAULT_MAX_MODEL_BYTES + "], got " + maxBytes);
        }
        byte[] bytes;
        try {
            bytes = in.readNBytes((int) maxBytes);
            if (in.read() != -1) {
                throw new OctetException(ErrorCode.INVALID_MODEL, "the model stream is longer than the limit of "
                    + maxBytes + " bytes");
            }
        } catch (IOException e) {
            throw new OctetException(ErrorCode.IO, "cannot read the model stream: " + e.getMessage(), e);
        }
        return load(bytes);
    }

    private static ModelProto parse(CodedInputStream cis, String label) {
        cis.setSizeLimit(Integer.MAX_VALUE);
        cis.setRecursionLimit(RECURSION_LIMIT);
        try {
            ModelProto model = ModelProto.parseFrom(cis);
            cis.checkLastTagWas(0);
            return model;
        } catch (InvalidProtocolBufferException e) {
            throw new OctetException(ErrorCode.INVALID_MODEL, label + " is not a valid ONNX model (protobuf parse failed: "
                + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new OctetException(ErrorCode.IO, "cannot read " + label + ": " + e.getMessage(), e);
        }
    }

    public static Graph convert(ModelProto model, Path baseDir, String label) {
        if (!model.hasGraph() || model.getIrVersion() <= 0) {
            throw new OctetException(ErrorCode.INVALID_MODEL, label + " is not a valid ONNX model (no "
                + (model.hasGraph() ? "ir_version" : "graph") + ")");
        }
        Map<String, Integer> opsets = new HashMap<>();
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            opsets.put(OpRegistry.normalizeDomain(o.getDomain()), (int) Math.min(Integer.MAX_VALUE, o.getVersion()));
        }
        if (!opsets.containsKey(OpRegistry.ONNX_DOMAIN)) {
            throw new OctetException(ErrorCode.INVALID_MODEL, label + " imports no ai.onnx opset");
        }
        return convertGraph(model.getGraph(), opsets, baseDir, 0);
    }

    /**
     * How deeply subgraphs (If branches, Loop and Scan bodies) may nest; real models nest a few levels, and
     * deeper ones are rejected before their conversion recurses further.
     */
    static final int MAX_SUBGRAPH_DEPTH = 32;

    /** A graph at nesting {@code depth} (0 = the model's graph), its subgraph attributes converted recursively. */
    static Graph convertGraph(GraphProto g, Map<String, Integer> opsets, Path baseDir, int depth) {
        if (depth > MAX_SUBGRAPH_DEPTH) {
            throw new OctetException(ErrorCode.INVALID_MODEL, "subgraphs nest more than " + MAX_SUBGRAPH_DEPTH
                + " levels deep");
        }
        Map<String, Tensor> initializers = new LinkedHashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            if (t.getName().isEmpty()) {
                throw new OctetException(ErrorCode.INVALID_MODEL, "an initializer has no name");
            }
            if (initializers.put(t.getName(), TensorProtos.toTensor(t, baseDir)) != null) {
                throw new OctetException(ErrorCode.INVALID_GRAPH, "initializer '" + t.getName() + "' is defined twice");
            }
        }
        if (g.getSparseInitializerCount() > 0) {
            throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, "sparse initializers are not supported");
        }
        List<ValueInfo> inputs = g.getInputList().stream().map(OnnxImporter::valueInfo).toList();
        List<ValueInfo> outputs = g.getOutputList().stream().map(OnnxImporter::valueInfo).toList();
        for (int i = 0; i < inputs.size(); i++) {
            ValueInfo v = inputs.get(i);
            // A subgraph input may leave its type to the operator that feeds it.
            boolean inferred = depth > 0 && !g.getInput(i).hasType();
            if (v.type() == null && !initializers.containsKey(v.name()) && !inferred) {
                throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, "graph input " + v.describe()
                    + " has a type Octet does not support");
            }
        }
        Map<String, ValueInfo> valueInfo = new HashMap<>();
        for (ValueInfoProto v : g.getValueInfoList()) {
            valueInfo.put(v.getName(), valueInfo(v));
        }
        List<Node> nodes = new ArrayList<>(g.getNodeCount());
        for (int i = 0; i < g.getNodeCount(); i++) {
            nodes.add(node(g.getNode(i), i, opsets, baseDir, depth));
        }
        return new Graph(g.getName(), inputs, outputs, initializers, nodes, opsets, valueInfo);
    }

    private static Node node(NodeProto n, int index, Map<String, Integer> opsets, Path baseDir, int depth) {
        String name = n.getName().isEmpty() ? "#" + index : n.getName();
        Map<String, Attribute> attrs = new HashMap<>();
        for (AttributeProto a : n.getAttributeList()) {
            Attribute v;
            try {
                v = attribute(a, opsets, baseDir, depth);
            } catch (OctetException e) {
                throw new OctetException(e.code(), "node '" + name + "' (op " + n.getOpType() + "), attribute '"
                    + a.getName() + "': " + e.getMessage(), e);
            }
            if (attrs.put(a.getName(), v) != null) {
                throw new OctetException(ErrorCode.INVALID_GRAPH, "node '" + name + "' (op " + n.getOpType()
                    + ") has attribute '" + a.getName() + "' twice");
            }
        }
        if (n.getOpType().isEmpty()) {
            throw new OctetException(ErrorCode.INVALID_GRAPH, "node '" + name + "' has no op_type");
        }
        return new Node(name, n.getOpType(), OpRegistry.normalizeDomain(n.getDomain()), n.getInputList(),
            n.getOutputList(), attrs);
    }

    private static Attribute attribute(AttributeProto a, Map<String, Integer> opsets, Path baseDir, int depth) {
        AttributeProto.AttributeType type = a.getType();
        if (type == AttributeProto.AttributeType.UNDEFINED) {
            type = inferType(a); // IR version 1 models leave the type out
        }
        return switch (type) {
            case FLOAT -> new Attribute.FloatAttr(a.getF());
            case INT -> new Attribute.IntAttr(a.getI());
            case STRING -> new Attribute.StringAttr(a.getS().toStringUtf8());
            case TENSOR -> new Attribute.TensorAttr(TensorProtos.toTensor(a.getT(), baseDir));
            case FLOATS -> {
                float[] f = new float[a.getFloatsCount()];
                for (int i = 0; i < f.length; i++) {
                    f[i] = a.getFloats(i);
                }
                yield new Attribute.FloatsAttr(f);
            }
            case INTS -> new Attribute.IntsAttr(a.getIntsList().stream().mapToLong(Long::longValue).toArray());
            case STRINGS -> new Attribute.StringsAttr(a.getStringsList().stream().map(s -> s.toStringUtf8()).toList());
            // A subgraph shares the model's opset imports.
            case GRAPH -> new Attribute.GraphAttr(convertGraph(a.getG(), opsets, baseDir, depth + 1));
            case GRAPHS -> new Attribute.GraphsAttr(a.getGraphsList().stream()
                .map(sub -> convertGraph(sub, opsets, baseDir, depth + 1)).toList());
            default -> new Attribute.UnsupportedAttr(type.name().toLowerCase(java.util.Locale.ROOT));
        };
    }

    private static AttributeProto.AttributeType inferType(AttributeProto a) {
        if (a.hasF()) return AttributeProto.AttributeType.FLOAT;
        if (a.hasI()) return AttributeProto.AttributeType.INT;
        if (a.hasS()) return AttributeProto.AttributeType.STRING;
        if (a.hasT()) return AttributeProto.AttributeType.TENSOR;
        if (a.hasG()) return AttributeProto.AttributeType.GRAPH;
        if (a.getFloatsCount() > 0) return AttributeProto.AttributeType.FLOATS;
        if (a.getIntsCount() > 0) return AttributeProto.AttributeType.INTS;
        if (a.getStringsCount() > 0) return AttributeProto.AttributeType.STRINGS;
        throw new OctetException(ErrorCode.INVALID_MODEL, "attribute has no type and no value");
    }

    static ValueInfo valueInfo(ValueInfoProto v) {
        if (!v.hasType() || !v.getType().hasTensorType()) {
            String kind = v.hasType() ? v.getType().getValueCase().name().toLowerCase(java.util.Locale.ROOT) : "no type";
            if (!v.hasType()) {
                return new ValueInfo(v.getName(), null, 0, null);
            }
            throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, "value '" + v.getName() + "' is a " + kind
                + "; Octet supports tensors only");
        }
        TypeProto.Tensor t = v.getType().getTensorType();
        List<Dim> shape = null;
        if (t.hasShape()) {
            shape = new ArrayList<>();
            for (TensorShapeProto.Dimension d : t.getShape().getDimList()) {
                if (d.hasDimValue()) {
                    shape.add(Dim.of(d.getDimValue()));
                } else if (d.hasDimParam() && !d.getDimParam().isEmpty()) {
                    shape.add(Dim.symbol(d.getDimParam()));
                } else {
                    shape.add(Dim.UNKNOWN);
                }
            }
        }
        return new ValueInfo(v.getName(), DataType.fromOnnx(t.getElemType()), t.getElemType(), shape);
    }
}
