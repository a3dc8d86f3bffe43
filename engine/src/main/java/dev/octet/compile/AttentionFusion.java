package dev.octet.compile;

import dev.octet.api.DataType;
import dev.octet.ir.Attribute;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ops.OpRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuses BERT's multi-head self-attention as PyTorch exports it, from the projected query, key and value
 * ([batch, seq, hidden]) to the context ([batch, seq, hidden]):
 * <pre>
 *   Q = Transpose(Reshape(q, [b, s, H, D]), [0,2,1,3])     K = Transpose(Reshape(k, [b, s, H, D]), [0,2,3,1])
 *   V = Transpose(Reshape(v, [b, s, H, D]), [0,2,1,3])
 *   P = Softmax(MatMul(Q, K) / divisor (or * scale) [+ mask], last axis)
 *   out = Reshape(Transpose(MatMul(P, V), [0,2,1,3]), [b, s, H*D])
 * </pre>
 * into Octet's {@code Attention(q, k, v, mask)} with {@code num_heads} and {@code scale} (see
 * {@code TransformerOps}), which computes the same float operations per (batch, head) without materializing the
 * transposes, except that a division is a multiply by the reciprocal, as in ONNX Runtime's fused graph. Head counts and sizes come from shape inference; the mask (any additive
 * tensor that broadcasts to the scores without widening them) is optional, as is the scaling.
 */
public final class AttentionFusion implements GraphPass {
    @Override
    public Graph apply(Graph g, PassContext context) {
        FusionRewriter rw = new FusionRewriter(g, context);
        for (Node n : rw.nodes()) {
            if (FusionRewriter.isOnnx(n, "Softmax")) {
                fuse(rw, n);
            }
        }
        return rw.result();
    }

    /** One head-split input: Reshape to [b, s, H, D] then Transpose. */
    private record Heads(String source, Node reshape, Node transpose, int heads, int headSize) {}

    private static void fuse(FusionRewriter rw, Node softmax) {
        List<Dim> scoreShape = rw.shape(softmax.inputs().get(0));
        if (scoreShape == null || scoreShape.size() != 4 || !lastAxis(rw, softmax)) {
            return;
        }
        List<Node> pattern = new ArrayList<>();
        Map<String, Attribute> attrs = new HashMap<>();
        // Softmax input: [Add(mask)] over [Div or Mul by a scalar] over MatMul(Q, K^T).
        String scores = softmax.inputs().get(0);
        String mask = "";
        Node add = rw.producer(scores, "Add");
        if (add != null) {
            String a = add.inputs().get(0), b = add.inputs().get(1);
            boolean firstIsScores = scaledScores(rw, a) != null;
            scores = firstIsScores ? a : b;
            mask = firstIsScores ? b : a;
            if (scaledScores(rw, scores) == null || rw.type(mask) != DataType.FLOAT
                || !FusionRewriter.sameShape(rw.shape(scores), rw.shape(add.outputs().get(0)))) {
                return;
            }
            pattern.add(add);
        }
        Node qk = scaledScores(rw, scores);
        if (qk == null) {
            return;
        }
        if (!FusionRewriter.isOnnx(rw.producer(scores), "MatMul")) {
            Node scaling = rw.producer(scores);
            float c = rw.scalar(scaling.inputs().get(1));
            // A division becomes a multiply by the float reciprocal, as ORT's fusion folds it into its MatMul's alpha;
            // not for a divisor whose reciprocal overflows or is subnormal, where the two would part by more.
            float scale = scaling.opType().equals("Div") ? 1f / c : c;
            if (scaling.opType().equals("Div") && !(Math.abs(scale) >= Float.MIN_NORMAL && Math.abs(scale) <= Float.MAX_VALUE)) {
                return;
            }
            attrs.put("scale", new Attribute.FloatAttr(scale));
            pattern.add(scaling);
        }
        Heads q = heads(rw, qk.inputs().get(0), new long[] {0, 2, 1, 3});
        Heads k = heads(rw, qk.inputs().get(1), new long[] {0, 2, 3, 1});
        Node pv = rw.soleConsumer(softmax, "MatMul");
        if (q == null || k == null || pv == null || !pv.inputs().get(0).equals(softmax.outputs().get(0))) {
            return;
        }
        Heads v = heads(rw, pv.inputs().get(1), new long[] {0, 2, 1, 3});
        Node merge = rw.soleConsumer(pv, "Transpose");
        // The merged heads also feed the Shape nodes that compute the Reshape's target; they die with the match.
        Node out = merge == null || !isPerm(merge, new long[] {0, 2, 1, 3}) ? null
            : rw.consumers(merge.outputs().get(0)).stream().filter(c -> FusionRewriter.isOnnx(c, "Reshape")).findFirst()
                .orElse(null);
        if (v == null || out == null || q.heads != k.heads || q.heads != v.heads || q.headSize != k.headSize) {
            return;
        }
        // Same batch everywhere, keys and values over the same positions, output [b, s, H * Dv] like q.
        List<Dim> qs = rw.shape(q.source), ks = rw.shape(k.source), vs = rw.shape(v.source);
        List<Dim> os = rw.shape(out.outputs().get(0));
        if (!FusionRewriter.sameDim(qs.get(0), ks.get(0)) || !FusionRewriter.sameDim(qs.get(0), vs.get(0))
            || !FusionRewriter.sameDim(ks.get(1), vs.get(1)) || os == null || os.size() != 3
            || !FusionRewriter.sameShape(os.subList(0, 2), qs.subList(0, 2))
            || !os.get(2).isFixed() || os.get(2).value() != (long) v.heads * v.headSize) {
            return;
        }
        pattern.addAll(List.of(q.reshape, q.transpose, k.reshape, k.transpose, qk, softmax, v.reshape, v.transpose, pv,
            merge, out));
        attrs.put("num_heads", new Attribute.IntAttr(q.heads));
        rw.replace(pattern, new Node(out.name(), "Attention", OpRegistry.OCTET_DOMAIN,
            List.of(q.source, k.source, v.source, mask), out.outputs(), attrs));
    }

