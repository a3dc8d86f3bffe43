package dev.octet.kernel;

/**
 * The float kernels of transformer and CNN models, with one canonical arithmetic so that every
 * implementation (scalar, and vector at 128, 256 or 512 bits) gives bit-identical results:
 * <ul>
 *   <li><b>Products</b> ({@link #gemm}): each output element is one fused multiply-add chain over k in
 *       increasing order, starting from 0 ({@code acc = fma(a[k], b[k], acc)}); vector lanes hold different
 *       outputs, so the width never changes an element's arithmetic.</li>
 *   <li><b>Reductions</b> along a row (softmax's sum): element {@code i} goes to partial sum {@code i % 16} in
 *       index order; partials are combined as ONNX Runtime's AVX-512 softmax combines its 16 lanes:
 *       {@code t[j] = p[j] + p[j + 8]}, then {@code ((t0+t1)+(t2+t3)) + ((t4+t5)+(t6+t7))}. A 512-bit kernel
 *       keeps one vector of 16 partials, a 256-bit kernel two of 8, a 128-bit one four of 4.</li>
 *   <li><b>Transcendentals</b> ({@link #exp}, {@link #erf}, {@link #tanh}, softmax's exp, sigmoid): the range
 *       reductions and polynomials of {@link FloatMath} (ONNX Runtime's for all but {@link #exp}), the same
 *       operations in the same order in scalar and vector form — never {@code Math.exp} or the Vector API's
 *       EXP/TANH, whose results may differ by platform.</li>
 * </ul>
 * Kernels see arrays, offsets and sizes only.
 */
public interface FloatKernels {
    /** The number of partial sums of every reduction, whatever the vector width. */
    int REDUCTION_LANES = 16;

    /**
     * {@code C[i][j] = sum_p A[i][p] * B[p][j]} for i < m, j < n (overwriting C), row-major with leading
     * dimensions; {@code transB} reads B as n x k ({@code B[j][p]} at {@code b[bOff + j*ldb + p]}). C must not
     * overlap A or B.
     */
    void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, boolean transB,
              float[] c, int cOff, int ldc);

    /** out[i] = exp(x[i]) for n elements (in place allowed). */
    void exp(float[] x, int xOff, float[] out, int outOff, int n);

    /** out[i] = erf(x[i]). */
    void erf(float[] x, int xOff, float[] out, int outOff, int n);

    /** out[i] = tanh(x[i]). */
    void tanh(float[] x, int xOff, float[] out, int outOff, int n);

    /**
     * out[i] = (x * 0.5) * (erf(x * (1 / sqrt(2))) + 1): GELU in the operation order of ONNX Runtime's fused Gelu and
     * BiasGelu kernels, which is what a model exported with the decomposed Erf form runs as under ORT's default
     * graph optimizations (see {@link dev.octet.kernel.FloatMath#gelu}).
     */
    void gelu(float[] x, int xOff, float[] out, int outOff, int n);

    /**
     * {@code out[i] = kind.apply(x[i], a, b)} for n elements (in place allowed): the activations between quantized
     * convolutions, lane by lane in {@link Activation#apply}'s arithmetic.
     */
    void activation(Activation kind, float a, float b, float[] x, int xOff, float[] out, int outOff, int n);

    /**
     * Attention scores in place: {@code x * scale}, then {@code + mask[maskOff + i]} when mask is not null (ONNX
     * Runtime's fused attention order: a graph's division by a constant is folded into the reciprocal scale).
     */
    void scaleAndMask(float[] x, int off, int n, float scale, float[] mask, int maskOff);

    /**
     * Softmax of {@code rows} rows of {@code n} as ONNX Runtime's AVX-512 softmax computes it: the row maximum,
     * {@code e = FloatMath.softmaxExp(x - max)}, the canonical sum, and
     * {@code out = e * (1 / sum)}; in place allowed.
     */
    void softmax(float[] x, int xOff, float[] out, int outOff, int rows, int n);

    /**
     * Log-softmax of {@code rows} rows of {@code n} as ONNX Runtime computes it: the row maximum, the canonical
     * sum of {@code FloatMath.softmaxExp(x - max)}, {@code log = (float) StrictMath.log(sum)} (the same bits on every platform), and
     * {@code out = (x - max) - log}, rounded after each step; in place allowed.
     */
    void logSoftmax(float[] x, int xOff, float[] out, int outOff, int rows, int n);

    /**
     * Layer normalization of {@code rows} rows of {@code n} in the arithmetic of ONNX Runtime's LayerNormalization
     * kernel, which ORT's default graph optimizations also put in place of the decomposed form BERT exports write:
     * float sums of x and of x*x in index order, {@code mean = sum/n}, {@code std = sqrt(sumSq/n - mean*mean + eps)},
     * {@code out = (x - mean) / std * gamma + beta} (gamma, beta may be null), no fused multiply-adds. Where the
     * cancellation makes {@code sumSq/n - mean*mean + eps} negative (ORT's result is NaN there) the variance is
     * taken as 0. In place allowed.
     */
    void layerNorm(float[] x, int xOff, float[] out, int outOff, int rows, int n, float[] gamma, float[] beta,
                   float eps);
}
