package dev.octet.kernel;

/**
 * Depthwise weights packed once: {@code ints[tap * channels + c]} = w - zw for channel c (taps row-major
 * over the kernel window), so one vector load reads a tap for consecutive channels. {@code sums[c]} is the
 * sum over taps, which lets a kernel fold the input zero point into one per-channel term; {@code absSums[c]} the
 * sum of their magnitudes, which bounds a window's sum. {@code floats} holds the same values as floats.
 */
public record DepthwiseWeights(int channels, int taps, int[] ints, float[] floats, int[] sums, int[] absSums) {
    /** See {@link DepthwiseKernels#pack}. */
    public static DepthwiseWeights pack(byte[] w, int offset, int channels, int taps, boolean unsigned,
                                        int[] zeroPoints) {
        int[] p = new int[taps * channels];
        float[] f = new float[taps * channels];
        int[] sums = new int[channels];
        int[] absSums = new int[channels];
        for (int c = 0; c < channels; c++) {
            int zp = zeroPoints[zeroPoints.length == 1 ? 0 : c];
            for (int t = 0; t < taps; t++) {
                byte b = w[offset + c * taps + t];
                int v = (unsigned ? b & 0xFF : b) - zp;
                p[t * channels + c] = v;
                f[t * channels + c] = v;
                sums[c] += v;
                absSums[c] += Math.abs(v);
            }
        }
        return new DepthwiseWeights(channels, taps, p, f, sums, absSums);
    }
}
