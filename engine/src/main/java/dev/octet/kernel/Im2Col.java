package dev.octet.kernel;

/**
 * Lowers an N-D convolution window to GEMM rows for one image and one group of an NCHW int8 tensor:
 * row {@code o} (an output position) holds, for every input channel of the group and every kernel tap, the
 * input byte under that tap, or {@code pad} (the input zero point) where the tap falls into padding.
 * Row layout: channel-major, taps inner ({@code ic * kSize + t}), matching OIHW weights.
 */
public final class Im2Col {
    private Im2Col() {}

    /** For every (output position, kernel tap), the input offset within a channel plane, or -1 for padding. */
    public static int[] tapOffsets(int[] inSpatial, int[] kernel, int[] strides, int[] dilations, int[] pads,
                                   int[] outSpatial) {
        int r = inSpatial.length;
        int outSize = 1, kSize = 1;
        for (int i = 0; i < r; i++) {
            outSize *= outSpatial[i];
            kSize *= kernel[i];
        }
        int[] taps = new int[outSize * kSize];
        int[] oIdx = new int[r];
        int[] kIdx = new int[r];
        for (int o = 0; o < outSize; o++) {
            unravel(o, outSpatial, oIdx);
            for (int t = 0; t < kSize; t++) {
                unravel(t, kernel, kIdx);
                int off = 0;
                boolean inside = true;
                for (int d = 0; d < r; d++) {
                    int pos = oIdx[d] * strides[d] - pads[d] + kIdx[d] * dilations[d];
                    if (pos < 0 || pos >= inSpatial[d]) {
                        inside = false;
                        break;
                    }
                    off = off * inSpatial[d] + pos;
                }
                taps[o * kSize + t] = inside ? off : -1;
            }
        }
        return taps;
    }

    private static void unravel(int flat, int[] dims, int[] idx) {
        for (int d = dims.length - 1; d >= 0; d--) {
            idx[d] = flat % dims[d];
            flat /= dims[d];
        }
    }

    /**
     * Fills {@code rows} ([outSize][channels * kSize]) from {@code channels} planes of {@code inSize} bytes
     * starting at {@code xOffset}.
     */
    public static void rows(byte[] x, int xOffset, int channels, int inSize, int[] taps, int outSize, int kSize,
                            byte pad, byte[] rows) {
        int k = channels * kSize;
        for (int o = 0; o < outSize; o++) {
            int rowBase = o * k;
            int tapBase = o * kSize;
            for (int c = 0; c < channels; c++) {
                int plane = xOffset + c * inSize;
                int dst = rowBase + c * kSize;
                for (int t = 0; t < kSize; t++) {
                    int off = taps[tapBase + t];
                    rows[dst + t] = off < 0 ? pad : x[plane + off];
                }
            }
        }
    }
}
