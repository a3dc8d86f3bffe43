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
     * Per-column additive terms: {@code bias[j] - za * colSum[j] + K * za * zb[j]} (bias may be null; the first zbLength
     * of zb are used, 1 or n), into {@code reuse} when it is long enough. Wraps in int32 like the accumulation.
     */
    public static int[] columnTerms(PackedB b, int za, int[] zb, int zbLength, int[] bias, int[] reuse) {
        int n = b.n();
        int[] t = reuse.length >= n ? reuse : new int[n];
        int[] colSums = b.columnSums();
        for (int j = 0; j < n; j++) {
            int zbj = zbLength == 1 ? zb[0] : zb[j];
            t[j] = (bias == null ? 0 : bias[j]) - za * colSums[j] + b.k() * za * zbj;
        }
        return t;
    }

    /** True when one of the first zbLength weight zero points is non-zero, so row sums of A are needed. */
    public static boolean needsRowSums(int[] zb, int zbLength) {
        for (int j = 0; j < zbLength; j++) {
            if (zb[j] != 0) {
                return true;
            }
        }
        return false;
    }
}
