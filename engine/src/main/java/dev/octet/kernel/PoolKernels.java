package dev.octet.kernel;

/**
 * N-D max and average pooling over {@code planes} contiguous row-major planes (batch x channels) of
 * spatial shape {@code in}. Window tap t along dim d of output o reads input {@code o*s - padBegin + t*dil};
 * {@code pads} is [begin..., end...].
 */
public final class PoolKernels {
    private PoolKernels() {}

    /**
     * Max pooling. When {@code indices} is not null it receives, per output, the flat index of the chosen
     * element in the whole input (plane offset included), spatial part row-major or, with
     * {@code columnMajor}, column-major. A window holding no input element yields -inf and index -1.
     */
    public static void maxPool(float[] x, int planes, int[] in, int[] out, int[] kernel, int[] strides,
                               int[] dilations, int[] pads, float[] y, long[] indices, boolean columnMajor) {
        int r = in.length;
        int inSize = FloatConv.product(in);
        int outSize = FloatConv.product(out);
        int kSize = FloatConv.product(kernel);
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
                    FloatConv.increment(tap, kernel, r);
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
                FloatConv.increment(pos, out, r);
            }
        }
    }

    /**
     * Average pooling. The divisor counts the window taps inside the input or, with
     * {@code countIncludePad}, inside the explicitly padded input (taps past the end padding, which only
     * ceil_mode creates, never count).
     */
    public static void averagePool(float[] x, int planes, int[] in, int[] out, int[] kernel, int[] strides,
                                   int[] dilations, int[] pads, boolean countIncludePad, float[] y) {
        int r = in.length;
        int inSize = FloatConv.product(in);
        int outSize = FloatConv.product(out);
        int kSize = FloatConv.product(kernel);
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
                FloatConv.increment(tap, kernel, r);
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
            FloatConv.increment(pos, out, r);
        }
    }
}
