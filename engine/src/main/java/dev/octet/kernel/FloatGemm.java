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
        gemm(kernels, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, false);
    }

    /** {@code bPacked}: B is weights ONNX Runtime packs at load (a graph initializer), which its sums follow. */
    public static void gemm(FloatKernels kernels, boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float beta, float[] c, int cOff, int ldc, boolean bPacked) {
        if (m == 0 || n == 0) {
            return;
        }
        if (alpha == 0 || k == 0) {
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        if (m == 1 && !transA && alpha == 1 && (beta == 0 || beta == 1) && (bPacked || transB)) {
            if (bPacked) {
                // Element (p, j) of op(B): row j of B when transposed, column j otherwise.
                rowTimesPackedB(n, k, a, aOff, b, bOff, transB ? ldb : 1, transB ? 1 : ldb, beta, c, cOff);
            } else {
                rowTimesTransposedB(n, k, a, aOff, b, bOff, ldb, beta, c, cOff);
            }
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
     * weights; `OrtGemmRowParityTest`). Weights ORT packs at load take {@link #rowTimesPackedB}. The other shapes'
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

    /** Depth of ONNX Runtime's packed-B SGEMM blocks: each output sums a block in one FMA chain, then adds it to C. */
    private static final int PACKED_BLOCK = 256;

    /**
     * {@link #rowTimesTransposedB} for weights ORT packs at load (an initializer): its packed SGEMM sums each output in
     * one FMA chain per block of {@link #PACKED_BLOCK} k steps from zero, the first block's sum stored (beta 0) or added
     * to C, each later one added to that, whether B is transposed or not (measured against ORT on 10-1,000 outputs and
     * depths 32-1,280). Element (p, j) of op(B) is {@code b[bOff + j * jStride + p * pStride]}. Four outputs at a time,
     * so that four chains share the FMA latency.
     */
    private static void rowTimesPackedB(int n, int k, float[] a, int aOff, float[] b, int bOff, int jStride,
                                        int pStride, float beta, float[] c, int cOff) {
        int j = 0;
        for (; j + 4 <= n; j += 4) {
            int r0 = bOff + j * jStride;
            int r1 = r0 + jStride;
            int r2 = r1 + jStride;
            int r3 = r2 + jStride;
            float c0 = c[cOff + j], c1 = c[cOff + j + 1], c2 = c[cOff + j + 2], c3 = c[cOff + j + 3];
            for (int p0 = 0; p0 < k; p0 += PACKED_BLOCK) {
                int end = Math.min(k, p0 + PACKED_BLOCK);
                float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                for (int p = p0; p < end; p++) {
                    float x = a[aOff + p];
                    int at = p * pStride;
                    s0 = Math.fma(x, b[r0 + at], s0);
                    s1 = Math.fma(x, b[r1 + at], s1);
                    s2 = Math.fma(x, b[r2 + at], s2);
                    s3 = Math.fma(x, b[r3 + at], s3);
                }
                boolean store = p0 == 0 && beta == 0;
                c0 = store ? s0 : s0 + c0;
                c1 = store ? s1 : s1 + c1;
                c2 = store ? s2 : s2 + c2;
                c3 = store ? s3 : s3 + c3;
            }
            c[cOff + j] = c0;
            c[cOff + j + 1] = c1;
            c[cOff + j + 2] = c2;
            c[cOff + j + 3] = c3;
        }
        for (; j < n; j++) {
            int row = bOff + j * jStride;
            float cj = c[cOff + j];
            for (int p0 = 0; p0 < k; p0 += PACKED_BLOCK) {
                int end = Math.min(k, p0 + PACKED_BLOCK);
                float s = 0;
                for (int p = p0; p < end; p++) {
                    s = Math.fma(a[aOff + p], b[row + p * pStride], s);
                }
                cj = p0 == 0 && beta == 0 ? s : s + cj;
            }
            c[cOff + j] = cj;
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
