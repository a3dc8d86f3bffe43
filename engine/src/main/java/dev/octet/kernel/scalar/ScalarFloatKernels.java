package dev.octet.kernel.scalar;

import dev.octet.kernel.FloatKernels;
import dev.octet.kernel.FloatMath;

/**
 * The reference float kernels: plain loops in the canonical order of {@link FloatKernels}. Operation order
 * beyond the contract, which the vector kernels repeat: layer norm accumulates squared deviations with one
 * fma each, and normalizes as {@code ((x - mean) / std) * gamma + beta}, rounding after each operation.
 */
public final class ScalarFloatKernels implements FloatKernels {
    @Override
    public void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, boolean transB,
                     float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                for (int p = 0; p < k; p++) {
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    acc = Math.fma(a[aOff + i * lda + p], bv, acc);
                }
                c[cOff + i * ldc + j] = acc;
            }
        }
    }

    @Override
    public float sum(float[] x, int off, int n) {
        float[] p = new float[REDUCTION_LANES];
        for (int i = 0; i < n; i++) {
            p[i % REDUCTION_LANES] += x[off + i];
        }
        return combine(p);
    }

    /** The canonical tree over 16 partial sums (the vector kernels finish their reductions with it too). */
    public static float combine(float[] p) {
        for (int half = REDUCTION_LANES / 2; half >= 1; half /= 2) {
            for (int j = 0; j < half; j++) {
                p[j] += p[j + half];
            }
        }
        return p[0];
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
    public void scaleAndMask(float[] x, int off, int n, Scaling scaling, float factor, float[] mask, int maskOff) {
        for (int i = 0; i < n; i++) {
            x[off + i] = scaleAndMask(x[off + i], scaling, factor, mask == null ? 0f : mask[maskOff + i], mask != null);
        }
    }

    /** One score of {@link #scaleAndMask}; also the vector kernels' tail. */
    public static float scaleAndMask(float x, Scaling scaling, float factor, float mask, boolean masked) {
        float s = switch (scaling) {
            case NONE -> x;
            case DIVIDE -> x / factor;
            case MULTIPLY -> x * factor;
        };
        return masked ? s + mask : s;
    }

    @Override
    public void softmax(float[] x, int xOff, float[] out, int outOff, int rows, int n) {
        float[] p = new float[REDUCTION_LANES];
        for (int r = 0; r < rows; r++) {
            int xi = xOff + r * n;
            int oi = outOff + r * n;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                max = Math.max(max, x[xi + i]);
            }
            java.util.Arrays.fill(p, 0f);
            for (int i = 0; i < n; i++) {
                float e = FloatMath.exp(x[xi + i] - max);
                out[oi + i] = e;
                p[i % REDUCTION_LANES] += e;
            }
            float s = combine(p);
            for (int i = 0; i < n; i++) {
                out[oi + i] = out[oi + i] / s;
            }
        }
    }

    @Override
    public void layerNorm(float[] x, int xOff, float[] out, int outOff, int rows, int n, float[] gamma, float[] beta,
                          float eps) {
        float[] p = new float[REDUCTION_LANES];
        for (int r = 0; r < rows; r++) {
            int xi = xOff + r * n;
            int oi = outOff + r * n;
            java.util.Arrays.fill(p, 0f);
            for (int i = 0; i < n; i++) {
                p[i % REDUCTION_LANES] += x[xi + i];
            }
            float mean = combine(p) / n;
            java.util.Arrays.fill(p, 0f);
            for (int i = 0; i < n; i++) {
                float d = x[xi + i] - mean;
                p[i % REDUCTION_LANES] = Math.fma(d, d, p[i % REDUCTION_LANES]);
            }
            float std = (float) Math.sqrt(combine(p) / n + eps);
            for (int i = 0; i < n; i++) {
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
}
