package dev.octet.kernel;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;

/**
 * Lowers an N-D convolution window to GEMM rows for one image and one group of a channels-last (NHWC) int8
 * tensor: row {@code o} (an output position) holds, for every kernel tap, the group's input channels under
 * that tap (a contiguous run of the input pixel), or {@code pad} (the input zero point) where the tap falls
 * into padding. Row layout: tap-major, channels inner ({@code t * channels + ic}), matching weights repacked
 * to [oc][tap][ic] ({@link QConvNhwc#packGroups}).
 */
public final class Im2Col {
    private Im2Col() {}

    /** For every (output position, kernel tap), the input pixel index, or -1 for padding. */
    public static int[] tapOffsets(int[] inSpatial, int[] kernel, int[] strides, int[] dilations, int[] pads,
                                   int[] outSpatial) {
        int r = inSpatial.length;
        int outSize = 1, kSize = 1;
        for (int i = 0; i < r; i++) {
            outSize *= outSpatial[i];
            kSize *= kernel[i];
        }
        int[] taps = new int[tableSize(outSize, kSize)];
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

    /**
     * Entries of a tap table, refused (RESOURCE_LIMIT) past what one array or the session's tensor limit holds: a
     * large kernel over a large padded image is a valid convolution whose table would not fit.
     */
    private static int tableSize(int outSize, int kSize) {
        long entries = (long) outSize * kSize;
        String what = "the im2col tap table of " + outSize + " output positions x " + kSize + " kernel taps";
        if (entries > Tensor.MAX_ELEMENTS) {
            throw new OctetException(ErrorCode.RESOURCE_LIMIT, what + " has " + entries + " entries, more than a Java "
                + "array holds");
        }
        try {
            return Tensor.checkedSize(new int[] {outSize, kSize});
        } catch (OctetException e) {
            throw new OctetException(e.code(), what + ": " + e.getMessage());
        }
    }

    private static void unravel(int flat, int[] dims, int[] idx) {
        for (int d = dims.length - 1; d >= 0; d--) {
            idx[d] = flat % dims[d];
            flat /= dims[d];
        }
    }

    /**
     * Fills rows [o0, o1) of {@code rows} ([outSize][kSize * channels], row o at {@code (o - o0) * k}) from
     * pixels of {@code pixelStride} bytes starting at {@code xOffset} (the group's first channel).
     */
    public static void rows(byte[] x, int xOffset, int pixelStride, int channels, int[] taps, int o0, int o1, int kSize,
                            byte pad, byte[] rows) {
        int k = channels * kSize;
        for (int o = o0; o < o1; o++) {
            int dst = (o - o0) * k;
            for (int t = 0; t < kSize; t++, dst += channels) {
                int pixel = taps[o * kSize + t];
                if (pixel < 0) {
                    java.util.Arrays.fill(rows, dst, dst + channels, pad);
                } else if (channels < 16) {
                    // A call to arraycopy costs more than a few byte moves.
                    int src = xOffset + pixel * pixelStride;
                    for (int c = 0; c < channels; c++) {
                        rows[dst + c] = x[src + c];
                    }
                } else {
                    System.arraycopy(x, xOffset + pixel * pixelStride, rows, dst, channels);
                }
            }
        }
    }
}
