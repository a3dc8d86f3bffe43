package dev.octet.ops;

import static dev.octet.ops.ShapeDims.unknown;
import static dev.octet.ops.Shapes.globalPoolShape;
import static dev.octet.ops.Shapes.one;
import static dev.octet.ops.Shapes.spatialShape;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import dev.octet.kernel.PoolKernels;
import dev.octet.kernel.scalar.ScalarPoolKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * MaxPool, AveragePool, LpPool, GlobalAveragePool and GlobalMaxPool over NC(spatial...) tensors, and the window
 * inverses MaxUnpool and Col2Im.
 */
final class PoolOps {
    private PoolOps() {}

    static void register(OpRegistry.Builder r) {
        r.onnx("MaxPool", 1).inputs("r").outputs("ro").traits(OpTrait.DATA_MOVEMENT).shape(c -> {
            List<Dim> s = poolShape(c);
            return new ShapeValue[] {ShapeValue.of(c.type(0), s), ShapeValue.of(DataType.INT64, s)};
        }).factory(PoolOps::maxPool);
        // ChannelsLastLayout's form of a 2-D float MaxPool between NHWC convolutions: X and Y are [N, H, W, C].
        r.octet("MaxPool").unary().shape(PoolOps::channelsLastPoolShape).factory(PoolOps::maxPoolNhwc);
        r.onnx("AveragePool", 1).unary().shape(c -> one(DataType.FLOAT, poolShape(c))).factory(PoolOps::averagePool);
        // LpPool-18 added ceil_mode and dilations, whose defaults are LpPool-11's behaviour.
        r.onnx("LpPool", 11).unary().attribute(LP_P).shape(c -> one(DataType.FLOAT, poolShape(c)))
            .factory(PoolOps::lpPool);
        r.onnx("MaxUnpool", 11).inputs("rro").outputs("r").shape(c -> one(DataType.FLOAT, null))
            .factory(PoolOps::maxUnpool);
        r.onnx("Col2Im", 18).inputs("rrr").outputs("r").shape(c -> one(DataType.FLOAT, null))
            .factory(PoolOps::col2Im);
        r.onnx("GlobalAveragePool", 1).unary()
            .shape(c -> one(DataType.FLOAT, globalPoolShape(c.shape(0))))
            .integerVariant(OpRegistry.MICROSOFT_DOMAIN, "QLinearGlobalAveragePool")
            .factory(ctx -> in -> new Tensor[] {globalAveragePool(in[0])});
        r.onnx("GlobalMaxPool", 1).unary()
            .shape(c -> one(DataType.FLOAT, globalPoolShape(c.shape(0))))
            .factory(ctx -> in -> new Tensor[] {globalMaxPool(in[0])});
    }

    private static final AttributeSpec<Long> LP_P = AttributeSpec.intAttr("p", 2).requiring(v -> v >= 1, "1 or more");

    private static Op lpPool(OpContext ctx) {
        ConvGeometry g = poolGeometry(ctx);
        boolean ceil = ctx.getInt("ceil_mode", 0) != 0;
        double p = ctx.get(LP_P);
        return in -> {
            Tensor x = NnOps.floatInput(in[0], "X");
            int[] inSp = spatial(x, g);
            int[] outSp = g.outputSpatial(inSp, ceil);
            int[] outShape = NnOps.concat(x.dim(0), x.dim(1), outSp);
            return new Tensor[] {Tensor.ofFloats(lpPool(x.floats(), x.dim(0) * x.dim(1), inSp, outSp, g,
                g.pads(inSp), p), outShape)};
        };
    }

