package dev.octet.ops;

import static dev.octet.ops.Shapes.one;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import dev.octet.kernel.FloatKernels;
import dev.octet.kernel.Parallel;
import dev.octet.kernel.scalar.ScalarFloatKernels;
import java.util.Arrays;
import java.util.List;

/**
 * The fused float operators of transformers, on {@link FloatKernels} (so every kernel provider gives the
 * same bits):
 * <ul>
 *   <li>dev.octet {@code LayerNormalization(X, Scale, B)}, attributes {@code axis} (default -1) and
 *       {@code epsilon} (default 1e-5): {@code (x - mean) / sqrt(var + eps) * scale + b} over the dims from
 *       axis on, in ONNX Runtime's LayerNormalization arithmetic ({@link FloatKernels#layerNorm}); Scale and B
 *       hold one value per normalized element. Only output Y.</li>
 *   <li>com.microsoft {@code Gelu(X)}: {@code (x * 0.5) * (erf(x * (1/sqrt(2))) + 1)}, ORT's order.</li>
 *   <li>dev.octet {@code Attention(query, key, value, mask)}, see {@link #attention}.</li>
 * </ul>
 */
final class TransformerOps {
    private TransformerOps() {}

    /** Elements below which GELU runs on the caller alone: under that a thread hand-off costs what it saves. */
    private static final int PARALLEL_MIN = 65536;
    /**
     * The same for layer norm, lower: its statistics are sequential sums (about 0.6 ns per element), so a
     * 128 x 384 layer norm takes some 30 us, worth splitting.
     */
    private static final int LAYER_NORM_PARALLEL_MIN = 16384;
    /** Elements per task aimed at, once split (less when the whole is under threads x GRAIN: one task each). */
    private static final int GRAIN = 16384;
    /** Query rows whose scores one attention task holds at once. */
    private static final int QUERY_BLOCK = 64;

    static void register(OpRegistry.Builder r) {
        r.octet("LayerNormalization").inputs("rro").outputs("r").shape(c -> one(DataType.FLOAT, c.shape(0))).factory(TransformerOps::layerNorm);
        r.microsoft("Gelu").unary().shape(c -> one(DataType.FLOAT, c.shape(0))).factory(TransformerOps::gelu);
        r.octet("Attention").inputs("rrro").outputs("r").shape(TransformerOps::inferAttention).factory(TransformerOps::attention);
    }

    private static float[] floats(Tensor t, String op) {
        if (t.type() != DataType.FLOAT) {
            throw ElementwiseBinary.unsupportedType(op, t.type());
        }
        return t.floats();
    }

    private static Op layerNorm(OpContext ctx) {
        long axisAttr = ctx.getInt("axis", -1);
        float eps = ctx.getFloat("epsilon", 1e-5f);
        if (ctx.hasOutput(1) || ctx.hasOutput(2)) {
            throw ctx.unsupported("only output Y is computed");
        }
        FloatKernels kernels = ctx.kernels().floats();
        Parallel parallel = ctx.parallel();
        return Op.withBuffers((in, buffers) -> {
            float[] x = floats(in[0], "LayerNormalization");
            int[] shape = in[0].shapeView();
            int axis = (int) (axisAttr < 0 ? axisAttr + shape.length : axisAttr);
            if (axis < 0 || axis >= shape.length) {
                throw new OctetException(ErrorCode.INVALID_SHAPE, "LayerNormalization axis " + axisAttr
                    + " is out of range for rank " + shape.length);
            }
            int n = Tensor.checkedSize(Arrays.copyOfRange(shape, axis, shape.length));
            int rows = n == 0 ? 0 : x.length / n;
            float[] gamma = parameter(in[1], n, "Scale");
            float[] beta = in.length > 2 && in[2] != null ? parameter(in[2], n, "B") : null;
            float[] y = buffers.floats(x.length);
            int tasks = parallel.split((long) rows * n, LAYER_NORM_PARALLEL_MIN, GRAIN);
            int rowsPerTask = Math.max(1, (rows + tasks - 1) / Math.max(1, tasks));
            parallel.forEach((rows + rowsPerTask - 1) / rowsPerTask, t -> {
                int r0 = t * rowsPerTask;
                int count = Math.min(rowsPerTask, rows - r0);
                kernels.layerNorm(x, r0 * n, y, r0 * n, count, n, gamma, beta, eps);
            });
            return new Tensor[] {Tensor.ofFloats(y, shape)};
        });
    }

