package dev.octet.kernel.scalar;

import dev.octet.kernel.PoolKernels;

/** The reference pooling loops, for any rank: the oracle of the vector pooling kernels. */
public final class ScalarPoolKernels implements PoolKernels {
    @Override
    public void maxPool(float[] x, int planes, int[] in, int[] out, int[] kernel, int[] strides, int[] dilations,
                        int[] pads, float[] y, long[] indices, boolean columnMajor) {
        int inSize = product(in);
        int outSize = product(out);
        forEachOutput(in, out, kernel, strides, dilations, pads, (o, pos, n, w) -> {
            for (int plane = 0; plane < planes; plane++) {
                int base = plane * inSize;
                float best = Float.NEGATIVE_INFINITY;
                int bestTap = -1;
                for (int i = 0; i < n; i++) {
                    if (bestTap < 0 || x[base + w.offsets[i]] > best) {
                        best = x[base + w.offsets[i]];
                        bestTap = i;
                    }
                }
                int yi = plane * outSize + o;
                y[yi] = best;
                if (indices != null) {
                    indices[yi] = bestTap < 0 ? -1
                        : (long) base + (columnMajor ? w.columnOffsets[bestTap] : w.offsets[bestTap]);
                }
            }
        });
    }

    @Override
    public void averagePool(float[] x, int planes, int[] in, int[] out, int[] kernel, int[] strides, int[] dilations,
                            int[] pads, boolean countIncludePad, float[] y) {
        int inSize = product(in);
        int outSize = product(out);
        forEachOutput(in, out, kernel, strides, dilations, pads, (o, pos, n, w) -> {
            long divisor = countIncludePad ? w.paddedTaps(pos) : n;
            for (int plane = 0; plane < planes; plane++) {
                int base = plane * inSize;
                float s = 0;
                for (int i = 0; i < n; i++) {
                    s += x[base + w.offsets[i]];
                }
                y[plane * outSize + o] = divisor == 0 ? Float.NaN : s / divisor;
            }
        });
    }

    @Override
    public void maxPool(byte[] x, boolean unsigned, int planes, int[] in, int[] out, int[] kernel, int[] strides,
                        int[] dilations, int[] pads, byte[] y) {
        int inSize = product(in);
        int outSize = product(out);
        int mask = unsigned ? 0xFF : -1;
        forEachOutput(in, out, kernel, strides, dilations, pads, (o, pos, n, w) -> {
            for (int plane = 0; plane < planes; plane++) {
                int base = plane * inSize;
                // A window all in padding gives the smallest code (the float path's -inf, quantized).
                int best = unsigned ? 0 : Byte.MIN_VALUE;
                for (int i = 0; i < n; i++) {
                    int v = x[base + w.offsets[i]] & mask;
                    if (i == 0 || v > best) {
                        best = v;
                    }
                }
                y[plane * outSize + o] = (byte) best;
            }
        });
    }

    /** What a pool computes for output o (at spatial position pos) from the n taps of its window inside the input. */
    private interface OutputWindow {
        void pool(int o, int[] pos, int n, Window w);
    }

    /** Visits the outputs in row-major order with their windows' taps inside the input. */
    private static void forEachOutput(int[] in, int[] out, int[] kernel, int[] strides, int[] dilations, int[] pads,
                                      OutputWindow body) {
        Window w = new Window(in, kernel, strides, dilations, pads);
        int[] pos = new int[in.length];
        int outSize = product(out);
        for (int o = 0; o < outSize; o++) {
            body.pool(o, pos, w.taps(pos), w);
            increment(pos, out, in.length);
        }
    }

    /**
     * The taps of one output's window that lie inside the input, in row-major tap order: only those are visited,
     * so a huge kernel or padding costs nothing beyond the input (arithmetic in long: attributes may be near 2^31).
     */
    private static final class Window {
        private final int[] in;
        private final int[] kernel;
        private final int[] strides;
        private final int[] dilations;
        private final int[] pads;
        private final int[] lo;
        private final int[] hi;
        private final int[] tap;
        /** Row-major and column-major input offsets (within a plane) of the taps found by {@link #taps}. */
        final int[] offsets;
        final int[] columnOffsets;

        Window(int[] in, int[] kernel, int[] strides, int[] dilations, int[] pads) {
            this.in = in;
            this.kernel = kernel;
            this.strides = strides;
            this.dilations = dilations;
            this.pads = pads;
            int r = in.length;
            lo = new int[r];
            hi = new int[r];
            tap = new int[r];
            // Distinct taps read distinct elements, so a window holds at most one plane's worth.
            long most = 1;
            for (int d = 0; d < r; d++) {
                most *= Math.min(kernel[d], in[d]);
            }
            offsets = new int[(int) most];
            columnOffsets = new int[(int) most];
        }

        private long start(int[] pos, int d) {
            return (long) pos[d] * strides[d] - pads[d];
        }

        /** Finds the window's taps inside the input for output position pos; returns their count. */
        int taps(int[] pos) {
            int r = in.length;
            for (int d = 0; d < r; d++) {
                long start = start(pos, d);
                long first = start >= 0 ? 0 : (-start + dilations[d] - 1) / dilations[d];
                long last = in[d] - 1 - start < 0 ? -1 : (in[d] - 1 - start) / dilations[d];
                lo[d] = (int) Math.min(first, kernel[d]);
                hi[d] = (int) Math.min(last + 1, kernel[d]);
                if (hi[d] <= lo[d]) {
                    return 0;
                }
            }
            System.arraycopy(lo, 0, tap, 0, r);
            int n = 0;
            while (true) {
                int off = 0;
                int col = 0;
                for (int d = 0, colStride = 1; d < r; d++) {
                    int id = (int) (start(pos, d) + (long) tap[d] * dilations[d]);
                    off = off * in[d] + id;
                    col += id * colStride;
                    colStride *= in[d];
                }
                offsets[n] = off;
                columnOffsets[n] = col;
                n++;
                int d = r - 1;
                while (d >= 0 && ++tap[d] >= hi[d]) {
                    tap[d] = lo[d];
                    d--;
                }
                if (d < 0) {
                    return n;
                }
            }
        }

