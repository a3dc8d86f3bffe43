package dev.octet.kernel;

/**
 * The im2col / col2im rearrangements that turn an N-D convolution into a GEMM, for any spatial rank.
 *
 * <p>The column matrix has one row per (channel, kernel tap), channel-major with taps in row-major kernel
 * order, and one column per output position in row-major order. Input position along spatial dim d for
 * output o and tap t is {@code o*stride[d] - padBegin[d] + t*dilation[d]}; taps outside the image read as
 * zero (im2col) or are dropped (col2im).
 */
public final class FloatConv {
    private FloatConv() {}

    /** Fills {@code col} (channels*prod(kernel) x prod(out), at colOff) from the image at imgOff. */
    public static void im2col(float[] img, int imgOff, int channels, int[] in, int[] kernel, int[] strides,
                              int[] dilations, int[] padBegin, int[] out, float[] col, int colOff) {
        transfer(false, img, imgOff, channels, in, kernel, strides, dilations, padBegin, out, col, colOff);
    }

    /** Adds every column entry into the image position it was gathered from (the adjoint of im2col). */
    public static void col2im(float[] col, int colOff, int channels, int[] in, int[] kernel, int[] strides,
                              int[] dilations, int[] padBegin, int[] out, float[] img, int imgOff) {
        transfer(true, img, imgOff, channels, in, kernel, strides, dilations, padBegin, out, col, colOff);
    }

    private static void transfer(boolean scatter, float[] img, int imgOff, int channels, int[] in, int[] kernel,
                                 int[] strides, int[] dilations, int[] padBegin, int[] out, float[] col, int colOff) {
        int r = in.length;
        int last = r - 1;
        int inSize = product(in);
        int outSize = product(out);
        int kSize = product(kernel);
        if (outSize == 0 || kSize == 0) {
            return;
        }
        int outLast = out[last];
        int outOuter = outSize / outLast;
        int inLast = in[last];
        int sLast = strides[last];
        int[] tap = new int[r];
        int[] pos = new int[r];
        int p = colOff;
        for (int c = 0; c < channels; c++) {
            int plane = imgOff + c * inSize;
            for (int t = 0; t < kSize; t++) {
                java.util.Arrays.fill(pos, 0);
                int firstLast = tap[last] * dilations[last] - padBegin[last];
                for (int q = 0; q < outOuter; q++) {
                    // Row offset (in units of the last dim) of the leading dims, or -1 when outside the image.
                    int row = 0;
                    for (int d = 0; d < last; d++) {
                        int id = pos[d] * strides[d] - padBegin[d] + tap[d] * dilations[d];
                        if (id < 0 || id >= in[d]) {
                            row = -1;
                            break;
                        }
                        row = row * in[d] + id;
                    }
                    if (row < 0) {
                        if (!scatter) {
                            java.util.Arrays.fill(col, p, p + outLast, 0f);
                        }
                        p += outLast;
                    } else {
                        int base = plane + row * inLast;
                        for (int o = 0, ix = firstLast; o < outLast; o++, ix += sLast, p++) {
                            boolean inside = ix >= 0 && ix < inLast;
                            if (scatter) {
                                if (inside) {
                                    img[base + ix] += col[p];
                                }
                            } else {
                                col[p] = inside ? img[base + ix] : 0f;
                            }
                        }
                    }
                    increment(pos, out, last);
                }
                increment(tap, kernel, r);
            }
        }
    }

    /** Advances a row-major counter over the first {@code n} dims of {@code limits}, wrapping to zero. */
    static void increment(int[] counter, int[] limits, int n) {
        for (int d = n - 1; d >= 0; d--) {
            if (++counter[d] < limits[d]) {
                return;
            }
            counter[d] = 0;
        }
    }

    static int product(int[] v) {
        int n = 1;
        for (int x : v) {
            n *= x;
        }
        return n;
    }
}
