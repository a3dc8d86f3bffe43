package dev.octet.kernel;

/**
 * Single-precision GEMM over row-major arrays: {@code C = alpha * op(A) * op(B) + beta * C}, with
 * {@code op(A)} M x K, {@code op(B)} K x N and C M x N. Each matrix is addressed by an offset and a leading
 * dimension (the distance between consecutive rows of the stored, untransposed matrix).
 */
public final class FloatGemm {
    /** Panel sizes chosen so a K-block of B rows stays in L2 while the rows of C stream past it. */
    private static final int KC = 256;
    private static final int NC = 1024;

    private FloatGemm() {}

    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float beta, float[] c, int cOff, int ldc) {
        scale(m, n, beta, c, cOff, ldc);
        if (alpha == 0 || k == 0) {
            return;
        }
        // A(i, p) sits at aOff + i*aRow + p*aCol whether or not A is stored transposed.
        int aRow = transA ? 1 : lda;
        int aCol = transA ? lda : 1;
        if (transB) {
            gemmTransB(m, n, k, alpha, a, aOff, aRow, aCol, b, bOff, ldb, c, cOff, ldc);
            return;
        }
        for (int j0 = 0; j0 < n; j0 += NC) {
            int j1 = Math.min(n, j0 + NC);
            for (int p0 = 0; p0 < k; p0 += KC) {
                int p1 = Math.min(k, p0 + KC);
                for (int i = 0; i < m; i++) {
                    int ci = cOff + i * ldc;
                    int ai = aOff + i * aRow;
                    for (int p = p0; p < p1; p++) {
                        float av = alpha * a[ai + p * aCol];
                        int bp = bOff + p * ldb;
                        for (int j = j0; j < j1; j++) {
                            c[ci + j] += av * b[bp + j];
                        }
                    }
                }
            }
        }
    }

    /** B stored N x K: row j of B is column j of op(B), so each C element is a contiguous dot product. */
    private static void gemmTransB(int m, int n, int k, float alpha, float[] a, int aOff, int aRow, int aCol,
                                   float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int ai = aOff + i * aRow;
            int ci = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                int bj = bOff + j * ldb;
                float s = 0;
                for (int p = 0; p < k; p++) {
                    s += a[ai + p * aCol] * b[bj + p];
                }
                c[ci + j] += alpha * s;
            }
        }
    }

    /** C *= beta; beta 0 clears C outright so stale NaNs do not survive, as BLAS specifies. */
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
