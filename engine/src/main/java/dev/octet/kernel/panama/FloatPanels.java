package dev.octet.kernel.panama;

/**
 * B panels for the float GEMMs: columns of B, {@code nr} at a time, k-major ({@code panel[p * nr + lane]}),
 * so a register tile reads each k step as whole vectors. Used for a transposed B and for the last, partial
 * panel; packing copies values and so changes no arithmetic.
 */
final class FloatPanels {
    private FloatPanels() {}

    /** Per-thread scratch, reused across calls: MatMul runs every inference step, so no garbage per call. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * Columns [from, n) of the k x n matrix op(B) in panels of nr: B(p, j) is {@code b[bOff + j*ldb + p]} when
     * transB, else {@code b[bOff + p*ldb + j]}. Lanes past n in the last panel hold stale values; the kernels
     * never store them. The array is the calling thread's scratch, valid until its next call.
     */
    static float[] pack(float[] b, int bOff, int ldb, boolean transB, int k, int from, int n, int nr) {
        int panels = (n - from + nr - 1) / nr;
        int size = panels * k * nr;
        float[] out = SCRATCH.get();
        if (out.length < size) {
            out = new float[size];
            SCRATCH.set(out);
        }
        for (int j = from; j < n; j++) {
            int at = (j - from) / nr * k * nr + (j - from) % nr;
            if (transB) {
                int row = bOff + j * ldb;
                for (int p = 0; p < k; p++) {
                    out[at + p * nr] = b[row + p];
                }
            } else {
                for (int p = 0; p < k; p++) {
                    out[at + p * nr] = b[bOff + p * ldb + j];
                }
            }
        }
        return out;
    }

    static void zero(int m, int n, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
        }
    }
}
