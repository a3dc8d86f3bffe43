package dev.octet.ops;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import java.util.Arrays;

/** Multidirectional (numpy) broadcasting, as ONNX defines it. */
public final class Broadcast {
    private Broadcast() {}

    /** The broadcast result shape of the given shapes, or an INVALID_SHAPE error. */
    public static int[] shape(int[]... shapes) {
        int rank = 0;
        for (int[] s : shapes) {
            rank = Math.max(rank, s.length);
        }
        int[] out = new int[rank];
        Arrays.fill(out, 1);
        for (int[] s : shapes) {
            for (int i = 0; i < s.length; i++) {
                int o = rank - s.length + i;
                int d = s[i];
                if (out[o] == 1) {
                    out[o] = d;
                } else if (d != 1 && d != out[o]) {
                    throw new OctetException(ErrorCode.INVALID_SHAPE, "shapes " + describe(shapes)
                        + " cannot be broadcast together");
                }
            }
        }
        return out;
    }

    private static String describe(int[][] shapes) {
        StringBuilder sb = new StringBuilder();
        for (int[] s : shapes) {
            sb.append(sb.isEmpty() ? "" : " and ").append(Arrays.toString(s));
        }
        return sb.toString();
    }

    /**
     * The output of a binary op on broadcast operands as {@code count} runs of {@code length} elements, run j
     * starting at output element {@code j * length}, in each of which an operand either walks its array from
     * {@code aStarts[j]} (or {@code bStarts[j]}) or repeats the one element there ({@code aConstant},
     * {@code bConstant}): the innermost dims over which each operand is entirely present or entirely broadcast.
     * Same shapes are one run; {@code [N, C] + [C]} is N runs of C; {@code [N, C, H, W] + [1, C, 1, 1]} is
     * N * C runs of H * W with b constant; a scalar operand is constant in one run.
     */
    public record Runs(int count, int length, boolean aConstant, boolean bConstant, int[] aStarts, int[] bStarts) {}

    /** The starts of one run at element 0; shared, never written. */
    private static final int[] FIRST = {0};

    /** The runs of {@code a op b} for {@code outShape = shape(aShape, bShape)}. */
    public static Runs runs(int[] aShape, int[] bShape, int[] outShape) {
        if (Arrays.equals(aShape, bShape) && Arrays.equals(aShape, outShape)) {
            // The common case (a residual add) without the walk's arrays: one run over everything.
            int n = 1;
            for (int d : outShape) {
                n *= d;
            }
            return new Runs(1, n, false, false, FIRST, FIRST);
        }
        int rank = outShape.length;
        int[] as = leadingOnes(aShape, rank);
        int[] bs = leadingOnes(bShape, rank);
        // Walk outwards while each operand keeps one mode: 1 = present (contiguous), 2 = broadcast (constant).
        int modeA = 0;
        int modeB = 0;
        int k = rank;
        for (; k > 0; k--) {
            int d = k - 1;
            if (outShape[d] == 1) {
                continue;
            }
            int ma = as[d] == 1 ? 2 : 1;
            int mb = bs[d] == 1 ? 2 : 1;
            if ((modeA != 0 && modeA != ma) || (modeB != 0 && modeB != mb)) {
                break;
            }
            modeA = ma;
            modeB = mb;
        }
        int length = 1;
        for (int d = k; d < rank; d++) {
            length *= outShape[d];
        }
        int count = 1;
        for (int d = 0; d < k; d++) {
            count *= outShape[d];
        }
        int[] aStarts = new int[count];
        int[] bStarts = new int[count];
        int[] aStrides = strides(as);
        int[] bStrides = strides(bs);
        int[] idx = new int[k];
        int aOff = 0;
        int bOff = 0;
        for (int j = 0; j < count; j++) {
            aStarts[j] = aOff;
            bStarts[j] = bOff;
            for (int d = k - 1; d >= 0; d--) {
                idx[d]++;
                aOff += aStrides[d];
                bOff += bStrides[d];
                if (idx[d] < outShape[d]) {
                    break;
                }
                aOff -= aStrides[d] * idx[d];
                bOff -= bStrides[d] * idx[d];
                idx[d] = 0;
            }
        }
        return new Runs(count, length, modeA == 2, modeB == 2, aStarts, bStarts);
    }

    private static int[] leadingOnes(int[] shape, int rank) {
        int[] r = new int[rank];
        Arrays.fill(r, 1);
        System.arraycopy(shape, 0, r, rank - shape.length, shape.length);
        return r;
    }

    /** Row-major element strides, 0 along dims of extent 1 (broadcast). */
    private static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        for (int d = shape.length - 1, stride = 1; d >= 0; d--) {
            s[d] = shape[d] == 1 ? 0 : stride;
            stride *= shape[d];
        }
        return s;
    }

    /**
     * For every element of {@code outShape} (row-major), the flat index of the element of {@code inShape}
     * that broadcasts to it. Null when the shapes are equal (the identity map).
     */
    public static int[] indexMap(int[] inShape, int[] outShape) {
        if (Arrays.equals(inShape, outShape)) {
            return null;
        }
        int rank = outShape.length;
        int[] strides = new int[rank];
        int stride = 1;
        for (int i = inShape.length - 1; i >= 0; i--) {
            int o = rank - inShape.length + i;
            strides[o] = inShape[i] == 1 ? 0 : stride;
            stride *= inShape[i];
        }
        int n = dev.octet.api.Tensor.checkedSize(outShape);
        int[] map = new int[n];
        int[] idx = new int[rank];
        int off = 0;
        for (int k = 0; k < n; k++) {
            map[k] = off;
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                off += strides[d];
                if (idx[d] < outShape[d]) {
                    break;
                }
                off -= strides[d] * idx[d];
                idx[d] = 0;
            }
        }
        return map;
    }
}
