package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import java.util.Arrays;

/**
 * Helpers shared by the shape ops: type-generic element copies driven by index maps, and reading the
 * shape, axis and index tensors those ops take as inputs.
 */
final class ShapeKernels {
    private ShapeKernels() {}

    /** A run-time shape or index error. */
    static OctetException error(String message) {
        return new OctetException(ErrorCode.INVALID_SHAPE, message);
    }

    /** Fails at load when a required input is absent. */
    static void requireInputs(OpContext ctx, int count) {
        for (int i = 0; i < count; i++) {
            if (!ctx.hasInput(i)) {
                throw ctx.fail("missing required input " + i);
            }
        }
    }

    /** Input i, or null when it is omitted or beyond the node's input list. */
    static Tensor optional(Tensor[] in, int i) {
        return i < in.length ? in[i] : null;
    }

    /** Row-major strides of a shape, in elements. */
    static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = stride;
            stride *= shape[d];
        }
        return s;
    }

    /** Product of shape[from..to); bounded because a sub-product of a zero-sized shape may exceed int. */
    static int product(int[] shape, int from, int to) {
        long p = 1;
        for (int d = from; d < to; d++) {
            p *= shape[d];
            if (p > Tensor.MAX_ELEMENTS) {
                throw error("dimensions " + Arrays.toString(Arrays.copyOfRange(shape, from, to)) + " hold more than "
                    + Tensor.MAX_ELEMENTS + " elements");
            }
        }
        return (int) p;
    }

    /**
     * The element count of an allocation sized by the given factors (an output shape, a scratch buffer): the
     * product in long arithmetic, a negative factor INVALID_SHAPE, more than a Java array holds INVALID_SHAPE and
     * more than {@link TensorLimit} allows RESOURCE_LIMIT, as {@link Tensor#checkedSize} does for a shape. Ops size every
     * array through this before allocating, so no int product can wrap and no absurd size runs out of memory.
     */
    static int checkedCount(String what, long... factors) {
        for (long f : factors) {
            if (f < 0) {
                throw error(what + " has a negative size factor in " + Arrays.toString(factors));
            }
            if (f == 0) {
                return 0;
            }
        }
        long n = 1;
        for (long f : factors) {
            if (n > Tensor.MAX_ELEMENTS / f) {
                throw error(what + " of " + Arrays.toString(factors) + " has more than " + Tensor.MAX_ELEMENTS
                    + " elements");
            }
            n *= f;
        }
        if (TensorLimit.exceeds(n)) {
            throw TensorLimit.refusal(n, what + " of " + Arrays.toString(factors));
        }
        return (int) n;
    }

    /** The most multiply-adds an op may do whose work grows with an attribute or input value, not its sizes. */
    static final long MAX_WORK = 1L << 34;

    /**
     * Refuses, with RESOURCE_LIMIT, work (the product of the factors) beyond {@link #MAX_WORK}: DFT lengths,
     * sampling grids and skip counts that would run for hours on small tensors.
     */
    static void checkWork(String what, long... factors) {
        long n = 1;
        for (long f : factors) {
            if (f <= 0) {
                return;
            }
            if (n > MAX_WORK / f) {
                throw new OctetException(ErrorCode.RESOURCE_LIMIT, what + " needs more than " + MAX_WORK
                    + " steps (" + Arrays.toString(factors) + ")");
            }
            n *= f;
        }
    }

    /** An axis in [-rank, rank-1] made non-negative. */
    static int normalizeAxis(long axis, int rank, String what) {
        if (axis < -rank || axis >= rank) {
            throw error(what + " " + axis + " is out of range for rank " + rank);
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }

    static void checkIndexType(Tensor t, String what) {
        if (t.type() != DataType.INT32 && t.type() != DataType.INT64) {
            throw new OctetException(ErrorCode.INVALID_GRAPH, what + " must be int32 or int64, got " + t.type());
        }
    }

    /** The values of a 0-D or 1-D int32/int64 tensor (shapes, axes, starts, pads...). */
    static long[] readLongs(Tensor t, String what) {
        checkIndexType(t, what);
        if (t.rank() > 1) {
            throw error(what + " must be 1-D, got shape " + Arrays.toString(t.shapeView()));
        }
        long[] r = new long[t.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = t.getLong(i);
        }
        return r;
    }

    /** An input that must hold exactly one value of the given type (a threshold, a ratio, a flag). */
    static Tensor oneValue(Tensor t, String what, DataType type) {
        if (t.type() != type || t.size() != 1) {
            throw new OctetException(ErrorCode.INVALID_INPUT, what + " must be one " + type + " value, got " + t);
        }
        return t;
    }

    /** An input that must hold exactly one int32 or int64 value (a length, a step, an axis). */
    static long oneInteger(Tensor t, String what) {
        if (t.type() != DataType.INT32 && t.type() != DataType.INT64 || t.size() != 1) {
            throw new OctetException(ErrorCode.INVALID_INPUT, what + " must be one int32 or int64 value, got " + t);
        }
        return t.getLong(0);
    }

    /** A shape given as a tensor: every value non-negative. */
    static int[] readDims(Tensor t, String what) {
        long[] v = readLongs(t, what);
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0 || v[i] > Tensor.MAX_ELEMENTS) {
                throw error(what + " " + Arrays.toString(v) + " has invalid dimension " + v[i]);
            }
            r[i] = (int) v[i];
        }
        return r;
    }

    /** Index i of an axis of the given size, negative counting from the end; out of range is an error. */
    static int checkIndex(long i, int size, String what) {
        if (i < -size || i >= size) {
            throw error(what + " index " + i + " is out of bounds for an axis of size " + size
                + " (valid range " + -size + " to " + (size - 1) + ")");
        }
        return (int) (i < 0 ? i + size : i);
    }

    /** All elements of an int32/int64 index tensor, checked against an axis size and made non-negative. */
    static int[] readIndices(Tensor indices, int size, String what) {
        checkIndexType(indices, what + " indices");
        int[] r = new int[indices.size()];
        for (int k = 0; k < r.length; k++) {
            r[k] = checkIndex(indices.getLong(k), size, what);
        }
        return r;
    }

    /** Offsets of an axis walked with a stride: {@code i * stride} for each coordinate i. */
    static int[] ramp(int length, int stride) {
        int[] r = new int[length];
        for (int i = 0; i < length; i++) {
            r[i] = i * stride;
        }
        return r;
    }

    /**
     * The flat source index of every element of an output whose axis d has {@code offsets[d].length}
     * coordinates, coordinate i contributing {@code offsets[d][i]}. A negative contribution marks the
     * element as fill (-1 in the map). Works a whole innermost row at a time.
     */
    static int[] flatMap(int[][] offsets) {
        int rank = offsets.length;
        long[] lengths = new long[rank];
        for (int d = 0; d < rank; d++) {
            lengths[d] = offsets[d].length;
        }
        if (rank == 0) {
            return new int[] {0};
        }
        int[] map = new int[checkedCount("index map", lengths)];
        int[] last = offsets[rank - 1];
        int[] idx = new int[rank - 1];
        for (int k = 0; k < map.length; k += last.length) {
            int base = 0;
            for (int d = 0; d < rank - 1 && base >= 0; d++) {
                int o = offsets[d][idx[d]];
                base = o < 0 ? -1 : base + o;
            }
            for (int i = 0; i < last.length; i++) {
                map[k + i] = base < 0 || last[i] < 0 ? -1 : base + last[i];
            }
            for (int d = rank - 2; d >= 0; d--) {
                if (++idx[d] < offsets[d].length) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return map;
    }

    /** A tensor of {@code outShape} with element k = src[map[k]], or fill[0] (zero when null) where map[k] < 0. */
    static Tensor gather(Tensor src, int[] map, int[] outShape, Object fill) {
        return Tensor.of(src.type(), outShape, gatherArray(src.data(), map, fill));
    }

    private static Object gatherArray(Object src, int[] map, Object fill) {
        int n = map.length;
        switch (src) {
            case float[] s -> {
                float f = fill == null ? 0 : ((float[]) fill)[0];
                float[] d = new float[n];
                for (int i = 0; i < n; i++) {
                    d[i] = map[i] < 0 ? f : s[map[i]];
                }
                return d;
            }
            case byte[] s -> {
                byte f = fill == null ? 0 : ((byte[]) fill)[0];
                byte[] d = new byte[n];
                for (int i = 0; i < n; i++) {
                    d[i] = map[i] < 0 ? f : s[map[i]];
                }
                return d;
            }
            case int[] s -> {
                int f = fill == null ? 0 : ((int[]) fill)[0];
                int[] d = new int[n];
                for (int i = 0; i < n; i++) {
                    d[i] = map[i] < 0 ? f : s[map[i]];
                }
                return d;
            }
            case long[] s -> {
                long f = fill == null ? 0 : ((long[]) fill)[0];
                long[] d = new long[n];
                for (int i = 0; i < n; i++) {
                    d[i] = map[i] < 0 ? f : s[map[i]];
                }
                return d;
            }
            case boolean[] s -> {
                boolean f = fill != null && ((boolean[]) fill)[0];
                boolean[] d = new boolean[n];
                for (int i = 0; i < n; i++) {
                    d[i] = map[i] < 0 ? f : s[map[i]];
                }
                return d;
            }
            case short[] s -> {
                short f = fill == null ? 0 : ((short[]) fill)[0];
                short[] d = new short[n];
                for (int i = 0; i < n; i++) {
                    d[i] = map[i] < 0 ? f : s[map[i]];
                }
                return d;
            }
            case double[] s -> {
                double f = fill == null ? 0 : ((double[]) fill)[0];
                double[] d = new double[n];
                for (int i = 0; i < n; i++) {
                    d[i] = map[i] < 0 ? f : s[map[i]];
                }
                return d;
            }
            default -> throw new IllegalStateException("not a tensor array: " + src.getClass());
        }
    }

    /** An array of n copies of value[0], value being a tensor's storage array. */
    static Object filled(Object value, int n) {
        switch (value) {
            case float[] v -> {
                float[] d = new float[n];
                Arrays.fill(d, v[0]);
                return d;
            }
            case byte[] v -> {
                byte[] d = new byte[n];
                Arrays.fill(d, v[0]);
                return d;
            }
            case int[] v -> {
                int[] d = new int[n];
                Arrays.fill(d, v[0]);
                return d;
            }
            case long[] v -> {
                long[] d = new long[n];
                Arrays.fill(d, v[0]);
                return d;
            }
            case boolean[] v -> {
                boolean[] d = new boolean[n];
                Arrays.fill(d, v[0]);
                return d;
            }
            case short[] v -> {
                short[] d = new short[n];
                Arrays.fill(d, v[0]);
                return d;
            }
            case double[] v -> {
                double[] d = new double[n];
                Arrays.fill(d, v[0]);
                return d;
            }
            default -> throw new IllegalStateException("not a tensor array: " + value.getClass());
        }
    }
}