    /**
     * {@code (sum |x|^p)^(1/p)} over each window's taps inside the input (padding adds nothing), in double: a
     * scalar reference over any number of spatial axes.
     */
    static float[] lpPool(float[] x, int planes, int[] inSp, int[] outSp, ConvGeometry g, int[] pads, double p) {
        int r = inSp.length;
        int[] kernel = g.kernel();
        int[] strides = g.strides();
        int[] dilations = g.dilations();
        int inPlane = Tensor.checkedSize(inSp);
        int outPlane = Tensor.checkedSize(outSp);
        float[] y = new float[ShapeKernels.checkedCount("LpPool output", planes, outPlane)];
        // Per axis and output position, the taps inside the input: [first, first + count). Only those are visited
        // (the same ones, in the same order), so a window far wider than the input costs what it covers.
        int[][] first = new int[r][];
        int[][] count = new int[r][];
        long[] covered = new long[r + 2];
        for (int d = 0; d < r; d++) {
            first[d] = new int[outSp[d]];
            count[d] = new int[outSp[d]];
            for (int o = 0; o < outSp[d]; o++) {
                long base = (long) o * strides[d] - pads[d];
                long lo = base >= 0 ? 0 : Math.ceilDiv(-base, (long) dilations[d]);
                long hi = base > inSp[d] - 1 ? -1
                    : Math.min(kernel[d] - 1L, Math.floorDiv(inSp[d] - 1 - base, (long) dilations[d]));
                first[d][o] = (int) Math.min(lo, kernel[d]);
                count[d][o] = (int) Math.max(0, hi - lo + 1);
                covered[d] += count[d][o];
            }
        }
        // Every visited tap is a power and an index step: counted as 32 multiply-adds of the work budget.
        covered[r] = planes;
        covered[r + 1] = 32;
        ShapeKernels.checkWork("LpPool", covered);
        int[] inStrides = ShapeKernels.strides(inSp);
        int[] o = new int[r];
        int[] k = new int[r];
        for (int op = 0; op < outPlane; op++) {
            boolean empty = false;
            for (int d = r - 1, rest = op; d >= 0; d--) {
                o[d] = rest % outSp[d];
                rest /= outSp[d];
                empty |= count[d][o[d]] == 0;
            }
            for (int plane = 0; plane < planes; plane++) {
                double acc = 0;
                if (!empty) {
                    for (int d = 0; d < r; d++) {
                        k[d] = first[d][o[d]];
                    }
                    // Row-major over the window's inside taps, the last axis fastest.
                    while (true) {
                        int at = 0;
                        for (int d = 0; d < r; d++) {
                            at += (int) ((long) o[d] * strides[d] - pads[d] + (long) k[d] * dilations[d])
                                * inStrides[d];
                        }
                        acc += StrictMath.pow(Math.abs(x[plane * inPlane + at]), p);
                        int d = r - 1;
                        while (d >= 0 && ++k[d] == first[d][o[d]] + count[d][o[d]]) {
                            k[d] = first[d][o[d]];
                            d--;
                        }
                        if (d < 0) {
                            break;
                        }
                    }
                }
                y[plane * outPlane + op] = (float) StrictMath.pow(acc, 1 / p);
            }
        }
        return y;
    }

