package dev.octet.kernel.scalar;

import dev.octet.kernel.DepthwiseKernels;
import dev.octet.kernel.DepthwiseWeights;
import dev.octet.kernel.QGemm;

/**
 * Depthwise convolution in plain Java with the channels innermost: per output pixel, each tap inside the input
 * adds {@code (x - zx) * w} to a row of per-channel sums, a loop C2 vectorizes (the reference goes one output
 * value at a time, about 0.3 GMAC/s). The vector provider runs it until its own kernel is compiled; the int32 sums
 * are the reference's (the same additions per channel) and requantization is {@link
 * dev.octet.kernel.Quantization#requantize}'s arithmetic, so the bits are too.
 */
public final class ChannelLoopDepthwiseKernels implements DepthwiseKernels {
    private static final float RNE_MAGIC = 0x1.8p23f;
    /** Each thread's row of sums, kept for its next call. */
    private static final ThreadLocal<int[][]> SUMS = ThreadLocal.withInitial(() -> new int[1][0]);

    @Override
    public String id() {
        return "qs8-dwconv-channels/java";
    }

    @Override
    public void run(DepthwiseWeights w, Shape s, byte[] x, int xOffset, boolean xUnsigned, int xzp, int[] bias,
                    QGemm.Output output, int yOffset, int oy0, int oy1) {
        int channels = s.channels();
        int[] wp = w.ints();
        int[][] holder = SUMS.get();
        if (holder[0].length < channels) {
            holder[0] = new int[channels];
        }
        int[] acc = holder[0];
        for (int oy = oy0; oy < oy1; oy++) {
            for (int ox = 0; ox < s.outW(); ox++) {
                if (bias == null) {
                    java.util.Arrays.fill(acc, 0, channels, 0);
                } else {
                    System.arraycopy(bias, 0, acc, 0, channels);
                }
                for (int ky = 0; ky < s.kernelH(); ky++) {
                    int iy = oy * s.strideH() - s.padTop() + ky * s.dilationH();
                    if (iy < 0 || iy >= s.inH()) {
                        continue;
                    }
                    for (int kx = 0; kx < s.kernelW(); kx++) {
                        int ix = ox * s.strideW() - s.padLeft() + kx * s.dilationW();
                        if (ix < 0 || ix >= s.inW()) {
                            continue;
                        }
                        int xAt = xOffset + (iy * s.inW() + ix) * channels;
                        int wAt = (ky * s.kernelW() + kx) * channels;
                        if (xUnsigned) {
                            for (int c = 0; c < channels; c++) {
                                acc[c] += ((x[xAt + c] & 0xFF) - xzp) * wp[wAt + c];
                            }
                        } else {
                            for (int c = 0; c < channels; c++) {
                                acc[c] += (x[xAt + c] - xzp) * wp[wAt + c];
                            }
                        }
                    }
                }
                store(output, yOffset + (oy * s.outW() + ox) * channels, channels, acc);
            }
        }
    }

    private static void store(QGemm.Output output, int at, int channels, int[] acc) {
        switch (output) {
            case QGemm.Output.Int32 o -> System.arraycopy(acc, 0, o.out(), at, channels);
            case QGemm.Output.Requantized o -> {
                // Quantization.requantize in a form C2 vectorizes: clamped first, |v| <= 510, so adding and
                // subtracting 1.5 * 2^23 rounds half to even as Math.rint does (NaN stays NaN and converts to 0).
                byte[] out = o.out();
                float[] scales = o.scales();
                int zp = o.zeroPoint();
                float lo = o.qmin() - zp;
                float hi = o.qmax() - zp;
                if (scales.length == 1) {
                    float scale = scales[0];
                    for (int c = 0; c < channels; c++) {
                        float v = Math.min(Math.max((float) acc[c] * scale, lo), hi);
                        out[at + c] = (byte) ((int) (v + RNE_MAGIC - RNE_MAGIC) + zp);
                    }
                } else {
                    for (int c = 0; c < channels; c++) {
                        float v = Math.min(Math.max((float) acc[c] * scales[c], lo), hi);
                        out[at + c] = (byte) ((int) (v + RNE_MAGIC - RNE_MAGIC) + zp);
                    }
                }
            }
            case QGemm.Output.Scaled o -> throw new UnsupportedOperationException("depthwise has no float output");
        }
    }
}
