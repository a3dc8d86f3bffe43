package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import java.util.Arrays;

/**
 * ai.onnx Attention (opsets 23 and 24): scaled dot-product attention over 3-D or 4-D Q, K and V with grouped
 * key/value heads, an additive or boolean mask (its last axis may be short: the rest is masked), bottom-right
 * causal masking, a key/value cache (past and present) or per-batch valid key counts ({@code nonpad_kv_seqlen},
 * opset 24), softcap, and the optional score output. A scalar reference computed in double as ONNX's reference
 * does (its float64 scale promotes the whole computation), rounded once per output; a query row every key of
 * which is masked attends to nothing (its weights and output are 0), as the opset 24 errata specifies.
 * Octet's fused {@code dev.octet:Attention} (TransformerOps) is the fast path for the graphs it fuses.
 */
final class OnnxAttentionOp {
    private OnnxAttentionOp() {}

    private static final AttributeSpec<Long> IS_CAUSAL = AttributeSpec.flag("is_causal", 0);
    private static final AttributeSpec<Long> Q_HEADS = AttributeSpec.intAttr("q_num_heads", 0)
        .requiring(v -> v >= 0 && v <= Integer.MAX_VALUE, "a head count");
    private static final AttributeSpec<Long> KV_HEADS = AttributeSpec.intAttr("kv_num_heads", 0)
        .requiring(v -> v >= 0 && v <= Integer.MAX_VALUE, "a head count");
    private static final AttributeSpec<Long> QK_OUTPUT_MODE = AttributeSpec.intAttr("qk_matmul_output_mode", 0)
        .requiring(v -> v >= 0 && v <= 3, "0, 1, 2 or 3");
    private static final AttributeSpec<Float> SOFTCAP = AttributeSpec.floatAttr("softcap", 0f);

    /** wantQk: output 3 (the QK scores, batch x heads x seq x total) is used, so worth allocating. */
    private record Config(boolean causal, int qHeads, int kvHeads, int qkMode, float softcap, Float scale,
                          boolean wantQk) {}

    static void register(OpRegistry.Builder r) {
        r.onnx("Attention", 23).inputs("rrrooo").inputsFrom(24, "rrroooo").outputs("rooo").attribute(IS_CAUSAL)
            .attribute(Q_HEADS).attribute(KV_HEADS).attribute(QK_OUTPUT_MODE).attribute(SOFTCAP)
            .shape(c -> Shapes.floatsOfRank(c.rank(0), 4, 4, 4))
            .factory(ctx -> {
                if (ctx.has("softmax_precision")) {
                    long p = ctx.getInt("softmax_precision", DataType.FLOAT.onnxCode());
                    // Octet's softmax already runs in double, at least the precision any of these asks for.
                    if (p != DataType.FLOAT.onnxCode() && p != 11 && p != 10 && p != 16) {
                        throw ctx.fail("softmax_precision must be a floating-point type, got "
                            + DataType.onnxName(p));
                    }
                }
                Config cfg = new Config(ctx.get(IS_CAUSAL) == 1, (int) (long) ctx.get(Q_HEADS),
                    (int) (long) ctx.get(KV_HEADS), (int) (long) ctx.get(QK_OUTPUT_MODE), ctx.get(SOFTCAP),
                    ctx.has("scale") ? ctx.getFloat("scale", 0f) : null, ctx.hasOutput(3));
                return in -> attention(in, cfg);
            });
    }

    private static OctetException bad(String message) {
        return new OctetException(ErrorCode.INVALID_INPUT, "Attention: " + message);
    }

    /** A 3-D (batch, seq, heads * size) or 4-D (batch, heads, seq, size) tensor viewed as 4-D. */
    private record Heads(float[] data, int batch, int heads, int seq, int size, boolean threeD) {
        static Heads of(Tensor t, int headsAttr, String what) {
            if (t.type() != DataType.FLOAT) {
                throw ElementwiseBinary.unsupportedType("Attention " + what, t.type());
            }
            int[] s = t.shapeView();
            if (s.length == 4) {
                return new Heads(t.floats(), s[0], s[1], s[2], s[3], false);
            }
            if (s.length != 3) {
                throw bad(what + " must be 3-D or 4-D, got " + Arrays.toString(s));
            }
            if (headsAttr <= 0 || s[2] % headsAttr != 0) {
                throw bad("3-D " + what + " " + Arrays.toString(s) + " needs a head count dividing its hidden size, got "
                    + headsAttr);
            }
            return new Heads(t.floats(), s[0], headsAttr, s[1], s[2] / headsAttr, true);
        }

        float at(int b, int h, int i, int d) {
            return threeD ? data[((b * seq + i) * heads + h) * size + d] : data[((b * heads + h) * seq + i) * size + d];
        }
    }