    /**
     * Scatters X into zeros at its MaxPool indices, which are flat over the shape whose pooling gives X's; a
     * larger output_shape receives that result in its leading corner (zeros elsewhere), as ONNX's reference does.
     */
    private static Op maxUnpool(OpContext ctx) {
        ConvGeometry g = poolGeometry(ctx);
        return in -> {
            Tensor x = NnOps.floatInput(in[0], "X");
            int[] inSp = spatial(x, g);
            int r = inSp.length;
            int[] pads = g.pads(inSp);
            int[] inferred = new int[r + 2];
            inferred[0] = x.dim(0);
            inferred[1] = x.dim(1);
            for (int d = 0; d < r; d++) {
                long n = (inSp[d] - 1L) * g.strides()[d] - pads[d] - pads[d + r] + g.kernel()[d];
                if (n < 0) {
                    throw NnOps.shapeError("MaxUnpool: pads leave no output along axis " + (d + 2));
                }
                if (n > Tensor.MAX_ELEMENTS) {
                    throw NnOps.shapeError("MaxUnpool: output axis " + (d + 2) + " of " + n + " is too large");
                }
                inferred[d + 2] = (int) n;
            }
            Tensor indices = in[1];
            if (!Arrays.equals(indices.shapeView(), x.shapeView())) {
                throw NnOps.shapeError("MaxUnpool indices " + indices + " must have X's shape " + x);
            }
            float[] y = new float[Tensor.checkedSize(inferred)];
            float[] xd = x.floats();
            for (int i = 0; i < xd.length; i++) {
                // MaxPool's indices are never negative: one counting from the end is a bad input.
                long at = indices.getLong(i);
                if (at < 0 || at >= y.length) {
                    throw NnOps.shapeError("MaxUnpool index " + at + " is outside [0, " + y.length + ")");
                }
                y[(int) at] = xd[i];
            }
            Tensor shapeT = ShapeKernels.optional(in, 2);
            if (shapeT == null) {
                return new Tensor[] {Tensor.ofFloats(y, inferred)};
            }
            int[] outShape = ShapeKernels.readDims(shapeT, "MaxUnpool output_shape");
            boolean fits = outShape.length == inferred.length;
            for (int d = 0; fits && d < outShape.length; d++) {
                fits = d < 2 ? outShape[d] == inferred[d] : outShape[d] >= inferred[d];
            }
            if (!fits) {
                throw NnOps.shapeError("MaxUnpool output_shape " + Arrays.toString(outShape) + " is smaller than "
                    + Arrays.toString(inferred) + ", the shape X unpools to");
            }
            Tensor.checkedSize(outShape);
            int[][] offsets = new int[outShape.length][];
            int[] inferredStrides = ShapeKernels.strides(inferred);
            for (int d = 0; d < outShape.length; d++) {
                offsets[d] = new int[outShape[d]];
                for (int i = 0; i < outShape[d]; i++) {
                    offsets[d][i] = i < inferred[d] ? i * inferredStrides[d] : -1;
                }
            }
            return new Tensor[] {ShapeKernels.gather(Tensor.ofFloats(y, inferred), ShapeKernels.flatMap(offsets),
                outShape, null)};
        };
    }

    /**
     * Col2Im: sums the columns (N, C * prod(block), L) back into an image (N, C, image...): column l, kernel
     * offset k lands at {@code l's block position * stride - pad + k * dilation} when that is inside the image.
     */
    private static Op col2Im(OpContext ctx) {
        int[] dilationsAttr = ctx.has("dilations") ? ctx.getIntArray("dilations") : null;
        int[] padsAttr = ctx.has("pads") ? ctx.getIntArray("pads") : null;
        int[] stridesAttr = ctx.has("strides") ? ctx.getIntArray("strides") : null;
        ConvGeometry.checkWindow(null, stridesAttr, dilationsAttr, padsAttr);
        return in -> {
            Tensor x = NnOps.floatInput(in[0], "input");
            int[] image = ShapeKernels.readDims(in[1], "Col2Im image_shape");
            int[] block = ShapeKernels.readDims(in[2], "Col2Im block_shape");
            int r = image.length;
            int[] dil = dilationsAttr == null ? filled(r, 1) : dilationsAttr;
            int[] pads = padsAttr == null ? new int[2 * r] : padsAttr;
            int[] str = stridesAttr == null ? filled(r, 1) : stridesAttr;
            if (block.length != r || dil.length != r || pads.length != 2 * r || str.length != r || x.rank() != 3) {
                throw NnOps.shapeError("Col2Im: input " + x + ", image_shape " + Arrays.toString(image)
                    + ", block_shape " + Arrays.toString(block) + " and the attributes disagree in rank");
            }
            int bl = Tensor.checkedSize(block);
            int[] blocks = new int[r];
            for (int d = 0; d < r; d++) {
                long n = ((long) image[d] + pads[d] + pads[d + r] - (long) dil[d] * (block[d] - 1) - 1) / str[d] + 1;
                if (str[d] < 1 || dil[d] < 1 || n < 1) {
                    throw NnOps.shapeError("Col2Im: no block fits image axis " + d + " of " + image[d]);
                }
                blocks[d] = (int) n;
            }
            int cols = Tensor.checkedSize(blocks);
            if (bl == 0 || x.dim(1) % bl != 0 || x.dim(2) != cols) {
                throw NnOps.shapeError("Col2Im input " + x + " must be (N, C * " + bl + ", " + cols + ")");
            }
            int channels = x.dim(1) / bl;
            int[] outShape = new int[r + 2];
            outShape[0] = x.dim(0);
            outShape[1] = channels;
            System.arraycopy(image, 0, outShape, 2, r);
            int plane = Tensor.checkedSize(image);
            float[] y = new float[Tensor.checkedSize(outShape)];
            float[] xd = x.floats();
            for (int nc = 0; nc < x.dim(0) * channels; nc++) {
                for (int k = 0; k < bl; k++) {
                    for (int col = 0; col < cols; col++) {
                        int at = 0;
                        boolean inside = true;
                        for (int d = r - 1, kr = k, cr = col, stride = 1; d >= 0; d--) {
                            int ki = kr % block[d];
                            int ci = cr % blocks[d];
                            kr /= block[d];
                            cr /= blocks[d];
                            int pos = ci * str[d] - pads[d] + ki * dil[d];
                            inside &= pos >= 0 && pos < image[d];
                            at += pos * stride;
                            stride *= image[d];
                        }
                        if (inside) {
                            y[nc * plane + at] += xd[(nc * bl + k) * cols + col];
                        }
                    }
                }
            }
            return new Tensor[] {Tensor.ofFloats(y, outShape)};
        };
    }

