package dev.octet.kernel.scalar;

import dev.octet.kernel.Activation;
import dev.octet.kernel.FloatKernels;
import dev.octet.kernel.FloatMath;

/**
 * The reference float kernels: plain loops in the order {@link FloatKernels} fixes. Operation order beyond the
 * contract, which the vector kernels repeat: layer norm normalizes as {@code ((x - mean) / std) * gamma + beta},
 * rounding after each operation; its statistics are shared with them ({@link #layerNormStats}).
 */
public final class ScalarFloatKernels implements FloatKernels {
    @Override
    public void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, boolean transB,
                     float[] c, int cOff, int ldc) {
        if (transB) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float acc = 0f;
                    for (int p = 0; p < k; p++) {
                        acc = Math.fma(a[aOff + i * lda + p], b[bOff + j * ldb + p], acc);
                    }
                    c[cOff + i * ldc + j] = acc;
                }
            }
            return;
        }
        // Each C element gets the same FMAs in the same order (p ascending) as a dot product would give it, a row
        // of B at a time: the inner loop runs along rows of B and C, which C2 vectorizes.
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            java.util.Arrays.fill(c, row, row + n, 0f);
            for (int p = 0; p < k; p++) {
                float av = a[aOff + i * lda + p];
                int bRow = bOff + p * ldb;
                for (int j = 0; j < n; j++) {
                    c[row + j] = Math.fma(av, b[bRow + j], c[row + j]);
                }
            }
        }
    }

    /**
     * The canonical tree over 16 partial sums, ONNX Runtime's AVX-512 one (the vector kernels finish their
     * reductions with it too): {@code t[j] = p[j] + p[j + 8]}, then {@code ((t0+t1)+(t2+t3)) + ((t4+t5)+(t6+t7))}.
     */
    public static float combine(float[] p) {
        for (int j = 0; j < REDUCTION_LANES / 2; j++) {
            p[j] += p[j + REDUCTION_LANES / 2];
        }
        return ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
    }

    @Override
    public void exp(float[] x, int xOff, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = FloatMath.exp(x[xOff + i]);
        }
    }

    @Override
    public void erf(float[] x, int xOff, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = FloatMath.erf(x[xOff + i]);
        }
    }

    @Override
    public void tanh(float[] x, int xOff, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = FloatMath.tanh(x[xOff + i]);
        }
    }

    @Override
    public void gelu(float[] x, int xOff, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = FloatMath.gelu(x[xOff + i]);
        }
    }

    @Override
    public void activation(Activation kind, float a, float b, float[] x, int xOff, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = kind.apply(x[xOff + i], a, b);
        }
    }

    @Override
    public void scaleAndMask(float[] x, int off, int n, float scale, float[] mask, int maskOff) {
        for (int i = 0; i < n; i++) {
            x[off + i] = scaleAndMask(x[off + i], scale, mask == null ? 0f : mask[maskOff + i], mask != null);
        }
    }

    /** One score of {@link #scaleAndMask}; also the vector kernels' tail. */
    public static float scaleAndMask(float x, float scale, float mask, boolean masked) {
        float s = x * scale;
        return masked ? s + mask : s;
    }

    @Override
    public void softmax(float[] x, int xOff, float[] out, int outOff, int rows, int n) {
        float[] p = new float[REDUCTION_LANES];
        for (int r = 0; r < rows; r++) {
            int oi = outOff + r * n;
            int xi = xOff + r * n;
            float inv = 1f / expSum(x, xi, n, rowMax(x, xi, n), p, out, oi);
            for (int i = 0; i < n; i++) {
                out[oi + i] = out[oi + i] * inv;
            }
        }
    }

    @Override
    public void logSoftmax(float[] x, int xOff, float[] out, int outOff, int rows, int n) {
        float[] p = new float[REDUCTION_LANES];
        for (int r = 0; r < rows; r++) {
            int xi = xOff + r * n;
            int oi = outOff + r * n;
            float max = rowMax(x, xi, n);
            // StrictMath: the same bits on every platform (Math.log is an intrinsic that may differ by an ulp).
            float log = (float) StrictMath.log(expSum(x, xi, n, max, p, null, 0));
            for (int i = 0; i < n; i++) {
                out[oi + i] = (x[xi + i] - max) - log;
            }
        }
    }

    /**
     * The canonical sum of {@code FloatMath.softmaxExp(x - max)} over one row, {@code p} holding the partials;
     * the exponentials also go to {@code out} when it is not null.
     */
    private static float expSum(float[] x, int xi, int n, float max, float[] p, float[] out, int oi) {
        java.util.Arrays.fill(p, 0f);
        for (int i = 0; i < n; i++) {
            float e = FloatMath.softmaxExp(x[xi + i] - max);
            if (out != null) {
                out[oi + i] = e;
            }
            p[i % REDUCTION_LANES] += e;
        }
        return combine(p);
    }

    private static float rowMax(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        return max;
    }

    @Override
    public void layerNorm(float[] x, int xOff, float[] out, int outOff, int rows, int n, float[] gamma, float[] beta,
                          float eps) {
        float[] stats = new float[2 * LAYER_NORM_STATS_ROWS];
        for (int r0 = 0; r0 < rows; r0 += LAYER_NORM_STATS_ROWS) {
            int group = Math.min(LAYER_NORM_STATS_ROWS, rows - r0);
            layerNormStats(x, xOff + r0 * n, group, n, eps, stats);
            for (int g = 0; g < group; g++) {
                int r = r0 + g;
                layerNormRow(x, xOff + r * n, out, outOff + r * n, 0, n, stats[2 * g], stats[2 * g + 1], gamma, beta);
            }
        }
    }

    /** Rows {@link #layerNormStats} takes at once. */
    public static final int LAYER_NORM_STATS_ROWS = 4;

    /**
     * The mean and standard deviation of {@code rows} (at most {@value #LAYER_NORM_STATS_ROWS}) consecutive rows of
     * {@code n}, as {@link FloatKernels#layerNorm} defines them, into {@code stats[2g]} and {@code stats[2g + 1]}.
     * The sums are sequential by definition, so four rows run as independent chains to hide the add latency.
     */
    public static void layerNormStats(float[] x, int xOff, int rows, int n, float eps, float[] stats) {
        if (rows == 4) {
            int a = xOff, b = a + n, c = b + n, d = c + n;
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, q0 = 0f, q1 = 0f, q2 = 0f, q3 = 0f;
            for (int i = 0; i < n; i++) {
                float v0 = x[a + i], v1 = x[b + i], v2 = x[c + i], v3 = x[d + i];
                s0 += v0;
                q0 += v0 * v0;
                s1 += v1;
                q1 += v1 * v1;
                s2 += v2;
                q2 += v2 * v2;
                s3 += v3;
                q3 += v3 * v3;
            }
            meanAndStd(s0, q0, n, eps, stats, 0);
            meanAndStd(s1, q1, n, eps, stats, 2);
            meanAndStd(s2, q2, n, eps, stats, 4);
            meanAndStd(s3, q3, n, eps, stats, 6);
            return;
        }
        for (int g = 0; g < rows; g++) {
            int xi = xOff + g * n;
            float s = 0f, q = 0f;
            for (int i = 0; i < n; i++) {
                float v = x[xi + i];
                s += v;
                q += v * v;
            }
            meanAndStd(s, q, n, eps, stats, 2 * g);
        }
    }

    private static void meanAndStd(float sum, float sumSq, int n, float eps, float[] stats, int at) {
        float mean = sum / n;
        float t = sumSq / n - mean * mean + eps;
        stats[at] = mean;
        // Below zero ORT's sqrt gives NaN: take the variance as 0 there (t < 0 lets a NaN input through).
        // A double sqrt rounded to float is the float sqrt.
        stats[at + 1] = (float) Math.sqrt(t < 0 ? eps : t);
    }

    /** Elements [from, n) of one row: {@code (x - mean) / std * gamma + beta}; also the vector kernels' tail. */
    public static void layerNormRow(float[] x, int xi, float[] out, int oi, int from, int n, float mean, float std,
                                    float[] gamma, float[] beta) {
        for (int i = from; i < n; i++) {
            float v = (x[xi + i] - mean) / std;
            if (gamma != null) {
                v *= gamma[i];
            }
            if (beta != null) {
                v += beta[i];
            }
            out[oi + i] = v;
        }
    }
}
