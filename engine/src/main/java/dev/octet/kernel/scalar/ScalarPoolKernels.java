package dev.octet.kernel.scalar;

import dev.octet.kernel.PoolKernels;

/** The reference pooling loops, for any rank: the oracle of the vector pooling kernels. */
public final class ScalarPoolKernels implements PoolKernels {
    @Override
    public void maxPool(float[] x, int planes, int[] in, int[] out, int[] kernel, int[] strides, int[] dilations,
                        int[] pads, float[] y, long[] indices, boolean columnMajor) {
        int r = in.length;
        int inSize = product(in);
        int outSize = product(out);
        int kSize = product(kernel);
        int[] colStrides = new int[r];
        for (int d = 0, s = 1; d < r; d++) {
            colStrides[d] = s;
            s *= in[d];
        }
        int[] pos = new int[r];
        int[] tap = new int[r];
        for (int plane = 0; plane < planes; plane++) {
            int base = plane * inSize;
            for (int o = 0; o < outSize; o++) {
                float best = Float.NEGATIVE_INFINITY;
                int bestOff = -1;
                int bestCol = -1;
                for (int t = 0; t < kSize; t++) {
                    int off = 0;
                    int colIndex = 0;
                    for (int d = 0; d < r; d++) {
                        int id = pos[d] * strides[d] - pads[d] + tap[d] * dilations[d];
                        if (id < 0 || id >= in[d]) {
                            off = -1;
                            break;
                        }
                        off = off * in[d] + id;
                        colIndex += id * colStrides[d];
                    }
                    increment(tap, kernel, r);
                    if (off >= 0 && (bestOff < 0 || x[base + off] > best)) {
                        best = x[base + off];
                        bestOff = off;
                        bestCol = colIndex;
                    }
                }
                int yi = plane * outSize + o;
                y[yi] = best;
                if (indices != null) {
                    indices[yi] = bestOff < 0 ? -1 : (long) base + (columnMajor ? bestCol : bestOff);
                }
                increment(pos, out, r);
            }
        }
    }

    @Override
    public void averagePool(float[] x, int planes, int[] in, int[] out, int[] kernel, int[] strides, int[] dilations,
                            int[] pads, boolean countIncludePad, float[] y) {
        int r = in.length;
        int inSize = product(in);
        int outSize = product(out);
        int kSize = product(kernel);
        int[] pos = new int[r];
        int[] tap = new int[r];
        int[] offs = new int[kSize];
        for (int o = 0; o < outSize; o++) {
            // The window layout is the same in every plane: collect its in-image offsets once.
            int n = 0;
            int padded = 0;
            for (int t = 0; t < kSize; t++) {
                int off = 0;
                boolean inPadded = true;
                for (int d = 0; d < r; d++) {
                    int id = pos[d] * strides[d] - pads[d] + tap[d] * dilations[d];
                    if (id < -pads[d] || id >= in[d] + pads[d + r]) {
                        inPadded = false;
                        off = -1;
                        break;
                    }
                    if (off >= 0) {
                        off = id < 0 || id >= in[d] ? -1 : off * in[d] + id;
                    }
                }
                increment(tap, kernel, r);
                if (inPadded) {
                    padded++;
                }
                if (off >= 0) {
                    offs[n++] = off;
                }
            }
            int divisor = countIncludePad ? padded : n;
            for (int plane = 0; plane < planes; plane++) {
                int base = plane * inSize;
                float s = 0;
                for (int i = 0; i < n; i++) {
                    s += x[base + offs[i]];
                }
                y[plane * outSize + o] = divisor == 0 ? Float.NaN : s / divisor;
            }
            increment(pos, out, r);
        }
    }
    @Override
    public void maxPool(byte[] x, boolean unsigned, int planes, int[] in, int[] out, int[] kernel, int[] strides,
                        int[] dilations, int[] pads, byte[] y) {
        int r = in.length;
        int inSize = product(in);
        int outSize = product(out);
        int kSize = product(kernel);
        int mask = unsigned ? 0xFF : -1;
        int[] pos = new int[r];
        int[] tap = new int[r];
        for (int plane = 0; plane < planes; plane++) {
            int base = plane * inSize;
            for (int o = 0; o < outSize; o++) {
                int best = 0;
                boolean any = false;
                for (int t = 0; t < kSize; t++) {
                    int off = 0;
                    for (int d = 0; d < r; d++) {
                        int id = pos[d] * strides[d] - pads[d] + tap[d] * dilations[d];
                        if (id < 0 || id >= in[d]) {
                            off = -1;
                            break;
                        }
                        off = off * in[d] + id;
                    }
                    increment(tap, kernel, r);
                    if (off >= 0) {
                        int v = x[base + off] & mask;
                        if (!any || v > best) {
                            best = v;
                            any = true;
                        }
                    }
                }
                y[plane * outSize + o] = (byte) best;
                increment(pos, out, r);
            }
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
