package dev.octet.kernel;

/**
 * BLAS-style single-precision GEMM over row-major arrays, {@code C = alpha * op(A) * op(B) + beta * C}, on top
 * of {@link FloatKernels#gemm}: {@code op(A)} M x K, {@code op(B)} K x N, C M x N, each matrix addressed by an
 * offset and a leading dimension (the distance between rows of the stored, untransposed matrix).
 */
public final class FloatGemm {
    private FloatGemm() {}

    public static void gemm(FloatKernels kernels, boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (alpha == 0 || k == 0) {
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        if (transA) {
            // The kernel reads A row by row; a transposed A is copied (m * k, small next to the m * n * k products).
            float[] t = new float[m * k];
            for (int p = 0; p < k; p++) {
                for (int i = 0; i < m; i++) {
                    t[i * k + p] = a[aOff + p * lda + i];
                }
            }
            a = t;
            aOff = 0;
            lda = k;
        }
        if (alpha == 1 && beta == 0) {
            kernels.gemm(m, n, k, a, aOff, lda, b, bOff, ldb, transB, c, cOff, ldc);
            return;
        }
        float[] product = new float[m * n];
        kernels.gemm(m, n, k, a, aOff, lda, b, bOff, ldb, transB, product, 0, n);
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                float v = alpha * product[i * n + j];
                // beta 0 leaves C unread, so stale NaNs do not survive, as BLAS specifies.
                c[ci + j] = beta == 0 ? v : v + beta * c[ci + j];
            }
        }
    }

    /** C *= beta; beta 0 clears C outright. */
    private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        if (beta == 1) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[ci + j] = beta == 0 ? 0 : beta * c[ci + j];
            }
        }
    }
}
