package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.kernel.Im2Col;
import dev.octet.kernel.IntConv;
import dev.octet.kernel.PackedB;
import dev.octet.kernel.Parallel;
import dev.octet.kernel.QGemm;
import dev.octet.kernel.QGemmKernel;
import dev.octet.kernel.Quantization;
import java.util.Arrays;

/**
 * Integer convolutions: ConvInteger, QLinearConv (ONNX and com.microsoft) and Octet's fused QLinearConv
 * with an output clamp. Each group is an im2col GEMM (output positions x input window, times the group's
 * weights packed once at load) with the requantization fused into the GEMM epilogue; groups too narrow for
 * the GEMM kernels (depthwise) take the direct reference loop. NCHW in and out.
 */
final class QConvOps {
    /** Below this many output channels per group the GEMM's column tiles would be mostly padding. */
    private static final int MIN_GEMM_CHANNELS = 8;

    private QConvOps() {}

    static void register(OpRegistry.Builder r) {
        r.onnx("ConvInteger", 10, ctx -> conv(ctx, false));
        r.onnx("QLinearConv", 10, ctx -> conv(ctx, true));
        r.octet("QLinearConv", ctx -> conv(ctx, true));
        r.microsoft("QLinearConv", ctx -> {
            if (ctx.getInt("channels_last", 0) != 0) {
                throw ctx.unsupported("channels_last=1 is not supported yet");
            }
            return conv(ctx, true);
        });
    }

    /** The validated shapes of one integer convolution call. */
    private record ConvCall(ConvGeometry geo, int batch, int cin, int[] inSpatial, int cout, int[] kernel, int[] pads, int[] outSpatial,
                            int[] outShape) {}

