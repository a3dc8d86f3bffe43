package dev.octet.kernel;

/**
 * Depthwise 2-D int8 convolution (one filter per channel, channel multiplier 1) on channels-last (NHWC)
 * tensors, with exact int32 accumulation of {@code sum (x - zx)(w - zw)}, plus bias, then either int32
 * outputs or ORT's requantization ({@link Quantization#requantize}) with per-channel scales. Every
 * implementation is bit-exact with {@link dev.octet.kernel.scalar.ScalarDepthwiseKernels}.
 *
 * <p>Use: {@link #pack} the weights once at load; per call {@link #run} over any ranges of output rows, from
 * any number of threads (each writing its own rows).
 */
public interface DepthwiseKernels {
    /**
     * The spatial shape of one call. Pads are the top and left padding; the bottom and right follow from the
     * output size, and taps outside the input read the input zero point (they add nothing).
     */
    record Shape(int channels, int inH, int inW, int outH, int outW, int kernelH, int kernelW, int strideH,
                 int strideW, int dilationH, int dilationW, int padTop, int padLeft) {}

    /** A stable id, e.g. {@code qs8-dwconv-16c-i32/panama-512}. */
    String id();

    /**
     * Packs weights [channels][kernelH][kernelW] (OIHW with I = 1) from {@code offset}: read as unsigned
     * when asked, minus the per-channel (length channels) or per-tensor (length 1) zero point.
     */
    default DepthwiseWeights pack(byte[] w, int offset, int channels, int kernelH, int kernelW, boolean unsigned,
                                  int[] zeroPoints) {
        return DepthwiseWeights.pack(w, offset, channels, kernelH * kernelW, unsigned, zeroPoints);
    }

    /**
     * Output rows [oy0, oy1) of one image: input [inH][inW][channels] at {@code xOffset} (unsigned when asked,
     * zero point {@code xzp}), output [outH][outW][channels] at {@code yOffset} of {@code output}'s array.
     * {@code bias} (length channels) may be null. {@code output} is {@link QGemm.Output.Int32} or
     * {@link QGemm.Output.Requantized} (scales of length channels or 1).
     */
    void run(DepthwiseWeights w, Shape s, byte[] x, int xOffset, boolean xUnsigned, int xzp, int[] bias,
             QGemm.Output output, int yOffset, int oy0, int oy1);
}
