package dev.octet.compile;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import dev.octet.ops.OpDefinition;
import dev.octet.ops.OpRegistry;
import dev.octet.ops.OpTrait;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns QDQ patterns, {@code DequantizeLinear -> op [-> Relu] -> QuantizeLinear} (Relu: any
 * {@link OpTrait#QUANTIZED_CLAMP} op), into integer operators the
 * way ONNX Runtime's QDQ transformer does, so that results match ORT bit for bit:
 * <ul>
 *   <li>Conv → QLinearConv (Octet's, with the Relu folded into the output clamp: {@code Q(relu(v))} equals
 *       {@code max(Q(v), zp)} exactly, since rounding is monotonic and maps 0 to 0);</li>
 *   <li>Gemm (transA = 0, beta = 1, int32 bias) → com.microsoft QGemm;</li>
 *   <li>an op whose definition names an integer variant → that variant: Add and Mul → com.microsoft QLinearAdd
 *       and QLinearMul, GlobalAveragePool → QLinearGlobalAveragePool, LeakyRelu → QLinearLeakyRelu (as ORT's
 *       QDQ transformer does);</li>
 *   <li>a {@link OpTrait#DATA_MOVEMENT} op (Flatten, Reshape, Squeeze, Unsqueeze, Transpose, Slice, Gather, Tile,
 *       Expand, DepthToSpace, SpaceToDepth, MaxPool, Concat) whose inputs and output share scale and zero point →
 *       the same op on the quantized tensors;</li>
 *   <li>any other {@link OpTrait#ELEMENTWISE} ai.onnx op (Sigmoid, Tanh, HardSwish, Clip, Elu, Relu, ...) between
 *       8-bit per-tensor DQ and Q → Octet's LookupTable: its 256 entries are the same DQ, op and Q applied to every
 *       byte pattern, nodes that constant folding evaluates at load with the kernels the unfused graph would run,
 *       so the table gives the unfused graph's bits by construction.</li>
 * </ul>
 * A DQ -> Q pair with the same scale and zero point (both named) gives its input back and becomes an Identity.
 * Only per-tensor activations with constant scales and zero points fuse; weights may be per-channel.
 * Patterns that do not match stay float, which is slower but still correct. Run {@link AliasElimination}
 * before and {@link DeadNodeElimination} after.
 */
public final class QdqFusion implements GraphPass {
    /** Scale and zero point of one Q or DQ node, with the quantized value it reads or writes. */
    private record QParams(String quantized, String scale, String zeroPoint, Tensor scaleValue, Tensor zpValue) {
        boolean perTensor() {
            return scaleValue.size() == 1 && zpValue.size() == 1;
        }

        boolean sameAs(QParams o) {
            return scaleValue.floats()[0] == o.scaleValue.floats()[0] && zpValue.type() == o.zpValue.type()
                && zpValue.getLong(0) == o.zpValue.getLong(0);
        }
    }

    /**
     * The constants the fused graph can use: initializers, and fake-quantized weights, a QuantizeLinear of
     * initializers (float weights, scale, zero point), evaluated at load with the session's kernels, the ones the
     * unfused graph would run; a folded value that a fused op reads becomes an initializer in place of its
     * QuantizeLinear. Such a fold is never larger than the initializer it reads, so it needs no folding limit.
     */
    private static final class Constants {
        private final Graph g;
        private final GraphIndex idx;
        private final PassContext context;
        private final Map<String, Tensor> folded = new HashMap<>();

        Constants(Graph g, GraphIndex idx, PassContext context) {
            this.g = g;
            this.idx = idx;
            this.context = context;
        }

        Tensor get(String value) {
            Tensor t = idx.constant(value);
            return t != null || value.isEmpty() ? t : folded(value);
        }

        /** The fake-quantized weights {@code value} names, or null when it is not a QuantizeLinear of constants. */
        Tensor folded(String value) {
            if (folded.containsKey(value)) {
                return folded.get(value);
            }
            Node q = idx.producer(value);
            Tensor result = null;
            if (q != null && q.domain().isEmpty() && q.opType().equals("QuantizeLinear") && q.outputs().size() == 1) {
                Tensor[] in = new Tensor[q.inputs().size()];
                boolean constant = true;
                for (int i = 0; i < in.length && constant; i++) {
                    in[i] = idx.constant(q.inputs().get(i));
                    constant = in[i] != null || q.inputs().get(i).isEmpty();
                }
                if (constant) {
                    try {
                        result = context.registry().create(q, OpRegistry.opsetOf(g, q), in, context.env()).run(in)[0];
                    } catch (RuntimeException e) {
                        result = null; // the unfused graph fails the same way when it runs
                    }
                }
            }
            folded.put(value, result);
            return result;
        }
    }

    @Override
    public Graph apply(Graph g, PassContext context) {
        OpRegistry ops = context.registry();
        GraphIndex idx = new GraphIndex(g);
        Map<String, Tensor> initializers = new HashMap<>(g.initializers());
        Map<Node, List<Node>> replacement = new HashMap<>();
        ShapeInference.Result inferred = presetZeroPoints(g, context, initializers);
        Constants constants = new Constants(g, idx, context);
        for (Node q : g.nodes()) {
            if (!q.domain().isEmpty() || !q.opType().equals("QuantizeLinear")) {
                continue;
            }
            QParams out = params(q, idx, initializers);
            if (out == null || !out.perTensor()) {
                continue;
            }
            Node op = idx.producer(q.inputs().get(0));
            QParams dequantized = op != null && op.opType().equals("DequantizeLinear") && hasZeroPoint(op)
                && hasZeroPoint(q) ? dequantized(q.inputs().get(0), idx, initializers) : null;
            if (dequantized != null && dequantized.sameAs(out) && roundTrips(out)) {
                replacement.put(q, List.of(new Node(q.name(), "Identity", "", List.of(dequantized.quantized),
                    q.outputs(), Map.of())));
                continue;
            }
            if (op != null && isTableCandidate(op, g, ops, idx)) {
                inferred = inferred != null ? inferred : context.infer(g);
                List<Node> table = lookupTable(op, q, idx, initializers, inferred);
                if (table != null) {
                    replacement.put(q, table);
                    continue;
                }
            }
            Node relu = null;
            if (op != null && ops.has(g, op, OpTrait.QUANTIZED_CLAMP) && idx.hasSingleUse(op.outputs().get(0))) {
                relu = op;
                op = idx.producer(op.inputs().get(0));
            }
            if (op == null || !op.domain().isEmpty() || op.outputs().size() != 1 || !idx.hasSingleUse(op.outputs().get(0))) {
                continue;
            }
            String y = q.outputs().get(0);
            Node fused = switch (op.opType()) {
                case "Conv" -> conv(op, relu != null, out, y, idx, initializers, constants);
                case "Gemm" -> relu == null ? gemm(op, out, y, idx, initializers, constants) : null;
                default -> relu == null ? byDefinition(op, g, ops, out, y, idx, initializers) : null;
            };
            if (fused != null) {
                replacement.put(q, List.of(fused));
                for (String in : fused.inputs()) {
                    Node producer = in.isEmpty() || initializers.containsKey(in) ? null : idx.producer(in);
                    Tensor value = producer == null ? null : constants.folded(in);
                    if (value != null) {
                        initializers.put(in, value);
                        replacement.put(producer, List.of());
                    }
                }
            }
        }
        if (replacement.isEmpty()) {
            return g;
        }
        List<Node> nodes = new ArrayList<>(g.nodes().size());
        for (Node n : g.nodes()) {
            nodes.addAll(replacement.getOrDefault(n, List.of(n)));
        }
        return g.withNodes(nodes, initializers);
    }

    /** Whether a Q or DQ node names its zero point (which then gives the quantized type). */
    private static boolean hasZeroPoint(Node n) {
        return n.inputs().size() > 2 && !n.inputs().get(2).isEmpty();
    }

    /**
     * Whether {@code Q(DQ(x))} with these parameters gives x back: {@code (x - z) * s}, one rounding, divided by s,
     * another, is within 2^-22 relative of x - z (|x - z| <= 510), so it rounds back exactly, unless the product
     * leaves the normal range.
     */
    private static boolean roundTrips(QParams p) {
        float s = Math.abs(p.scaleValue.floats()[0]);
        return s >= Float.MIN_NORMAL && s < 1e35f;
    }

    /**
     * An ai.onnx {@link OpTrait#ELEMENTWISE} op after a DequantizeLinear, with one output that only the QuantizeLinear
     * reads, and no integer variant (LeakyRelu becomes ORT's QLinearLeakyRelu, as in ORT's plan).
     */
    private static boolean isTableCandidate(Node op, Graph g, OpRegistry ops, GraphIndex idx) {
        Node dq = op.inputs().isEmpty() ? null : idx.producer(op.inputs().get(0));
        return op.domain().isEmpty() && op.outputs().size() == 1 && idx.hasSingleUse(op.outputs().get(0))
            && dq != null && dq.domain().isEmpty() && dq.opType().equals("DequantizeLinear")
            && ops.has(g, op, OpTrait.ELEMENTWISE)
            && ops.find(op.domain(), op.opType(), OpRegistry.opsetOf(g, op)).map(OpDefinition::integerVariant)
                .isEmpty();
    }

    /**
     * {@code DQ -> op -> Q} as {@code LookupTable(xq, table)}, the table computed by the same three nodes on the 256
     * byte patterns of X's type (they fold at load); null unless X is 8-bit behind a per-tensor DQ, the op's other
     * inputs are constants and Q writes 8-bit values.
     */
    private static List<Node> lookupTable(Node op, Node q, GraphIndex idx, Map<String, Tensor> initializers,
                                          ShapeInference.Result inferred) {
        String x = op.inputs().get(0);
        Node dq = idx.producer(x);
        if (dequantized(x, idx, initializers) == null) {
            return null;
        }
        ValueInfo xq = inferred.types().get(dq.inputs().get(0));
        ValueInfo y = inferred.types().get(q.outputs().get(0));
        if (xq == null || y == null || xq.type() == null || y.type() == null || !xq.type().isQuantized()
            || !y.type().isQuantized()) {
            return null;
        }
        for (String in : op.inputs().subList(1, op.inputs().size())) {
            // An initializer that is also a graph input can change at run time: not a constant.
            boolean constant = idx.constant(in) != null
                || !initializers.containsKey(in) && inferred.constants().containsKey(in);
            if (!in.isEmpty() && !constant) {
                return null;
            }
        }
        byte[] patterns = new byte[256];
        for (int i = 0; i < 256; i++) {
            patterns[i] = (byte) i;
        }
        String base = q.outputs().get(0) + "/octet_table";
        initializers.put(base + "_patterns", xq.type() == DataType.UINT8 ? Tensor.ofUint8(patterns, 256)
            : Tensor.ofInt8(patterns, 256));
        List<String> dqIn = new ArrayList<>(dq.inputs());
        dqIn.set(0, base + "_patterns");
        List<String> opIn = new ArrayList<>(op.inputs());
        opIn.set(0, base + "_dequantized");
        List<String> qIn = new ArrayList<>(q.inputs());
        qIn.set(0, base + "_values");
        return List.of(
            new Node(dq.name() + "/octet_table", dq.opType(), dq.domain(), dqIn, List.of(base + "_dequantized"),
                dq.attributes()),
            new Node(op.name() + "/octet_table", op.opType(), op.domain(), opIn, List.of(base + "_values"),
                op.attributes()),
            new Node(q.name() + "/octet_table", q.opType(), q.domain(), qIn, List.of(base), q.attributes()),
            new Node(op.name(), "LookupTable", OpRegistry.OCTET_DOMAIN, List.of(dq.inputs().get(0), base),
                q.outputs(), Map.of()));
    }

    /**
     * The zero point of each DequantizeLinear that names none: 0 of X's type, which only shape inference knows (a
     * uint8 0 assumed for int8 X would let the quantized ops change the values' type). Returns the inference, or
     * null when no DQ needed it.
     */
    private static ShapeInference.Result presetZeroPoints(Graph g, PassContext context, Map<String, Tensor> initializers) {
        ShapeInference.Result inferred = null;
        for (Node n : g.nodes()) {
            if (n.domain().isEmpty() && n.opType().equals("DequantizeLinear") && !hasZeroPoint(n)) {
                inferred = inferred != null ? inferred : context.infer(g);
                ValueInfo x = inferred.types().get(n.inputs().get(0));
                if (x != null && x.type() != null && x.type().isQuantized()) {
                    initializers.put(impliedZeroPoint(n), x.type() == DataType.UINT8 ? Tensor.ofUint8(new byte[1])
                        : Tensor.ofInt8(new byte[1]));
                }
            }
        }
        return inferred;
    }

    private static String impliedZeroPoint(Node n) {
        return n.name() + "/octet_zero_point";
    }

    /**
     * Scale/zero point of a Q or DQ node when both are constants: a Q without a zero point writes uint8; a DQ without
     * one has the zero point {@link #presetZeroPoints} found (none when X's type is unknown).
     */
    private static QParams params(Node n, GraphIndex idx, Map<String, Tensor> initializers) {
        Tensor scale = idx.constant(n.inputs().get(1));
        if (scale == null || scale.type() != DataType.FLOAT) {
            return null;
        }
        boolean hasZp = n.inputs().size() > 2 && !n.inputs().get(2).isEmpty();
        if (n.attributes().containsKey("block_size") || (!hasZp && n.attributes().containsKey("output_dtype"))) {
            return null;
        }
        String zpName;
        Tensor zp;
        if (hasZp) {
            zpName = n.inputs().get(2);
            zp = idx.constant(zpName);
        } else if (n.opType().equals("QuantizeLinear")) {
            zpName = impliedZeroPoint(n);
            zp = Tensor.ofUint8(new byte[1]);
            initializers.put(zpName, zp);
        } else {
            zpName = impliedZeroPoint(n);
            zp = initializers.get(zpName);
        }
        if (zp == null || !zp.type().isQuantized() || zp.size() != scale.size()) {
            return null;
        }
        String quantized = n.opType().equals("QuantizeLinear") ? n.outputs().get(0) : n.inputs().get(0);
        return new QParams(quantized, n.inputs().get(1), zpName, scale, zp);
    }

    /** The DQ feeding {@code value}, if it has constant per-tensor parameters. */
    private static QParams dequantized(String value, GraphIndex idx, Map<String, Tensor> initializers) {
        Node dq = idx.producer(value);
        if (dq == null || !dq.domain().isEmpty() || !dq.opType().equals("DequantizeLinear")) {
            return null;
        }
        QParams p = params(dq, idx, initializers);
        return p != null && p.perTensor() ? p : null;
    }

    /** The DQ of constant weights, per-tensor or per-channel along {@code channelAxis}. */
    private static QParams dequantizedWeights(String value, int channelAxis, GraphIndex idx,
                                              Map<String, Tensor> initializers, Constants constants) {
        Node dq = idx.producer(value);
        if (dq == null || !dq.domain().isEmpty() || !dq.opType().equals("DequantizeLinear")) {
            return null;
        }
        QParams p = params(dq, idx, initializers);
        Tensor w = p == null ? null : constants.get(p.quantized);
        if (w == null || !w.type().isQuantized()) {
            return null;
        }
        if (!p.perTensor()) {
            long axis = dq.attributes().get("axis") instanceof Attribute.IntAttr a ? a.value() : 1;
            if (axis < 0) {
                axis += w.rank();
            }
            if (axis != channelAxis || p.scaleValue.rank() != 1) {
                return null;
            }
        }
        return p;
    }

    /** An int32 bias behind a DequantizeLinear with zero point 0, as ORT requires; null if none matches. */
    private static String int32Bias(String value, GraphIndex idx) {
        Node dq = idx.producer(value);
        if (dq == null || !dq.opType().equals("DequantizeLinear") || !dq.domain().isEmpty()) {
            return null;
        }
        Tensor b = idx.constant(dq.inputs().get(0));
        if (b == null || b.type() != DataType.INT32) {
            return null;
        }
        if (dq.inputs().size() > 2 && !dq.inputs().get(2).isEmpty()) {
            Tensor zp = idx.constant(dq.inputs().get(2));
            if (zp == null) {
                return null;
            }
            for (int i = 0; i < zp.size(); i++) {
                if (zp.getLong(i) != 0) {
                    return null;
                }
            }
        }
        return dq.inputs().get(0);
    }

    /** The op's third input as an int32 bias ("" when absent), or null when it is present but does not qualify. */
    private static String optionalBias(Node op, GraphIndex idx) {
        if (op.inputs().size() <= 2 || op.inputs().get(2).isEmpty()) {
            return "";
        }
        return int32Bias(op.inputs().get(2), idx);
    }

    private static Node conv(Node op, boolean relu, QParams out, String y, GraphIndex idx,
                             Map<String, Tensor> initializers, Constants constants) {
        QParams x = dequantized(op.inputs().get(0), idx, initializers);
        QParams w = op.inputs().size() > 1 ? dequantizedWeights(op.inputs().get(1), 0, idx, initializers, constants)
            : null;
        if (x == null || w == null) {
            return null;
        }
        String bias = optionalBias(op, idx);
        if (bias == null) {
            bias = exactBias(op, x, w, out, idx, initializers, constants);
            if (bias == null) {
                return null;
            }
        }
        Map<String, Attribute> attrs = new HashMap<>(op.attributes());
        DataType outType = out.zpValue.type();
        int zp = (int) out.zpValue.getLong(0);
        attrs.put("y_min", new Attribute.IntAttr(relu ? Math.max(outType.qmin(), zp) : outType.qmin()));
        attrs.put("y_max", new Attribute.IntAttr(outType.qmax()));
        return new Node(op.name(), "QLinearConv", OpRegistry.OCTET_DOMAIN,
            List.of(x.quantized, x.scale, x.zeroPoint, w.quantized, w.scale, w.zeroPoint, out.scale, out.zeroPoint, bias),
            List.of(y), attrs);
    }

    /** Below this many units of x_scale * w_scale every partial sum of a float Conv is an exact float. */
    private static final long EXACT_UNITS = 1L << 24;

    /**
     * A Conv bias that is not an int32 DequantizeLinear (ORT's QDQ transformer then leaves the Conv in float), made
     * an int32 bias when fusing is still exact, as in Vitis AI's models (int8 biases with a power-of-two scale of
     * their own): with x, w and y scales powers of two, the float Conv of dequantized values multiplies exactly,
     * and while the channel's largest possible sum, 255 * sum|w - w_zp| plus the bias, stays below 2^24 units of
     * x_scale * w_scale, every partial sum in any order is exact too; its quantization divides by a power of two.
     * QLinearConv's integer sum (bias in those units) times its power-of-two multiplier is then the same value,
     * rounded the same way. Returns a new int32 initializer's name, or null when any condition fails.
     */
    private static String exactBias(Node op, QParams x, QParams w, QParams out, GraphIndex idx,
                                    Map<String, Tensor> initializers, Constants constants) {
        float[] b = floatBias(op.inputs().get(2), idx, constants);
        Tensor wq = constants.get(w.quantized);
        float sx = x.scaleValue.floats()[0];
        float sy = out.scaleValue.floats()[0];
        float[] sw = w.scaleValue.floats();
        int m = wq.dim(0);
        if (b == null || b.length != m || m == 0 || !powerOfTwo(sx) || !powerOfTwo(sy)) {
            return null;
        }
        int perChannel = wq.size() / m;
        int[] units = new int[m];
        for (int o = 0; o < m; o++) {
            float swo = sw[sw.length == 1 ? 0 : o];
            double unit = (double) sx * swo;
            double multiplier = unit / sy;
            // Normal units whose 2^24 multiples stay finite, and a normal multiplier: every step stays exact.
            if (!powerOfTwo(swo) || unit < Float.MIN_NORMAL || unit * EXACT_UNITS > Float.MAX_VALUE
                || multiplier < Float.MIN_NORMAL || multiplier > Float.MAX_VALUE) {
                return null;
            }
            double u = b[o] / unit;
            long zw = w.zpValue.getLong(w.zpValue.size() == 1 ? 0 : o);
            long sumAbs = 0;
            for (int i = o * perChannel; i < (o + 1) * perChannel; i++) {
                sumAbs += Math.abs(wq.getLong(i) - zw);
            }
            if (u != Math.rint(u) || 255 * sumAbs + Math.abs(u) >= EXACT_UNITS) {
                return null;
            }
            units[o] = (int) u;
        }
        String name = op.name() + "/octet_int32_bias";
        for (int i = 2; initializers.containsKey(name) || idx.producer(name) != null; i++) {
            name = op.name() + "/octet_int32_bias_" + i;
        }
        initializers.put(name, Tensor.ofInts(units, m));
        return name;
    }

    /** A positive normal float whose significand is 1: multiplying or dividing by it is exact in range. */
    private static boolean powerOfTwo(float s) {
        return s >= Float.MIN_NORMAL && s <= Float.MAX_VALUE && (Float.floatToRawIntBits(s) & 0x7FFFFF) == 0;
    }

    /**
     * A 1-D constant bias as the float graph sees it: a float constant, or a DequantizeLinear of constants,
     * {@code (float) (q - zp) * scale} per element (per-tensor or per-element parameters); null otherwise.
     */
    private static float[] floatBias(String value, GraphIndex idx, Constants constants) {
        Tensor constant = idx.constant(value);
        if (constant != null) {
            return constant.type() == DataType.FLOAT && constant.rank() == 1 ? constant.floats() : null;
        }
        Node dq = idx.producer(value);
        if (dq == null || !dq.domain().isEmpty() || !dq.opType().equals("DequantizeLinear")
            || dq.attributes().containsKey("block_size")) {
            return null;
        }
        Tensor q = constants.get(dq.inputs().get(0));
        Tensor scale = idx.constant(dq.inputs().get(1));
        Tensor zp = hasZeroPoint(dq) ? idx.constant(dq.inputs().get(2)) : null;
        if (q == null || q.rank() != 1 || !(q.type().isQuantized() || q.type() == DataType.INT32) || scale == null
            || scale.type() != DataType.FLOAT || (hasZeroPoint(dq) && (zp == null || zp.size() != scale.size()))
            || (scale.size() != 1 && scale.size() != q.size())) {
            return null;
        }
        float[] b = new float[q.size()];
        for (int i = 0; i < b.length; i++) {
            int k = scale.size() == 1 ? 0 : i;
            b[i] = (float) (q.getLong(i) - (zp == null ? 0 : zp.getLong(k))) * scale.floats()[k];
        }
        return b;
    }

    private static Node gemm(Node op, QParams out, String y, GraphIndex idx, Map<String, Tensor> initializers,
                             Constants constants) {
        Map<String, Attribute> a = op.attributes();
        long transA = a.get("transA") instanceof Attribute.IntAttr t ? t.value() : 0;
        long transB = a.get("transB") instanceof Attribute.IntAttr t ? t.value() : 0;
        float beta = a.get("beta") instanceof Attribute.FloatAttr f ? f.value() : 1f;
        if (transA != 0 || beta != 1f) {
            return null;
        }
        QParams x = dequantized(op.inputs().get(0), idx, initializers);
        QParams w = dequantizedWeights(op.inputs().get(1), transB != 0 ? 0 : 1, idx, initializers,
            constants);
        if (x == null || w == null) {
            return null;
        }
        String bias = optionalBias(op, idx);
        if (bias == null) {
            return null;
        }
        Map<String, Attribute> attrs = new HashMap<>();
        attrs.put("transB", new Attribute.IntAttr(transB));
        if (a.get("alpha") != null) {
            attrs.put("alpha", a.get("alpha"));
        }
        return new Node(op.name(), "QGemm", OpRegistry.MICROSOFT_DOMAIN,
            List.of(x.quantized, x.scale, x.zeroPoint, w.quantized, w.scale, w.zeroPoint, bias, out.scale, out.zeroPoint),
            List.of(y), attrs);
    }

    /**
     * A {@link OpTrait#DATA_MOVEMENT} op on the quantized tensor, or the op's integer variant (its definition's
     * {@link OpDefinition#integerVariant}) when every input comes from a per-tensor DQ of the output's type.
     */
    private static Node byDefinition(Node op, Graph g, OpRegistry ops, QParams out, String y, GraphIndex idx,
                                     Map<String, Tensor> initializers) {
        if (ops.has(g, op, OpTrait.DATA_MOVEMENT)) {
            return dataMovement(op, out, y, idx, initializers);
        }
        OpDefinition.Ref variant = ops.find(op.domain(), op.opType(), OpRegistry.opsetOf(g, op))
            .map(OpDefinition::integerVariant).orElse(null);
        if (variant == null) {
            return null;
        }
        List<String> inputs = new ArrayList<>();
        for (String in : op.inputs()) {
            QParams x = dequantized(in, idx, initializers);
            if (x == null || x.zpValue.type() != out.zpValue.type()) {
                return null;
            }
            inputs.addAll(List.of(x.quantized, x.scale, x.zeroPoint));
        }
        inputs.addAll(List.of(out.scale, out.zeroPoint));
        return new Node(op.name(), variant.name(), variant.domain(), inputs, List.of(y), op.attributes());
    }

    /**
     * The op on quantized values: its data inputs (Concat's every input, else input 0) from per-tensor DQs with the
     * output's scale and zero point, the scale positive (see {@link OpTrait#DATA_MOVEMENT}).
     */
    private static Node dataMovement(Node op, QParams out, String y, GraphIndex idx, Map<String, Tensor> initializers) {
        // The rewrite assumes Q(DQ(x)) == x for the values it moves (see roundTrips).
        if (!(out.scaleValue.floats()[0] > 0) || !roundTrips(out)) {
            return null;
        }
        List<String> inputs = new ArrayList<>(op.inputs());
        int dataInputs = op.opType().equals("Concat") ? inputs.size() : 1;
        for (int i = 0; i < dataInputs; i++) {
            QParams x = dequantized(inputs.get(i), idx, initializers);
            if (x == null || !x.sameAs(out)) {
                return null;
            }
            inputs.set(i, x.quantized);
        }
        return new Node(op.name(), op.opType(), op.domain(), inputs, List.of(y), op.attributes());
    }
}
