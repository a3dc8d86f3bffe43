package dev.octet.kernel;

/**
 * Elementwise quantization, bit-exact with ONNX Runtime (see {@link Quantization}): quantize is
 * {@code saturate(RNE(x / scale) + zp)} with a true division and NaN to qmin; dequantize is
 * {@code (float)(q - zp) * scale}; the min/max scan of dynamic quantization is exact in any order.
 */
public interface QuantizeKernels {
    /**
     * out[r][i] = quantize(x[r][i]) for rows r of n elements (row r of x at {@code xOff + r * xStride}, of out at
     * {@code outOff + r * outStride}: one row of a whole tensor, or a tensor's slices into a concatenation); bytes
     * hold unsigned values as their low 8 bits.
     */
    void quantize(float[] x, int xOff, int xStride, int n, int rows, float scale, int zp, int qmin, int qmax,
                  byte[] out, int outOff, int outStride);

    /** out[i] = (float)(q[i] - zp) * scale, q read as unsigned when asked. */
    void dequantize(byte[] q, int qOff, int n, boolean unsigned, int zp, float scale, float[] out, int outOff);

    /**
     * out[i] = {@link Quantization#requantize}(acc[i] + add[i], scale_i, zp, qmin, qmax) for n elements, where
     * scale_i is {@code scales[scaleOff + i]} or, when {@code perColumn} is false, {@code scales[scaleOff]}:
     * the int8 GEMM's requantizing epilogue.
     */
    void requantize(int[] acc, int accOff, int[] add, int addOff, float[] scales, int scaleOff, boolean perColumn,
                    int zp, int qmin, int qmax, byte[] out, int outOff, int n);

    /**
     * out[r][i] = (float)(acc[r][i] + add[i]) * scale_i + bias[biasOff + i] for rows r of n elements (row r of acc at
     * {@code accOff + r * n}, of out at {@code outOff + r * n}), a product then a sum rounded apart (ONNX Runtime's
     * Cast, Mul and Add; no bias term when bias is null), then 0 where that is below 0 when {@code relu} (-0 and NaN
     * stay); scale_i as in {@link #requantize}: the int8 GEMM's float epilogue.
     */
    void scale(int[] acc, int accOff, int[] add, int addOff, float[] scales, int scaleOff, boolean perColumn,
               float[] bias, int biasOff, boolean relu, float[] out, int outOff, int n, int rows);

    /**
     * com.microsoft QLinearAdd over n elements with ORT's x86 arithmetic: {@code out[outOff + i] = }
     * {@link Quantization#qlinearAdd} of {@code a[aOff + i]} and {@code b[bOff + i]}, where an operand marked scalar is
     * its one element {@code a[aOff]} (or {@code b[bOff]}) for every i; a scalar a (also when b is one) goes second,
     * as ORT passes it. Inputs are unsigned when asked; the output is saturated to [qmin, qmax].
     */
    void qlinearAdd(byte[] a, int aOff, boolean aScalar, byte[] b, int bOff, boolean bScalar, int n, boolean unsigned,
                    float sa, int za, float sb, int zb, float sc, int zc, int qmin, int qmax, byte[] out, int outOff);

    /**
     * com.microsoft QLinearMul over n elements: {@link Quantization#qlinearMul} with
     * {@code ratio = }{@link Quantization#qlinearMulRatio}{@code (sa, sb, sc)}; operands as in {@link #qlinearAdd}.
     */
    void qlinearMul(byte[] a, int aOff, boolean aScalar, byte[] b, int bOff, boolean bScalar, int n, boolean unsigned,
                    float sa, int za, float sb, int zb, float sc, int zc, int qmin, int qmax, byte[] out, int outOff);

    /** {min(0, min x), max(0, max x)} over n elements, as DynamicQuantizeLinear needs them; NaN is ignored. */
    float[] rangeWithZero(float[] x, int off, int n);

    /** {@code out[outOff + i] = table[x[xOff + i] & 0xFF]} for i in [0, n): a 256-entry table of 8-bit codes. */
    void lookUp(byte[] table, byte[] x, int xOff, int n, byte[] out, int outOff);

    /** Planes an {@link #interleave} takes at most. */
    int MAX_INTERLEAVED = 4;

    /**
     * {@code out[outOff + i * planes + r] = x[xOff + r * xStride + i]} for r < planes (1 to {@link #MAX_INTERLEAVED})
     * and i < n: the channel planes of an image's pixels to channels-last order (an RGB image into an NHWC
     * convolution), writing nothing outside those {@code planes * n} bytes.
     */
    void interleave(byte[] x, int xOff, int xStride, int planes, int n, byte[] out, int outOff);
}
