package dev.octet.kernel;

/**
 * Scalar reference int8 GEMM with int32 accumulation: C[m][n] = sum_k (A[m][k] - za[m]) * (B[k][n] - zb[n]).
 * Operands are raw bytes read as unsigned or signed per flag; zero points per row of A / per column of B
 * (length-1 arrays for per-tensor). Accumulation wraps in 32 bits as the ONNX spec allows; with 8-bit
 * operands a single product is at most 2^16, so K < 2^15 never overflows.
 */
public final class IntGemm {
    private IntGemm() {}

    public static void gemm(int m, int n, int k,
                            byte[] a, int aOff, int lda, boolean aUnsigned, int[] za,
                            byte[] b, int bOff, int ldb, boolean bUnsigned, int[] zb,
                            int[] c, int cOff, int ldc) {
        int[] bCol = new int[k];
        for (int j = 0; j < n; j++) {
            int zbj = zb.length == 1 ? zb[0] : zb[j];
            for (int p = 0; p < k; p++) {
                int v = b[bOff + p * ldb + j];
                bCol[p] = (bUnsigned ? v & 0xFF : v) - zbj;
            }
            for (int i = 0; i < m; i++) {
                int zai = za.length == 1 ? za[0] : za[i];
                int row = aOff + i * lda;
                int sum = 0;
                for (int p = 0; p < k; p++) {
                    int v = a[row + p];
                    sum += ((aUnsigned ? v & 0xFF : v) - zai) * bCol[p];
                }
                c[cOff + i * ldc + j] = sum;
            }
        }
    }
}
