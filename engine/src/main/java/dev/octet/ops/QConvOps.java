package dev.octet.ops;

import static dev.octet.ops.Shapes.convShape;
import static dev.octet.ops.Shapes.moveDim;
import static dev.octet.ops.Shapes.one;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import dev.octet.kernel.DepthwiseKernels;
import dev.octet.kernel.DepthwiseWeights;
import dev.octet.kernel.DirectConv;
import dev.octet.kernel.KernelProvider;
import dev.octet.kernel.PackedB;
import dev.octet.kernel.Parallel;
import dev.octet.kernel.QConvNhwc;
import dev.octet.kernel.QGemm;
import dev.octet.kernel.QGemmKernel;
import dev.octet.kernel.Quantization;
import dev.octet.kernel.Winograd;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Integer convolutions: ConvInteger, QLinearConv (ONNX and com.microsoft), Octet's fused QLinearConv
 * with an output clamp and Octet's ConvIntegerToFloat (a dynamically quantized convolution with its float
 * epilogue). The work is channels-last ({@link QConvNhwc}). With {@code channels_last} (com.microsoft and
 * Octet's ops) X and Y are NHWC and go straight through; otherwise they are NCHW, the input is transposed to
 * NHWC once per call and the NHWC result back. Depthwise 1-D and 2-D convolutions run the depthwise kernels;
 * 3x3 stride-1 ones exact Winograd when it applies ({@link Winograd}); all others are GEMMs per group, however
 * few their output channels (weights packed once at load, requantization or, for NHWC outputs, the float
 * epilogue fused in the GEMM's epilogue).
 */
final class QConvOps {
    private QConvOps() {}

    /** What an integer convolution writes. */
    private enum Result {
        /** ConvInteger: inputs x, w, x_zp, w_zp; int32 sums. */
        INT32(1, 2, 3),
        /** QLinearConv: inputs x, xs, xzp, w, ws, wzp, ys, yzp, bias (Octet's adds y_min, y_max); 8-bit. */
        QUANTIZED(3, 2, 5),
        /**
         * ConvIntegerToFloat: inputs x, w, x_scale, w_scale, x_zp, w_zp, bias; float
         * {@code (float) sum * (x_scale * w_scale[c]) + bias[c]}, then {@code relu}'s {@code v < 0 ? 0 : v}.
         */
        FLOAT(1, 4, 5);

        final int weights;
        final int xZeroPoint;
        final int wZeroPoint;

        Result(int weights, int xZeroPoint, int wZeroPoint) {
            this.weights = weights;
            this.xZeroPoint = xZeroPoint;
            this.wZeroPoint = wZeroPoint;
        }
    }

    static void register(OpRegistry.Builder r) {
        r.onnx("ConvInteger", 10).inputs("rroo").outputs("r")
            .shape(c -> one(DataType.INT32, convShape(c, 0, 1)))
            .factory(ctx -> conv(ctx, Result.INT32, false));
        r.onnx("QLinearConv", 10).inputs("rrrrrrrro").outputs("r")
            .shape(c -> one(c.type(7), convShape(c, 0, 3)))
            .traits(OpTrait.CHANNELS_LAST_FORM)
            .factory(ctx -> conv(ctx, Result.QUANTIZED, false));
        r.octet("QLinearConv").inputs("rrorroroo").outputs("r")
            .shape(c -> channelsLastAware(c, c.type(7), 3))
            .traits(OpTrait.CHANNELS_LAST_FORM)
            .factory(ctx -> conv(ctx, Result.QUANTIZED, true));
        r.microsoft("QLinearConv").inputs("rrorroroo").outputs("r")
            .shape(c -> channelsLastAware(c, c.type(7), 3))
            .traits(OpTrait.CHANNELS_LAST_FORM)
            .factory(ctx -> conv(ctx, Result.QUANTIZED, true));
        // What ConvIntegerToFloatFusion makes of ORT's dynamically quantized convolutions.
        r.octet("ConvIntegerToFloat").inputs("rrrrooo").outputs("r")
            .shape(c -> channelsLastAware(c, DataType.FLOAT, 1))
            .traits(OpTrait.CHANNELS_LAST_FORM)
            .factory(ctx -> conv(ctx, Result.FLOAT, true));
    }

    /** The validated shapes of one integer convolution call. */
    private record ConvCall(ConvGeometry geo, int batch, int cin, int[] inSpatial, int cout, int[] kernel, int[] pads, int[] outSpatial,
                            int[] outShape) {
        /** X's shape in NCHW order. */
        int[] xShape() {
            int[] s = new int[inSpatial.length + 2];
            s[0] = batch;
            s[1] = cin;
            System.arraycopy(inSpatial, 0, s, 2, inSpatial.length);
            return s;
        }
    }

    /** [N, spatial..., C] as [N, C, spatial...]. */
    private static int[] channelsFirst(int[] nhwc) {
        int[] s = new int[nhwc.length];
        if (s.length < 2) {
            return nhwc.clone();
        }
        s[0] = nhwc[0];
        s[1] = nhwc[nhwc.length - 1];
        System.arraycopy(nhwc, 1, s, 2, nhwc.length - 2);
        return s;
    }

    /** {@code x} is X's shape in its layout; {@code outShape} is in X's layout, the rest in NCHW terms. */
    private static ConvCall convCall(ConvGeometry geo, int group, int[] x, boolean channelsLast, Tensor w) {
        int[] xs = channelsLast ? channelsFirst(x) : x;
        int[] ws = w.shapeView();
        if (ws.length < 3) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, "conv weights " + Arrays.toString(ws) + " need rank 3 or more");
        }
        int r = ws.length - 2;
        if (xs.length != r + 2 || ws.length != r + 2) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, "conv input " + Arrays.toString(x)
                + (channelsLast ? " (NHWC)" : "") + " and weights "
                + Arrays.toString(ws) + " must both have rank " + (r + 2));
        }
        int cin = xs[1], cout = ws[0];
        if (cin % group != 0 || cout % group != 0 || ws[1] != cin / group) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, "conv weights " + Arrays.toString(ws) + " do not fit input "
                + Arrays.toString(x) + (channelsLast ? " (NHWC)" : "") + " with group " + group);
        }
        int[] inSpatial = Arrays.copyOfRange(xs, 2, xs.length);
        int[] kernel = Arrays.copyOfRange(ws, 2, ws.length);
        if (geo.isDeferred() || !Arrays.equals(kernel, geo.kernel())) {
            geo = geo.withKernel(kernel);
        }
        int[] outSpatial = geo.outputSpatial(inSpatial, false);
        int[] outShape = new int[xs.length];
        outShape[0] = xs[0];
        outShape[channelsLast ? r + 1 : 1] = cout;
        System.arraycopy(outSpatial, 0, outShape, channelsLast ? 1 : 2, r);
        return new ConvCall(geo, xs[0], cin, inSpatial, cout, kernel, geo.pads(inSpatial), outSpatial, outShape);
    }

    private static ConvGeometry convGeometry(OpContext ctx, int weightsInput) {
        Tensor w = ctx.constantInput(weightsInput);
        int[] k = w == null ? null : Arrays.copyOfRange(w.shapeView(), 2, w.rank());
        return ConvGeometry.read(ctx, k);
    }

    /** One filter per channel (group == cin == cout) over one or two spatial dims. */
    private static boolean isDepthwise(int[] ws, int group) {
        return (ws.length == 3 || ws.length == 4) && ws[0] == group && ws[1] == 1;
    }

    private static DepthwiseWeights packDepthwise(DepthwiseKernels kernel, Tensor w, int[] wzp) {
        int[] ws = w.shapeView();
        return kernel.pack(w.bytes(), 0, ws[0], ws.length == 4 ? ws[2] : 1, ws[ws.length - 1],
            w.type() == DataType.UINT8, wzp);
    }

    /** The depthwise packing of constant weights, shared by the session's plans (it holds the zero points too). */
    private static DepthwiseWeights packedDepthwise(OpContext ctx, Tensor w, int[] wzp) {
        DepthwiseKernels kernel = ctx.kernels().depthwise();
        return ctx.packed(w, "depthwise for " + kernel.getClass().getName() + ", zero points " + Arrays.toString(wzp),
            () -> packDepthwise(kernel, w, wzp));
    }

    /**
     * The Winograd transform of constant 3x3 weights, shared by the session's plans, or null when the layer takes the
     * direct path (decided at load: {@link Winograd#plan}).
     */
    private static Winograd.Weights winogradWeights(OpContext ctx, Tensor w, int[] wzp) {
        QGemmKernel kernel = ctx.kernels().qgemm();
        return ctx.packed(w, "winograd for " + kernel.id() + ", zero points " + Arrays.toString(wzp),
            () -> Optional.ofNullable(Winograd.plan(kernel, w.bytes(), w.dim(0), w.dim(1),
                w.type() == DataType.UINT8, wzp))).orElse(null);
    }

    /** The direct-convolution weights of constant weights, shared by the session's plans. */
    private static DirectConv.Weights directWeights(OpContext ctx, Tensor w, int[] wzp) {
        return ctx.packed(w, "direct, zero points " + Arrays.toString(wzp), () -> DirectConv.pack(w.bytes(), w.dim(0),
            w.dim(1), w.size() / (w.dim(0) * w.dim(1)), w.type() == DataType.UINT8, wzp));
    }

    /** Output channels per group below which a convolution may run dot products ({@link KernelProvider#qdot}). */
    private static final int NARROW_CHANNELS = 8;
    /** The depth from which one requantized output channel runs dot products. */
    private static final int DOT_DEPTH = 128;

    /**
     * The GEMM of a convolution with cout output channels in {@code group} groups, each a sum of {@code depth}
     * products. Narrow float or int32 outputs run dot products; requantized ones only a single output channel of
     * depth at least {@link #DOT_DEPTH}, as the panel GEMM requantizes inside its tiles and the dot products after
     * an int32 pass (1 thread, Zen 5, 256 x 256 pixels: 1x1 64 -> 6 1.3 ms on the panels vs 6.6 as dot products,
     * 64 -> 2 1.3 vs 2.6, 3x3 32 -> 2 6.0 vs 6.9, 3x3 8 -> 1 2.1 vs 2.7; 3x3 32 -> 1 9.0 vs 6.1).
     */
    private static QGemmKernel gemmKernel(KernelProvider kernels, int cout, int group, int depth,
                                          boolean requantized) {
        int narrow = cout / group;
        boolean dot = narrow < NARROW_CHANNELS && (!requantized || narrow == 1 && depth >= DOT_DEPTH);
        return dot ? kernels.qdot() : kernels.qgemm();
    }

    /** Products per output of weights [cout, cin / group, taps...]. */
    private static int depth(Tensor w) {
        return w.dim(0) == 0 ? 0 : w.size() / w.dim(0); // no shape copy: this runs with every convolution
    }

    private static PackedB[] packGroups(QGemmKernel kernel, Tensor w, int group) {
        int[] ws = w.shapeView();
        return QConvNhwc.packGroups(kernel, w.bytes(), ws[0], ws[1],
            Tensor.checkedSize(Arrays.copyOfRange(ws, 2, ws.length)), group, w.type() == DataType.UINT8);
    }

    /** An integer convolution whose inputs and output {@link Result} says; {@code channels_last} read when allowed. */
    private static Op conv(OpContext ctx, Result result, boolean layoutAttribute) {
        boolean quantized = result == Result.QUANTIZED;
        int wIn = result.weights;
        int wzpIn = result.wZeroPoint;
        boolean relu = result == Result.FLOAT && ctx.getInt("relu", 0) != 0;
        ConvGeometry geo = convGeometry(ctx, wIn);
        long groupAttr = ctx.getInt("group", 1);
        if (groupAttr < 1 || groupAttr > Integer.MAX_VALUE) {
            throw ctx.fail("group must be a positive int, got " + groupAttr);
        }
        int group = (int) groupAttr;
        boolean channelsLast = layoutAttribute && ctx.getInt("channels_last", 0) != 0;
        long yMin = ctx.getInt("y_min", Long.MIN_VALUE);
        long yMax = ctx.getInt("y_max", Long.MAX_VALUE);
        KernelProvider kernels = ctx.kernels();
        Tensor wConst = ctx.constantInput(wIn);
        boolean packable = wConst != null && wConst.type().isQuantized() && wConst.rank() >= 3
            && wConst.dim(0) % group == 0;
        boolean wzpKnown = !ctx.hasInput(wzpIn) || ctx.constantInput(wzpIn) != null;
        DepthwiseWeights dwPacked = packable && wzpKnown && isDepthwise(wConst.shapeView(), group)
            ? packedDepthwise(ctx, wConst, QParams.zeroPoints(ctx.constantInput(wzpIn), wConst.dim(0), "w")) : null;
        Winograd.Weights winograd = packable && wzpKnown && Winograd.applies(geo.spatialRank(),
            Arrays.copyOfRange(wConst.shapeView(), 2, wConst.rank()), geo.strides(), group, wConst.dim(1) * group,
            wConst.dim(0))
            ? winogradWeights(ctx, wConst, QParams.zeroPoints(ctx.constantInput(wzpIn), wConst.dim(0), "w")) : null;
        DirectConv.Weights direct = packable && wzpKnown && winograd == null && DirectConv.applies(geo.spatialRank(),
            wConst.dim(1) * group, wConst.dim(0), group, wConst.size() / Math.max(1, wConst.dim(0) * wConst.dim(1)),
            quantized) ? directWeights(ctx, wConst, QParams.zeroPoints(ctx.constantInput(wzpIn), wConst.dim(0), "w"))
            : null;
        QGemmKernel packedKernel = packable ? gemmKernel(kernels, wConst.dim(0), group, depth(wConst), quantized)
            : null;
        PackedB[] gemmPacked = packable && winograd == null && !isDepthwise(wConst.shapeView(), group)
            ? ctx.packed(wConst, group + " groups for " + packedKernel.id(), () -> packGroups(packedKernel, wConst, group))
            : null;
        Parallel parallel = ctx.parallel();
        QConvNhwc.TapCache taps = new QConvNhwc.TapCache();
        QParams.ConstantZeroPoints constantWzp = QParams.ConstantZeroPoints.of(ctx, wzpIn);
        AtomicReference<Shaped> lastShape = new AtomicReference<>();
        AtomicReference<Scales> lastScales = new AtomicReference<>();
        return Op.withBuffers((in, buffers) -> {
            Tensor x = in[0];
            Tensor w = in[wIn];
            if (!x.type().isQuantized() || !w.type().isQuantized()) {
                throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, "integer conv needs 8-bit x and w, got "
                    + x.type() + " and " + w.type());
            }
            Shaped shaped = lastShape.get();
            if (shaped == null || shaped.w != w || !Arrays.equals(shaped.xShape, x.shapeView())) {
                shaped = Shaped.of(convCall(geo, group, x.shapeView(), channelsLast, w), x, w, group);
                lastShape.set(shaped);
            }
            ConvCall c = shaped.call;
            int xzp = QParams.scalarZeroPoint(in.length > result.xZeroPoint ? in[result.xZeroPoint] : null, "x");
            int[] wzp = constantWzp.forColumns(in.length > wzpIn ? in[wzpIn] : null, c.cout, "w");
            int[] bias = null;
            DataType outType = DataType.INT32;
            float[] scale = null;
            float[] floatBias = null;
            int zy = 0, qmin = 0, qmax = 0;
            int outSize = Tensor.checkedSize(c.outShape);
            if (quantized) {
                float xs = QParams.scalarScale(in[1], "x");
                float[] ws = QParams.scales(in[4], c.cout, "w");
                float ys = QParams.scalarScale(in[6], "y");
                outType = in[7] == null ? DataType.UINT8 : in[7].type();
                zy = QParams.scalarZeroPoint(in[7], "y");
                qmin = (int) Math.max(outType.qmin(), yMin);
                qmax = (int) Math.min(outType.qmax(), yMax);
                bias = in.length > 8 && in[8] != null ? in[8].ints() : null;
                if (bias != null && bias.length != c.cout) {
                    throw new OctetException(ErrorCode.INVALID_SHAPE, "bias has " + bias.length + " values for "
                        + c.cout + " output channels");
                }
                scale = Scales.requantizing(lastScales, xs, ws, ys, c.cout);
            } else if (result == Result.FLOAT) {
                outType = DataType.FLOAT;
                float xs = QParams.scalarScale(requireFloat(in[2], "x_scale"), "x");
                float[] ws = QParams.scales(requireFloat(in[3], "w_scale"), c.cout, "w");
                scale = Scales.products(lastScales, xs, ws);
                floatBias = in.length > 6 && in[6] != null
                    ? QParams.expandedBias(requireFloat(in[6], "bias"), c.cout, "ConvIntegerToFloat") : null;
            }
            boolean xUnsigned = x.type() == DataType.UINT8;
            int inPixels = Tensor.checkedSize(c.inSpatial);
            int outPixels = Tensor.checkedSize(c.outSpatial);
            Object y;
            byte[] xNhwc = channelsLast ? x.bytes()
                : QConvNhwc.toNhwc(parallel, kernels.quantize(), x.bytes(), c.batch, c.cin, inPixels,
                    buffers.bytes(x.size()));
            boolean floatInKernel = result == Result.FLOAT && channelsLast && !isDepthwise(w.shapeView(), group);
            QGemm.Output out = quantized
                ? new QGemm.Output.Requantized(buffers.bytes(outSize), scale, zy, qmin, qmax)
                : floatInKernel ? new QGemm.Output.Scaled(buffers.floats(outSize), scale, floatBias, relu)
                : new QGemm.Output.Int32(buffers.ints(outSize));
            if (isDepthwise(w.shapeView(), group)) {
                DepthwiseWeights dw = dwPacked != null ? dwPacked : packDepthwise(kernels.depthwise(), w, wzp);
                QConvNhwc.depthwise(kernels.depthwise(), parallel, dw, shaped.depthwise, c.batch, xNhwc,
                    xUnsigned, xzp, bias, out);
            } else {
                QConvNhwc.Geometry g = shaped.geometry;
                if (winograd != null) {
                    Winograd.run(kernels.qgemm(), kernels.winograd(), parallel, g, xNhwc, xUnsigned, xzp, winograd,
                        bias, out);
                } else if (direct != null && DirectConv.fits(g)) {
                    DirectConv.run(kernels.directConv(), kernels.quantize(), parallel, g, xNhwc, xUnsigned, xzp, direct,
                        bias, out);
                } else {
                    QGemmKernel gemm = gemmKernel(kernels, c.cout, group, depth(w), quantized);
                    PackedB[] groups = gemmPacked != null ? gemmPacked : packGroups(gemm, w, group);
                    QConvNhwc.gemm(gemm, parallel, g, taps, xNhwc, xUnsigned, xzp, groups,
                        w.type() == DataType.UINT8, wzp, bias, out);
                }
            }
            if (out instanceof QGemm.Output.Scaled s) {
                y = s.out();
            } else if (result == Result.FLOAT) {
                // Depthwise, or NCHW out: the epilogue reads the NHWC sums and writes the float output's layout.
                if (!channelsLast) {
                    buffers.giveBack(xNhwc);
                }
                int[] sums = ((QGemm.Output.Int32) out).out();
                y = scaleToFloat(sums, channelsLast, c.batch, c.cout, outPixels, scale, floatBias, relu,
                    buffers.floats(outSize));
                buffers.giveBack(sums);
            } else if (channelsLast) {
                y = out instanceof QGemm.Output.Requantized r ? r.out() : ((QGemm.Output.Int32) out).out();
            } else if (out instanceof QGemm.Output.Requantized r) {
                buffers.giveBack(xNhwc);
                y = QConvNhwc.toNchw(parallel, r.out(), c.batch, c.cout, outPixels, buffers.bytes(outSize));
                buffers.giveBack(r.out());
            } else {
                buffers.giveBack(xNhwc);
                int[] nhwc = ((QGemm.Output.Int32) out).out();
                y = QConvNhwc.toNchw(nhwc, c.batch, c.cout, outPixels, buffers.ints(outSize));
                buffers.giveBack(nhwc);
            }
            return new Tensor[] {Tensor.of(outType, c.outShape, y)};
        });
    }

    /**
     * What a call derives from X's shape and W alone, kept for the next call with the same (an op's calls mostly
     * see one shape): a run then allocates no geometry.
     */
    private record Shaped(int[] xShape, Tensor w, ConvCall call, QConvNhwc.Geometry geometry,
                          DepthwiseKernels.Shape depthwise) {
        static Shaped of(ConvCall c, Tensor x, Tensor w, int group) {
            boolean depthwise = isDepthwise(w.shapeView(), group);
            return new Shaped(x.shape(), w, c, depthwise ? null : new QConvNhwc.Geometry(c.batch, c.cin, c.inSpatial,
                c.cout, group, c.kernel, c.geo.strides(), c.geo.dilations(), c.pads, c.outSpatial),
                depthwise ? depthwiseShape(c) : null);
        }
    }

    /** The per-channel output scales of the last call, kept while its scale inputs stay the same values. */
    private record Scales(float xs, float[] ws, float ys, float[] scale) {
        /** {@code xs * ws[oc] / ys}, ORT's order, per output channel. */
        static float[] requantizing(AtomicReference<Scales> last, float xs, float[] ws, float ys, int cout) {
            Scales s = last.get();
            if (s != null && s.scale.length == cout && s.matches(xs, ws, ys)) {
                return s.scale;
            }
            float[] scale = new float[cout];
            for (int oc = 0; oc < cout; oc++) {
                scale[oc] = xs * ws[ws.length == 1 ? 0 : oc] / ys;
            }
            last.set(new Scales(xs, ws.clone(), ys, scale));
            return scale;
        }

        /** {@code xs * ws[oc]}: the graph's Mul(x_scale, w_scale), one float product per scale. */
        static float[] products(AtomicReference<Scales> last, float xs, float[] ws) {
            Scales s = last.get();
            if (s != null && s.scale.length == ws.length && s.matches(xs, ws, 1f)) {
                return s.scale;
            }
            float[] scale = new float[ws.length];
            for (int oc = 0; oc < ws.length; oc++) {
                scale[oc] = xs * ws[oc];
            }
            last.set(new Scales(xs, ws.clone(), 1f, scale));
            return scale;
        }

        /** The same bits (NaN payloads included: a float output carries them), so the same products. */
        private boolean matches(float xs2, float[] ws2, float ys2) {
            if (Float.floatToRawIntBits(xs) != Float.floatToRawIntBits(xs2)
                || Float.floatToRawIntBits(ys) != Float.floatToRawIntBits(ys2) || ws.length != ws2.length) {
                return false;
            }
            for (int i = 0; i < ws.length; i++) {
                if (Float.floatToRawIntBits(ws[i]) != Float.floatToRawIntBits(ws2[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    /** 1-D convolutions as 2-D ones of height 1. */
    private static DepthwiseKernels.Shape depthwiseShape(ConvCall c) {
        int r = c.kernel.length;
        boolean twoD = r == 2;
        return new DepthwiseKernels.Shape(c.cin, twoD ? c.inSpatial[0] : 1, c.inSpatial[r - 1],
            twoD ? c.outSpatial[0] : 1, c.outSpatial[r - 1], twoD ? c.kernel[0] : 1, c.kernel[r - 1],
            twoD ? c.geo.strides()[0] : 1, c.geo.strides()[r - 1], twoD ? c.geo.dilations()[0] : 1,
            c.geo.dilations()[r - 1], twoD ? c.pads[0] : 0, c.pads[r - 1]);
    }

    /**
     * The float epilogue over int32 sums [batch][pixels][cout], written NHWC or NCHW: {@code (float) sum * scale[c] +
     * bias[c]}, then Relu's {@code v < 0 ? 0 : v}; the operations of Cast, Mul, Add and Relu run one by one.
     */
    private static float[] scaleToFloat(int[] sums, boolean outNhwc, int batch, int cout, int pixels, float[] scale,
                                        float[] bias, boolean relu, float[] out) {
        for (int b = 0; b < batch; b++) {
            for (int oc = 0; oc < cout; oc++) {
                float s = scale[scale.length == 1 ? 0 : oc];
                for (int p = 0; p < pixels; p++) {
                    int nhwc = (b * pixels + p) * cout + oc;
                    float v = (float) sums[nhwc] * s;
                    if (bias != null) {
                        v += bias[oc];
                    }
                    out[outNhwc ? nhwc : (b * cout + oc) * pixels + p] = relu && v < 0 ? 0f : v;
                }
            }
        }
        return out;
    }

    private static Tensor requireFloat(Tensor t, String what) {
        return QParams.requireFloat(t, "ConvIntegerToFloat", what);
    }

    // ---- shape rules ----------------------------------------------------------------------------------

    /** A convolution whose weights are input {@code wi}, output {@code type}, X and Y NHWC with channels_last. */
    private static ShapeValue[] channelsLastAware(ShapeContext c, DataType type, int wi) {
        if (c.getInt("channels_last", 0) == 0) {
            return one(type, convShape(c, 0, wi));
        }
        // X and Y are [N, spatial..., C]: the NCHW rule with the channels moved first and back last.
        List<Dim> xs = c.shape(0);
        List<Dim> y = convShape(c, xs == null || xs.size() < 2 ? xs : moveDim(xs, xs.size() - 1, 1), c.shape(wi));
        return one(type, y == null || y.size() < 2 ? y : moveDim(y, 1, y.size() - 1));
    }
}
