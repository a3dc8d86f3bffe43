package dev.octet.ops;

import static dev.octet.ops.ShapeDims.same;
import static dev.octet.ops.ShapeDims.unknown;
import static dev.octet.ops.Shapes.PLACEHOLDER;
import static dev.octet.ops.Shapes.convShape;
import static dev.octet.ops.Shapes.gemmShape;
import static dev.octet.ops.Shapes.matMulShape;
import static dev.octet.ops.Shapes.one;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import dev.octet.kernel.FloatConv;
import dev.octet.kernel.FloatGemm;
import dev.octet.kernel.FloatKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Float neural-network operators: Conv, ConvTranspose, Gemm, MatMul; registers the pools and Resize too. */
final class NnOps {
    private NnOps() {}

    static void register(OpRegistry.Builder r) {
        r.onnx("Conv", 1).inputs("rro").outputs("r").shape(c -> one(DataType.FLOAT, convShape(c, 0, 1))).factory(NnOps::conv);
        r.onnx("ConvTranspose", 1).inputs("rro").outputs("r").shape(NnOps::inferConvTranspose).factory(NnOps::convTranspose);
        r.onnx("Gemm", 1).inputs("rrr").inputsFrom(11, "rro").outputs("r")
            .shape(c -> one(DataType.FLOAT, gemmShape(c.shape(0), c.shape(1), c.getInt("transA", 0) != 0,
                c.getInt("transB", 0) != 0)))
            .factory(NnOps::gemm);
        r.onnx("MatMul", 1).inputs("rr").outputs("r")
            .shape(c -> one(DataType.FLOAT, matMulShape(c.shape(0), c.shape(1))))
            .factory(ctx -> {
                FloatKernels kernels = ctx.kernels().floats();
                return in -> new Tensor[] {matMul(kernels, in[0], in[1])};
            });
        PoolOps.register(r);
        r.onnx("Resize", 10).inputs("rr").inputsFrom(11, "rroo").inputsFrom(13, "rooo").outputs("r").shape(ResizeOp::inferResize).factory(ResizeOp::create);
    }

    // ---- Conv ----

    private static Op conv(OpContext ctx) {
        FloatKernels kernels = ctx.kernels().floats();
        int group = groupAttr(ctx);
        ConvGeometry geometry = geometry(ctx);
        return in -> {
            Tensor x = floatInput(in[0], "X");
            Tensor w = floatInput(in[1], "W");
            Tensor bias = in.length > 2 && in[2] != null ? floatInput(in[2], "B") : null;
            int[] xs = x.shapeView();
            int[] ws = w.shapeView();
            ConvGeometry g = resolve(geometry, ws);
            int r = g.spatialRank();
            if (xs.length != r + 2 || ws.length != r + 2) {
                throw shapeError("Conv needs X and W of rank " + (r + 2) + ", got " + x + " and " + w);
            }
            int n = xs[0];
            int c = xs[1];
            int m = ws[0];
            int cg = ws[1];
            if (c != cg * group || m % group != 0) {
                throw shapeError("Conv with group " + group + ": X " + x + " does not match W " + w);
            }
            int[] kernel = g.kernel();
            if (!Arrays.equals(kernel, Arrays.copyOfRange(ws, 2, ws.length))) {
                throw shapeError("kernel_shape " + Arrays.toString(kernel) + " does not match W " + w);
            }
            checkBias(bias, m);
            int[] inSp = Arrays.copyOfRange(xs, 2, xs.length);
            int[] outSp = g.outputSpatial(inSp, false);
            int[] pads = g.pads(inSp);
            int inSize = product(inSp);
            int outSize = product(outSp);
            int kSize = product(kernel);
            int mg = m / group;
            int rows = cg * kSize;
            float[] y = new float[checkedSize(n, m, outSize)];
            fillBias(y, bias, n, m, outSize);
            int[] strides = g.strides();
            int[] dil = g.dilations();
            // A 1x1, stride-1, unpadded conv reads the input as its own column matrix.
            boolean pointwise = kSize == 1 && outSize == inSize && isZero(pads) && allOnes(strides);
            float[] col = pointwise ? null : new float[checkedSize(1, rows, outSize)];
            float[] xd = x.floats();
            float[] wd = w.floats();
            for (int b = 0; b < n; b++) {
                for (int gi = 0; gi < group; gi++) {
                    int xOff = (b * c + gi * cg) * inSize;
                    float[] src = xd;
                    int srcOff = xOff;
                    if (!pointwise) {
                        FloatConv.im2col(xd, xOff, cg, inSp, kernel, strides, dil, pads, outSp, col, 0);
                        src = col;
                        srcOff = 0;
                    }
                    FloatGemm.gemm(kernels, false, false, mg, outSize, rows, 1f, wd, gi * mg * rows, rows, src, srcOff,
                        outSize, bias == null ? 0f : 1f, y, (b * m + gi * mg) * outSize, outSize);
                }
            }
            return new Tensor[] {Tensor.ofFloats(y, concat(n, m, outSp))};
        };
    }

