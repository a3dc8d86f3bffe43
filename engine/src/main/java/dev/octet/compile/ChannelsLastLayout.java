package dev.octet.compile;

import dev.octet.ir.Attribute;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.Subgraphs;
import dev.octet.ir.ValueInfo;
import dev.octet.ops.OpRegistry;
import dev.octet.ops.OpTrait;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps chains of 2-D int8 convolutions in NHWC, the layout their kernels work in. Every QLinearConv (ONNX,
 * com.microsoft or Octet's fused one) with a rank-4 input that reads from or feeds another one, or a QLinearAdd
 * or QLinearMul, becomes Octet's QLinearConv with {@code channels_last}, and QLinearAdd / QLinearMul whose two
 * rank-4 inputs are both already NHWC follow them (elementwise: permuting both operands alike keeps any
 * broadcast). A value enters the NHWC region through one Transpose {@code [0,2,3,1]} and leaves it, where an
 * NCHW op or a graph output reads it, through one Transpose {@code [0,3,1,2]}; inside, the per-convolution
 * transposes are gone (MobileNetV2: 52 convolutions, each of which transposed its input and output). The
 * transposes move bytes only, so results are unchanged bit for bit.
 */
public final class ChannelsLastLayout implements GraphPass {
    private static final long[] TO_NHWC = {0, 2, 3, 1};
    private static final long[] TO_NCHW = {0, 3, 1, 2};
    private static final int TRANSPOSE_OPSET = 13;

    @Override
    public Graph apply(Graph g, PassContext context) {
        Map<String, ValueInfo> types = context.infer(g).types();
        OpRegistry ops = context.registry();
        Set<Node> convs = worthConverting(g, types, ops);
        if (convs.isEmpty()) {
            return g;
        }
        Set<String> names = valueNames(g);
        Map<String, String> twin = new HashMap<>(); // an NCHW value -> the same data in NHWC
        Map<String, String> producedInNhwc = new LinkedHashMap<>(); // NCHW names that now exist only as twins
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (convs.contains(n)) {
                List<String> in = new ArrayList<>(n.inputs());
                in.set(0, toNhwc(in.get(0), twin, names, nodes));
                Map<String, Attribute> attrs = new HashMap<>(n.attributes());
                attrs.put("channels_last", new Attribute.IntAttr(1));
                String y = n.outputs().get(0);
                String yNhwc = fresh(y + "__nhwc", names);
                nodes.add(new Node(n.name(), "QLinearConv", OpRegistry.OCTET_DOMAIN, in, List.of(yNhwc), attrs));
                twin.put(y, yNhwc);
                producedInNhwc.put(y, yNhwc);
            } else if (isLayoutBlindBinary(n, types, twin, g, ops)) {
                List<String> in = new ArrayList<>(n.inputs());
                in.set(0, twin.get(in.get(0)));
                in.set(3, twin.get(in.get(3)));
                String y = n.outputs().get(0);
                String yNhwc = fresh(y + "__nhwc", names);
                nodes.add(new Node(n.name(), n.opType(), n.domain(), in, List.of(yNhwc), n.attributes()));
                twin.put(y, yNhwc);
                producedInNhwc.put(y, yNhwc);
            } else {
                nodes.add(n);
            }
        }
        if (producedInNhwc.isEmpty()) {
            return g;
        }
        Set<String> readAsNchw = new HashSet<>();
        for (Node n : nodes) {
            readAsNchw.addAll(Subgraphs.uses(n)); // a subgraph reads what it captures as the model wrote it
        }
        for (ValueInfo v : g.outputs()) {
            readAsNchw.add(v.name());
        }
        producedInNhwc.forEach((y, yNhwc) -> {
            if (readAsNchw.contains(y)) {
                nodes.add(transpose(yNhwc, y, TO_NCHW));
            }
        });
        if (g.opsets().containsKey(OpRegistry.ONNX_DOMAIN)) {
            return g.withNodes(nodes, g.initializers());
        }
        // A model importing only com.microsoft: the Transposes need an ai.onnx opset (Transpose is the same in all).
        Map<String, Integer> opsets = new HashMap<>(g.opsets());
        opsets.put(OpRegistry.ONNX_DOMAIN, TRANSPOSE_OPSET);
        return new Graph(g.name(), g.inputs(), g.outputs(), g.initializers(), nodes, opsets, g.valueInfo());
    }

    /**
     * The 2-D convolutions next to another one or to a QLinearAdd/QLinearMul (a conv on its own would only trade
     * its internal transposes for two Transpose steps).
     */
    private static Set<Node> worthConverting(Graph g, Map<String, ValueInfo> types, OpRegistry ops) {
        Map<String, Node> producer = new HashMap<>();
        Map<String, List<Node>> consumers = new HashMap<>();
        for (Node n : g.nodes()) {
            n.outputs().forEach(o -> producer.put(o, n));
            Subgraphs.uses(n).forEach(i -> consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n));
        }
        Set<Node> worth = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : g.nodes()) {
            if (!isConv2d(n, types, g, ops)) {
                continue;
            }
            Node p = producer.get(n.inputs().get(0));
            boolean linked = p != null && (isConv2d(p, types, g, ops) || isQLinearBinary(p, g, ops));
            for (Node c : consumers.getOrDefault(n.outputs().get(0), List.of())) {
                linked |= isConv2d(c, types, g, ops) && c.inputs().get(0).equals(n.outputs().get(0))
                    || isQLinearBinary(c, g, ops);
            }
            if (linked) {
                worth.add(n);
            }
        }
        return worth;
    }

    private static boolean isQLinearBinary(Node n, Graph g, OpRegistry ops) {
        return ops.has(g, n, OpTrait.LAYOUT_AGNOSTIC_BINARY);
    }

    private static boolean isConv2d(Node n, Map<String, ValueInfo> types, Graph g, OpRegistry ops) {
        if (!ops.has(g, n, OpTrait.CHANNELS_LAST_FORM) || n.outputs().size() != 1
            || FusionRewriter.intAttr(n, "channels_last", 0) != 0 || n.inputs().size() < 8) {
            return false;
        }
        return rank(types, n.inputs().get(0)) == 4 && rank(types, n.inputs().get(3)) == 4;
    }

    /** QLinearAdd/QLinearMul of two rank-4 values that both have NHWC twins. */
    private static boolean isLayoutBlindBinary(Node n, Map<String, ValueInfo> types, Map<String, String> twin, Graph g,
                                               OpRegistry ops) {
        if (!isQLinearBinary(n, g, ops) || n.inputs().size() < 7 || n.outputs().size() != 1) {
            return false;
        }
        String a = n.inputs().get(0), b = n.inputs().get(3);
        // Both rank 4 and both permuted alike: any broadcast between them pairs the same elements in NHWC.
        return twin.containsKey(a) && twin.containsKey(b) && rank(types, a) == 4 && rank(types, b) == 4;
    }

    private static String toNhwc(String x, Map<String, String> twin, Set<String> names, List<Node> nodes) {
        String t = twin.get(x);
        if (t == null) {
            t = fresh(x + "__nhwc", names);
            nodes.add(transpose(x, t, TO_NHWC));
            twin.put(x, t);
        }
        return t;
    }

    private static Node transpose(String in, String out, long[] perm) {
        return new Node(out + "__transpose", "Transpose", OpRegistry.ONNX_DOMAIN, List.of(in), List.of(out),
            Map.of("perm", new Attribute.IntsAttr(perm)));
    }

    private static int rank(Map<String, ValueInfo> types, String value) {
        List<Dim> s = shape(types, value);
        return s == null ? -1 : s.size();
    }

    private static List<Dim> shape(Map<String, ValueInfo> types, String value) {
        ValueInfo v = types.get(value);
        return v == null ? null : v.shape();
    }

    private static Set<String> valueNames(Graph g) {
        Set<String> names = new HashSet<>(g.initializers().keySet());
        g.inputs().forEach(v -> names.add(v.name()));
        for (Node n : g.nodes()) {
            names.addAll(Subgraphs.uses(n));
            names.addAll(n.outputs());
        }
        return names;
    }

    private static String fresh(String base, Set<String> names) {
        String name = base;
        for (int i = 2; !names.add(name); i++) {
            name = base + i;
        }
        return name;
    }
}
