package dev.octet.kernel.scalar;

import dev.octet.kernel.DirectConvKernels;

/** The reference direct-convolution sums: dots as one float sum per output, outer products as int sums of exact products. */
public final class ScalarDirectConvKernels implements DirectConvKernels {
    @Override
    public void dots(float[] image, int base, int step, int[] runs, int run, int count, float[] w, int n, int[] sums,
                     int sumsOff) {
        int padded = DirectConvKernels.paddedRun(run);
        for (int i = 0; i < count; i++) {
            int pixel = base + i * step;
            for (int j = 0; j < n; j++) {
                float s = 0;
                for (int t = 0; t < runs.length; t++) {
                    int a = pixel + runs[t];
                    int b = (j * runs.length + t) * padded;
                    for (int q = 0; q < run; q++) {
                        s += image[a + q] * w[b + q];
                    }
                }
                sums[sumsOff + i * n + j] = (int) s;
            }
        }
    }

    @Override
    public void outer(float[] image, int base, int step, int[] values, int count, float[] w, int n, int[] sums,
                      int sumsOff) {
        int padded = DirectConvKernels.paddedRun(n);
        for (int i = 0; i < count; i++) {
            int pixel = base + i * step;
            int row = sumsOff + i * n;
            java.util.Arrays.fill(sums, row, row + n, 0);
            // Channel-minor weights: a window value times a row of them, added in int (each product is exact).
            for (int p = 0; p < values.length; p++) {
                float a = image[pixel + values[p]];
                int b = p * padded;
                for (int j = 0; j < n; j++) {
                    sums[row + j] += (int) (a * w[b + j]);
                }
            }
        }
    }
}
