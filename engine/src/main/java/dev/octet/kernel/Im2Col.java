package dev.octet.kernel;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

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
     * Entries of a tap table, refused (RESOURCE_LIMIT) past what one array or the heap holds: a large kernel over a
     * large padded image is a valid convolution whose table would not fit. An index table, not a tensor: the
     * session's tensor limit does not apply (it is kernel-size times larger than the output).
     */
    private static int tableSize(int outSize, int kSize) {
        long entries = (long) outSize * kSize;
        if (entries > Tensor.HEAP_ELEMENTS) {
            throw new OctetException(ErrorCode.RESOURCE_LIMIT, "the im2col tap table of " + outSize
                + " output positions x " + kSize + " kernel taps has " + entries + " entries, more than "
                + (entries > Tensor.MAX_ELEMENTS ? "a Java array holds" : "the heap holds"));
        }
        return (int) entries;
    }

    private static void unravel(int flat, int[] dims, int[] idx) {
        for (int d = dims.length - 1; d >= 0; d--) {
            idx[d] = flat % dims[d];
            flat /= dims[d];
        }
    }

    /**
     * Fills rows [o0, o1) of {@code rows} ([outSize][kSize * channels], row o at {@code (o - o0) * k}) from
     * pixels of {@code pixelStride} bytes starting at {@code xOffset} (the group's first channel). Consecutive taps
     * that read consecutive pixels of a dense tensor (one group: a kernel row inside the image, without dilation) are
     * one copy, as are consecutive taps in padding: a 3-channel 3x3 window is three 9-byte copies, not nine of 3.
     */
    public static void rows(byte[] x, int xOffset, int pixelStride, int channels, int[] taps, int o0, int o1, int kSize,
                            byte pad, byte[] rows) {
        int k = channels * kSize;
        boolean dense = pixelStride == channels;
        for (int o = o0; o < o1; o++) {
            int dst = (o - o0) * k;
            int tap = o * kSize;
            int end = tap + kSize;
            while (tap < end) {
                int pixel = taps[tap];
                int run = 1;
                if (pixel < 0) {
                    while (tap + run < end && taps[tap + run] < 0) {
                        run++;
                    }
                    java.util.Arrays.fill(rows, dst, dst + run * channels, pad);
                } else {
                    while (dense && tap + run < end && taps[tap + run] == pixel + run) {
                        run++;
                    }
                    copy(x, xOffset + pixel * pixelStride, rows, dst, run * channels);
                }
                tap += run;
                dst += run * channels;
            }
        }
    }

    /**
     * {@link #rows} for a 1-D or 2-D window (1-D as one input row: inH = kh = 1), computed from the geometry without
     * a tap table: a kernel row is the padding before the input, one run of input pixels (one copy when the tensor
     * is dense and undilated) and the padding after it. A window inside the input is kh copies.
     */
    public static void rows2d(byte[] x, int xOffset, int pixelStride, int channels, int inH, int inW, int outW,
                              int kh, int kw, int sh, int sw, int dh, int dw, int padTop, int padLeft, int o0, int o1,
                              byte pad, byte[] rows) {
        if (o0 >= o1) {
            return; // no output position (an empty output has outW = 0)
        }
        int rowBytes = kw * channels;
        boolean contiguous = dw == 1 && pixelStride == channels;
        int oy = o0 / outW, ox = o0 % outW;
        int dst = 0;
        for (int o = o0; o < o1; o++) {
            int iy0 = oy * sh - padTop;
            int ix0 = ox * sw - padLeft;
            if (++ox == outW) {
                ox = 0;
                oy++;
            }
            // Taps [kxLo, kxHi) of a kernel row fall inside the input.
            int kxLo = ix0 >= 0 ? 0 : Math.min(kw, (-ix0 + dw - 1) / dw);
            int kxHi = ix0 >= inW ? kxLo : Math.max(kxLo, Math.min(kw, (inW - ix0 + dw - 1) / dw));
            if (contiguous && kxLo == 0 && kxHi == kw && iy0 >= 0 && iy0 + (kh - 1) * dh < inH) {
                int from = xOffset + (iy0 * inW + ix0) * pixelStride;
                for (int ky = 0; ky < kh; ky++, dst += rowBytes) {
                    copy(x, from + ky * dh * inW * pixelStride, rows, dst, rowBytes);
                }
                continue;
            }
            for (int ky = 0; ky < kh; ky++, dst += rowBytes) {
                int iy = iy0 + ky * dh;
                if (iy < 0 || iy >= inH) {
                    java.util.Arrays.fill(rows, dst, dst + rowBytes, pad);
                    continue;
                }
                java.util.Arrays.fill(rows, dst, dst + kxLo * channels, pad);
                int from = xOffset + (iy * inW + ix0 + kxLo * dw) * pixelStride;
                if (contiguous) {
                    copy(x, from, rows, dst + kxLo * channels, (kxHi - kxLo) * channels);
                } else {
                    for (int kx = kxLo; kx < kxHi; kx++) {
                        copy(x, from + (kx - kxLo) * dw * pixelStride, rows, dst + kx * channels, channels);
                    }
                }
                java.util.Arrays.fill(rows, dst + kxHi * channels, dst + rowBytes, pad);
            }
        }
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * A call to arraycopy costs more than a few byte moves, and a byte loop of 9 (a 3-channel 3x3 kernel row) more
     * than two overlapping 8-byte moves.
     */
    private static void copy(byte[] src, int from, byte[] dst, int to, int n) {
        if (n >= 8 && n <= 16) {
            long head = (long) LONGS.get(src, from);
            long tail = (long) LONGS.get(src, from + n - 8);
            LONGS.set(dst, to, head);
            LONGS.set(dst, to + n - 8, tail);
        } else if (n < 8) {
            for (int i = 0; i < n; i++) {
                dst[to + i] = src[from + i];
            }
        } else {
            System.arraycopy(src, from, dst, to, n);
        }
    }
}
