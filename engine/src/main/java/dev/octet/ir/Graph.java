package dev.octet.ir;

import dev.octet.api.Tensor;
import java.util.List;
import java.util.Map;

/**
 * A model as pure data: declared inputs and outputs, constant tensors (initializers), nodes, the opset
 * version imported per domain ("" = ai.onnx), and any declared intermediate value types.
 * Graph inputs that also have an initializer are overridable constants; {@link #runtimeInputs()} leaves them out.
 */
public record Graph(String name, List<ValueInfo> inputs, List<ValueInfo> outputs, Map<String, Tensor> initializers,
                    List<Node> nodes, Map<String, Integer> opsets, Map<String, ValueInfo> valueInfo) {
    public Graph {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        initializers = Map.copyOf(initializers);
        nodes = List.copyOf(nodes);
        opsets = Map.copyOf(opsets);
        valueInfo = Map.copyOf(valueInfo);
    }

    /** The inputs a caller must feed: declared inputs without an initializer. */
    public List<ValueInfo> runtimeInputs() {
        return inputs.stream().filter(v -> !initializers.containsKey(v.name())).toList();
    }

    public Graph withNodes(List<Node> newNodes, Map<String, Tensor> newInitializers) {
        return new Graph(name, inputs, outputs, newInitializers, newNodes, opsets, valueInfo);
    }

    public int opset(String domain) {
        return opsets.getOrDefault(domain, 0);
    }
}
