package dev.octet.onnx;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.onnx.proto.Onnx.AttributeProto;
import dev.octet.onnx.proto.Onnx.GraphProto;
import dev.octet.onnx.proto.Onnx.ModelProto;
import dev.octet.onnx.proto.Onnx.NodeProto;
import dev.octet.onnx.proto.Onnx.OperatorSetIdProto;
import dev.octet.onnx.proto.Onnx.TensorShapeProto;
import dev.octet.onnx.proto.Onnx.TypeProto;
import dev.octet.onnx.proto.Onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds small ONNX models in memory, for tests, benchmarks and tools: typed inputs and outputs (a
 * dimension is a size or, as a String, a symbol), initializers from Octet tensors, and nodes with
 * int / float / ints / floats / string attributes.
 */
public final class OnnxModelBuilder {
    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("octet-built");
    private final ModelProto.Builder model = ModelProto.newBuilder().setIrVersion(8).setProducerName("octet");

    public OnnxModelBuilder(int onnxOpset) {
        model.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(onnxOpset));
    }

    public OnnxModelBuilder opset(String domain, int version) {
        model.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version));
        return this;
    }

    /** Declares a graph input; each dim is an Integer size or a String symbol. */
    public OnnxModelBuilder input(String name, DataType type, Object... dims) {
        graph.addInput(valueInfo(name, type.onnxCode(), dims));
        return this;
    }

    public OnnxModelBuilder output(String name, DataType type, Object... dims) {
        graph.addOutput(valueInfo(name, type.onnxCode(), dims));
        return this;
    }

    public OnnxModelBuilder initializer(String name, Tensor value) {
        graph.addInitializer(TensorProtos.toProto(value, name));
        return this;
    }

    /**
     * Adds a node. {@code attrs} alternate name and value: Integer/Long → int, Float → float, String → string,
     * int[]/long[] → ints, float[] → floats.
     */
    public OnnxModelBuilder node(String opType, List<String> inputs, List<String> outputs, Object... attrs) {
        return node("", opType, inputs, outputs, attrs);
    }

    public OnnxModelBuilder node(String domain, String opType, List<String> inputs, List<String> outputs,
                                 Object... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setDomain(domain)
            .setName(opType + "_" + graph.getNodeCount()).addAllInput(inputs).addAllOutput(outputs);
        for (int i = 0; i < attrs.length; i += 2) {
            n.addAttribute(attribute((String) attrs[i], attrs[i + 1]));
        }
        graph.addNode(n);
        return this;
    }

    private static AttributeProto attribute(String name, Object v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        switch (v) {
            case Integer i -> a.setType(AttributeProto.AttributeType.INT).setI(i);
            case Long l -> a.setType(AttributeProto.AttributeType.INT).setI(l);
            case Float f -> a.setType(AttributeProto.AttributeType.FLOAT).setF(f);
            case String s -> a.setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(s));
            case int[] ints -> {
                a.setType(AttributeProto.AttributeType.INTS);
                for (int x : ints) {
                    a.addInts(x);
                }
            }
            case long[] ints -> {
                a.setType(AttributeProto.AttributeType.INTS);
                for (long x : ints) {
                    a.addInts(x);
                }
            }
            case float[] fs -> {
                a.setType(AttributeProto.AttributeType.FLOATS);
                for (float x : fs) {
                    a.addFloats(x);
                }
            }
            case dev.octet.onnx.proto.Onnx.GraphProto g -> a.setType(AttributeProto.AttributeType.GRAPH).setG(g);
            default -> throw new IllegalArgumentException("unsupported attribute value " + v.getClass());
        }
        return a.build();
    }

    private static ValueInfoProto valueInfo(String name, int elemType, Object[] dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof String s) {
                dim.setDimParam(s);
            } else {
                dim.setDimValue(((Number) d).longValue());
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
            .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape))).build();
    }

    public ModelProto build() {
        return model.clone().setGraph(graph.clone()).build();
    }

    public byte[] toBytes() {
        return build().toByteArray();
    }

    public Path write(Path file) throws IOException {
        Files.write(file, toBytes());
        return file;
    }
}
