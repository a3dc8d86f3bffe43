package dev.octet.ops;

import static dev.octet.ops.ShapeDims.axis;
import static dev.octet.ops.ShapeDims.unknown;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import dev.octet.kernel.FloatKernels;
import dev.octet.kernel.Parallel;
import dev.octet.kernel.scalar.ScalarFloatKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Softmax, LogSoftmax, Hardmax and the normalizations (Layer, RMS, Lp, Batch, Instance, Group, LRN,
 * MeanVarianceNormalization): reductions whose statistics are applied back.
 */
final class ReduceNormalization {
    private ReduceNormalization() {}

    /** The only stash_type Octet computes with; its Mean and InvStdDev outputs are FLOAT. */
    private static final int STASH_FLOAT = 1;
    private static final AttributeSpec<Long> RMS_AXIS = AttributeSpec.intAttr("axis", -1);
    private static final AttributeSpec<Float> EPSILON = AttributeSpec.floatAttr("epsilon", 1e-5f);
    private static final AttributeSpec<Long> STASH_TYPE = AttributeSpec.intAttr("stash_type", STASH_FLOAT)
        .requiring(v -> v == STASH_FLOAT, "1 (float), the only precision Octet computes statistics in");
    private static final AttributeSpec<Long> NUM_GROUPS = AttributeSpec.intAttr("num_groups", 0)
        .requiring(v -> v > 0, "a positive group count");
    private static final AttributeSpec<Float> LRN_ALPHA = AttributeSpec.floatAttr("alpha", 1e-4f);
    private static final AttributeSpec<Float> LRN_BETA = AttributeSpec.floatAttr("beta", 0.75f);
    private static final AttributeSpec<Float> LRN_BIAS = AttributeSpec.floatAttr("bias", 1f);
    private static final AttributeSpec<Long> LRN_SIZE = AttributeSpec.intAttr("size", 0)
        .requiring(v -> v > 0, "a positive window size");
    /** MeanVarianceNormalization's function body adds it to the standard deviation. */
    private static final double MVN_EPSILON = 1e-9;
    private static final AttributeSpec<Long> LP_P = AttributeSpec.intAttr("p", 2).requiring(v -> v == 1 || v == 2, "1 or 2");