    private static int[] filled(int n, int v) {
        int[] a = new int[n];
        Arrays.fill(a, v);
        return a;
    }

    private static Op maxPool(OpContext ctx) {
        ConvGeometry g = poolGeometry(ctx);
        boolean ceil = ctx.getInt("ceil_mode", 0) != 0;
        long storageOrder = ctx.getInt("storage_order", 0);
        if (storageOrder != 0 && storageOrder != 1) {
            throw ctx.fail("storage_order must be 0 or 1, got " + storageOrder);
        }
        boolean wantIndices = ctx.hasOutput(1);
        PoolKernels chosen = ctx.kernels().pool();
        return in -> {
            Tensor x = in[0];
            int[] inSp = spatial(x, g);
            int[] outSp = g.outputSpatial(inSp, ceil);
            int planes = x.dim(0) * x.dim(1);
            int[] outShape = NnOps.concat(x.dim(0), x.dim(1), outSp);
            int outSize = Tensor.checkedSize(outShape);
            PoolKernels kernels = kernelsFor(chosen, g.kernel(), inSp);
            if (x.type().isQuantized() && !wantIndices) {
                byte[] y = new byte[outSize];
                kernels.maxPool(x.bytes(), x.type() == DataType.UINT8, planes, inSp, outSp, g.kernel(), g.strides(),
                    g.dilations(), g.pads(inSp), y);
                return new Tensor[] {Tensor.of(x.type(), outShape, y)};
            }
            // 8-bit inputs with indices pool exactly in float: every 8-bit value is a float and max only compares.
            float[] xf = toFloats(x);
            float[] y = new float[outSize];
            long[] indices = wantIndices ? new long[outSize] : null;
            kernels.maxPool(xf, planes, inSp, outSp, g.kernel(), g.strides(), g.dilations(), g.pads(inSp), y,
                indices, storageOrder == 1);
            Tensor yt = fromFloats(y, x.type(), outShape);
            return wantIndices ? new Tensor[] {yt, Tensor.ofLongs(indices, outShape)} : new Tensor[] {yt};
        };
    }

