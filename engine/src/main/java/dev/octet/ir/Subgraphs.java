package dev.octet.ir;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The outer-scope values of control-flow nodes. A subgraph (an If branch, a Loop or Scan body) may read any
 * value of an enclosing graph by name; such a read is a capture. For everything that orders, rewrites or
 * frees values, a node's captures are used exactly like its inputs: {@link #uses} lists both.
 */
public final class Subgraphs {
    private Subgraphs() {}

    /** The subgraphs held by a node's attributes, in attribute-name order (so the order is stable). */
    public static List<Graph> of(Node node) {
        List<Graph> graphs = new ArrayList<>();
        node.attributes().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(e -> {
            if (e.getValue() instanceof Attribute.GraphAttr g) {
                graphs.add(g.value());
            } else if (e.getValue() instanceof Attribute.GraphsAttr gs) {
                graphs.addAll(gs.values());
            }
        });
        return graphs;
    }

    /** The values of enclosing scopes that a node's subgraphs read, each once, in order of first reading. */
    public static List<String> captures(Node node) {
        if (!hasSubgraphs(node)) {
            return List.of();
        }
        Set<String> found = new LinkedHashSet<>();
        for (Graph g : of(node)) {
            found.addAll(captures(g));
        }
        return List.copyOf(found);
    }

    /** The values a graph reads without defining them (as an input, an initializer or a node output). */
    public static List<String> captures(Graph g) {
        Set<String> defined = new HashSet<>(g.initializers().keySet());
        g.inputs().forEach(v -> defined.add(v.name()));
        for (Node n : g.nodes()) {
            n.outputs().forEach(defined::add);
        }
        Set<String> found = new LinkedHashSet<>();
        for (Node n : g.nodes()) {
            for (String in : uses(n)) {
                if (!in.isEmpty() && !defined.contains(in)) {
                    found.add(in);
                }
            }
        }
        for (ValueInfo out : g.outputs()) {
            if (!defined.contains(out.name())) {
                found.add(out.name());
            }
        }
        return List.copyOf(found);
    }

    /** A node's inputs followed by its captures: every value the node reads. */
    public static List<String> uses(Node node) {
        if (!hasSubgraphs(node)) {
            return node.inputs();
        }
        List<String> all = new ArrayList<>(node.inputs());
        all.addAll(captures(node));
        return all;
    }

    /** The nodes of a graph and of all its subgraphs, each graph's nodes before those of its subgraphs' nodes. */
    public static List<Node> allNodes(Graph g) {
        List<Node> all = new ArrayList<>();
        collect(g, all);
        return all;
    }

    private static void collect(Graph g, List<Node> into) {
        for (Node n : g.nodes()) {
            into.add(n);
            if (hasSubgraphs(n)) {
                of(n).forEach(sub -> collect(sub, into));
            }
        }
    }

    public static boolean hasSubgraphs(Node node) {
        for (Attribute a : node.attributes().values()) {
            if (a instanceof Attribute.GraphAttr || a instanceof Attribute.GraphsAttr) {
                return true;
            }
        }
        return false;
    }
}
