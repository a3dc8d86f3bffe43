package dev.octet.compile;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
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
 * com.microsoft or Octet's fused one) or ConvIntegerToFloat with a rank-4 input that reads from or feeds another
 * one (directly or through DynamicQuantizeLinear, Concat, MaxPool, Resize or an {@link OpTrait#ELEMENTWISE} op such
 * as QdqFusion's LookupTable), or a QLinearAdd or QLinearMul,
 * becomes its Octet form with {@code channels_last}; QLinearAdd / QLinearMul whose two rank-4 inputs are both
 * already NHWC follow them (elementwise: permuting both operands alike keeps any broadcast), and so do the ops
 * between dynamically quantized convolutions ({@link #inNhwc}). A value enters the NHWC region through one Transpose {@code [0,2,3,1]} and leaves it, where an
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
        ShapeInference.Result inferred = context.infer(g);
        Map<String, ValueInfo> types = inferred.types();
        OpRegistry ops = context.registry();
        Set<Node> convs = worthConverting(g, types, ops);
        if (convs.isEmpty()) {
            return g;
        }
        Set<String> names = valueNames(g);
        Set<Node> floatFollowers = dequantizeFollowers(g, types, ops);
        Map<String, String> twin = new HashMap<>(); // an NCHW value -> the same data in NHWC
        Map<String, String> producedInNhwc = new LinkedHashMap<>(); // NCHW names that now exist only as twins
        Map<String, Tensor> initializers = new HashMap<>(g.initializers());
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            Node follower;
            if (convs.contains(n)) {
                List<String> in = new ArrayList<>(n.inputs());
                in.set(0, toNhwc(in.get(0), twin, names, nodes));
                Map<String, Attribute> attrs = new HashMap<>(n.attributes());
                attrs.put("channels_last", new Attribute.IntAttr(1));
                String y = n.outputs().get(0);
                String yNhwc = fresh(y + "__nhwc", names);
                // ONNX and com.microsoft QLinearConv have Octet's form; Octet's own convolutions stay what they are.
                String type = n.domain().equals(OpRegistry.OCTET_DOMAIN) ? n.opType() : "QLinearConv";
                nodes.add(new Node(n.name(), type, OpRegistry.OCTET_DOMAIN, in, List.of(yNhwc), attrs));
                twin.put(y, yNhwc);
                producedInNhwc.put(y, yNhwc);
            } else if ((follower = inNhwc(n, types, twin, names, initializers, inferred.constants(), g, ops,
                floatFollowers)) != null) {
                nodes.add(follower);
                String y = n.outputs().get(0);
                twin.put(y, follower.outputs().get(0));
                producedInNhwc.put(y, follower.outputs().get(0));
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
            return g.withNodes(nodes, initializers);
        }
        // A model importing only com.microsoft: the Transposes need an ai.onnx opset (Transpose is the same in all).
        Map<String, Integer> opsets = new HashMap<>(g.opsets());
        opsets.put(OpRegistry.ONNX_DOMAIN, TRANSPOSE_OPSET);
        return new Graph(g.name(), g.inputs(), g.outputs(), initializers, nodes, opsets, g.valueInfo());
    }

    /** Where an NCHW axis of a rank-4 tensor is in NHWC. */
    private static final long[] NHWC_AXIS = {0, 3, 1, 2};

    /**
     * The NHWC form of an op that can follow a convolution there with the same bits, when its rank-4 input already
     * has an NHWC twin, else null: DynamicQuantizeLinear (min, max and rounding do not care about order), Concat
     * of twins (on the permuted axis), a 2-D float MaxPool (Octet's channels-last MaxPool), a nearest or float
     * linear Resize of H and W both ({@link #resizeInNhwc}) and
     * QLinearGlobalAveragePool (Octet's channels-last form: integer sums, in any order the same).
     */
    private static Node inNhwc(Node n, Map<String, ValueInfo> types, Map<String, String> twin, Set<String> names,
                               Map<String, Tensor> initializers, Map<String, Tensor> constants, Graph g, OpRegistry ops,
                               Set<Node> floatFollowers) {
        if (n.inputs().isEmpty() || !twin.containsKey(n.inputs().get(0)) || rank(types, n.inputs().get(0)) != 4) {
            return null;
        }
        if (isElementwise(n, g, ops)) {
            List<String> in = new ArrayList<>(n.inputs());
            in.set(0, twin.get(in.get(0)));
            return new Node(n.name(), n.opType(), n.domain(), in, List.of(fresh(n.outputs().get(0) + "__nhwc", names)),
                n.attributes());
        }
        if (n.domain().equals(OpRegistry.MICROSOFT_DOMAIN) && n.opType().equals("QLinearGlobalAveragePool")
            && FusionRewriter.intAttr(n, "channels_last", 0) == 0) {
            // Octet's channels-last form: the same sums, [N, 1, 1, C] out, one transpose of C bytes for NCHW readers.
            List<String> in = new ArrayList<>(n.inputs());
            in.set(0, twin.get(in.get(0)));
            return new Node(n.name(), n.opType(), OpRegistry.OCTET_DOMAIN, in,
                List.of(fresh(n.outputs().get(0) + "__nhwc", names)), Map.of());
        }
        if (isPerTensorQdq(n, types) && (n.opType().equals("QuantizeLinear") || floatFollowers.contains(n))) {
            // One scale and zero point for every element: elementwise, so the twin's codes are the NHWC result.
            List<String> in = new ArrayList<>(n.inputs());
            in.set(0, twin.get(in.get(0)));
            return new Node(n.name(), n.opType(), n.domain(), in, List.of(fresh(n.outputs().get(0) + "__nhwc", names)),
                n.attributes());
        }
        if (!n.domain().isEmpty()) {
            return null;
        }
        String x = twin.get(n.inputs().get(0));
        String y = n.outputs().get(0);
        List<String> in = new ArrayList<>(n.inputs());
        in.set(0, x);
        switch (n.opType()) {
            case "DynamicQuantizeLinear" -> {
                List<String> out = new ArrayList<>(n.outputs());
                out.set(0, fresh(y + "__nhwc", names));
                return new Node(n.name(), n.opType(), n.domain(), in, out, n.attributes());
            }
            case "Concat" -> {
                for (String i : n.inputs()) {
                    if (!twin.containsKey(i) || rank(types, i) != 4) {
                        return null;
                    }
                }
                long axis = FusionRewriter.intAttr(n, "axis", Long.MIN_VALUE);
                if (axis < -4 || axis > 3) {
                    return null;
                }
                Map<String, Attribute> attrs = new HashMap<>(n.attributes());
                attrs.put("axis", new Attribute.IntAttr(NHWC_AXIS[(int) (axis + 4) % 4]));
                return new Node(n.name(), n.opType(), n.domain(), n.inputs().stream().map(twin::get).toList(),
                    List.of(fresh(y + "__nhwc", names)), attrs);
            }
            case "MaxPool" -> {
                long[] kernel = FusionRewriter.intsAttr(n, "kernel_shape");
                boolean explicitPads = !(n.attributes().get("auto_pad") instanceof Attribute.StringAttr a)
                    || a.value().equals("NOTSET");
                if (n.outputs().size() != 1 || kernel == null || kernel.length != 2 || !explicitPads
                    || types.get(n.inputs().get(0)).type() != DataType.FLOAT) {
                    return null;
                }
                return new Node(n.name(), "MaxPool", OpRegistry.OCTET_DOMAIN, in, List.of(fresh(y + "__nhwc", names)),
                    n.attributes());
            }
            case "Resize" -> {
                return resizeInNhwc(n, in, types, names, initializers, constants, g);
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * A Resize of both H and W by sizes or scales known at load, N and C kept, in NHWC, else null: nearest of any type
     * (each output element copies the input element its per-axis index maps pick, whatever the layout), or linear of
     * floats (ORT's NHWC bilinear kernel: the same products and sums as the NCHW one).
     */
    private static Node resizeInNhwc(Node n, List<String> in, Map<String, ValueInfo> types, Set<String> names,
                                     Map<String, Tensor> initializers, Map<String, Tensor> constants, Graph g) {
        List<Dim> xs = shape(types, n.inputs().get(0));
        List<Dim> ys = shape(types, n.outputs().get(0));
        String mode = n.attributes().get("mode") instanceof Attribute.StringAttr m ? m.value() : "nearest";
        boolean plain = g.opset(OpRegistry.ONNX_DOMAIN) >= 11 && n.inputs().size() >= 3 && n.outputs().size() == 1
            && (mode.equals("nearest")
                || mode.equals("linear") && types.get(n.inputs().get(0)).type() == DataType.FLOAT)
            && !(n.attributes().get("coordinate_transformation_mode") instanceof Attribute.StringAttr c
                && c.value().equals("tf_crop_and_resize"))
            && FusionRewriter.intAttr(n, "antialias", 0) == 0 && !n.attributes().containsKey("axes")
            && (!(n.attributes().get("keep_aspect_ratio_policy") instanceof Attribute.StringAttr p)
                || p.value().equals("stretch"))
            && n.inputs().get(1).isEmpty();
        if (!plain || xs == null || ys == null || ys.size() != 4) {
            return null;
        }
        for (int d = 0; d < 4; d++) {
            boolean fixed = xs.get(d).isFixed() && ys.get(d).isFixed();
            // N and C kept, H and W both resized: the NHWC and NCHW bilinear kernels then compute alike.
            if (!fixed || (d < 2) != (xs.get(d).value() == ys.get(d).value())) {
                return null;
            }
        }
        int valueInput = n.inputs().size() > 3 && !n.inputs().get(3).isEmpty() ? 3 : 2;
        String name = n.inputs().get(valueInput);
        Tensor value = name.isEmpty() ? null : initializers.containsKey(name) ? initializers.get(name)
            : constants.get(name);
        if (value == null || value.size() != 4) {
            return null;
        }
        String permuted = fresh(name + "__nhwc", names);
        initializers.put(permuted, value.type() == DataType.INT64
            ? Tensor.ofLongs(permute(value.longs()), 4)
            : Tensor.ofFloats(permute(value.floats()), 4));
        in.set(valueInput, permuted);
        return new Node(n.name(), n.opType(), n.domain(), in, List.of(fresh(n.outputs().get(0) + "__nhwc", names)),
            n.attributes());
    }

    private static long[] permute(long[] nchw) {
        return new long[] {nchw[0], nchw[2], nchw[3], nchw[1]};
    }

    private static float[] permute(float[] nchw) {
        return new float[] {nchw[0], nchw[2], nchw[3], nchw[1]};
    }

    /** The ONNX ops {@link #inNhwc} may move into NHWC: convolutions linked through them are next to each other. */
    private static final Set<String> FOLLOWERS = Set.of("DynamicQuantizeLinear", "Concat", "MaxPool", "Resize");

    /**
     * The 2-D convolutions next to another one, directly or through {@link #FOLLOWERS}, or to a QLinearAdd/QLinearMul
     * (a conv on its own would only trade its internal transposes for two Transpose steps).
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
            if (isConv2d(n, types, g, ops) && (convAbove(n.inputs().get(0), producer, types, g, ops, new HashSet<>())
                || convBelow(n.outputs().get(0), consumers, types, g, ops, new HashSet<>()))) {
                worth.add(n);
            }
        }
        return worth;
    }

    /** Whether a convolution or QLinear binary op computes {@code value}, directly or through followers. */
    private static boolean convAbove(String value, Map<String, Node> producer, Map<String, ValueInfo> types, Graph g,
                                     OpRegistry ops, Set<String> seen) {
        Node p = producer.get(value);
        if (p == null || !seen.add(value)) {
            return false;
        }
        if (isConv2d(p, types, g, ops) || isQLinearBinary(p, g, ops)) {
            return true;
        }
        if (!isFollower(p, types, g, ops)) {
            return false;
        }
        List<String> inputs = p.opType().equals("Concat") ? p.inputs() : p.inputs().subList(0, 1);
        return inputs.stream().anyMatch(i -> convAbove(i, producer, types, g, ops, seen));
    }

    /** Whether a convolution (as its X) or QLinear binary op reads {@code value}, directly or through followers. */
    private static boolean convBelow(String value, Map<String, List<Node>> consumers, Map<String, ValueInfo> types,
                                     Graph g, OpRegistry ops, Set<String> seen) {
        if (!seen.add(value)) {
            return false;
        }
        for (Node c : consumers.getOrDefault(value, List.of())) {
            if (isConv2d(c, types, g, ops) && c.inputs().get(0).equals(value) || isQLinearBinary(c, g, ops)
                || isFollower(c, types, g, ops) && convBelow(c.outputs().get(0), consumers, types, g, ops, seen)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isFollower(Node n, Map<String, ValueInfo> types, Graph g, OpRegistry ops) {
        return n.domain().isEmpty() && FOLLOWERS.contains(n.opType()) && !n.outputs().isEmpty()
            || isElementwise(n, g, ops) || isPerTensorQdq(n, types);
    }

    /**
     * The per-tensor DequantizeLinears whose every reader can follow in NHWC (a Resize, a Concat, ...): only those
     * move, so that a float value never leaves the region (its transpose would move four times the bytes).
     */
    private static Set<Node> dequantizeFollowers(Graph g, Map<String, ValueInfo> types, OpRegistry ops) {
        Map<String, List<Node>> consumers = new HashMap<>();
        for (Node n : g.nodes()) {
            Subgraphs.uses(n).forEach(i -> consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n));
        }
        Set<String> outputs = new HashSet<>();
        g.outputs().forEach(v -> outputs.add(v.name()));
        Set<Node> result = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : g.nodes()) {
            if (!n.opType().equals("DequantizeLinear") || !isPerTensorQdq(n, types) || outputs.contains(n.outputs().get(0))) {
                continue;
            }
            List<Node> readers = consumers.getOrDefault(n.outputs().get(0), List.of());
            if (!readers.isEmpty() && readers.stream().allMatch(c -> c.opType().equals("QuantizeLinear")
                ? isPerTensorQdq(c, types) : c.domain().isEmpty() && FOLLOWERS.contains(c.opType()))) {
                result.add(n);
            }
        }
        return result;
    }

    /**
     * An ONNX QuantizeLinear or DequantizeLinear with one scale and zero point (a QDQ model's float steps between
     * its int8 ones, such as a Resize that changes the scale): elementwise whatever the layout.
     */
    private static boolean isPerTensorQdq(Node n, Map<String, ValueInfo> types) {
        if (!n.domain().isEmpty() || !(n.opType().equals("QuantizeLinear") || n.opType().equals("DequantizeLinear"))
            || n.outputs().size() != 1 || n.inputs().size() < 2) {
            return false;
        }
        for (int i = 1; i < n.inputs().size(); i++) {
            String v = n.inputs().get(i);
            if (!v.isEmpty() && !isOneElement(shape(types, v))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isOneElement(List<Dim> shape) {
        if (shape == null) {
            return false;
        }
        for (Dim d : shape) {
            if (!d.isFixed() || d.value() != 1) {
                return false;
            }
        }
        return true;
    }

    /** An {@link OpTrait#ELEMENTWISE} op with one output: the same op on the NHWC twin gives the NHWC result. */
    private static boolean isElementwise(Node n, Graph g, OpRegistry ops) {
        return n.outputs().size() == 1 && ops.has(g, n, OpTrait.ELEMENTWISE);
    }

    private static boolean isQLinearBinary(Node n, Graph g, OpRegistry ops) {
        return ops.has(g, n, OpTrait.LAYOUT_AGNOSTIC_BINARY);
    }

    private static boolean isConv2d(Node n, Map<String, ValueInfo> types, Graph g, OpRegistry ops) {
        if (!ops.has(g, n, OpTrait.CHANNELS_LAST_FORM) || n.outputs().size() != 1
            || FusionRewriter.intAttr(n, "channels_last", 0) != 0) {
            return false;
        }
        // QLinearConv's weights are input 3 (of at least 8), ConvIntegerToFloat's input 1.
        int weights = n.opType().equals("ConvIntegerToFloat") ? 1 : 3;
        if (weights == 3 && n.inputs().size() < 8) {
            return false;
        }
        return rank(types, n.inputs().get(0)) == 4 && rank(types, n.inputs().get(weights)) == 4;
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