        /** The number of the window's taps inside the explicitly padded input (taps past the end padding excluded). */
        long paddedTaps(int[] pos) {
            long count = 1;
            for (int d = 0; d < in.length; d++) {
                // A window starts at or after -padBegin, so only its end can leave the padded input.
                long last = Math.floorDiv(in[d] - 1 + (long) pads[d + in.length] - start(pos, d), dilations[d]);
                count *= Math.max(0, Math.min(last + 1, kernel[d]));
            }
            return count;
        }
    }

    @Override
    public void planeSums(byte[] x, int xOff, int planes, int size, boolean unsigned, int[] sums, int sumsOff) {
        int mask = unsigned ? 0xFF : -1;
        for (int p = 0; p < planes; p++) {
            int sum = 0;
            for (int i = xOff + p * size, e = i + size; i < e; i++) {
                sum += x[i] & mask;
            }
            sums[sumsOff + p] = sum;
        }
    }

    @Override
    public void maxPoolChannelsLast(float[] x, int batch, int channels, int[] in, int[] out, int[] kernel,
                                    int[] strides, int[] dilations, int[] pads, float[] y) {
        int h = in[0], w = in[1], oh = out[0], ow = out[1];
        if (channels == 0) {
            return; // no elements, however many pixels
        }
        for (int b = 0; b < batch; b++) {
            for (int oy = 0; oy < oh; oy++) {
                int iy0 = oy * strides[0] - pads[0];
                int kyHi = tapsBefore(h, iy0, kernel[0], dilations[0]);
                for (int ox = 0; ox < ow; ox++) {
                    int ix0 = ox * strides[1] - pads[1];
                    int kxLo = firstTap(ix0, dilations[1]);
                    int kxHi = tapsBefore(w, ix0, kernel[1], dilations[1]);
                    int dst = ((b * oh + oy) * ow + ox) * channels;
                    boolean first = true;
                    for (int ky = firstTap(iy0, dilations[0]); ky < kyHi; ky++) {
                        for (int kx = kxLo; kx < kxHi; kx++) {
                            int src = ((b * h + iy0 + ky * dilations[0]) * w + ix0 + kx * dilations[1]) * channels;
                            for (int c = 0; c < channels; c++) {
                                float v = x[src + c];
                                if (first || v > y[dst + c]) {
                                    y[dst + c] = v;
                                }
                            }
                            first = false;
                        }
                    }
                    if (first) {
                        java.util.Arrays.fill(y, dst, dst + channels, Float.NEGATIVE_INFINITY);
                    }
                }
            }
        }
    }

    @Override
    public void bilinearChannelsLast(float[] x, int h, int w, int channels, int[] y1, int[] y2,
                                     float[] dy1, float[] dy2, int[] x1, int[] x2, float[] dx1, float[] dx2,
                                     float[] y, int row0, int row1) {
        int oh = y1.length, ow = x1.length;
        for (int row = row0; row < row1; row++) {
            int b = row / oh, i = row % oh;
            int top = (b * h + y1[i]) * w, bottom = (b * h + y2[i]) * w;
            for (int j = 0; j < ow; j++) {
                float c11 = dx2[j] * dy2[i], c21 = dx1[j] * dy2[i], c12 = dx2[j] * dy1[i], c22 = dx1[j] * dy1[i];
                int o11 = (top + x1[j]) * channels, o21 = (top + x2[j]) * channels;
                int o12 = (bottom + x1[j]) * channels, o22 = (bottom + x2[j]) * channels;
                int k = (row * ow + j) * channels;
                for (int c = 0; c < channels; c++) {
                    y[k + c] = c11 * x[o11 + c] + c21 * x[o21 + c] + c12 * x[o12 + c] + c22 * x[o22 + c];
                }
            }
        }
    }

    /** The first tap t of a window starting at input position i0 with i0 + t * dilation >= 0. */
    public static int firstTap(int i0, int dilation) {
        return i0 >= 0 ? 0 : (-i0 + dilation - 1) / dilation;
    }

    /** One past the last tap t < taps with i0 + t * dilation < size (0 when none is). */
    public static int tapsBefore(int size, int i0, int taps, int dilation) {
        return size - i0 <= 0 ? 0 : Math.min(taps, (size - i0 + dilation - 1) / dilation);
    }

    @Override
    public void pixelSums(byte[] x, int xOff, int pixels, int channels, boolean unsigned, int[] sums, int sumsOff) {
        int mask = unsigned ? 0xFF : -1;
        for (int c = 0; c < channels; c++) {
            int sum = 0;
            for (int i = 0, at = xOff + c; i < pixels; i++, at += channels) {
                sum += x[at] & mask;
            }
            sums[sumsOff + c] = sum;
        }
    }

    /** Counts in row-major order: the last dim fastest, wrapping at {@code limits}. */
    private static void increment(int[] counter, int[] limits, int n) {
        for (int d = n - 1; d >= 0; d--) {
            if (++counter[d] < limits[d]) {
                return;
            }
            counter[d] = 0;
        }
    }

    private static int product(int[] v) {
        int p = 1;
        for (int x : v) {
            p *= x;
        }
        return p;
    }
}
