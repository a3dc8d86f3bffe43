package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import java.util.Arrays;

/**
 * DeformConv (opset 19), 2-D: a grouped convolution whose every tap reads X at its regular position moved by
 * the offset input (per offset group, tap and output position), bilinearly with zeros outside, and weighted by
 * the optional mask. A scalar reference, summed in double.
 */
final class DeformConvOp {
    private DeformConvOp() {}

    private static final AttributeSpec<Long> GROUP =
        AttributeSpec.intAttr("group", 1).requiring(v -> v >= 1 && v <= Integer.MAX_VALUE, "positive");
    private static final AttributeSpec<Long> OFFSET_GROUP =
        AttributeSpec.intAttr("offset_group", 1).requiring(v -> v >= 1 && v <= Integer.MAX_VALUE, "positive");

    static void register(OpRegistry.Builder r) {
        r.onnx("DeformConv", 19).inputs("rrroo").outputs("r").attribute(GROUP).attribute(OFFSET_GROUP)
            .shape(c -> Shapes.one(DataType.FLOAT, c.rank(0) < 0 ? null : ShapeDims.unknown(c.rank(0))))
            .factory(ctx -> {
                int group = (int) (long) ctx.get(GROUP);
                int offsetGroup = (int) (long) ctx.get(OFFSET_GROUP);
                int[] dil = ctx.has("dilations") ? ctx.getIntArray("dilations") : new int[] {1, 1};
                int[] pads = ctx.has("pads") ? ctx.getIntArray("pads") : new int[4];
                int[] str = ctx.has("strides") ? ctx.getIntArray("strides") : new int[] {1, 1};
                int[] kernel = ctx.has("kernel_shape") ? ctx.getIntArray("kernel_shape") : null;
                if (dil.length != 2 || pads.length != 4 || str.length != 2 || kernel != null && kernel.length != 2) {
                    throw ctx.unsupported("only 2-D DeformConv is supported (dilations, pads and strides of 2-D)");
                }
                ConvGeometry.checkWindow(kernel, str, dil, pads);
                return in -> {
                    if (kernel != null && in[1].rank() == 4
                            && (kernel[0] != in[1].dim(2) || kernel[1] != in[1].dim(3))) {
                        throw bad("kernel_shape " + Arrays.toString(kernel) + " does not match W " + in[1]);
                    }
                    return new Tensor[] {deform(in, group, offsetGroup, dil, pads, str)};
                };
            });
    }

    private static OctetException bad(String message) {
        return new OctetException(ErrorCode.INVALID_INPUT, "DeformConv: " + message);
    }

    static Tensor deform(Tensor[] in, int group, int offsetGroup, int[] dil, int[] pads, int[] str) {
        Tensor x = in[0], w = in[1], offset = in[2];
        Tensor bias = ShapeKernels.optional(in, 3), mask = ShapeKernels.optional(in, 4);
        for (Tensor t : new Tensor[] {x, w, offset, bias, mask}) {
            if (t != null && t.type() != DataType.FLOAT) {
                throw ElementwiseBinary.unsupportedType("DeformConv", t.type());
            }
        }
        if (x.rank() != 4 || w.rank() != 4 || offset.rank() != 4) {
            throw new OctetException(ErrorCode.UNSUPPORTED_OP, "DeformConv: only 2-D (NCHW) input is supported, got "
                + x);
        }
        int n = x.dim(0), ic = x.dim(1), ih = x.dim(2), iw = x.dim(3);
        int oc = w.dim(0), icg = w.dim(1), kh = w.dim(2), kw = w.dim(3);
        int oh = offset.dim(2), ow = offset.dim(3);
        if (ic != icg * group || oc % group != 0 || ic % offsetGroup != 0 || offset.dim(0) != n
                || offset.dim(1) != offsetGroup * kh * kw * 2) {
            throw bad("X " + x + ", W " + w + " and offset " + offset + " disagree with group " + group
                + " and offset_group " + offsetGroup);
        }
        if (oh != ((long) ih + pads[0] + pads[2] - ((kh - 1L) * dil[0] + 1)) / str[0] + 1
                || ow != ((long) iw + pads[1] + pads[3] - ((kw - 1L) * dil[1] + 1)) / str[1] + 1) {
            throw bad("offset's spatial shape " + oh + "x" + ow + " is not the convolution's output shape");
        }
        if (bias != null && (bias.rank() != 1 || bias.size() != oc)) {
            throw bad("B must be (" + oc + "), got " + bias);
        }
        if (mask != null && !Arrays.equals(mask.shapeView(), new int[] {n, offsetGroup * kh * kw, oh, ow})) {
            throw bad("mask must be (" + n + ", " + offsetGroup * kh * kw + ", " + oh + ", " + ow + "), got " + mask);
        }
        float[] xd = x.floats(), wd = w.floats(), od = offset.floats();
        float[] md = mask == null ? null : mask.floats();
        int ocg = oc / group;
        int icPerOffset = ic / offsetGroup;
        int[] dims = {ih, iw};
        float[] at = new float[2];
        float[] y = new float[ShapeKernels.checkedCount("DeformConv output", n, oc, oh, ow)];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < oc; o++) {
                int g = o / ocg;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double acc = bias == null ? 0 : bias.floats()[o];
                        for (int c = g * icg; c < (g + 1) * icg; c++) {
                            int og = c / icPerOffset;
                            for (int ki = 0; ki < kh; ki++) {
                                for (int kj = 0; kj < kw; kj++) {
                                    int tap = (og * kh + ki) * kw + kj;
                                    float dy = od[((b * offsetGroup * kh * kw * 2 + 2 * tap) * oh + i) * ow + j];
                                    float dx = od[((b * offsetGroup * kh * kw * 2 + 2 * tap + 1) * oh + i) * ow + j];
                                    at[0] = (float) ((double) i * str[0] - pads[0] + ki * dil[0] + dy);
                                    at[1] = (float) ((double) j * str[1] - pads[1] + kj * dil[1] + dx);
                                    double v = GridSampleOp.bilinearZeros(xd, (b * ic + c) * ih * iw, dims, at);
                                    double m = md == null ? 1 : md[((b * offsetGroup * kh * kw + tap) * oh + i) * ow + j];
                                    acc += v * wd[((o * icg + c - g * icg) * kh + ki) * kw + kj] * m;
                                }
                            }
                        }
                        y[((b * oc + o) * oh + i) * ow + j] = (float) acc;
                    }
                }
            }
        }
        return Tensor.ofFloats(y, n, oc, oh, ow);
    }
}
