package dev.octet.kernel;

/** Reference sums for the wide-operand GEMM tests: exact in long, wrapped to int32 as the kernels' contract says. */
public final class ExactProducts {
    private ExactProducts() {}

    /** {@code C[i][j] = sum_p A[i][p] * B[p][j]}, A m x k (integer-valued floats), B k x n, both row-major. */
    public static int[] of(float[] a, int[] b, int m, int k, int n) {
        int[] c = new int[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                long sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += (long) a[i * k + p] * b[p * n + j];
                }
                c[i * n + j] = (int) sum;
            }
        }
        return c;
    }
}
