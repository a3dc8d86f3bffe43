package dev.octet.ir;

import dev.octet.api.Tensor;
import java.util.Arrays;
import java.util.List;

/** An operator attribute: exactly one of the ONNX attribute kinds. */
public sealed interface Attribute {
    String kind();

    record FloatAttr(float value) implements Attribute {
        public String kind() { return "float"; }
    }

    record IntAttr(long value) implements Attribute {
        public String kind() { return "int"; }
    }

    record StringAttr(String value) implements Attribute {
        public String kind() { return "string"; }
    }

    record TensorAttr(Tensor value) implements Attribute {
        public String kind() { return "tensor"; }
    }

    record FloatsAttr(float[] values) implements Attribute {
        public String kind() { return "floats"; }
        @Override public String toString() { return Arrays.toString(values); }
    }

    record IntsAttr(long[] values) implements Attribute {
        public String kind() { return "ints"; }
        @Override public String toString() { return Arrays.toString(values); }
    }

    record StringsAttr(List<String> values) implements Attribute {
        public String kind() { return "strings"; }
    }

    /** A subgraph: the branches of If, the bodies of Loop and Scan. */
    record GraphAttr(Graph value) implements Attribute {
        public String kind() { return "graph"; }
        @Override public String toString() { return "graph '" + value.name() + "'"; }
    }

    /** A list of subgraphs (ONNX attribute kind GRAPHS). */
    record GraphsAttr(List<Graph> values) implements Attribute {
        public GraphsAttr {
            values = List.copyOf(values);
        }
        public String kind() { return "graphs"; }
        @Override public String toString() { return values.size() + " graphs"; }
    }

    /** A kind Octet reads but does not use (sparse tensors, type protos). */
    record UnsupportedAttr(String onnxKind) implements Attribute {
        public String kind() { return onnxKind; }
    }
}