    /** 2-D float max pooling of [N, H, W, C] into [N, OH, OW, C]: {@link PoolKernels#maxPoolChannelsLast}. */
    private static Op maxPoolNhwc(OpContext ctx) {
        ConvGeometry g = poolGeometry(ctx);
        if (g.spatialRank() != 2) {
            throw ctx.fail("the channels-last MaxPool is 2-D, got kernel " + Arrays.toString(g.kernel()));
        }
        boolean ceil = ctx.getInt("ceil_mode", 0) != 0;
        PoolKernels kernels = ctx.kernels().pool();
        return Op.withBuffers((in, buffers) -> {
            Tensor x = NnOps.floatInput(in[0], "X");
            if (x.rank() != 4) {
                throw NnOps.shapeError("channels-last MaxPool input must have rank 4, got " + x);
            }
            int n = x.dim(0), ch = x.dim(3);
            int[] inSp = {x.dim(1), x.dim(2)};
            int[] outSp = g.outputSpatial(inSp, ceil);
            float[] y = buffers.floats(Tensor.checkedSize(new int[] {n, outSp[0], outSp[1], ch}));
            kernels.maxPoolChannelsLast(x.floats(), n, ch, inSp, outSp, g.kernel(), g.strides(), g.dilations(),
                g.pads(inSp), y);
            return new Tensor[] {Tensor.ofFloats(y, n, outSp[0], outSp[1], ch)};
        });
    }

    private static final PoolKernels REFERENCE = new ScalarPoolKernels();

    /**
     * The vector kernels visit every tap of a window; one with more taps than an input plane has elements is
     * mostly padding, so the reference (bit-exact with them) pools it, visiting only the taps inside the input.
     */
    private static PoolKernels kernelsFor(PoolKernels chosen, int[] kernel, int[] inSpatial) {
        long taps = 1;
        long plane = 1;
        for (int d = 0; d < kernel.length; d++) {
            taps = Math.min(taps, 1L << 32) * kernel[d]; // saturates well before long overflows
            plane *= inSpatial[d];
        }
        return taps > plane ? REFERENCE : chosen;
    }

    private static Op averagePool(OpContext ctx) {
        ConvGeometry g = poolGeometry(ctx);
        boolean ceil = ctx.getInt("ceil_mode", 0) != 0;
        boolean countIncludePad = ctx.getInt("count_include_pad", 0) != 0;
        if (ctx.opset() < 19 && ctx.has("dilations")) {
            throw ctx.fail("AveragePool has a dilations attribute only from opset 19");
        }
        PoolKernels chosen = ctx.kernels().pool();
        return in -> {
            Tensor x = NnOps.floatInput(in[0], "X");
            int[] inSp = spatial(x, g);
            int[] outSp = g.outputSpatial(inSp, ceil);
            int[] outShape = NnOps.concat(x.dim(0), x.dim(1), outSp);
            float[] y = new float[Tensor.checkedSize(outShape)];
            kernelsFor(chosen, g.kernel(), inSp).averagePool(x.floats(), x.dim(0) * x.dim(1), inSp, outSp, g.kernel(), g.strides(),
                g.dilations(), g.pads(inSp), countIncludePad, y);
            return new Tensor[] {Tensor.ofFloats(y, outShape)};
        };
    }

    /** The maximum of each (n, c) plane; NaN wins, as in numpy. */
    private static Tensor globalMaxPool(Tensor xt) {
        Tensor x = globalPoolInput(xt, "GlobalMaxPool");
        int planes = x.dim(0) * x.dim(1);
        int plane = planes == 0 ? 0 : x.size() / planes;
        if (plane == 0 && planes > 0) {
            throw NnOps.shapeError("GlobalMaxPool of empty planes: " + x);
        }
        float[] xd = x.floats();
        float[] y = new float[planes];
        for (int p = 0; p < planes; p++) {
            float m = Float.NEGATIVE_INFINITY;
            for (int i = p * plane, e = i + plane; i < e; i++) {
                m = Math.max(m, xd[i]);
            }
            y[p] = m;
        }
        return Tensor.ofFloats(y, globalPoolOutShape(x));
    }