    private static float[] parameter(Tensor p, int n, String what) {
        if (p.size() != n) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, "LayerNormalization " + what + " has " + p.size()
                + " values, expected one per normalized element (" + n + ")");
        }
        return floats(p, "LayerNormalization");
    }

    /** Exact Gelu (erf form) on the session's kernels, in parallel chunks: com.microsoft Gelu and ai.onnx Gelu. */
    static Op gelu(OpContext ctx) {
        FloatKernels kernels = ctx.kernels().floats();
        Parallel parallel = ctx.parallel();
        return Op.withBuffers((in, buffers) -> {
            float[] x = floats(in[0], "Gelu");
            float[] y = buffers.floats(x.length);
            int tasks = parallel.split(x.length, PARALLEL_MIN, GRAIN);
            // Chunks of whole vectors (a multiple of 64 elements) so only the last one has a scalar tail.
            int chunk = Math.max(64, ((x.length + tasks - 1) / tasks + 63) / 64 * 64);
            parallel.forEach((x.length + chunk - 1) / chunk, t -> {
                int off = t * chunk;
                kernels.gelu(x, off, y, off, Math.min(chunk, x.length - off));
            });
            return new Tensor[] {Tensor.ofFloats(y, in[0].shapeView())};
        });
    }

    /**
     * dev.octet {@code Attention}: multi-head scaled dot-product attention on unsplit heads.
     * <ul>
     *   <li>inputs: query [B, Sq, H*D], key [B, Sk, H*D], value [B, Sk, H*Dv], and an optional float additive
     *       mask that broadcasts to the scores [B, H, Sq, Sk];</li>
     *   <li>attributes: {@code num_heads} H (required); {@code scale} (default 1), which multiplies the scores;</li>
     *   <li>output [B, Sq, H*Dv]: per (batch, head), {@code softmax(Q K^T * scale + mask) V}, with head h's
     *       columns at [h*D, (h+1)*D) of every row.</li>
     * </ul>
     * Products are {@link FloatKernels#gemm} (K read transposed in place), the softmax
     * {@link FloatKernels#softmax}; (batch, head) pairs run in parallel, each holding the scores of at most
     * {@value #QUERY_BLOCK} query rows.
     */
    private static Op attention(OpContext ctx) {
        long heads = ctx.requireInt("num_heads");
        if (heads < 1) {
            throw ctx.fail("num_heads must be positive, got " + heads);
        }
        float scale = ctx.getFloat("scale", 1f);
        FloatKernels kernels = ctx.kernels().floats();
        Parallel parallel = ctx.parallel();
        int h = (int) heads;
        return Op.withBuffers((in, buffers) -> {
            float[] q = floats(in[0], "Attention"), k = floats(in[1], "Attention"), v = floats(in[2], "Attention");
            int[] qs = in[0].shapeView(), ks = in[1].shapeView(), vs = in[2].shapeView();
            if (qs.length != 3 || ks.length != 3 || vs.length != 3 || ks[0] != qs[0] || vs[0] != qs[0] || vs[1] != ks[1]
                || ks[2] != qs[2] || qs[2] % h != 0 || vs[2] % h != 0) {
                throw new OctetException(ErrorCode.INVALID_SHAPE, "Attention with " + h + " heads needs query "
                    + "[B, Sq, H*D], key [B, Sk, H*D] and value [B, Sk, H*Dv], got " + Arrays.toString(qs) + ", "
                    + Arrays.toString(ks) + ", " + Arrays.toString(vs));
            }
            int batch = qs[0], sq = qs[1], sk = ks[1], d = qs[2] / h, dv = vs[2] / h;
            float[] mask = in.length > 3 && in[3] != null ? floats(in[3], "Attention") : null;
            int[] ms = mask == null ? null : maskStrides(in[3].shapeView(), new int[] {batch, h, sq, sk});
            float[] out = buffers.floats(batch * sq * vs[2]);
            // A mask contiguous along keys goes through the vector kernel; other broadcasts take the scalar loop.
            boolean rowMask = mask == null || ms[3] == 1;
            parallel.forEach(batch * h, task -> {
                int b = task / h, head = task % h;
                float[] scores = scores(Math.min(sq, QUERY_BLOCK) * sk);
                for (int i0 = 0; i0 < sq; i0 += QUERY_BLOCK) {
                    int rows = Math.min(QUERY_BLOCK, sq - i0);
                    kernels.gemm(rows, sk, d, q, (b * sq + i0) * qs[2] + head * d, qs[2],
                        k, b * sk * ks[2] + head * d, ks[2], true, scores, 0, sk);
                    for (int i = 0; i < rows; i++) {
                        int row = i * sk;
                        int m = mask == null ? 0 : b * ms[0] + head * ms[1] + (i0 + i) * ms[2];
                        if (rowMask) {
                            kernels.scaleAndMask(scores, row, sk, scale, mask, m);
                            continue;
                        }
                        for (int j = 0; j < sk; j++) {
                            scores[row + j] = ScalarFloatKernels.scaleAndMask(scores[row + j], scale, mask[m + j * ms[3]],
                                true);
                        }
                    }
                    kernels.softmax(scores, 0, scores, 0, rows, sk);
                    kernels.gemm(rows, dv, sk, scores, 0, sk, v, b * sk * vs[2] + head * dv, vs[2], false,
                        out, (b * sq + i0) * vs[2] + head * dv, vs[2]);
                }
            });
            return new Tensor[] {Tensor.ofFloats(out, batch, sq, vs[2])};
        });
    }

    /** Each thread's score block, reused across calls. */
    private static final ThreadLocal<float[]> SCORES = ThreadLocal.withInitial(() -> new float[0]);

    private static float[] scores(int n) {
        float[] s = SCORES.get();
        if (s.length < n) {
            s = new float[n];
            SCORES.set(s);
        }
        return s;
    }

    /** Element strides of a mask broadcast (numpy rules, right-aligned) to {@code target}; 0 along broadcast dims. */
    private static int[] maskStrides(int[] mask, int[] target) {
        if (mask.length > target.length) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, "Attention mask " + Arrays.toString(mask)
                + " has more dims than the scores " + Arrays.toString(target));
        }
        int[] strides = new int[target.length];
        int stride = 1;
        for (int i = 1; i <= mask.length; i++) {
            int md = mask[mask.length - i], td = target[target.length - i];
            if (md != td && md != 1) {
                throw new OctetException(ErrorCode.INVALID_SHAPE, "Attention mask " + Arrays.toString(mask)
                    + " does not broadcast to the scores " + Arrays.toString(target));
            }
            strides[target.length - i] = md == 1 ? 0 : stride;
            stride *= md;
        }
        return strides;
    }

    // ---- shape rules ----------------------------------------------------------------------------------

    /** dev.octet Attention: [B, Sq, H*Dv] from query [B, Sq, H*D] and value [B, Sk, H*Dv]. */
    private static ShapeValue[] inferAttention(ShapeContext c) {
        List<Dim> q = c.shape(0), v = c.shape(2);
        if ((q != null && q.size() != 3) || (v != null && v.size() != 3)) {
            throw c.fail("Attention needs rank-3 query and value, got " + q + " and " + v);
        }
        if (q == null) {
            return one(DataType.FLOAT, v == null ? null : List.of(Dim.UNKNOWN, Dim.UNKNOWN, v.get(2)));
        }
        return one(DataType.FLOAT, List.of(q.get(0), q.get(1), v == null ? Dim.UNKNOWN : v.get(2)));
    }
}