    static Tensor[] attention(Tensor[] in, Config cfg) {
        Tensor mask = ShapeKernels.optional(in, 3);
        Tensor pastK = ShapeKernels.optional(in, 4);
        Tensor pastV = ShapeKernels.optional(in, 5);
        Tensor nonpad = ShapeKernels.optional(in, 6);
        if (in[0].rank() != in[1].rank() || in[0].rank() != in[2].rank()) {
            throw bad("Q, K and V must have the same rank");
        }
        Heads q = Heads.of(in[0], cfg.qHeads, "Q");
        Heads k = Heads.of(in[1], cfg.kvHeads, "K");
        Heads v = Heads.of(in[2], cfg.kvHeads, "V");
        int batch = q.batch;
        if (k.batch != batch || v.batch != batch || k.heads != v.heads || k.seq != v.seq || k.size != q.size) {
            throw bad("K and V must match each other and Q in batch, heads and sequence, K's head size Q's");
        }
        if (q.heads == 0 || k.heads == 0) {
            throw bad("Q has " + q.heads + " and K " + k.heads + " heads; both need at least one");
        }
        if (q.heads % k.heads != 0) {
            throw bad(q.heads + " query heads do not group over " + k.heads + " key/value heads");
        }
        if ((pastK == null) != (pastV == null)) {
            throw bad("past_key and past_value go together");
        }
        int past = 0;
        if (pastK != null) {
            int[] pk = pastK.shapeView();
            int[] pv = pastV.shapeView();
            if (pastK.type() != DataType.FLOAT || pastV.type() != DataType.FLOAT || pk.length != 4 || pv.length != 4
                    || pk[0] != batch || pk[1] != k.heads || pk[3] != k.size || pv[0] != batch || pv[1] != k.heads
                    || pv[2] != pk[2] || pv[3] != v.size) {
                throw bad("past_key " + Arrays.toString(pk) + " and past_value " + Arrays.toString(pv)
                    + " must be FLOAT (batch, kv heads, past, head size)");
            }
            past = pk[2];
        }
        if ((long) past + k.seq > Tensor.MAX_ELEMENTS) {
            throw bad("past " + past + " and new " + k.seq + " key positions exceed " + Tensor.MAX_ELEMENTS);
        }
        int total = past + k.seq;
        long[] valid = null;
        if (nonpad != null) {
            valid = ShapeKernels.readLongs(nonpad, "Attention nonpad_kv_seqlen");
            if (valid.length != batch) {
                throw bad("nonpad_kv_seqlen has " + valid.length + " values for a batch of " + batch);
            }
        }
        // present = concat(past, new) along the sequence, as (batch, kv heads, total, size).
        float[] presentK = present(pastK, k, past, total);
        float[] presentV = present(pastV, v, past, total);
        double scale = Math.sqrt(cfg.scale == null ? 1 / Math.sqrt(q.size) : cfg.scale);
        MaskView maskView = mask == null ? null : new MaskView(mask, batch, q.heads, q.seq, total);
        int group = q.heads / k.heads;
        float[] y = new float[ShapeKernels.checkedCount("Attention Y", batch, q.heads, q.seq, v.size)];
        float[] qk = cfg.wantQk ? new float[ShapeKernels.checkedCount("Attention qk", batch, q.heads, q.seq, total)]
            : null;
        double[] scores = new double[total];
        double[] bias = new double[total];
        double[] reported = new double[total];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < q.heads; h++) {
                int kvh = h / group;
                for (int i = 0; i < q.seq; i++) {
                    double biasMax = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < total; j++) {
                        double bj = maskView == null ? 0 : maskView.bias(b, h, i, j);
                        if (cfg.causal) {
                            long offset = pastK != null ? past : valid != null ? valid[b] - q.seq : 0;
                            if (j > i + offset) {
                                bj += Double.NEGATIVE_INFINITY;
                            }
                        }
                        if (valid != null && j >= valid[b]) {
                            bj += Double.NEGATIVE_INFINITY;
                        }
                        bias[j] = bj;
                        biasMax = Math.max(biasMax, bj);
                        double dot = 0;
                        for (int d = 0; d < q.size; d++) {
                            dot += q.at(b, h, i, d) * scale * (presentK[((b * k.heads + kvh) * total + j) * k.size + d]
                                * scale);
                        }
                        if (cfg.softcap > 0) {
                            dot = StrictMath.tanh(dot / cfg.softcap) * cfg.softcap;
                        }
                        scores[j] = dot + bj;
                        reported[j] = cfg.qkMode == 2 ? scores[j] : dot;
                    }
                    softmax(scores, total, biasMax == Double.NEGATIVE_INFINITY);
                    int row = ((b * q.heads + h) * q.seq + i) * total;
                    for (int j = 0; qk != null && j < total; j++) {
                        qk[row + j] = (float) (cfg.qkMode == 3 ? scores[j] : reported[j]);
                    }
                    for (int d = 0; d < v.size; d++) {
                        double acc = 0;
                        for (int j = 0; j < total; j++) {
                            acc += scores[j] * presentV[((b * k.heads + kvh) * total + j) * v.size + d];
                        }
                        int at = q.threeD ? ((b * q.seq + i) * q.heads + h) * v.size + d
                            : ((b * q.heads + h) * q.seq + i) * v.size + d;
                        y[at] = (float) acc;
                    }
                }
            }
        }
        int[] yShape = q.threeD ? new int[] {batch, q.seq, q.heads * v.size} : new int[] {batch, q.heads, q.seq, v.size};
        Tensor yT = Tensor.ofFloats(y, yShape);
        Tensor presentKT = Tensor.ofFloats(presentK, batch, k.heads, total, k.size);
        Tensor presentVT = Tensor.ofFloats(presentV, batch, k.heads, total, v.size);
        return qk == null ? new Tensor[] {yT, presentKT, presentVT}
            : new Tensor[] {yT, presentKT, presentVT, Tensor.ofFloats(qk, batch, q.heads, q.seq, total)};
    }

    /** Softmax in place, its maximum taken as 0 when infinite; a fully masked row becomes all 0. */
    private static void softmax(double[] x, int n, boolean fullyMasked) {
        if (fullyMasked) {
            Arrays.fill(x, 0, n, 0);
            return;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, x[j]);
        }
        double shift = max == Double.NEGATIVE_INFINITY ? 0 : max;
        double sum = 0;
        for (int j = 0; j < n; j++) {
            x[j] = StrictMath.exp(x[j] - shift);
            sum += x[j];
        }
        double div = sum == 0 ? 1 : sum;
        for (int j = 0; j < n; j++) {
            x[j] /= div;
        }
    }

    private static float[] present(Tensor pastT, Heads now, int past, int total) {
        float[] out = new float[ShapeKernels.checkedCount("Attention present", now.batch, now.heads, total, now.size)];
        float[] p = pastT == null ? null : pastT.floats();
        for (int b = 0; b < now.batch; b++) {
            for (int h = 0; h < now.heads; h++) {
                int base = (b * now.heads + h) * total * now.size;
                if (p != null) {
                    System.arraycopy(p, (b * now.heads + h) * past * now.size, out, base, past * now.size);
                }
                for (int i = 0; i < now.seq; i++) {
                    for (int d = 0; d < now.size; d++) {
                        out[base + (past + i) * now.size + d] = now.at(b, h, i, d);
                    }
                }
            }
        }
        return out;
    }

    /**
     * The attention mask broadcast to (batch, q heads, q seq, total): a boolean mask becomes 0 (attend) or -inf;
     * columns beyond its last axis are -inf.
     */
    private static final class MaskView {
        private final Tensor mask;
        private final int[] strides;
        private final int last;

        MaskView(Tensor mask, int batch, int heads, int seq, int total) {
            if (mask.type() != DataType.FLOAT && mask.type() != DataType.BOOL) {
                throw ElementwiseBinary.unsupportedType("Attention attn_mask", mask.type());
            }
            int[] s = mask.shapeView();
            int[] full = {batch, heads, seq, total};
            if (s.length < 1 || s.length > 4) {
                throw bad("attn_mask must have rank 1 to 4, got " + Arrays.toString(s));
            }
            this.mask = mask;
            this.last = s[s.length - 1];
            this.strides = new int[4];
            int[] own = ShapeKernels.strides(s);
            for (int d = 0; d < 4; d++) {
                int md = d - (4 - s.length);
                if (md < 0) {
                    continue;
                }
                boolean fits = d == 3 ? s[md] <= total : s[md] == 1 || s[md] == full[d];
                if (!fits) {
                    throw bad("attn_mask " + Arrays.toString(s) + " does not broadcast to " + Arrays.toString(full));
                }
                strides[d] = s[md] == 1 && d != 3 ? 0 : own[md];
            }
        }

        double bias(int b, int h, int i, int j) {
            if (j >= last) {
                return Double.NEGATIVE_INFINITY;
            }
            int at = b * strides[0] + h * strides[1] + i * strides[2] + j * strides[3];
            if (mask.type() == DataType.BOOL) {
                return mask.bools()[at] ? 0 : Double.NEGATIVE_INFINITY;
            }
            return mask.floats()[at];
        }
    }
}
