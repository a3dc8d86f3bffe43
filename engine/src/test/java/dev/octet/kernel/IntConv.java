package dev.octet.kernel;

/**
 * Scalar reference N-D convolution over zero-point-adjusted integers (NCHW, OIHW), int32 accumulation.
 * Because inputs arrive with their zero point already subtracted, padding contributes 0, which is what
 * padding with the input zero point means. Accumulation wraps in 32 bits.
 */
public final class IntConv {
    private IntConv() {}

    /**
     * @param x        input [batch][cin][spatial...], zero point subtracted
     * @param inSpatial input spatial dims
     * @param w        weights [cout][cin/group][kernel...], zero point subtracted
     * @param kernel   kernel spatial dims
     * @param out      output [batch][cout][outSpatial...]
     * @param pads     [begins..., ends...]
     */
    public static void conv(int[] x, int batch, int cin, int[] inSpatial, int[] w, int cout, int group, int[] kernel,
                            int[] strides, int[] dilations, int[] pads, int[] outSpatial, int[] out) {
        int r = inSpatial.length;
        int inSize = 1, outSize = 1, kSize = 1;
        for (int i = 0; i < r; i++) {
            inSize *= inSpatial[i];
            outSize *= outSpatial[i];
            kSize *= kernel[i];
        }
        int cinG = cin / group;
        int coutG = cout / group;
        // For every (output position, kernel tap): the input offset, or -1 when the tap lands in padding.
        int[] tapOffset = Im2Col.tapOffsets(inSpatial, kernel, strides, dilations, pads, outSpatial);
        for (int b = 0; b < batch; b++) {
            for (int oc = 0; oc < cout; oc++) {
                int g = oc / coutG;
                int outBase = (b * cout + oc) * outSize;
                for (int o = 0; o < outSize; o++) {
                    int sum = 0;
                    for (int ic = 0; ic < cinG; ic++) {
                        int inBase = (b * cin + g * cinG + ic) * inSize;
                        int wBase = (oc * cinG + ic) * kSize;
                        int tapBase = o * kSize;
                        for (int t = 0; t < kSize; t++) {
                            int off = tapOffset[tapBase + t];
                            if (off >= 0) {
                                sum += x[inBase + off] * w[wBase + t];
                            }
                        }
                    }
                    out[outBase + o] = sum;
                }
            }
        }
    }

    /**
     * The int32 sums [batch][cout][positions] of a convolution of NHWC bytes {@code x} (zero point xzp, read unsigned
     * when asked) with OIHW weights already minus their zero points, over geometry g (one group).
     */
    static int[] nhwcInput(byte[] x, boolean unsigned, int xzp, QConvNhwc.Geometry g, int[] weights) {
        int batch = g.batch(), cin = g.cin(), pixels = g.inSize();
        int[] xs = new int[x.length];
        for (int b = 0; b < batch; b++) {
            for (int p = 0; p < pixels; p++) {
                for (int c = 0; c < cin; c++) {
                    byte v = x[(b * pixels + p) * cin + c];
                    xs[(b * cin + c) * pixels + p] = (unsigned ? v & 0xFF : v) - xzp;
                }
            }
        }
        int[] acc = new int[batch * g.cout() * g.outSize()];
        conv(xs, batch, cin, g.inSpatial(), weights, g.cout(), 1, g.kernel(), g.strides(), g.dilations(), g.pads(),
            g.outSpatial(), acc);
        return acc;
    }
}
