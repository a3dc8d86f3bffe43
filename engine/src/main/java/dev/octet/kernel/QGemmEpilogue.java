package dev.octet.kernel;

/**
 * Turns canonical int32 dot products into an operator's output. With A' = A - sa and B' = B - sb the
 * canonical (shifted) operands and za, zb the zero points shifted the same way,
 * {@code sum (A - za)(B - zb) = dot - za * colSum[j] - zb[j] * rowSum[i] + K * za * zb[j]}.
 * The column terms are folded once per call into {@link #columnTerms}; the row term is only needed when a
 * weight zero point is non-zero ({@link #needsRowSums}).
 */
public final class QGemmEpilogue {
    private QGemmEpilogue() {}

    /**
     * Per-column additive terms: {@code bias[j] - za * colSum[j] + K * za * zb[j]} (bias may be null, zb
     * length 1 or n). Wraps in int32 like the accumulation.
     */
    public static int[] columnTerms(PackedB b, int za, int[] zb, int[] bias) {
        int n = b.n();
        int[] t = new int[n];
        int[] colSums = b.columnSums();
        for (int j = 0; j < n; j++) {
            int zbj = zb.length == 1 ? zb[0] : zb[j];
            t[j] = (bias == null ? 0 : bias[j]) - za * colSums[j] + b.k() * za * zbj;
        }
        return t;
    }

    /** True when some weight zero point is non-zero, so row sums of A are needed. */
    public static boolean needsRowSums(int[] zb) {
        for (int z : zb) {
            if (z != 0) {
                return true;
            }
        }
        return false;
    }
}
