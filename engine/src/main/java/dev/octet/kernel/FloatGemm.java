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
        if (m == 1 && !transA && transB && alpha == 1 && (beta == 0 || beta == 1)) {
            rowTimesTransposedB(n, k, a, aOff, b, bOff, ldb, beta, c, cOff);
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

    /**
     * One row of A times B transposed, with ONNX Runtime's x86 arithmetic for this shape (a classifier head): MLAS
     * takes it to a kernel of its own (SgemmKernelM1TransposeBAvx), which sums each output in eight lanes, lane l
     * taking the products of k = l, l + 8, ... (multiplied, then added: no FMA), and reduces the lanes by the group
     * of up to four outputs the output falls in (groups of four while four remain, then a pair, then one), then adds
     * C when beta is 1 (0 when beta is 0): ORT's bits when B reaches it at run time (a QDQ model's dequantized
     * weights; `OrtGemmRowParityTest`). Weights that are ORT initializers it packs at load and sums per output in FMA
     * chains over blocks of 256 k steps, each block's sum added to C (measured, not yet done here). The other shapes'
     * sums are ordered as the kernels order them.
     */
    private static void rowTimesTransposedB(int n, int k, float[] a, int aOff, float[] b, int bOff, int ldb, float beta,
                                            float[] c, int cOff) {
        int fours = n / 4 * 4;
        for (int j = 0; j < n; j++) {
            int row = bOff + j * ldb;
            float l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0;
            int p = 0;
            for (; p + 8 <= k; p += 8) {
                l0 += a[aOff + p] * b[row + p];
                l1 += a[aOff + p + 1] * b[row + p + 1];
                l2 += a[aOff + p + 2] * b[row + p + 2];
                l3 += a[aOff + p + 3] * b[row + p + 3];
                l4 += a[aOff + p + 4] * b[row + p + 4];
                l5 += a[aOff + p + 5] * b[row + p + 5];
                l6 += a[aOff + p + 6] * b[row + p + 6];
                l7 += a[aOff + p + 7] * b[row + p + 7];
            }
            if (p < k) {
                // The masked last chunk: lanes past k add a product of zeros.
                int r = k - p;
                l0 += a[aOff + p] * b[row + p];
                l1 += r > 1 ? a[aOff + p + 1] * b[row + p + 1] : 0f;
                l2 += r > 2 ? a[aOff + p + 2] * b[row + p + 2] : 0f;
                l3 += r > 3 ? a[aOff + p + 3] * b[row + p + 3] : 0f;
                l4 += r > 4 ? a[aOff + p + 4] * b[row + p + 4] : 0f;
                l5 += r > 5 ? a[aOff + p + 5] * b[row + p + 5] : 0f;
                l6 += r > 6 ? a[aOff + p + 6] * b[row + p + 6] : 0f;
                l7 += 0f;
            }
            float sum;
            if (j < fours) {
                sum = (((l0 + l1) + l2) + l3) + (((l4 + l5) + l6) + l7);
            } else if ((n - fours & 2) != 0 && j < fours + 2) {
                sum = ((l2 + l0) + (l6 + l4)) + ((l3 + l1) + (l7 + l5));
            } else {
                sum = ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7));
            }
            c[cOff + j] = sum + (beta == 0 ? 0f : c[cOff + j]);
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