    /** The Q·K^T MatMul behind {@code value}, directly or through a Div or Mul by a float scalar; else null. */
    private static Node scaledScores(FusionRewriter rw, String value) {
        Node p = rw.producer(value);
        if (FusionRewriter.isOnnx(p, "Div") || FusionRewriter.isOnnx(p, "Mul")) {
            if (p.inputs().size() != 2 || rw.scalar(p.inputs().get(1)) == null) {
                return null;
            }
            p = rw.producer(p.inputs().get(0));
        }
        return FusionRewriter.isOnnx(p, "MatMul") ? p : null;
    }

    /** Softmax over the last axis of a rank-4 tensor (before opset 13 the 2-D coercion at axis 3 is the same). */
    private static boolean lastAxis(FusionRewriter rw, Node softmax) {
        long axis = FusionRewriter.intAttr(softmax, "axis", rw.opset() < 13 ? 1 : -1);
        return axis == 3 || axis == -1;
    }

    private static boolean isPerm(Node transpose, long[] perm) {
        return java.util.Arrays.equals(FusionRewriter.intsAttr(transpose, "perm"), perm);
    }

    /**
     * {@code Transpose(Reshape(source, [b, s, H, D]), perm)} with source [b, s, H * D] and H, D fixed; null when
     * {@code value} is not that.
     */
    private static Heads heads(FusionRewriter rw, String value, long[] perm) {
        Node transpose = rw.producer(value, "Transpose");
        Node reshape = transpose == null || !isPerm(transpose, perm) ? null
            : rw.producer(transpose.inputs().get(0), "Reshape");
        if (reshape == null || FusionRewriter.intAttr(reshape, "allowzero", 0) != 0) {
            return null;
        }
        String source = reshape.inputs().get(0);
        List<Dim> in = rw.shape(source), split = rw.shape(reshape.outputs().get(0));
        if (rw.type(source) != DataType.FLOAT || in == null || in.size() != 3 || split == null || split.size() != 4
            || !FusionRewriter.sameShape(in.subList(0, 2), split.subList(0, 2))
            || !split.get(2).isFixed() || !split.get(3).isFixed() || !in.get(2).isFixed()
            || in.get(2).value() != split.get(2).value() * split.get(3).value()) {
            return null;
        }
        return new Heads(source, reshape, transpose, (int) split.get(2).value(), (int) split.get(3).value());
    }
}
