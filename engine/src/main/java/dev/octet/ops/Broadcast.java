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
