package dev.octet.kernel;

/**
 * N-D max and average pooling over {@code planes} contiguous row-major planes (batch x channels, NCHW) of
 * spatial shape {@code in}, the plane sums of global average pooling, and channels-last (NHWC) max pooling and
 * bilinear resampling. Window tap t along dim d of output o
 * reads input {@code o*s - padBegin + t*dil}; {@code pads} is [begin..., end...]; {@code out} is the output's
 * spatial shape. Every implementation is bit-exact with {@link dev.octet.kernel.scalar.ScalarPoolKernels}.
 */
public interface PoolKernels {
    /**
     * Float max pooling: per output, the first window tap inside the input (row-major tap order), replaced by
     * each later tap that compares greater, so NaN wins only as the first tap and of 0 and -0 the first stays.
     * When {@code indices} is not null it receives, per output, the flat index of the chosen element in the
     * whole input (plane offset included), spatial part row-major or, with {@code columnMajor}, column-major.
     * A window holding no input element yields -inf and index -1.
     */
    void maxPool(float[] x, int planes, int[] in, int[] out, int[] kernel, int[] strides, int[] dilations, int[] pads,
                 float[] y, long[] indices, boolean columnMajor);

    /**
     * 2-D float max pooling channels last: {@code x} is [batch, in[0], in[1], channels] and {@code y} [batch,
     * out[0], out[1], channels], each channel pooled with {@link #maxPool}'s arithmetic (no indices).
     */
    void maxPoolChannelsLast(float[] x, int batch, int channels, int[] in, int[] out, int[] kernel, int[] strides,
                             int[] dilations, int[] pads, float[] y);

    /**
     * Channels-last bilinear resampling with ONNX Runtime's float arithmetic (Resize, linear): {@code x} is
     * [batch, h, w, channels], {@code y} [batch, y1.length, x1.length, channels]. Output (i, j) is, per channel,
     * {@code c11 * X[y1[i]][x1[j]] + c21 * X[y1[i]][x2[j]] + c12 * X[y2[i]][x1[j]] + c22 * X[y2[i]][x2[j]]}
     * summed left to right, with {@code c11 = dx2[j] * dy2[i]}, {@code c21 = dx1[j] * dy2[i]},
     * {@code c12 = dx2[j] * dy1[i]}, {@code c22 = dx1[j] * dy1[i]}: every product rounded to float, no fused
     * multiply-add. The row and column indices are inside the input. Writes output rows [row0, row1) of the batch's
     * {@code batch * y1.length}, row r of image r / y1.length (so threads can take bands of them).
     */
    void bilinearChannelsLast(float[] x, int h, int w, int channels, int[] y1, int[] y2, float[] dy1, float[] dy2,
                              int[] x1, int[] x2, float[] dx1, float[] dx2, float[] y, int row0, int row1);

    /**
     * Max pooling of 8-bit codes, unsigned when asked (exact in any order). A window holding no input element
     * yields 0 (what the float form's -inf gives when cast to a byte).
     */
    void maxPool(byte[] x, boolean unsigned, int planes, int[] in, int[] out, int[] kernel, int[] strides,
                 int[] dilations, int[] pads, byte[] y);

    /**
     * Float average pooling: the window's taps inside the input summed in float from 0 in row-major tap order,
     * divided by their count or, with {@code countIncludePad}, by the count of taps inside the explicitly padded
     * input (taps past the end padding, which only ceil_mode creates, never count); 0 / 0 is NaN.
     */
    void averagePool(float[] x, int planes, int[] in, int[] out, int[] kernel, int[] strides, int[] dilations,
                     int[] pads, boolean countIncludePad, float[] y);

    /**
     * {@code sums[sumsOff + p]} = the sum of the {@code size} 8-bit codes of plane p, which starts at
     * {@code xOff + p * size}, in int32 (wrapping, so exact in any order).
     */
    void planeSums(byte[] x, int xOff, int planes, int size, boolean unsigned, int[] sums, int sumsOff);

    /**
     * Channels-last {@link #planeSums}: {@code sums[sumsOff + c]} = the sum over {@code pixels} pixels of channel c's
     * 8-bit codes, pixel i's at {@code xOff + i * channels + c}, in int32 (wrapping, so exact in any order).
     */
    void pixelSums(byte[] x, int xOff, int pixels, int channels, boolean unsigned, int[] sums, int sumsOff);
}
