package dev.octet.compile;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the transformer fusions share: lookups over the graph with its inferred types and constants
 * ({@code Constant} nodes included), and the commit of one match.
 *
 * <p>A match names the nodes it replaces and the fused node. It commits only when, once those nodes are
 * gone, nothing reads a value they computed (other than the fused node's outputs). Nodes that only fed the
 * match die with it: that is how the {@code Shape -> Gather -> Concat} computations of a Reshape's target
 * shape go, even when they read an intermediate of the match.
 */
final class FusionRewriter {
    private final Graph graph;
    private final GraphIndex index;
    private final Map<String, ValueInfo> types;
    private final Map<String, Tensor> inferredConstants;
    private final Set<String> graphOutputs = new HashSet<>();
    private final Set<Node> removed = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Values the committed fused nodes read: never removed by a later match. */
    private final Set<String> fusedInputs = new HashSet<>();
    private final Map<Node, Node> replacement = new IdentityHashMap<>();

    FusionRewriter(Graph graph, PassContext context) {
        this.graph = graph;
        this.index = new GraphIndex(graph);
        ShapeInference.Result inferred = context.infer(graph);
        this.types = inferred.types();
        this.inferredConstants = inferred.constants();
        for (ValueInfo v : graph.outputs()) {
            graphOutputs.add(v.name());
        }
    }

    List<Node> nodes() {
        return graph.nodes();
    }

    int opset() {
        return graph.opset("");
    }

    /** The node computing a value, unless a committed match removed it. */
    Node producer(String value) {
        Node n = value.isEmpty() ? null : index.producer(value);
        return n == null || removed.contains(n) ? null : n;
    }

    /** The producer when it is the ai.onnx operator {@code opType}, else null. */
    Node producer(String value, String opType) {
        Node n = producer(value);
        return isOnnx(n, opType) ? n : null;
    }

    List<Node> consumers(String value) {
        return index.consumers(value);
    }

    /** The only reader of a node's first output when it is the ai.onnx operator {@code opType}, else null. */
    Node soleConsumer(Node n, String opType) {
        String out = n.outputs().get(0);
        if (!index.hasSingleUse(out)) {
            return null;
        }
        Node c = index.consumers(out).get(0);
        return isOnnx(c, opType) ? c : null;
    }

    static boolean isOnnx(Node n, String opType) {
        return n != null && n.domain().isEmpty() && n.opType().equals(opType) && !n.outputs().isEmpty();
    }

    /** The value of a constant: an initializer (not an overridable input) or a value inference computed. */
    Tensor constant(String value) {
        if (value == null) {
            return null;
        }
        Tensor t = index.constant(value);
        return t != null ? t : inferredConstants.get(value);
    }

    /** A float constant holding one value (rank 0 or [1], so it cannot widen a shape it broadcasts with). */
    Float scalar(String value) {
        Tensor t = constant(value);
        if (t == null || t.type() != DataType.FLOAT || t.size() != 1 || t.rank() > 1) {
            return null;
        }
        return t.floats()[0];
    }

    boolean isScalar(String value, float expected) {
        Float v = scalar(value);
        return v != null && Float.compare(v, expected) == 0;
    }

    DataType type(String value) {
        ValueInfo v = types.get(value);
        return v == null ? null : v.type();
    }

    /** The inferred shape, or null when the rank is unknown. */
    List<Dim> shape(String value) {
        ValueInfo v = types.get(value);
        return v == null ? null : v.shape();
    }

    /** A dim every valid run gives the same size: fixed, or a named symbol. */
    static boolean sameDim(Dim a, Dim b) {
        if (a.isFixed() || b.isFixed()) {
            return a.isFixed() && b.isFixed() && a.value() == b.value();
        }
        return a.symbol() != null && a.symbol().equals(b.symbol());
    }

    static boolean sameShape(List<Dim> a, List<Dim> b) {
        if (a == null || b == null || a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!sameDim(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    static long intAttr(Node n, String name, long dflt) {
        return n.attributes().get(name) instanceof Attribute.IntAttr a ? a.value() : dflt;
    }

    static long[] intsAttr(Node n, String name) {
        return n.attributes().get(name) instanceof Attribute.IntsAttr a ? a.values() : null;
    }

    /** Input {@code i} of a node, or "" when it has fewer (an omitted optional input). */
    static String input(Node n, int i) {
        return i < n.inputs().size() ? n.inputs().get(i) : "";
    }

    /**
     * The dynamic-quantization tail of an integer op: its output read only by {@code Cast(to float)}, that read only
     * by {@code Mul(·, scales)}, where {@code scales} is a two-input Mul (the activation scale times the weight
     * scale); its {@code (cast, mul, scaleMul)}, or null.
     */
    Node[] scaledCast(Node integerOp) {
        Node cast = soleConsumer(integerOp, "Cast");
        if (cast == null || intAttr(cast, "to", -1) != DataType.FLOAT.onnxCode()) {
            return null;
        }
        Node mul = soleConsumer(cast, "Mul");
        String scales = mul == null ? null : other(mul, cast.outputs().get(0));
        Node scaleMul = scales == null ? null : producer(scales, "Mul");
        if (scaleMul == null || scaleMul.inputs().size() != 2) {
            return null;
        }
        return new Node[] {cast, mul, scaleMul};
    }

    /** The input of a two-input node that is not {@code known}, or null if neither is. */
    static String other(Node n, String known) {
        if (n.inputs().size() != 2) {
            return null;
        }
        if (n.inputs().get(0).equals(known)) {
            return n.inputs().get(1);
        }
        return n.inputs().get(1).equals(known) ? n.inputs().get(0) : null;
    }

    /**
     * Replaces {@code pattern} by {@code fused}, which computes the outputs of one of its nodes, when no other
     * value the pattern computes is read elsewhere; returns whether it did.
     */
    boolean replace(List<Node> pattern, Node fused) {
        Set<Node> dead = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : pattern) {
            if (removed.contains(n) || !dead.add(n)) {
                return false;
            }
        }
        Set<String> live = new HashSet<>(fused.inputs());
        live.addAll(fusedInputs);
        Deque<Node> work = new ArrayDeque<>(pattern);
        while (!work.isEmpty()) {
            for (String in : work.pop().inputs()) {
                Node p = producer(in);
                if (p != null && !dead.contains(p) && onlyFeeds(p, dead, live)) {
                    dead.add(p);
                    work.push(p);
                }
            }
        }
        for (Node n : dead) {
            for (String out : n.outputs()) {
                if (out.isEmpty() || fused.outputs().contains(out)) {
                    continue;
                }
                if (graphOutputs.contains(out) || live.contains(out)) {
                    return false;
                }
                for (Node c : index.consumers(out)) {
                    if (!dead.contains(c) && !removed.contains(c)) {
                        return false;
                    }
                }
            }
        }
        removed.addAll(dead);
        fusedInputs.addAll(fused.inputs());
        replacement.put(pattern.get(pattern.size() - 1), fused);
        return true;
    }

    /** True when every output of {@code n} is read only by nodes that are going away. */
    private boolean onlyFeeds(Node n, Set<Node> dead, Set<String> live) {
        for (String out : n.outputs()) {
            if (out.isEmpty()) {
                continue;
            }
            if (graphOutputs.contains(out) || live.contains(out)) {
                return false;
            }
            for (Node c : index.consumers(out)) {
                if (!dead.contains(c) && !removed.contains(c)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The graph with every committed match applied (the compiler re-sorts it). */
    Graph result() {
        if (replacement.isEmpty()) {
            return graph;
        }
        List<Node> nodes = new ArrayList<>();
        for (Node n : graph.nodes()) {
            Node fused = replacement.get(n);
            if (fused != null) {
                nodes.add(fused);
            } else if (!removed.contains(n)) {
                nodes.add(n);
            }
        }
        return graph.withNodes(nodes, graph.initializers());
    }
}
