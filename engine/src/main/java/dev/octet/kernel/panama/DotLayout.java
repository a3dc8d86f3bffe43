package dev.octet.kernel.panama;

import dev.octet.kernel.PackedB;
import dev.octet.kernel.PreparedA;

/**
 * The layout of the dot-product int8 GEMMs ({@code QDotF32Fma*}): canonical values as floats, rows of K padded with
 * zeros to whole vectors of L lanes: A row-major [m][kp], B transposed [n][kp] (a column of B is a row here). The
 * plain-Java code over it is the kernels' cold path while C2 compiles them.
 */
final class DotLayout {
    /** Rows of A the kernels take at once. */
    static final int ROWS = 4;

    private DotLayout() {}

    /** K rounded up to whole vectors of L lanes. */
    static int paddedDepth(int lanes, int k) {
        return (k + lanes - 1) / lanes * lanes;
    }

    static PackedB packB(String id, int lanes, byte[] b, int offset, int k, int n, boolean unsigned,
                         boolean transposed) {
        byte[] canonical = PackedB.canonical(b, offset, k, n, unsigned, transposed);
        int kp = paddedDepth(lanes, k);
        float[] columns = new float[n * kp];
        for (int j = 0; j < n; j++) {
            for (int p = 0; p < k; p++) {
                columns[j * kp + p] = canonical[p * n + j];
            }
        }
        return PackedB.eightBit(id, k, n, null, columns, null, canonical);
    }

    static PackedB packWideB(String id, int lanes, int[] b, int k, int n) {
        int kp = paddedDepth(lanes, k);
        float[] columns = new float[n * kp];
        int[] sums = new int[n];
        for (int j = 0; j < n; j++) {
            for (int p = 0; p < k; p++) {
                columns[j * kp + p] = b[p * n + j];
                sums[j] += b[p * n + j];
            }
        }
        return new PackedB(id, k, n, null, columns, null, sums, null);
    }

    static void resetA(int lanes, int m, int k, boolean rowSums, PreparedA out) {
        out.reset(m, k, rowSums);
        out.floats(m * paddedDepth(lanes, k));
    }

    /** Integer-valued float rows [i0, i1) of A, copied and padded. */
    static void prepareFloatRows(int lanes, int i0, int i1, float[] a, int aOffset, int lda, PreparedA out) {
        int k = out.depth();
        int kp = paddedDepth(lanes, k);
        float[] p = out.floats(out.rows() * kp);
        for (int i = i0; i < i1; i++) {
            System.arraycopy(a, aOffset + i * lda, p, i * kp, k);
            java.util.Arrays.fill(p, i * kp + k, i * kp + kp, 0f);
        }
    }

    /** 8-bit rows [i0, i1) of A as canonical floats, with their row sums when asked for. */
    static void prepareRowsScalar(int lanes, int i0, int i1, byte[] a, int aOffset, int lda, boolean unsigned,
                                  PreparedA out) {
        int k = out.depth();
        int kp = paddedDepth(lanes, k);
        float[] p = out.floats(out.rows() * kp);
        int[] sums = out.rowSums();
        int flip = unsigned ? 0x80 : 0;
        for (int i = i0; i < i1; i++) {
            int sum = 0;
            for (int q = 0; q < k; q++) {
                int v = (byte) (a[aOffset + i * lda + q] ^ flip);
                p[i * kp + q] = v;
                sum += v;
            }
            java.util.Arrays.fill(p, i * kp + k, i * kp + kp, 0f);
            if (sums != null) {
                sums[i] = sum;
            }
        }
    }

    /**
     * The kernels' product in int arithmetic: every product is an exact int below 2^24 (the caller's flush contract)
     * and int sums wrap like the kernels' int32 ones, so the results are theirs whatever the flush interval.
     */
    static void multiplyScalar(int lanes, PreparedA a, int m0, int m1, PackedB b, int n0, int n1, int[] c,
                               int cOffset, int ldc, int flush) {
        if (flush < 1) {
            throw new IllegalArgumentException("flush interval " + flush);
        }
        int k = b.k();
        int kp = paddedDepth(lanes, k);
        float[] pa = a.floats(a.rows() * kp);
        float[] pb = b.floats();
        for (int i = m0; i < m1; i++) {
            for (int j = n0; j < n1; j++) {
                int sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += (int) pa[i * kp + p] * (int) pb[j * kp + p];
                }
                c[cOffset + i * ldc + j] = sum;
            }
        }
    }
}
