package dev.octet.kernel;

/**
 * The sums of a convolution read straight from a float image of integer values (see {@link DirectConv}): no im2col
 * rows, no prepared A. Output i's window is {@code runs.length} runs of {@code run} consecutive floats, run t at
 * {@code image[base + i * step + runs[t]]}; weights are integers as floats, each run padded with zeros to a multiple
 * of {@link #RUN_ALIGN} ({@link #paddedRun}). Implementations may read a padded run's tail from the image (the
 * caller leaves {@link #RUN_ALIGN} finite floats of room after the last run it asks for) and sum in any order: the
 * caller keeps every product and partial sum an integer below 2^24 in magnitude, so float sums are exact and every
 * implementation gives {@link dev.octet.kernel.scalar.ScalarDirectConvKernels}'s ints.
 */
public interface DirectConvKernels {
    /** Run padding of the weights: the widest vector's float lanes, so one layout serves every width. */
    int RUN_ALIGN = 16;

    /** A run of {@code run} floats padded to a multiple of {@link #RUN_ALIGN}. */
    static int paddedRun(int run) {
        return (run + RUN_ALIGN - 1) / RUN_ALIGN * RUN_ALIGN;
    }

    /**
     * Dot products, for few output channels: {@code sums[sumsOff + i * n + j] = sum over t < runs.length, q < run of
     * image[base + i * step + runs[t] + q] * w[(j * runs.length + t) * paddedRun(run) + q]} for outputs i < count and
     * channels j < n.
     */
    void dots(float[] image, int base, int step, int[] runs, int run, int count, float[] w, int n, int[] sums,
              int sumsOff);

    /**
     * Outer products, for few input values per window and many output channels: {@code sums[sumsOff + i * n + j] =
     * sum over p of image[base + i * step + values[p]] * w[p * paddedRun(n) + j]}, the window's values one by one
     * (each tap's run of channels listed value by value) and the weights channel-minor, the channels padded.
     */
    void outer(float[] image, int base, int step, int[] values, int count, float[] w, int n, int[] sums, int sumsOff);
}