    static void register(OpRegistry.Builder r) {
        r.onnx("Softmax", 7).unary().shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> {
            // Before opset 13 the input is coerced to 2-D at axis; from 13 on only that axis is reduced.
            boolean flatten = ctx.opset() < 13;
            long axis = ctx.getInt("axis", flatten ? 1 : -1);
            FloatKernels kernels = ctx.kernels().floats();
            Parallel parallel = ctx.parallel();
            return Op.withBuffers((in, buffers) -> new Tensor[] {
                softmax(kernels, parallel, requireFloat("Softmax", in[0]), axis, flatten, false, buffers)});
        });
        // Same axis handling as Softmax; ONNX Runtime's arithmetic through FloatKernels.logSoftmax.
        r.onnx("LogSoftmax", 7).unary().shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> {
            boolean flatten = ctx.opset() < 13;
            long axis = ctx.getInt("axis", flatten ? 1 : -1);
            FloatKernels kernels = ctx.kernels().floats();
            Parallel parallel = ctx.parallel();
            return Op.withBuffers((in, buffers) -> new Tensor[] {
                softmax(kernels, parallel, requireFloat("LogSoftmax", in[0]), axis, flatten, true, buffers)});
        });
        r.onnx("Hardmax", 7).unary().shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> {
            boolean flatten = ctx.opset() < 13;
            long axis = ctx.getInt("axis", flatten ? 1 : -1);
            Parallel parallel = ctx.parallel();
            return Op.withBuffers((in, buffers) -> new Tensor[] {
                hardmax(parallel, requireFloat("Hardmax", in[0]), axis, flatten, buffers)});
        });
        r.onnx("RMSNormalization", 23).inputs("rr").outputs("r").attribute(RMS_AXIS).attribute(EPSILON)
            .attribute(STASH_TYPE).shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> {
                long axis = ctx.get(RMS_AXIS);
                double epsilon = ctx.get(EPSILON);
                return in -> new Tensor[] {rmsNorm(requireFloat("RMSNormalization", in[0]), in[1], axis, epsilon)};
            });
        // LpNormalization-22 only added types.
        r.onnx("LpNormalization", 1).unary().attribute(RMS_AXIS).attribute(LP_P).shape(ShapeRule.SAME_AS_INPUT)
            .factory(ctx -> {
                long axis = ctx.get(RMS_AXIS);
                int p = (int) (long) ctx.get(LP_P);
                return in -> new Tensor[] {lpNorm(requireFloat("LpNormalization", in[0]), axis, p)};
            });
        r.onnx("InstanceNormalization", 6).inputs("rrr").outputs("r").attribute(EPSILON)
            .shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> {
                double epsilon = ctx.get(EPSILON);
                return in -> {
                    Tensor x = requireFloat("InstanceNormalization", in[0]);
                    int channels = channels(x, "InstanceNormalization");
                    return new Tensor[] {groupNorm(x, channels, channelParam(in[1], channels),
                        channelParam(in[2], channels), epsilon, "InstanceNormalization")};
                };
            });
        // GroupNormalization-18 scaled per group, which version 21 corrected to per channel; only 21 is
        // implemented.
        r.onnx("GroupNormalization", 21).inputs("rrr").outputs("r").attribute(NUM_GROUPS).attribute(EPSILON)
            .attribute(STASH_TYPE).shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> {
                int groups = (int) Math.min(ctx.get(NUM_GROUPS), Integer.MAX_VALUE);
                double epsilon = ctx.get(EPSILON);
                return in -> {
                    Tensor x = requireFloat("GroupNormalization", in[0]);
                    int channels = channels(x, "GroupNormalization");
                    if (channels % groups != 0) {
                        throw new OctetException(ErrorCode.INVALID_SHAPE, "GroupNormalization: " + channels
                            + " channels do not split into " + groups + " groups");
                    }
                    return new Tensor[] {groupNorm(x, groups, channelParam(in[1], channels),
                        channelParam(in[2], channels), epsilon, "GroupNormalization")};
                };
            });
        r.onnx("LRN", 1).unary().attribute(LRN_ALPHA).attribute(LRN_BETA).attribute(LRN_BIAS).attribute(LRN_SIZE)
            .shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> {
                double alpha = ctx.get(LRN_ALPHA), beta = ctx.get(LRN_BETA), bias = ctx.get(LRN_BIAS);
                int size = (int) Math.min(ctx.get(LRN_SIZE), Integer.MAX_VALUE);
                return in -> new Tensor[] {lrn(requireFloat("LRN", in[0]), alpha, beta, bias, size)};
            });
        r.onnx("MeanVarianceNormalization", 9).unary().shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> {
            int[] axes = ctx.has("axes") ? ctx.getIntArray("axes") : new int[] {0, 2, 3};
            // Negative and positive spellings of one axis can only be told apart once the rank is known (at run).
            if (Arrays.stream(axes).distinct().count() != axes.length) {
                throw ctx.fail("attribute 'axes' " + Arrays.toString(axes) + " lists an axis twice");
            }
            return in -> new Tensor[] {meanVarianceNorm(requireFloat("MeanVarianceNormalization", in[0]), axes)};
        });
        r.onnx("LayerNormalization", 17).inputs("rro").outputs("roo").shape(ReduceNormalization::inferLayerNorm).factory(ctx -> {
            long axis = ctx.getInt("axis", -1);
            double epsilon = ctx.getFloat("epsilon", 1e-5f);
            long stash = ctx.getInt("stash_type", STASH_FLOAT);
            if (stash != STASH_FLOAT) {
                throw ctx.unsupported("stash_type " + DataType.onnxName(stash) + " is not supported");
            }
            FloatKernels kernels = ctx.kernels().floats();
            boolean statistics = ctx.hasOutput(1) || ctx.hasOutput(2);
            return in -> layerNorm(kernels, requireFloat("LayerNormalization", in[0]), in[1],
                in.length > 2 ? in[2] : null, axis, epsilon, statistics);
        });
        // Training-mode outputs: four optional statistics to opset 13, running mean and variance from 14.
        r.onnx("BatchNormalization", 7).inputs("rrrrr").outputs("roooo").outputsFrom(14, "roo")
            .shape(ReduceNormalization::inferBatchNorm)
            .factory(ReduceNormalization::batchNormFactory);
    }

    private static Tensor requireFloat(String op, Tensor x) {
        if (x.type() != DataType.FLOAT) {
            throw ElementwiseBinary.unsupportedType(op, x.type());
        }
        return x;
    }

    /** A function of whole rows: {@code rows} rows of {@code n} floats from x into out (in place allowed). */
    private interface RowFunction {
        void apply(float[] x, int xOff, float[] out, int outOff, int rows, int n);
    }

    /**
     * Softmax (or, with {@code log}, log-softmax) along the axis, with the canonical float kernel: over
     * {@code x.shape[axis:]} flattened before opset 13 ({@code flatten}), over the one axis from 13 on.
     */
    static Tensor softmax(FloatKernels kernels, Parallel parallel, Tensor x, long axisAttr, boolean flatten,
                          boolean log, Buffers buffers) {
        return alongAxis(x, axisAttr, flatten, parallel, buffers, log
            ? (in, inOff, out, outOff, rows, n) -> kernels.logSoftmax(in, inOff, out, outOff, rows, n)
            : (in, inOff, out, outOff, rows, n) -> kernels.softmax(in, inOff, out, outOff, rows, n));
    }

    /** 1 at the first maximum of each block (as Softmax blocks it), 0 elsewhere. */
    static Tensor hardmax(Parallel parallel, Tensor x, long axisAttr, boolean flatten, Buffers buffers) {
        return alongAxis(x, axisAttr, flatten, parallel, buffers, (in, inOff, out, outOff, rows, n) -> {
            for (int r = 0; r < rows; r++) {
                int best = 0;
                for (int k = 1; k < n; k++) {
                    if (in[inOff + r * n + k] > in[inOff + r * n + best]) {
                        best = k;
                    }
                }
                for (int k = 0; k < n; k++) {
                    out[outOff + r * n + k] = k == best ? 1f : 0f;
                }
            }
        });
    }

    /** About how many elements a strided axis gathers into contiguous rows per call of the row function. */
    private static final int ROW_BLOCK_ELEMENTS = 4096;
    /** Elements below which an axis op stays on one thread (waking the others costs tens of microseconds). */
    private static final long PARALLEL_ELEMENTS = 1 << 16;

    /**
     * Applies f to blocks of {@code n} elements spaced {@code inner} apart along the axis, in tasks of about
     * {@link #ROW_BLOCK_ELEMENTS} elements or more spread over the threads (each row computed as alone).
     */
    private static Tensor alongAxis(Tensor x, long axisAttr, boolean flatten, Parallel parallel, Buffers buffers,
                                    RowFunction f) {
        int[] shape = x.shapeView();
        int a = ShapeKernels.normalizeAxis(axisAttr, shape.length, "axis");
        int outer = ShapeKernels.product(shape, 0, a);
        int n = flatten ? ShapeKernels.product(shape, a, shape.length) : shape[a];
        int inner = flatten ? 1 : ShapeKernels.product(shape, a + 1, shape.length);
        float[] s = x.floats();
        float[] z = buffers.floats(s.length); // every row is written whole
        // Rows per call: a strided axis gathers them into a contiguous block first.
        int block = Math.max(1, Math.min(inner == 1 ? outer : inner, ROW_BLOCK_ELEMENTS / Math.max(1, n)));
        int blocksPerOuter = inner == 1 ? 1 : (inner + block - 1) / block;
        long units = inner == 1 ? ((long) outer + block - 1) / block : (long) outer * blocksPerOuter;
        int tasks = (int) Math.min(units, parallel.split((long) s.length, PARALLEL_ELEMENTS, PARALLEL_ELEMENTS / 2));
        parallel.forEach(tasks, t -> {
            long u0 = units * t / tasks, u1 = units * (t + 1) / tasks;
            if (inner == 1) {
                int r0 = (int) Math.min(outer, u0 * block), r1 = (int) Math.min(outer, u1 * block);
                f.apply(s, r0 * n, z, r0 * n, r1 - r0, n);
                return;
            }
            // A strided axis: a block of rows (one per inner position) gathered contiguous, transformed in one call,
            // and scattered back; a short axis (a detector's 6 classes over 65,536 anchors) then costs one kernel
            // call per block, not per row.
            float[] rows = new float[block * n];
            for (long u = u0; u < u1; u++) {
                int o = (int) (u / blocksPerOuter);
                int in0 = (int) (u % blocksPerOuter) * block;
                int count = Math.min(block, inner - in0);
                int base = o * n * inner + in0;
                for (int k = 0; k < n; k++) {
                    for (int j = 0, at = base + k * inner; j < count; j++, at++) {
                        rows[j * n + k] = s[at];
                    }
                }
                f.apply(rows, 0, rows, 0, count, n);
                for (int k = 0; k < n; k++) {
                    for (int j = 0, at = base + k * inner; j < count; j++, at++) {
                        z[at] = rows[j * n + k];
                    }
                }
            }
        });
        return Tensor.ofFloats(z, shape);
    }

    /** {@code x / sqrt(mean(x^2) + epsilon) * scale} over X.shape[axis:], the statistics in double. */
    static Tensor rmsNorm(Tensor x, Tensor scale, long axisAttr, double epsilon) {
        int[] shape = x.shapeView();
        int a = ShapeKernels.normalizeAxis(axisAttr, shape.length, "axis");
        int outer = ShapeKernels.product(shape, 0, a);
        int n = ShapeKernels.product(shape, a, shape.length);
        int[] normShape = Arrays.copyOfRange(shape, a, shape.length);
        float[] sc = expand(requireFloat("RMSNormalization", scale).floats(), paramMap("RMSNormalization", scale,
            normShape), n);
        float[] s = x.floats();
        float[] y = new float[s.length];
        for (int o = 0; o < outer; o++) {
            double sq = 0;
            for (int k = 0; k < n; k++) {
                double v = s[o * n + k];
                sq += v * v;
            }
            double rms = Math.sqrt(sq / n + epsilon);
            for (int k = 0; k < n; k++) {
                y[o * n + k] = (float) (s[o * n + k] / rms * sc[k]);
            }
        }
        return Tensor.ofFloats(y, shape);
    }

    /** {@code x / ||x||_p} along one axis (p is 1 or 2), the norm in double; an all-zero vector stays zero. */
    static Tensor lpNorm(Tensor x, long axisAttr, int p) {
        int[] shape = x.shapeView();
        int a = ShapeKernels.normalizeAxis(axisAttr, shape.length, "axis");
        int outer = ShapeKernels.product(shape, 0, a);
        int n = shape[a];
        int inner = ShapeKernels.product(shape, a + 1, shape.length);
        float[] s = x.floats();
        float[] z = new float[s.length];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                int base = o * n * inner + in;
                double norm = 0;
                for (int k = 0; k < n; k++) {
                    double v = s[base + k * inner];
                    norm += p == 1 ? Math.abs(v) : v * v;
                }
                if (p == 2) {
                    norm = Math.sqrt(norm);
                }
                if (norm == 0) {
                    norm = 1; // as ONNX's reference implementation: 0 / 0 would be NaN
                }
                for (int k = 0; k < n; k++) {
                    z[base + k * inner] = (float) (s[base + k * inner] / norm);
                }
            }
        }
        return Tensor.ofFloats(z, shape);
    }

    private static int channels(Tensor x, String op) {
        if (x.rank() < 3) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, op + " needs an (N, C, D1, ...) input, got " + x);
        }
        return x.dim(1);
    }

    /**
     * Normalizes each of {@code groups} groups of consecutive channels of each batch entry by its own mean and
     * population variance (in double), then applies the per-channel scale and bias. One group per channel is
     * InstanceNormalization.
     */
    static Tensor groupNorm(Tensor x, int groups, float[] scale, float[] bias, double epsilon, String op) {
        int[] shape = x.shapeView();
        int channels = shape[1];
        int spatial = ShapeKernels.product(shape, 2, shape.length);
        int perGroup = channels / groups * spatial;
        float[] s = x.floats();
        float[] y = new float[s.length];
        for (int g = 0; g < shape[0] * groups; g++) {
            int base = g * perGroup;
            double sum = 0;
            for (int i = 0; i < perGroup; i++) {
                sum += s[base + i];
            }
            double mean = sum / perGroup;
            double sq = 0;
            for (int i = 0; i < perGroup; i++) {
                double d = s[base + i] - mean;
                sq += d * d;
            }
            double inv = 1 / Math.sqrt(sq / perGroup + epsilon);
            for (int i = 0; i < perGroup; i++) {
                int c = (base + i) / spatial % channels;
                y[base + i] = (float) ((s[base + i] - mean) * inv * scale[c] + bias[c]);
            }
        }
        return Tensor.ofFloats(y, shape);
    }

    /**
     * Local response normalization across channels: {@code x / (bias + alpha / size * sum(x^2))^beta}, the sum
     * over channels c - floor((size - 1) / 2) to c + ceil((size - 1) / 2) that exist. The window sum slides
     * (the channel entering added, the one leaving subtracted, as ONNX Runtime's kernel does), so a window as
     * wide as the channels costs O(C), not O(C^2), per pixel.
     */
    static Tensor lrn(Tensor x, double alpha, double beta, double bias, int size) {
        int channels = channels(x, "LRN");
        int[] shape = x.shapeView();
        int spatial = ShapeKernels.product(shape, 2, shape.length);
        int before = (size - 1) / 2;
        int after = size - 1 - before;
        float[] s = x.floats();
        float[] y = new float[s.length];
        double[] sq = new double[spatial];
        for (int n = 0; n < shape[0]; n++) {
            int base = n * channels * spatial;
            Arrays.fill(sq, 0);
            for (int k = 0; k <= Math.min(channels - 1, after); k++) {
                addSquares(sq, s, base + k * spatial, 1);
            }
            for (int c = 0; c < channels; c++) {
                if (c > 0 && c + after < channels) {
                    addSquares(sq, s, base + (c + after) * spatial, 1);
                }
                if (c - before - 1 >= 0) {
                    addSquares(sq, s, base + (c - before - 1) * spatial, -1);
                }
                for (int p = 0; p < spatial; p++) {
                    int at = base + c * spatial + p;
                    // Subtraction can leave a rounding residue below 0 where the exact sum is 0.
                    y[at] = (float) (s[at] / StrictMath.pow(bias + alpha / size * Math.max(sq[p], 0), beta));
                }
            }
        }
        return Tensor.ofFloats(y, shape);
    }

    /** sq[p] += sign * x[from + p]^2 for every pixel p of one channel plane. */
    private static void addSquares(double[] sq, float[] x, int from, int sign) {
        for (int p = 0; p < sq.length; p++) {
            double v = x[from + p];
            sq[p] += sign * v * v;
        }
    }

    /** {@code (x - mean) / (sqrt(mean(x^2) - mean^2) + 1e-9)} over the axes, as ONNX's function body. */
    static Tensor meanVarianceNorm(Tensor x, int[] axes) {
        int[] shape = x.shapeView();
        int[] keep = shape.clone();
        int count = 1;
        boolean[] reduced = new boolean[shape.length];
        for (int a : axes) {
            int d = ShapeKernels.normalizeAxis(a, shape.length, "axis");
            if (reduced[d]) {
                throw new OctetException(ErrorCode.INVALID_SHAPE, "MeanVarianceNormalization axis " + a
                    + " is listed twice");
            }
            reduced[d] = true;
            keep[d] = 1;
            count *= shape[d];
        }
        int[] map = Broadcast.indexMap(keep, shape);
        int m = Tensor.checkedSize(keep);
        double[] sum = new double[m];
        double[] sumSq = new double[m];
        float[] s = x.floats();
        for (int i = 0; i < s.length; i++) {
            int o = map == null ? i : map[i];
            sum[o] += s[i];
            sumSq[o] += (double) s[i] * s[i];
        }
        float[] y = new float[s.length];
        for (int i = 0; i < s.length; i++) {
            int o = map == null ? i : map[i];
            double mean = sum[o] / count;
            double std = Math.sqrt(Math.max(0, sumSq[o] / count - mean * mean));
            y[i] = (float) ((s[i] - mean) / (std + MVN_EPSILON));
        }
        return Tensor.ofFloats(y, shape);
    }

    /**
     * Y with {@link FloatKernels#layerNorm} over X.shape[axis:]; Mean and InvStdDev, when the graph asks for them,
     * are the statistics Y was normalized with ({@code 1 / std} in float), as ONNX Runtime returns them.
     */
    static Tensor[] layerNorm(FloatKernels kernels, Tensor x, Tensor scale, Tensor bias, long axisAttr, double epsilon,
                              boolean statistics) {
        int[] shape = x.shapeView();
        int a = ShapeKernels.normalizeAxis(axisAttr, shape.length, "axis");
        int outer = ShapeKernels.product(shape, 0, a);
        int n = ShapeKernels.product(shape, a, shape.length);
        int[] normShape = Arrays.copyOfRange(shape, a, shape.length);
        float[] sc = requireFloat("LayerNormalization", scale).floats();
        int[] scaleMap = paramMap("LayerNormalization", scale, normShape);
        float[] b = bias == null ? null : requireFloat("LayerNormalization", bias).floats();
        int[] biasMap = bias == null ? null : paramMap("LayerNormalization", bias, normShape);
        float[] s = x.floats();
        float[] y = new float[s.length];
        kernels.layerNorm(s, 0, y, 0, outer, n, expand(sc, scaleMap, n), b == null ? null : expand(b, biasMap, n),
            (float) epsilon);
        if (!statistics) {
            return new Tensor[] {Tensor.ofFloats(y, shape)};
        }
        float[] means = new float[outer];
        float[] invStd = new float[outer];
        float[] stats = new float[2 * ScalarFloatKernels.LAYER_NORM_STATS_ROWS];
        for (int o0 = 0; o0 < outer; o0 += ScalarFloatKernels.LAYER_NORM_STATS_ROWS) {
            int group = Math.min(ScalarFloatKernels.LAYER_NORM_STATS_ROWS, outer - o0);
            ScalarFloatKernels.layerNormStats(s, o0 * n, group, n, (float) epsilon, stats);
            for (int g = 0; g < group; g++) {
                means[o0 + g] = stats[2 * g];
                invStd[o0 + g] = 1f / stats[2 * g + 1];
            }
        }
        int[] statShape = shape.clone();
        Arrays.fill(statShape, a, shape.length, 1);
        return new Tensor[] {Tensor.ofFloats(y, shape), Tensor.ofFloats(means, statShape),
            Tensor.ofFloats(invStd, statShape)};
    }

    /** A Scale or B input over the n normalized elements (itself when it needs no broadcasting). */
    private static float[] expand(float[] p, int[] map, int n) {
        if (map == null) {
            return p;
        }
        float[] e = new float[n];
        for (int k = 0; k < n; k++) {
            e[k] = p[map[k]];
        }
        return e;
    }

    /** The index map of a Scale or B input, which must broadcast unidirectionally to the normalized shape. */
    private static int[] paramMap(String op, Tensor p, int[] normShape) {
        if (!Arrays.equals(Broadcast.shape(p.shapeView(), normShape), normShape)) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, op + ": " + Arrays.toString(p.shapeView())
                + " does not broadcast to the normalized shape " + Arrays.toString(normShape));
        }
        return Broadcast.indexMap(p.shapeView(), normShape);
    }

    private static Op batchNormFactory(OpContext ctx) {
        double epsilon = ctx.getFloat("epsilon", 1e-5f);
        double momentum = ctx.getFloat("momentum", 0.9f);
        if (ctx.getInt("spatial", 1) == 0) {
            throw ctx.unsupported("spatial=0 (per-activation statistics) is not supported");
        }
        boolean training = ctx.opset() >= 14 && ctx.getInt("training_mode", 0) != 0;
        if (!training && (ctx.hasOutput(1) || ctx.hasOutput(2) || ctx.hasOutput(3) || ctx.hasOutput(4))) {
            throw ctx.unsupported("the training outputs of BatchNormalization are only computed with training_mode=1");
        }
        return in -> batchNorm(requireFloat("BatchNormalization", in[0]), in[1], in[2], in[3], in[4], epsilon,
            training ? momentum : Double.NaN);
    }

    /**
     * Normalizes each channel (axis 1) with the given mean and variance; in training mode (momentum not NaN)
     * with the batch's own mean and population variance, also returning the updated running statistics.
     */
    static Tensor[] batchNorm(Tensor x, Tensor scale, Tensor bias, Tensor mean, Tensor var, double epsilon,
                              double momentum) {
        int[] shape = x.shapeView();
        if (shape.length < 2) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, "BatchNormalization needs an input of rank >= 2, got "
                + Arrays.toString(shape));
        }
        int batch = shape[0];
        int channels = shape[1];
        int inner = ShapeKernels.product(shape, 2, shape.length);
        float[] sc = channelParam(scale, channels), b = channelParam(bias, channels);
        float[] m = channelParam(mean, channels), v = channelParam(var, channels);
        float[] s = x.floats();
        boolean training = !Double.isNaN(momentum);
        double[] useMean = new double[channels];
        double[] useVar = new double[channels];
        for (int c = 0; c < channels; c++) {
            if (training) {
                double sum = 0;
                for (int nb = 0; nb < batch; nb++) {
                    for (int k = 0, base = (nb * channels + c) * inner; k < inner; k++) {
                        sum += s[base + k];
                    }
                }
                double mu = sum / ((double) batch * inner);
                double sq = 0;
                for (int nb = 0; nb < batch; nb++) {
                    for (int k = 0, base = (nb * channels + c) * inner; k < inner; k++) {
                        double d = s[base + k] - mu;
                        sq += d * d;
                    }
                }
                useMean[c] = mu;
                useVar[c] = sq / ((double) batch * inner);
            } else {
                useMean[c] = m[c];
                useVar[c] = v[c];
            }
        }
        float[] y = new float[s.length];
        for (int nb = 0; nb < batch; nb++) {
            for (int c = 0; c < channels; c++) {
                double mul = sc[c] / Math.sqrt(useVar[c] + epsilon);
                for (int k = 0, base = (nb * channels + c) * inner; k < inner; k++) {
                    y[base + k] = (float) ((s[base + k] - useMean[c]) * mul + b[c]);
                }
            }
        }
        Tensor out = Tensor.ofFloats(y, shape);
        if (!training) {
            return new Tensor[] {out};
        }
        float[] runMean = new float[channels];
        float[] runVar = new float[channels];
        for (int c = 0; c < channels; c++) {
            runMean[c] = (float) (m[c] * momentum + useMean[c] * (1 - momentum));
            runVar[c] = (float) (v[c] * momentum + useVar[c] * (1 - momentum));
        }
        return new Tensor[] {out, Tensor.ofFloats(runMean, channels), Tensor.ofFloats(runVar, channels)};
    }

    private static float[] channelParam(Tensor p, int channels) {
        if (p.type() != DataType.FLOAT || p.size() != channels || p.rank() != 1) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, "expected per-channel FLOAT[" + channels
                + "] statistics or parameters, got " + p);
        }
        return p.floats();
    }

    // ---- shape rules ----------------------------------------------------------------------------------

    private static ShapeValue[] inferLayerNorm(ShapeContext c) {
        List<Dim> s = c.shape(0);
        List<Dim> stats = null;
        if (s != null) {
            int a = axis(c.getInt("axis", -1), s.size(), "LayerNormalization axis");
            stats = new ArrayList<>(s);
            for (int d = a; d < s.size(); d++) {
                stats.set(d, Dim.of(1));
            }
        }
        return new ShapeValue[] {ShapeValue.of(DataType.FLOAT, s), ShapeValue.of(DataType.FLOAT, stats),
            ShapeValue.of(DataType.FLOAT, stats)};
    }

    private static ShapeValue[] inferBatchNorm(ShapeContext c) {
        List<Dim> s = c.shape(0);
        if (s != null && s.size() < 2) {
            throw c.fail("BatchNormalization needs an input of rank >= 2, got " + s);
        }
        List<Dim> channels = s == null ? unknown(1) : List.of(s.get(1));
        return new ShapeValue[] {ShapeValue.of(DataType.FLOAT, s), ShapeValue.of(DataType.FLOAT, channels),
            ShapeValue.of(DataType.FLOAT, channels)};
    }
}
