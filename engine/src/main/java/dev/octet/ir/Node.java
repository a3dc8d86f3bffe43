package dev.octet.ir;

import java.util.List;
import java.util.Map;

/**
 * One operator application. Inputs and outputs name values; an empty name marks an omitted optional
 * input or output, as in ONNX. {@code domain} is "" for the default ONNX domain.
 */
public record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                   Map<String, Attribute> attributes) {
    public Node {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = Map.copyOf(attributes);
    }

    /** "name (op Conv)" or "#index (op Conv)" for error messages. */
    public String describe() {
        String d = domain.isEmpty() ? "" : domain + ".";
        return "node '" + name + "' (op " + d + opType + ")";
    }

    public Node withInputs(List<String> newInputs) {
        return new Node(name, opType, domain, newInputs, outputs, attributes);
    }
}
