package dev.octet.compile;

import dev.octet.api.Tensor;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.Subgraphs;
import dev.octet.ir.ValueInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Producer and consumer lookups over a graph, for pattern-matching passes. Built once per pass. A control-flow
 * node whose subgraph captures a value counts as one of its consumers, so no pass fuses the value away.
 */
final class GraphIndex {
    private final Graph graph;
    private final Map<String, Node> producer = new HashMap<>();
    private final Map<String, List<Node>> consumers = new HashMap<>();
    private final Set<String> graphOutputs = new HashSet<>();

    GraphIndex(Graph graph) {
        this.graph = graph;
        for (Node n : graph.nodes()) {
            for (String out : n.outputs()) {
                if (!out.isEmpty()) {
                    producer.put(out, n);
                }
            }
            for (String in : Subgraphs.uses(n)) {
                if (!in.isEmpty()) {
                    consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
        }
        for (ValueInfo v : graph.outputs()) {
            graphOutputs.add(v.name());
        }
    }

    Node producer(String value) {
        return producer.get(value);
    }

    List<Node> consumers(String value) {
        return consumers.getOrDefault(value, List.of());
    }

    /** True when the value feeds exactly one node and is not a graph output. */
    boolean hasSingleUse(String value) {
        return consumers(value).size() == 1 && !graphOutputs.contains(value);
    }

    /** The constant behind a value: an initializer that is not an overridable graph input. */
    Tensor constant(String value) {
        if (value.isEmpty()) {
            return null;
        }
        for (ValueInfo v : graph.inputs()) {
            if (v.name().equals(value)) {
                return null;
            }
        }
        return graph.initializers().get(value);
    }

    Graph graph() {
        return graph;
    }
}