    // ---- ConvTranspose ----

    private static Op convTranspose(OpContext ctx) {
        FloatKernels kernels = ctx.kernels().floats();
        int group = groupAttr(ctx);
        ConvGeometry geometry = geometry(ctx);
        int[] outputPadding = ctx.getIntArray("output_padding");
        int[] outputShape = ctx.getIntArray("output_shape");
        return in -> {
            Tensor x = floatInput(in[0], "X");
            Tensor w = floatInput(in[1], "W");
            Tensor bias = in.length > 2 && in[2] != null ? floatInput(in[2], "B") : null;
            int[] xs = x.shapeView();
            int[] ws = w.shapeView();
            ConvGeometry g = resolve(geometry, ws);
            int r = g.spatialRank();
            if (xs.length != r + 2 || ws.length != r + 2) {
                throw shapeError("ConvTranspose needs X and W of rank " + (r + 2) + ", got " + x + " and " + w);
            }
            int n = xs[0];
            int c = xs[1];
            if (ws[0] != c || c % group != 0) {
                throw shapeError("ConvTranspose with group " + group + ": X " + x + " does not match W " + w);
            }
            int cg = c / group;
            int mg = ws[1];
            int m = mg * group;
            int[] kernel = g.kernel();
            if (!Arrays.equals(kernel, Arrays.copyOfRange(ws, 2, ws.length))) {
                throw shapeError("kernel_shape " + Arrays.toString(kernel) + " does not match W " + w);
            }
            checkBias(bias, m);
            int[] inSp = Arrays.copyOfRange(xs, 2, xs.length);
            if (outputPadding != null && outputPadding.length != r
                    || outputShape != null && outputShape.length != r && outputShape.length != r + 2) {
                throw new OctetException(ErrorCode.INVALID_GRAPH, "ConvTranspose output_padding "
                    + Arrays.toString(outputPadding) + " and output_shape " + Arrays.toString(outputShape)
                    + " must give one value per spatial axis (" + r + ")");
            }
            int[] strides = g.strides();
            int[] dil = g.dilations();
            int[] pads = g.pads(inSp);
            int[] outSp = new int[r];
            for (int d = 0; d < r; d++) {
                int op = outputPadding == null ? 0 : outputPadding[d];
                int full = strides[d] * (inSp[d] - 1) + op + (kernel[d] - 1) * dil[d] + 1;
                boolean same = g.autoPad() == ConvGeometry.AutoPad.SAME_UPPER
                    || g.autoPad() == ConvGeometry.AutoPad.SAME_LOWER;
                if (outputShape != null || same) {
                    // The spec: pads come from the requested size; SAME_UPPER puts the odd one at the end.
                    outSp[d] = outputShape != null ? outputShape[outputShape.length - r + d] : inSp[d] * strides[d];
                    int total = full - outSp[d];
                    int half = Math.floorDiv(total, 2);
                    pads[d] = g.autoPad() == ConvGeometry.AutoPad.SAME_UPPER ? half : total - half;
                    pads[d + r] = total - pads[d];
                } else {
                    outSp[d] = full - pads[d] - pads[d + r];
                }
                if (outSp[d] < 0) {
                    throw shapeError("ConvTranspose output dimension " + d + " is negative");
                }
            }
            int inSize = product(inSp);
            int outSize = product(outSp);
            int kSize = product(kernel);
            int rows = mg * kSize;
            float[] y = new float[checkedSize(n, m, outSize)];
            fillBias(y, bias, n, m, outSize);
            float[] col = new float[checkedSize(1, rows, inSize)];
            float[] xd = x.floats();
            float[] wd = w.floats();
            for (int b = 0; b < n; b++) {
                for (int gi = 0; gi < group; gi++) {
                    // col = W_g^T X_g, then every column entry lands on the output position it contributes to.
                    FloatGemm.gemm(kernels, true, false, rows, inSize, cg, 1f, wd, gi * cg * rows, rows, xd,
                        (b * c + gi * cg) * inSize, inSize, 0f, col, 0, inSize);
                    FloatConv.col2im(col, 0, mg, outSp, kernel, strides, dil, pads, inSp, y,
                        (b * m + gi * mg) * outSize);
                }
            }
            return new Tensor[] {Tensor.ofFloats(y, concat(n, m, outSp))};
        };
    }

