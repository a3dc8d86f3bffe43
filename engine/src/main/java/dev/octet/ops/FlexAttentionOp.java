package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * ai.onnx.preview FlexAttention-1 as its ONNX function body defines it: Q and K each scaled by sqrt(scale) (scale
 * defaults to 1/sqrt(head size)), scores = Q K^T, the optional {@code score_mod} subgraph on the whole score
 * tensor, Softmax over the last axis, the optional {@code prob_mod} subgraph on the probabilities, then P V. K and
 * V heads are shared by groups of Q heads when Q has more (grouped-query attention). Float32 only; sums run in a
 * fixed order and exp is StrictMath's, so the bits are the same on every provider and thread count.
 */
final class FlexAttentionOp {
    private FlexAttentionOp() {}

    static void register(OpRegistry.Builder r) {
        r.preview("FlexAttention").inputs("rrr").outputs("r").attribute(AttributeSpec.graphAttr("score_mod"))
            .attribute(AttributeSpec.graphAttr("prob_mod"))
            .shape(c -> {
                var q = c.shape(0);
                var v = c.shape(2);
                return Shapes.one(DataType.FLOAT, q != null && v != null && q.size() == 4 && v.size() == 4
                    ? List.of(q.get(0), q.get(1), q.get(2), v.get(3)) : null);
            })
            .factory(FlexAttentionOp::create);
    }

    private static Op create(OpContext ctx) {
        for (String name : ctx.attributes().keySet()) {
            if (!List.of("scale", "score_mod", "prob_mod").contains(name)) {
                throw ctx.unsupported("attribute '" + name + "' is not supported (Octet implements scale, score_mod "
                    + "and prob_mod)");
            }
        }
        ControlFlowOps.Body scoreMod = modifier(ctx, "score_mod");
        ControlFlowOps.Body probMod = modifier(ctx, "prob_mod");
        float scaleAttr = ctx.has("scale") ? ctx.getFloat("scale", 0f) : Float.NaN;
        return in -> {
            Tensor q = in[0], k = in[1], v = in[2];
            for (Tensor t : List.of(q, k, v)) {
                if (t.type() != DataType.FLOAT || t.rank() != 4) {
                    throw new OctetException(ErrorCode.INVALID_INPUT, "Q, K and V must be float tensors of rank 4, got "
                        + t.type() + " " + Arrays.toString(t.shapeView()));
                }
            }
            int b = q.dim(0), heads = q.dim(1), l = q.dim(2), e = q.dim(3);
            int kvHeads = k.dim(1), s = k.dim(2), ev = v.dim(3);
            if (k.dim(0) != b || v.dim(0) != b || k.dim(3) != e || v.dim(1) != kvHeads || v.dim(2) != s
                || kvHeads == 0 || heads % kvHeads != 0) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "Q " + Arrays.toString(q.shapeView()) + ", K "
                    + Arrays.toString(k.shapeView()) + " and V " + Arrays.toString(v.shapeView()) + " do not fit: "
                    + "batch and head size must agree, K and V must match, and Q's heads must be a multiple of K's");
            }
            int group = heads / kvHeads;
            float scale = Float.isNaN(scaleAttr) ? 1f / (float) Math.sqrt((float) e) : scaleAttr;
            float root = (float) Math.sqrt(scale);
            float[] scores = new float[ShapeKernels.checkedCount("FlexAttention scores", b, heads, l, s)];
            float[] qd = q.floats(), kd = k.floats(), vd = v.floats();
            for (int bh = 0; bh < b * heads; bh++) {
                int kvBase = (bh / heads * kvHeads + bh % heads / group) * s * e;
                for (int i = 0; i < l; i++) {
                    int qBase = (bh * l + i) * e;
                    for (int j = 0; j < s; j++) {
                        float acc = 0f;
                        for (int x = 0; x < e; x++) {
                            acc += qd[qBase + x] * root * (kd[kvBase + j * e + x] * root);
                        }
                        scores[(bh * l + i) * s + j] = acc;
                    }
                }
            }
            Tensor scored = modify(scoreMod, Tensor.ofFloats(scores, b, heads, l, s), in);
            Tensor probs = modify(probMod, softmax(scored), in);
            float[] p = probs.floats();
            float[] y = new float[ShapeKernels.checkedCount("FlexAttention output", b, heads, l, ev)];
            for (int bh = 0; bh < b * heads; bh++) {
                int vBase = (bh / heads * kvHeads + bh % heads / group) * s * ev;
                for (int i = 0; i < l; i++) {
                    int pBase = (bh * l + i) * s;
                    for (int d = 0; d < ev; d++) {
                        float acc = 0f;
                        for (int j = 0; j < s; j++) {
                            acc += p[pBase + j] * vd[vBase + j * ev + d];
                        }
                        y[(bh * l + i) * ev + d] = acc;
                    }
                }
            }
            return new Tensor[] {Tensor.ofFloats(y, b, heads, l, ev)};
        };
    }

    /** The subgraph of an optional modifier attribute: one float input, one output of its shape. */
    private static ControlFlowOps.Body modifier(OpContext ctx, String attribute) {
        if (!ctx.has(attribute)) {
            return null;
        }
        ControlFlowOps.Body body = ControlFlowOps.body(ctx, attribute, DataType.FLOAT);
        if (body.graph().inputs().size() != 1 || body.graph().outputs().size() != 1) {
            throw ctx.unsupported(attribute + " takes " + body.graph().inputs().size() + " inputs and returns "
                + body.graph().outputs().size() + " outputs; Octet implements the form with one of each");
        }
        return body;
    }

    private static Tensor modify(ControlFlowOps.Body body, Tensor t, Tensor[] node) {
        if (body == null) {
            return t;
        }
        Tensor out = body.run(new Tensor[] {t}, node)[0];
        if (out.type() != DataType.FLOAT || !Arrays.equals(out.shapeView(), t.shapeView())) {
            throw new OctetException(ErrorCode.INVALID_GRAPH, body.what() + " must return float "
                + Arrays.toString(t.shapeView()) + ", got " + out.type() + " " + Arrays.toString(out.shapeView()));
        }
        return out;
    }

    /** Softmax over the last axis, max subtracted first; a row of only -inf gives NaN, as exp(-inf - -inf) does. */
    private static Tensor softmax(Tensor scores) {
        int[] shape = scores.shapeView();
        int s = shape[3];
        float[] x = scores.floats();
        float[] p = new float[x.length];
        for (int row = 0; s > 0 && row < x.length / s; row++) {
            int base = row * s;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < s; j++) {
                max = Math.max(max, x[base + j]);
            }
            float sum = 0f;
            for (int j = 0; j < s; j++) {
                p[base + j] = (float) StrictMath.exp(x[base + j] - max);
                sum += p[base + j];
            }
            for (int j = 0; j < s; j++) {
                p[base + j] /= sum;
            }
        }
        return Tensor.ofFloats(p, shape);
    }
}
