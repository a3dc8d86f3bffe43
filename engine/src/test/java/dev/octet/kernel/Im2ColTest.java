package dev.octet.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Im2Col#rows}, which merges taps into runs, and {@link Im2Col#rows2d}, which needs no tap table, against the
 * definition: every (output position, tap) copies the group's channels of its input pixel, or the pad byte where
 * the tap falls into padding.
 */
class Im2ColTest {
    private static byte[] byDefinition(byte[] x, int xOffset, int pixelStride, int channels, int[] taps, int o0, int o1,
                                       int kSize, byte pad) {
        byte[] r = new byte[(o1 - o0) * kSize * channels];
        for (int o = o0; o < o1; o++) {
            for (int t = 0; t < kSize; t++) {
                int pixel = taps[o * kSize + t];
                for (int c = 0; c < channels; c++) {
                    r[((o - o0) * kSize + t) * channels + c] = pixel < 0 ? pad : x[xOffset + pixel * pixelStride + c];
                }
            }
        }
        return r;
    }

    @Test
    void rowsEqualTheDefinitionOverRandomWindows() {
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 1000; trial++) {
            int rank = 1 + random.nextInt(3);
            int[] in = new int[rank], kernel = new int[rank], strides = new int[rank], dilations = new int[rank];
            int[] pads = new int[2 * rank], out = new int[rank];
            for (int d = 0; d < rank; d++) {
                in[d] = 1 + random.nextInt(rank == 3 ? 5 : 9);
                kernel[d] = 1 + random.nextInt(4);
                strides[d] = 1 + random.nextInt(2);
                dilations[d] = 1 + random.nextInt(2);
                pads[d] = random.nextInt(3);
                pads[d + rank] = random.nextInt(3);
                int span = in[d] + pads[d] + pads[d + rank] - dilations[d] * (kernel[d] - 1) - 1;
                out[d] = span < 0 ? 0 : span / strides[d] + 1;
            }
            int groups = 1 + random.nextInt(3);
            int channels = 1 + random.nextInt(20);
            int pixelStride = channels * groups;
            int pixels = 1, outSize = 1, kSize = 1;
            for (int d = 0; d < rank; d++) {
                pixels *= in[d];
                outSize *= out[d];
                kSize *= kernel[d];
            }
            byte[] x = new byte[pixels * pixelStride];
            random.nextBytes(x);
            int[] taps = Im2Col.tapOffsets(in, kernel, strides, dilations, pads, out);
            int group = random.nextInt(groups);
            int o0 = outSize == 0 ? 0 : random.nextInt(outSize);
            byte pad = (byte) random.nextInt(256);
            byte[] rows = new byte[(outSize - o0) * kSize * channels];
            Im2Col.rows(x, group * channels, pixelStride, channels, taps, o0, outSize, kSize, pad, rows);
            byte[] expected = byDefinition(x, group * channels, pixelStride, channels, taps, o0, outSize, kSize, pad);
            assertArrayEquals(expected, rows, "trial " + trial);
            if (rank <= 2) {
                boolean twoD = rank == 2;
                java.util.Arrays.fill(rows, (byte) ~pad);
                Im2Col.rows2d(x, group * channels, pixelStride, channels, twoD ? in[0] : 1, in[rank - 1],
                    out[rank - 1], twoD ? kernel[0] : 1, kernel[rank - 1], twoD ? strides[0] : 1, strides[rank - 1],
                    twoD ? dilations[0] : 1, dilations[rank - 1], twoD ? pads[0] : 0, pads[rank - 1], o0, outSize, pad,
                    rows);
                assertArrayEquals(expected, rows, "rows2d, trial " + trial);
            }
        }
    }
}
