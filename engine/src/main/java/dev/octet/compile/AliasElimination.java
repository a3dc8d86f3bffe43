package dev.octet.compile;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.Subgraphs;
import dev.octet.ir.ValueInfo;
import dev.octet.ops.OpRegistry;
import dev.octet.ops.OpTrait;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Removes nodes that only rename a value: Identity, and Cast to the type its input already has (exporters
 * put {@code Cast(to=uint8)} after uint8 QuantizeLinear outputs). Readers are rewired to the source value,
 * so later passes see DequantizeLinear reading initializers and quantized tensors directly. A node whose
 * output is a graph output or read by a subgraph (which names it) stays.
 */
public final class AliasElimination implements GraphPass {
    @Override
    public Graph apply(Graph g, PassContext context) {
        // Graph outputs and values subgraphs capture by name keep their names.
        Set<String> graphOutputs = new HashSet<>();
        for (ValueInfo v : g.outputs()) {
            graphOutputs.add(v.name());
        }
        for (Node n : g.nodes()) {
            graphOutputs.addAll(Subgraphs.captures(n));
        }
        Map<String, DataType> types = knownTypes(g);
        Map<String, String> alias = new HashMap<>();
        List<Node> kept = new ArrayList<>();
        for (Node n : g.nodes()) {
            Node rewired = n.withInputs(n.inputs().stream().map(in -> alias.getOrDefault(in, in)).toList());
            if (isAlias(rewired, types, g, context.registry()) && !graphOutputs.contains(rewired.outputs().get(0))) {
                alias.put(rewired.outputs().get(0), rewired.inputs().get(0));
                continue;
            }
            noteType(rewired, types, g);
            kept.add(rewired);
        }
        return alias.isEmpty() ? g : g.withNodes(kept, g.initializers());
    }

    private static boolean isAlias(Node n, Map<String, DataType> types, Graph g, OpRegistry ops) {
        if (n.inputs().size() != 1 || n.outputs().size() != 1 || n.inputs().get(0).isEmpty()) {
            return false;
        }
        if (ops.has(g, n, OpTrait.IDENTITY)) {
            return true;
        }
        if (ops.has(g, n, OpTrait.CONVERSION) && n.attributes().get("to") instanceof Attribute.IntAttr to) {
            DataType source = types.get(n.inputs().get(0));
            return source != null && source.onnxCode() == to.value();
        }
        return false;
    }

    private static Map<String, DataType> knownTypes(Graph g) {
        Map<String, DataType> types = new HashMap<>();
        for (var e : g.initializers().entrySet()) {
            types.put(e.getKey(), e.getValue().type());
        }
        for (ValueInfo v : g.inputs()) {
            if (v.type() != null) {
                types.put(v.name(), v.type());
            }
        }
        return types;
    }

    /** Records output types that are evident without shape inference (QuantizeLinear, Cast). */
    private static void noteType(Node n, Map<String, DataType> types, Graph g) {
        if (!n.domain().isEmpty() || n.outputs().isEmpty()) {
            return;
        }
        String out = n.outputs().get(0);
        switch (n.opType()) {
            case "QuantizeLinear" -> {
                Tensor zp = n.inputs().size() > 2 ? g.initializers().get(n.inputs().get(2)) : null;
                DataType t = zp != null ? zp.type() : types.get(n.inputs().size() > 2 ? n.inputs().get(2) : "");
                if (t == null && (n.inputs().size() < 3 || n.inputs().get(2).isEmpty())
                    && !n.attributes().containsKey("output_dtype")) {
                    t = DataType.UINT8;
                }
                if (t != null) {
                    types.put(out, t);
                }
            }
            case "Cast" -> {
                if (n.attributes().get("to") instanceof Attribute.IntAttr to) {
                    DataType t = DataType.fromOnnx(to.value());
                    if (t != null) {
                        types.put(out, t);
                    }
                }
            }
            case "DequantizeLinear" -> types.put(out, DataType.FLOAT);
            default -> { }
        }
    }
}
