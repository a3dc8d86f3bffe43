package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import java.util.Arrays;
import java.util.Set;

/**
 * LinearAttention (opset 27): a recurrent state S (d_k x d_v per key/value head) updated token by token, as
 * {@code S = S * exp(decay)} (gated rules), {@code v = beta * (v - S^T k)} (delta rules), {@code S += k v^T}, and
 * read by each query head of the group as {@code scale * q^T S}. Inputs (B, T, heads * size); the state is kept
 * in float between tokens, as ONNX's float32 reference keeps it, each update summed in double.
 */
final class LinearAttentionOp {
    private LinearAttentionOp() {}

    private static final AttributeSpec<String> UPDATE_RULE = AttributeSpec.stringAttr("update_rule", "gated_delta")
        .requiring(Set.of("linear", "gated", "delta", "gated_delta")::contains, "linear, gated, delta or gated_delta");
    private static final AttributeSpec<Long> Q_HEADS =
        AttributeSpec.intAttr("q_num_heads", 0).requiring(v -> v > 0 && v <= Integer.MAX_VALUE, "a positive count");
    private static final AttributeSpec<Long> KV_HEADS =
        AttributeSpec.intAttr("kv_num_heads", 0).requiring(v -> v > 0 && v <= Integer.MAX_VALUE, "a positive count");
    private static final AttributeSpec<Float> SCALE = AttributeSpec.floatAttr("scale", 0f);

    private record Config(int qHeads, int kvHeads, boolean gated, boolean delta, float scale) {}

    static void register(OpRegistry.Builder r) {
        r.onnx("LinearAttention", 27).inputs("rrrooo").outputs("ro").attribute(UPDATE_RULE).attribute(Q_HEADS)
            .attribute(KV_HEADS).attribute(SCALE)
            .shape(c -> Shapes.floatsOfRank(c.rank(0) < 0 ? -1 : 3, 4))
            .factory(ctx -> {
                String rule = ctx.get(UPDATE_RULE);
                boolean gated = rule.startsWith("gated");
                boolean delta = rule.endsWith("delta");
                if (gated != ctx.hasInput(4) || delta != ctx.hasInput(5)) {
                    throw ctx.fail("update_rule " + rule + (gated ? " needs" : " takes no") + " decay and"
                        + (delta ? " needs" : " takes no") + " beta");
                }
                int q = (int) (long) ctx.get(Q_HEADS);
                int kv = (int) (long) ctx.get(KV_HEADS);
                if (q % kv != 0) {
                    throw ctx.fail("q_num_heads " + q + " is not a multiple of kv_num_heads " + kv);
                }
                Config cfg = new Config(q, kv, gated, delta, ctx.get(SCALE));
                return in -> attend(in, cfg);
            });
    }

    private static OctetException bad(String message) {
        return new OctetException(ErrorCode.INVALID_INPUT, "LinearAttention: " + message);
    }

    private static float[] floats(Tensor t, String what) {
        if (t.type() != DataType.FLOAT) {
            throw ElementwiseBinary.unsupportedType("LinearAttention " + what, t.type());
        }
        return t.floats();
    }