    private static ConvCall convCall(ConvGeometry geo, int group, Tensor x, Tensor w) {
        int[] xs = x.shapeView();
        int[] ws = w.shapeView();
        if (ws.length < 3) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, "conv weights " + Arrays.toString(ws) + " need rank 3 or more");
        }
        int r = ws.length - 2;
        if (xs.length != r + 2 || ws.length != r + 2) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, "conv input " + Arrays.toString(xs) + " and weights "
                + Arrays.toString(ws) + " must both have rank " + (r + 2));
        }
        int cin = xs[1], cout = ws[0];
        if (cin % group != 0 || cout % group != 0 || ws[1] != cin / group) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, "conv weights " + Arrays.toString(ws) + " do not fit input "
                + Arrays.toString(xs) + " with group " + group);
        }
        int[] inSpatial = Arrays.copyOfRange(xs, 2, xs.length);
        int[] kernel = Arrays.copyOfRange(ws, 2, ws.length);
        if (geo.isDeferred() || !Arrays.equals(kernel, geo.kernel())) {
            geo = geo.withKernel(kernel);
        }
        int[] outSpatial = geo.outputSpatial(inSpatial, false);
        int[] outShape = new int[xs.length];
        outShape[0] = xs[0];
        outShape[1] = cout;
        System.arraycopy(outSpatial, 0, outShape, 2, r);
        return new ConvCall(geo, xs[0], cin, inSpatial, cout, kernel, geo.pads(inSpatial), outSpatial, outShape);
    }

    private static ConvGeometry convGeometry(OpContext ctx, int weightsInput) {
        Tensor w = ctx.constantInput(weightsInput);
        int[] k = w == null ? null : Arrays.copyOfRange(w.shapeView(), 2, w.rank());
        return ConvGeometry.read(ctx, k);
    }

    /** Input bytes minus a per-tensor zero point, as ints. */
    private static int[] centered(Tensor t, int zp) {
        byte[] b = t.bytes();
        int[] r = new int[b.length];
        boolean unsigned = t.type() == DataType.UINT8;
        for (int i = 0; i < b.length; i++) {
            r[i] = (unsigned ? b[i] & 0xFF : b[i]) - zp;
        }
        return r;
    }

    /** Weight bytes minus a per-output-channel (or per-tensor) zero point, as ints. */
    private static int[] centeredWeights(Tensor w, int[] zp) {
        byte[] b = w.bytes();
        int[] r = new int[b.length];
        int perChannel = b.length / w.dim(0);
        boolean unsigned = w.type() == DataType.UINT8;
        for (int i = 0; i < b.length; i++) {
            int z = zp.length == 1 ? zp[0] : zp[i / perChannel];
            r[i] = (unsigned ? b[i] & 0xFF : b[i]) - z;
        }
        return r;
    }

    private static int[] referenceConv(int group, ConvCall c, int[] x, int[] w) {
        int[] acc = new int[Tensor.checkedSize(c.outShape)];
        IntConv.conv(x, c.batch, c.cin, c.inSpatial, w, c.cout, group, c.kernel, c.geo.strides(), c.geo.dilations(),
            c.pads, c.outSpatial, acc);
        return acc;
    }

    /** The weights of every group packed as the GEMM's B (K = input window, N = the group's channels). */
    private static PackedB[] packGroups(QGemmKernel kernel, Tensor w, int group) {
        int coutG = w.dim(0) / group;
        int k = w.size() / w.dim(0);
        PackedB[] packed = new PackedB[group];
        for (int g = 0; g < group; g++) {
            packed[g] = kernel.packB(w.bytes(), g * coutG * k, k, coutG, w.type() == DataType.UINT8, true);
        }
        return packed;
    }

    /**
     * ConvInteger ({@code quantized} false: int32 out, inputs x, w, x_zp, w_zp) or QLinearConv (inputs x, xs,
     * xzp, w, ws, wzp, ys, yzp, bias; Octet's fused form adds y_min/y_max, the clamp of a folded Relu).
     */
    private static Op conv(OpContext ctx, boolean quantized) {
        int wIn = quantized ? 3 : 1;
        ConvGeometry geo = convGeometry(ctx, wIn);
        int group = (int) ctx.getInt("group", 1);
        if (group < 1) {
            throw ctx.fail("group must be positive, got " + group);
        }
        long yMin = ctx.getInt("y_min", Long.MIN_VALUE);
        long yMax = ctx.getInt("y_max", Long.MAX_VALUE);
        QGemmKernel kernel = ctx.kernels().qgemm();
        Tensor wConst = ctx.constantInput(wIn);
        PackedB[] packed = wConst != null && wConst.type().isQuantized() && wConst.rank() >= 3
            && wConst.dim(0) % group == 0 && wConst.dim(0) / group >= MIN_GEMM_CHANNELS
            ? packGroups(kernel, wConst, group) : null;
        Parallel parallel = ctx.parallel();
        return in -> {
            Tensor x = in[0];
            Tensor w = in[wIn];
            if (!x.type().isQuantized() || !w.type().isQuantized()) {
                throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, "integer conv needs 8-bit x and w, got "
                    + x.type() + " and " + w.type());
            }
            ConvCall c = convCall(geo, group, x, w);
            int xzp = QParams.scalarZeroPoint(quantized ? in[2] : (in.length > 2 ? in[2] : null), "x");
            int[] wzp = QParams.zeroPoints(quantized ? in[5] : (in.length > 3 ? in[3] : null), c.cout, "w");
            QGemm.Output output;
            Object y;
            int[] bias = null;
            DataType outType = DataType.INT32;
            float[] scale = null;
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
                scale = new float[c.cout];
                for (int oc = 0; oc < c.cout; oc++) {
                    scale[oc] = xs * ws[ws.length == 1 ? 0 : oc] / ys; // ORT's order
                }
                y = new byte[outSize];
            } else {
                y = new int[outSize];
            }
            int coutG = c.cout / group;
            PackedB[] groups = packed != null ? packed
                : coutG >= MIN_GEMM_CHANNELS ? packGroups(kernel, w, group) : null;
            if (groups != null) {
                gemmConv(kernel, parallel, x, c, group, groups, xzp, wzp, w.type() == DataType.UINT8, bias, scale, zy,
                    qmin, qmax, y);
            } else {
                int[] acc = referenceConv(group, c, centered(x, xzp), centeredWeights(w, wzp));
                int plane = outSize / Math.max(1, c.batch * c.cout);
                for (int i = 0; i < outSize; i++) {
                    int oc = (i / plane) % c.cout;
                    if (quantized) {
                        int v = acc[i] + (bias == null ? 0 : bias[oc]);
                        ((byte[]) y)[i] = (byte) Quantization.requantize(v, scale[oc], zy, qmin, qmax);
                    } else {
                        ((int[]) y)[i] = acc[i];
                    }
                }
            }
            return new Tensor[] {Tensor.of(outType, c.outShape, y)};
        };
    }

    /** Every image and group as an im2col GEMM whose [position][channel] result is scattered to NCHW. */
    private static void gemmConv(QGemmKernel kernel, Parallel parallel, Tensor x, ConvCall c, int group,
                                 PackedB[] groups, int xzp, int[] wzp, boolean wUnsigned, int[] bias, float[] scale,
                                 int zy, int qmin, int qmax, Object y) {
        int cinG = c.cin / group;
        int coutG = c.cout / group;
        int inSize = Tensor.checkedSize(c.inSpatial);
        int outSize = Tensor.checkedSize(c.outSpatial);
        int kSize = Tensor.checkedSize(c.kernel);
        int k = cinG * kSize;
        int[] taps = Im2Col.tapOffsets(c.inSpatial, c.kernel, c.geo.strides(), c.geo.dilations(), c.pads, c.outSpatial);
        byte[] rows = new byte[outSize * k];
        boolean quantized = y instanceof byte[];
        int[] accTmp = quantized ? null : new int[outSize * coutG];
        byte[] qTmp = quantized ? new byte[outSize * coutG] : null;
        boolean xUnsigned = x.type() == DataType.UINT8;
        for (int b = 0; b < c.batch; b++) {
            for (int g = 0; g < group; g++) {
                Im2Col.rows(x.bytes(), (b * c.cin + g * cinG) * inSize, cinG, inSize, taps, outSize, kSize, (byte) xzp,
                    rows);
                int[] zb = wzp.length == 1 ? wzp : Arrays.copyOfRange(wzp, g * coutG, (g + 1) * coutG);
                int[] gBias = bias == null ? null : Arrays.copyOfRange(bias, g * coutG, (g + 1) * coutG);
                QGemm.Output out = quantized
                    ? new QGemm.Output.Requantized(qTmp, Arrays.copyOfRange(scale, g * coutG, (g + 1) * coutG), zy,
                        qmin, qmax)
                    : new QGemm.Output.Int32(accTmp);
                QGemm.run(kernel, parallel, outSize, rows, 0, k, xUnsigned, xzp, groups[g], wUnsigned, zb, gBias, out, 0);
                int base = (b * c.cout + g * coutG) * outSize;
                for (int j = 0; j < coutG; j++) {
                    for (int o = 0; o < outSize; o++) {
                        if (quantized) {
                            ((byte[]) y)[base + j * outSize + o] = qTmp[o * coutG + j];
                        } else {
                            ((int[]) y)[base + j * outSize + o] = accTmp[o * coutG + j];
                        }
                    }
                }
            }
        }
    }
}
