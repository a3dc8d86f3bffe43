package dev.octet.kernel.scalar;

import dev.octet.kernel.PackedB;
import dev.octet.kernel.PreparedA;
import dev.octet.kernel.QGemmKernel;
import dev.octet.kernel.QuantizeKernels;

/** The reference int8 GEMM: plain loops over canonical signed values. The oracle every kernel is tested against. */
public final class ScalarQGemm implements QGemmKernel {
    public static final String ID = "qs8-gemm-1x1/scalar";

    private static final QuantizeKernels EPILOGUE = new ScalarQuantizeKernels();

    @Override
    public String id() {
        return ID;
    }

    @Override
    public QuantizeKernels epilogue() {
        return EPILOGUE;
    }

    @Override
    public int rowTile() {
        return 1;
    }

    @Override
    public PackedB packB(byte[] b, int offset, int k, int n, boolean unsigned, boolean transposed) {
        byte[] canonical = PackedB.canonical(b, offset, k, n, unsigned, transposed);
        int[] data = new int[k * n];
        for (int i = 0; i < data.length; i++) {
            data[i] = canonical[i];
        }
        return PackedB.eightBit(ID, k, n, data, null, null, canonical);
    }

    @Override
    public void resetA(int m, int k, boolean rowSums, PreparedA out) {
        out.reset(m, k, rowSums);
        out.ints(m * k);
    }

    @Override
    public void prepareRows(int i0, int i1, byte[] a, int aOffset, int lda, boolean unsigned, PreparedA out) {
        int k = out.depth();
        int[] p = out.ints(out.rows() * k);
        int[] sums = out.rowSums();
        int flip = unsigned ? 0x80 : 0;
        for (int i = i0; i < i1; i++) {
            int sum = 0;
            for (int q = 0; q < k; q++) {
                int v = (byte) (a[aOffset + i * lda + q] ^ flip);
                p[i * k + q] = v;
                sum += v;
            }
            if (sums != null) {
                sums[i] = sum;
            }
        }
    }

    @Override
    public PackedB packWideB(int[] b, int k, int n) {
        int[] sums = new int[n];
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                sums[j] += b[p * n + j];
            }
        }
        return new PackedB(ID, k, n, b.clone(), null, null, sums, null);
    }

    @Override
    public void prepareRows(int i0, int i1, float[] a, int aOffset, int lda, PreparedA out) {
        int k = out.depth();
        int[] p = out.ints(out.rows() * k);
        for (int i = i0; i < i1; i++) {
            for (int q = 0; q < k; q++) {
                p[i * k + q] = (int) a[aOffset + i * lda + q];
            }
        }
    }

    /** Int sums are exact (wrapping as the contract allows) whatever the flush interval. */
    @Override
    public void multiply(PreparedA a, int m0, int m1, PackedB b, int n0, int n1, int[] c, int cOffset, int ldc,
                         int flush) {
        b.requireLayout(ID);
        int m = a.rows(), k = b.k(), n = b.n();
        int[] pa = a.ints(m * k);
        int[] bd = b.ints();
        // Row by row, each row of B added in turn (int sums wrap alike in any order): the inner loop runs along a
        // row of B and of C, which C2 vectorizes, where a dot product down a column of B missed the cache.
        for (int i = m0; i < m1; i++) {
            int row = cOffset + i * ldc;
            java.util.Arrays.fill(c, row + n0, row + n1, 0);
            for (int p = 0; p < k; p++) {
                int av = pa[i * k + p];
                int bRow = p * n;
                for (int j = n0; j < n1; j++) {
                    c[row + j] += av * bd[bRow + j];
                }
            }
        }
    }
}