    /** The conv attributes, with the kernel from constant weights when kernel_shape is absent. */
    private static ConvGeometry geometry(OpContext ctx) {
        Tensor w = ctx.constantInput(1);
        if (w != null && w.rank() < 3) {
            throw ctx.fail("W must have rank 3 or more, got " + w);
        }
        return ConvGeometry.read(ctx, w == null ? null : Arrays.copyOfRange(w.shapeView(), 2, w.rank()));
    }

    /** The geometry for these weights: a deferred kernel is taken from them, a declared one must match. */
    private static ConvGeometry resolve(ConvGeometry geometry, int[] ws) {
        if (ws.length < 3) {
            throw shapeError("W must have rank 3 or more, got " + Arrays.toString(ws));
        }
        int[] k = Arrays.copyOfRange(ws, 2, ws.length);
        return geometry.isDeferred() || !Arrays.equals(k, geometry.kernel()) ? geometry.withKernel(k) : geometry;
    }

    private static int groupAttr(OpContext ctx) {
        long group = ctx.getInt("group", 1);
        if (group < 1 || group > Integer.MAX_VALUE) {
            throw ctx.fail("group must be positive, got " + group);
        }
        return (int) group;
    }

    private static void checkBias(Tensor bias, int m) {
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != m)) {
            throw shapeError("bias must have shape [" + m + "], got " + bias);
        }
    }

    /** Writes bias[ch] over every output element of channel ch (zeros stay when there is no bias). */
    private static void fillBias(float[] y, Tensor bias, int n, int m, int plane) {
        if (bias == null) {
            return;
        }
        float[] bd = bias.floats();
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < m; ch++) {
                int off = (b * m + ch) * plane;
                Arrays.fill(y, off, off + plane, bd[ch]);
            }
        }
    }

    // ---- Gemm ----

    private static Op gemm(OpContext ctx) {
        FloatKernels kernels = ctx.kernels().floats();
        boolean transA = ctx.getInt("transA", 0) != 0;
        boolean transB = ctx.getInt("transB", 0) != 0;
        float alpha = ctx.getFloat("alpha", 1f);
        float beta = ctx.getFloat("beta", 1f);
        // ORT packs initializer weights at load and sums them in another order than weights computed at run time.
        boolean bPacked = ctx.initializerInput(1);
        return in -> {
            Tensor a = floatInput(in[0], "A");
            Tensor b = floatInput(in[1], "B");
            Tensor c = in.length > 2 ? in[2] : null;
            if (a.rank() != 2 || b.rank() != 2) {
                throw shapeError("Gemm needs 2-D A and B, got " + a + " and " + b);
            }
            int m = transA ? a.dim(1) : a.dim(0);
            int k = transA ? a.dim(0) : a.dim(1);
            int kb = transB ? b.dim(1) : b.dim(0);
            int n = transB ? b.dim(0) : b.dim(1);
            if (k != kb) {
                throw shapeError("Gemm inner dimensions differ: A " + a + " B " + b);
            }
            float[] y = new float[checkedSize(1, m, n)];
            float cScale = 0f;
            if (c != null && beta != 0) {
                // C broadcasts unidirectionally to [M, N]; beta scales it inside the GEMM.
                float[] cd = floatInput(c, "C").floats();
                int[] target = {m, n};
                if (!Arrays.equals(Broadcast.shape(c.shapeView(), target), target)) {
                    throw shapeError("Gemm C " + c + " does not broadcast to [" + m + ", " + n + "]");
                }
                int[] map = Broadcast.indexMap(c.shapeView(), target);
                for (int i = 0; i < y.length; i++) {
                    y[i] = cd[map == null ? i : map[i]];
                }
                cScale = beta;
            }
            FloatGemm.gemm(kernels, transA, transB, m, n, k, alpha, a.floats(), 0, a.dim(1), b.floats(), 0, b.dim(1),
                cScale, y, 0, n, bPacked);
            return new Tensor[] {Tensor.ofFloats(y, m, n)};
        };
    }

    // ---- MatMul ----

    /** numpy matmul: 1-D operands gain (then lose) a unit dim, leading batch dims broadcast. */
    static Tensor matMul(FloatKernels kernels, Tensor aT, Tensor bT) {
        Tensor a = floatInput(aT, "A");
        Tensor b = floatInput(bT, "B");
        if (a.rank() == 0 || b.rank() == 0) {
            throw shapeError("MatMul operands must have rank 1 or more, got " + a + " and " + b);
        }
        int[] as = a.rank() == 1 ? new int[] {1, a.dim(0)} : a.shapeView();
        int[] bs = b.rank() == 1 ? new int[] {b.dim(0), 1} : b.shapeView();
        int m = as[as.length - 2];
        int k = as[as.length - 1];
        int n = bs[bs.length - 1];
        if (bs[bs.length - 2] != k) {
            throw shapeError("MatMul inner dimensions differ: " + a + " and " + b);
        }
        int[] aBatch = Arrays.copyOf(as, as.length - 2);
        int[] bBatch = Arrays.copyOf(bs, bs.length - 2);
        int[] batch = Broadcast.shape(aBatch, bBatch);
        int batches = product(batch);
        int[] aMap = Broadcast.indexMap(aBatch, batch);
        int[] bMap = Broadcast.indexMap(bBatch, batch);
        float[] y = new float[checkedSize(batches, m, n)];
        float[] ad = a.floats();
        float[] bd = b.floats();
        for (int i = 0; i < batches; i++) {
            int ai = aMap == null ? i : aMap[i];
            int bi = bMap == null ? i : bMap[i];
            kernels.gemm(m, n, k, ad, ai * m * k, k, bd, bi * k * n, n, false, y, i * m * n, n);
        }
        int[] shape = Arrays.copyOf(batch, batch.length + 2);
        shape[batch.length] = m;
        shape[batch.length + 1] = n;
        if (b.rank() == 1) {
            shape = dropAxis(shape, shape.length - 1);
        }
        if (a.rank() == 1) {
            shape = dropAxis(shape, shape.length - (b.rank() == 1 ? 1 : 2));
        }
        return Tensor.ofFloats(y, shape);
    }

    private static int[] dropAxis(int[] shape, int axis) {
        int[] r = new int[shape.length - 1];
        System.arraycopy(shape, 0, r, 0, axis);
        System.arraycopy(shape, axis + 1, r, axis, r.length - axis);
        return r;
    }

    // ---- helpers shared by the Nn, pool and resize ops ----

    static Tensor floatInput(Tensor t, String name) {
        if (t == null) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "input " + name + " is missing");
        }
        if (t.type() != DataType.FLOAT) {
            throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, "input " + name + " must be FLOAT, got " + t.type());
        }
        return t;
    }

    static OctetException shapeError(String message) {
        return new OctetException(ErrorCode.INVALID_SHAPE, message);
    }

    static int product(int[] v) {
        return Tensor.checkedSize(v);
    }

    /** a * b * c as an array length, or an INVALID_SHAPE error when it does not fit. */
    static int checkedSize(int a, int b, int c) {
        return Tensor.checkedSize(new int[] {a, b, c});
    }

    static int[] concat(int a, int b, int[] rest) {
        int[] r = new int[rest.length + 2];
        r[0] = a;
        r[1] = b;
        System.arraycopy(rest, 0, r, 2, rest.length);
        return r;
    }

    private static boolean isZero(int[] v) {
        for (int x : v) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean allOnes(int[] v) {
        for (int x : v) {
            if (x != 1) {
                return false;
            }
        }
        return true;
    }

    // ---- shape rules ----------------------------------------------------------------------------------

    private static ShapeValue[] inferConvTranspose(ShapeContext c) {
        List<Dim> xs = c.shape(0), ws = c.shape(1);
        long group = c.getInt("group", 1);
        if (ws == null || ws.size() < 3) {
            return one(DataType.FLOAT, xs == null ? null : unknown(xs.size()));
        }
        int r = ws.size() - 2;
        if (xs != null && xs.size() != r + 2) {
            throw c.fail("X " + xs + " and W " + ws + " must both have rank " + (r + 2));
        }
        if (xs != null) {
            same(xs.get(1), ws.get(0), "X channels and W's first dimension differ");
        }
        List<Dim> out = new ArrayList<>();
        out.add(xs == null ? Dim.UNKNOWN : xs.get(0));
        out.add(ws.get(1).isFixed() ? Dim.of(ws.get(1).value() * group) : Dim.UNKNOWN);
        int[] k = ShapeDims.toInts(ws.subList(2, ws.size()));
        int[] outputShape = c.attrs().getIntArray("output_shape");
        int[] outputPadding = c.attrs().getIntArray("output_padding");
        ConvGeometry g = k == null ? null : ConvGeometry.read(c.attrs(), k);
        boolean same = g != null && (g.autoPad() == ConvGeometry.AutoPad.SAME_UPPER
            || g.autoPad() == ConvGeometry.AutoPad.SAME_LOWER);
        for (int d = 0; d < r; d++) {
            Dim in = xs == null ? Dim.UNKNOWN : xs.get(2 + d);
            if (outputShape != null) {
                out.add(Dim.of(outputShape[outputShape.length - r + d]));
            } else if (g == null || !in.isFixed()) {
                out.add(Dim.UNKNOWN);
            } else {
                int size = (int) in.value();
                int stride = g.strides()[d];
                if (same) {
                    out.add(Dim.of((long) size * stride));
                } else {
                    int[] inSp = new int[r];
                    Arrays.fill(inSp, PLACEHOLDER);
                    inSp[d] = size;
                    int[] pads = g.pads(inSp);
                    int op = outputPadding == null ? 0 : outputPadding[d];
                    long full = (long) stride * (size - 1) + op + (long) (k[d] - 1) * g.dilations()[d] + 1;
                    out.add(Dim.of(Math.max(0, full - pads[d] - pads[d + r])));
                }
            }
        }
        return one(DataType.FLOAT, out);
    }
}
