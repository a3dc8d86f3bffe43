package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import java.util.Arrays;

/**
 * ai.onnx RotaryEmbedding (opset 23): rotates the first {@code rotary_embedding_dim} features of each head by
 * the position's angles, {@code (x1, x2) -> (cos x1 - sin x2, sin x1 + cos x2)}, in float as ONNX's reference
 * does. x1 and x2 are the two halves of the rotated features, or the even and odd ones when interleaved.
 */
final class RotaryEmbeddingOp {
    private RotaryEmbeddingOp() {}

    private static final AttributeSpec<Long> INTERLEAVED = AttributeSpec.flag("interleaved", 0);
    private static final AttributeSpec<Long> ROTARY_DIM = AttributeSpec.intAttr("rotary_embedding_dim", 0)
        .requiring(v -> v >= 0 && v % 2 == 0, "an even number of features (0: the whole head)");
    private static final AttributeSpec<Long> NUM_HEADS = AttributeSpec.intAttr("num_heads", 0)
        .requiring(v -> v >= 0, "a head count (needed for 3-D input)");

    static void register(OpRegistry.Builder r) {
        r.onnx("RotaryEmbedding", 23).inputs("rrro").outputs("r").attribute(INTERLEAVED).attribute(ROTARY_DIM)
            .attribute(NUM_HEADS).shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> {
                boolean interleaved = ctx.get(INTERLEAVED) == 1;
                int rotaryDim = (int) Math.min(ctx.get(ROTARY_DIM), Integer.MAX_VALUE);
                int heads = (int) Math.min(ctx.get(NUM_HEADS), Integer.MAX_VALUE);
                return in -> new Tensor[] {rotate(in[0], in[1], in[2], ShapeKernels.optional(in, 3), interleaved,
                    rotaryDim, heads)};
            });
    }

    private static OctetException bad(String message) {
        return new OctetException(ErrorCode.INVALID_INPUT, "RotaryEmbedding: " + message);
    }

    /**
     * X is (batch, heads, seq, head) or (batch, seq, heads * head); the caches are (positions, >= dim / 2)
     * indexed by position_ids (batch, seq), or (batch, seq, >= dim / 2) without them.
     */
    static Tensor rotate(Tensor x, Tensor cosCache, Tensor sinCache, Tensor positionIds, boolean interleaved,
                         int rotaryDimAttr, int headsAttr) {
        for (Tensor t : new Tensor[] {x, cosCache, sinCache}) {
            if (t.type() != DataType.FLOAT) {
                throw ElementwiseBinary.unsupportedType("RotaryEmbedding", t.type());
            }
        }
        int[] s = x.shapeView();
        boolean fourD = s.length == 4;
        if (!fourD && s.length != 3) {
            throw bad("X must be 3-D or 4-D, got " + Arrays.toString(s));
        }
        int batch = s[0];
        int heads = fourD ? s[1] : headsAttr;
        int seq = fourD ? s[2] : s[1];
        if (heads <= 0 || !fourD && s[2] % heads != 0) {
            throw bad("3-D X " + Arrays.toString(s) + " needs num_heads dividing its hidden size, got " + headsAttr);
        }
        int head = fourD ? s[3] : s[2] / heads;
        int dim = rotaryDimAttr == 0 ? head : rotaryDimAttr;
        if (dim > head || dim % 2 != 0) {
            throw bad("rotary_embedding_dim " + dim + " must be even and at most the head size " + head);
        }
        int half = dim / 2;
        int[] cs = cosCache.shapeView();
        if (!Arrays.equals(cs, sinCache.shapeView())) {
            throw bad("cos_cache " + Arrays.toString(cs) + " and sin_cache " + Arrays.toString(sinCache.shapeView())
                + " differ");
        }
        long[] positions = null;
        if (positionIds != null) {
            positions = ShapeKernels.readLongs(positionIds.reshape(positionIds.size()), "RotaryEmbedding position_ids");
            if (!Arrays.equals(positionIds.shapeView(), new int[] {batch, seq}) || cs.length != 2) {
                throw bad("position_ids must be [" + batch + ", " + seq + "] and the caches 2-D, got "
                    + Arrays.toString(positionIds.shapeView()) + " and " + Arrays.toString(cs));
            }
            for (long p : positions) {
                if (p < 0 || p >= cs[0]) {
                    throw bad("position " + p + " is outside the caches' " + cs[0] + " positions");
                }
            }
        } else if (cs.length != 3 || cs[0] != batch || cs[1] != seq) {
            throw bad("without position_ids the caches must be [" + batch + ", " + seq + ", dim / 2], got "
                + Arrays.toString(cs));
        }
        int width = cs[cs.length - 1];
        if (width < half) {
            throw bad("the caches hold " + width + " angles per position, " + half + " are needed");
        }
        float[] v = x.floats();
        float[] cos = cosCache.floats();
        float[] sin = sinCache.floats();
        float[] y = v.clone();
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                int row = (positions == null ? b * seq + t : (int) positions[b * seq + t]) * width;
                for (int h = 0; h < heads; h++) {
                    int base = fourD ? ((b * heads + h) * seq + t) * head : (b * seq + t) * heads * head + h * head;
                    for (int k = 0; k < half; k++) {
                        int i1 = base + (interleaved ? 2 * k : k);
                        int i2 = base + (interleaved ? 2 * k + 1 : k + half);
                        float c = cos[row + k];
                        float sn = sin[row + k];
                        y[i1] = c * v[i1] - sn * v[i2];
                        y[i2] = sn * v[i1] + c * v[i2];
                    }
                }
            }
        }
        return Tensor.ofFloats(y, s);
    }
}