    static Tensor[] attend(Tensor[] in, Config cfg) {
        Tensor qT = in[0], kT = in[1], vT = in[2];
        if (qT.rank() != 3 || kT.rank() != 3 || vT.rank() != 3) {
            throw bad("query, key and value must be (B, T, heads * size)");
        }
        int b = qT.dim(0), t = qT.dim(1);
        int hq = cfg.qHeads, hkv = cfg.kvHeads;
        if (qT.dim(2) % hq != 0 || vT.dim(2) % hkv != 0 || kT.dim(2) != (long) hkv * (qT.dim(2) / hq)
                || kT.dim(0) != b || vT.dim(0) != b || kT.dim(1) != t || vT.dim(1) != t) {
            throw bad("query " + qT + ", key " + kT + " and value " + vT + " do not split into " + hq + " and "
                + hkv + " heads of one key size");
        }
        int dk = qT.dim(2) / hq;
        int dv = vT.dim(2) / hkv;
        float[] q = floats(qT, "query"), k = floats(kT, "key"), v = floats(vT, "value");
        Tensor pastT = ShapeKernels.optional(in, 3);
        float[] state = new float[ShapeKernels.checkedCount("LinearAttention state", b, hkv, dk, dv)];
        if (pastT != null) {
            if (!Arrays.equals(pastT.shapeView(), new int[] {b, hkv, dk, dv})) {
                throw bad("past_state must be (" + b + ", " + hkv + ", " + dk + ", " + dv + "), got " + pastT);
            }
            System.arraycopy(floats(pastT, "past_state"), 0, state, 0, state.length);
        }
        Tensor decayT = ShapeKernels.optional(in, 4);
        float[] decay = decayT == null ? null : floats(decayT, "decay");
        int decayWidth = decayT == null ? 0 : decayT.dim(decayT.rank() - 1);
        if (decayT != null && (decayT.rank() != 3 || decayT.dim(0) != b || decayT.dim(1) != t
                || decayWidth != hkv && decayWidth != (long) hkv * dk)) {
            throw bad("decay must be (B, T, " + hkv + ") or (B, T, " + hkv * dk + "), got " + decayT);
        }
        Tensor betaT = ShapeKernels.optional(in, 5);
        float[] beta = betaT == null ? null : floats(betaT, "beta");
        int betaWidth = betaT == null ? 0 : betaT.dim(betaT.rank() - 1);
        if (betaT != null && (betaT.rank() != 3 || betaT.dim(0) != b || betaT.dim(1) != t
                || betaWidth != hkv && betaWidth != 1)) {
            throw bad("beta must be (B, T, " + hkv + ") or (B, T, 1), got " + betaT);
        }
        double scale = cfg.scale == 0f ? 1 / Math.sqrt(dk) : cfg.scale;
        int group = hq / hkv;
        float[] out = new float[ShapeKernels.checkedCount("LinearAttention output", b, t, hq, dv)];
        double[] vt = new double[dv];
        for (int bi = 0; bi < b; bi++) {
            for (int ti = 0; ti < t; ti++) {
                int row = bi * t + ti;
                for (int h = 0; h < hkv; h++) {
                    int s0 = (bi * hkv + h) * dk * dv;
                    if (cfg.gated) {
                        for (int d = 0; d < dk; d++) {
                            double g = StrictMath.exp(decay[row * decayWidth + (decayWidth == hkv ? h : h * dk + d)]);
                            for (int m = 0; m < dv; m++) {
                                state[s0 + d * dv + m] = (float) (state[s0 + d * dv + m] * g);
                            }
                        }
                    }
                    for (int m = 0; m < dv; m++) {
                        vt[m] = v[row * hkv * dv + h * dv + m];
                    }
                    if (cfg.delta) {
                        double bv = beta[row * betaWidth + (betaWidth == 1 ? 0 : h)];
                        for (int m = 0; m < dv; m++) {
                            double retrieved = 0;
                            for (int d = 0; d < dk; d++) {
                                retrieved += (double) state[s0 + d * dv + m] * k[row * hkv * dk + h * dk + d];
                            }
                            vt[m] = (float) (bv * (float) (vt[m] - retrieved));
                        }
                    }
                    for (int d = 0; d < dk; d++) {
                        double kd = k[row * hkv * dk + h * dk + d];
                        for (int m = 0; m < dv; m++) {
                            state[s0 + d * dv + m] = (float) (state[s0 + d * dv + m] + kd * vt[m]);
                        }
                    }
                    for (int qh = h * group; qh < (h + 1) * group; qh++) {
                        for (int m = 0; m < dv; m++) {
                            double acc = 0;
                            for (int d = 0; d < dk; d++) {
                                acc += (double) q[row * hq * dk + qh * dk + d] * state[s0 + d * dv + m];
                            }
                            out[row * hq * dv + qh * dv + m] = (float) (scale * acc);
                        }
                    }
                }
            }
        }
        return new Tensor[] {Tensor.ofFloats(out, b, t, hq * dv), Tensor.ofFloats(state, b, hkv, dk, dv)};
    }
}
