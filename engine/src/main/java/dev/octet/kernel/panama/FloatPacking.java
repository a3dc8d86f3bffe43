package dev.octet.kernel.panama;

import dev.octet.kernel.PackedB;
import dev.octet.kernel.PreparedA;

/**
 * The layout of the float-FMA int8 GEMMs. Canonical int8 values are stored as floats; a float FMA of two
 * such values into an integer-valued accumulator is exact while every partial sum stays within 2^24, and
 * |a*b| <= 2^14 for signed 8-bit values, so up to {@link #KC} = 1024 products may be summed in float before
 * the tile is converted to int32 and added to C. The result is the exact int32 sum (wrapping like int
 * arithmetic only beyond K = 2^17, as the contract allows).
 *
 * <p>B is stored in panels of {@code nr} columns, k-major: {@code floats[(panel * k + p) * nr + lane]},
 * zero-padded on the right (zero weights add nothing). A is in row tiles, see {@link #prepareA}.
 */
final class FloatPacking {
    /** Products summed in float before flushing to int32: 1024 * 2^14 = 2^24. */
    static final int KC = 1024;

    private FloatPacking() {}

    static PackedB packB(String id, int nr, byte[] b, int offset, int k, int n, boolean unsigned, boolean transposed) {
        byte[] canonical = PackedB.canonical(b, offset, k, n, unsigned, transposed);
        int panels = (n + nr - 1) / nr;
        float[] data = new float[panels * k * nr];
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                data[((j / nr) * k + p) * nr + j % nr] = canonical[p * n + j];
            }
        }
        return new PackedB(id, k, n, null, data, PackedB.columnSums(canonical, k, n), canonical, null);
    }

    /** Floats {@link #prepareA} writes for m rows: whole row tiles of mr rows. */
    static int preparedSize(int mr, int m, int k) {
        return (m + mr - 1) / mr * mr * k;
    }

    /**
     * A as tiles of mr rows, k-major inside a tile: row i, column q at {@code ((i / mr) * k + q) * mr + i % mr}.
     * A tile's mr values for one k are adjacent, so the kernel's broadcasts read one stream at constant
     * offsets (row-major A made them mr strided streams and cost about a quarter of the speed).
     */
    static void prepareA(int mr, int m, int k, byte[] a, int aOffset, int lda, boolean unsigned, boolean rowSums,
                         PreparedA out) {
        out.reset(m, k, rowSums);
        float[] p = out.floats(preparedSize(mr, m, k));
        int[] sums = out.rowSums();
        byte flip = (byte) (unsigned ? 0x80 : 0);
        for (int i = 0; i < m; i++) {
            int row = aOffset + i * lda;
            int dst = (i / mr) * k * mr + i % mr;
            int sum = 0;
            for (int q = 0; q < k; q++) {
                int v = (byte) (a[row + q] ^ flip);
                p[dst + q * mr] = v;
                sum += v;
            }
            if (sums != null) {
                sums[i] = sum;
            }
        }
    }

    /** Copies cols columns of rows rows between two int matrices. */
    static void copyColumns(int rows, int[] from, int fromAt, int fromStride, int[] to, int toAt, int toStride, int cols) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(from, fromAt + r * fromStride, to, toAt + r * toStride, cols);
        }
    }

    static void zeroColumns(int m0, int m1, int n0, int n1, int[] c, int cOffset, int ldc) {
        for (int i = m0; i < m1; i++) {
            java.util.Arrays.fill(c, cOffset + i * ldc + n0, cOffset + i * ldc + n1, 0);
        }
    }
}
