package dev.octet.ops;

import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Node;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** Builds one node from the default registry at an opset and runs it: for tests of single operators. */
final class OpRunner {
    private OpRunner() {}

    static Tensor[] run(String op, int opset, int outputs, Map<String, Attribute> attrs, Tensor... in) {
        List<String> names = IntStream.range(0, in.length).mapToObj(i -> in[i] == null ? "" : "x" + i).toList();
        List<String> outs = IntStream.range(0, outputs).mapToObj(i -> "y" + i).toList();
        Node node = new Node("n", op, "", names, outs, attrs);
        return OpRegistry.defaults().create(node, opset, new Tensor[in.length]).run(in);
    }

    static Tensor run(String op, int opset, Map<String, Attribute> attrs, Tensor... in) {
        return run(op, opset, 1, attrs, in)[0];
    }

    static Map<String, Attribute> attr(String name, long value) {
        return Map.of(name, new Attribute.IntAttr(value));
    }

    static Map<String, Attribute> attr(String name, String value) {
        return Map.of(name, new Attribute.StringAttr(value));
    }
}