    private static Tensor globalPoolInput(Tensor xt, String op) {
        Tensor x = NnOps.floatInput(xt, "X");
        if (x.rank() < 3) {
            throw NnOps.shapeError(op + " needs rank 3 or more, got " + x);
        }
        return x;
    }

    private static Tensor globalAveragePool(Tensor xt) {
        Tensor x = globalPoolInput(xt, "GlobalAveragePool");
        int planes = x.dim(0) * x.dim(1);
        int plane = planes == 0 ? 0 : x.size() / planes;
        float[] xd = x.floats();
        float[] y = new float[planes];
        for (int p = 0; p < planes; p++) {
            // Accumulate in double: planes can be large and the mean should not drift.
            double s = 0;
            for (int i = p * plane, e = i + plane; i < e; i++) {
                s += xd[i];
            }
            y[p] = (float) (s / plane);
        }
        return Tensor.ofFloats(y, globalPoolOutShape(x));
    }

    /** (N, C, 1, ..., 1). */
    private static int[] globalPoolOutShape(Tensor x) {
        int[] shape = new int[x.rank()];
        Arrays.fill(shape, 1);
        shape[0] = x.dim(0);
        shape[1] = x.dim(1);
        return shape;
    }

    private static ConvGeometry poolGeometry(OpContext ctx) {
        ConvGeometry g = ConvGeometry.read(ctx, null);
        if (g.isDeferred()) {
            throw ctx.fail("missing required attribute 'kernel_shape'");
        }
        return g;
    }

    private static int[] spatial(Tensor x, ConvGeometry g) {
        if (x.rank() != g.spatialRank() + 2) {
            throw NnOps.shapeError("pool input must have rank " + (g.spatialRank() + 2) + ", got " + x);
        }
        return Arrays.copyOfRange(x.shapeView(), 2, x.rank());
    }

    private static float[] toFloats(Tensor x) {
        if (x.type() == DataType.FLOAT) {
            return x.floats();
        }
        if (!x.type().isQuantized()) {
            throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, "MaxPool does not support " + x.type());
        }
        byte[] b = x.bytes();
        float[] f = new float[b.length];
        boolean unsigned = x.type() == DataType.UINT8;
        for (int i = 0; i < b.length; i++) {
            f[i] = unsigned ? b[i] & 0xFF : b[i];
        }
        return f;
    }

    private static Tensor fromFloats(float[] y, DataType type, int[] shape) {
        if (type == DataType.FLOAT) {
            return Tensor.ofFloats(y, shape);
        }
        byte[] b = new byte[y.length];
        for (int i = 0; i < y.length; i++) {
            b[i] = (byte) (int) y[i];
        }
        return Tensor.of(type, shape, b);
    }

    // ---- shape rules ----------------------------------------------------------------------------------

    /** The pool shape of an [N, spatial..., C] input: the NCHW rule with the channels moved first and back last. */
    private static ShapeValue[] channelsLastPoolShape(ShapeContext c) {
        List<Dim> xs = c.shape(0);
        List<Dim> y = poolShape(c, xs == null || xs.size() < 2 ? xs : Shapes.moveDim(xs, xs.size() - 1, 1));
        return one(c.type(0), y == null || y.size() < 2 ? y : Shapes.moveDim(y, 1, y.size() - 1));
    }

    private static List<Dim> poolShape(ShapeContext c) {
        return poolShape(c, c.shape(0));
    }

    private static List<Dim> poolShape(ShapeContext c, List<Dim> xs) {
        int[] kernel = c.attrs().getIntArray("kernel_shape");
        if (kernel == null) {
            return null;
        }
        if (xs == null) {
            return unknown(kernel.length + 2);
        }
        if (xs.size() != kernel.length + 2) {
            throw c.fail("pool input " + xs + " must have rank " + (kernel.length + 2));
        }
        List<Dim> out = new ArrayList<>(xs.subList(0, 2));
        out.addAll(spatialShape(ConvGeometry.read(c.attrs(), null), xs.subList(2, xs.size()),
            c.getInt("ceil_mode", 0) != 0));
        return out;
    }
}
