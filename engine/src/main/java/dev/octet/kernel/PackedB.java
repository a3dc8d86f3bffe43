package dev.octet.kernel;

/**
 * The constant right-hand operand of an int8 GEMM (K x N), packed once at load by the kernel that will
 * read it. Values are canonical signed 8-bit (unsigned inputs were shifted by -128, and their zero point
 * with them), or wider integers for {@link QGemmKernel#packWideB}. {@code ints}, {@code floats} or {@code bytes} hold the kernel's own layout (and only it: the
 * weights are not kept twice; 8-bit weights kept as bytes take a quarter of the memory); {@code columnSums[j]} is the sum over k of column j's canonical values, which the epilogue needs
 * to apply the activation zero point.
 *
 * @param layout the id of the kernel that packed it, checked when multiplying
 * @param columnAbsSums per column, the sum over k of its canonical values' magnitudes: with 8-bit A (|a| <= 128) it
 *     bounds every partial sum of the column, which tells a float kernel how many products stay exact; null for
 *     {@link QGemmKernel#packWideB}
 */
public record PackedB(String layout, int k, int n, int[] ints, float[] floats, byte[] bytes, int[] columnSums,
                      int[] columnAbsSums) {

    /** Fails fast when B was packed for another kernel. */
    public void requireLayout(String id) {
        if (!layout.equals(id)) {
            throw new IllegalArgumentException("B was packed by " + layout + ", not " + id);
        }
    }

    /**
     * B packed from canonical 8-bit K x N values into the kernel's {@code ints}, {@code floats} or {@code bytes}: its
     * column sums and the sums of their magnitudes, in one pass over the weights (packing runs at load, mostly before
     * the JIT has compiled it).
     */
    public static PackedB eightBit(String layout, int k, int n, int[] ints, float[] floats, byte[] bytes,
                                   byte[] canonical) {
        int[] sums = new int[n];
        int[] absSums = new int[n];
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                int v = canonical[p * n + j];
                sums[j] += v;
                absSums[j] += Math.abs(v);
            }
        }
        return new PackedB(layout, k, n, ints, floats, bytes, sums, absSums);
    }

    /** B as canonical signed values, K x N row-major, from K x N or (transposed) N x K input. */
    public static byte[] canonical(byte[] b, int offset, int k, int n, boolean unsigned, boolean transposed) {
        byte[] r = new byte[k * n];
        if (!unsigned && !transposed) {
            // Signed K x N is already canonical: a copy (MiniLM's 10.6 M GEMM weights are packed at load, before C2 has
            // compiled the loop below; a B shorter than K x N fails here as it does there).
            System.arraycopy(b, offset, r, 0, r.length);
            return r;
        }
        int flip = unsigned ? 0x80 : 0;
        if (transposed) {
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < n; j++) {
                    r[p * n + j] = (byte) (b[offset + j * k + p] ^ flip);
                }
            }
        } else {
            for (int i = 0; i < r.length; i++) {
                r[i] = (byte) (b[offset + i] ^ flip);
            }
        }
        return r;
    }
}
