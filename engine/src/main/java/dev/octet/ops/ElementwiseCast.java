package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;

/**
 * Element type conversions with ONNX Cast semantics (numpy {@code astype}): integers wrap to the target
 * width, floats truncate toward zero, anything non-zero (NaN included) is true.
 */
final class ElementwiseCast {
    private ElementwiseCast() {}

    static Tensor cast(Tensor x, DataType to) {
        if (x.type() == to) {
            return x;
        }
        if (x.type() == DataType.FLOAT) {
            return fromFloats(x.floats(), to, x.shapeView());
        }
        long[] v = longs(x);
        if (to == DataType.FLOAT) {
            float[] r = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                r[i] = v[i];
            }
            return Tensor.ofFloats(r, x.shapeView());
        }
        return fromLongs(v, to, x.shapeView());
    }

    /** The elements widened to long (UINT8 unsigned, BOOL as 0/1); not valid for FLOAT. */
    static long[] longs(Tensor x) {
        int n = x.size();
        long[] r = new long[n];
        switch (x.type()) {
            case UINT8 -> {
                byte[] s = x.bytes();
                for (int i = 0; i < n; i++) {
                    r[i] = s[i] & 0xFF;
                }
            }
            case INT8 -> {
                byte[] s = x.bytes();
                for (int i = 0; i < n; i++) {
                    r[i] = s[i];
                }
            }
            case INT32 -> {
                int[] s = x.ints();
                for (int i = 0; i < n; i++) {
                    r[i] = s[i];
                }
            }
            case INT64 -> System.arraycopy(x.longs(), 0, r, 0, n);
            case BOOL -> {
                boolean[] s = x.bools();
                for (int i = 0; i < n; i++) {
                    r[i] = s[i] ? 1 : 0;
                }
            }
            case FLOAT -> throw new IllegalArgumentException("FLOAT has no exact long form");
        }
        return r;
    }

    /** Narrows longs to an integer or bool type, keeping the low bits as C and numpy do. */
    static Tensor fromLongs(long[] v, DataType to, int[] shape) {
        int n = v.length;
        Object out = Tensor.newArray(to, n);
        switch (to) {
            case UINT8, INT8 -> {
                byte[] r = (byte[]) out;
                for (int i = 0; i < n; i++) {
                    r[i] = (byte) v[i];
                }
            }
            case INT32 -> {
                int[] r = (int[]) out;
                for (int i = 0; i < n; i++) {
                    r[i] = (int) v[i];
                }
            }
            case INT64 -> System.arraycopy(v, 0, out, 0, n);
            case BOOL -> {
                boolean[] r = (boolean[]) out;
                for (int i = 0; i < n; i++) {
                    r[i] = v[i] != 0;
                }
            }
            case FLOAT -> throw new IllegalArgumentException("use cast() for FLOAT");
        }
        return Tensor.of(to, shape, out);
    }

    static Tensor fromFloats(float[] v, DataType to, int[] shape) {
        int n = v.length;
        switch (to) {
            case FLOAT -> {
                return Tensor.ofFloats(v, shape);
            }
            case BOOL -> {
                boolean[] r = new boolean[n];
                for (int i = 0; i < n; i++) {
                    r[i] = v[i] != 0;
                }
                return Tensor.ofBools(r, shape);
            }
            case INT64 -> {
                long[] r = new long[n];
                for (int i = 0; i < n; i++) {
                    r[i] = toInt64(v[i]);
                }
                return Tensor.ofLongs(r, shape);
            }
            default -> {
                // Narrower integers go through int32 and keep the low bits, as the C cast numpy uses does.
                long[] r = new long[n];
                for (int i = 0; i < n; i++) {
                    r[i] = toInt32(v[i]);
                }
                return fromLongs(r, to, shape);
            }
        }
    }

    /**
     * Float to int32 truncating toward zero. NaN and out-of-range values give Integer.MIN_VALUE, the x86
     * "integer indefinite" that numpy's undefined C cast yields, rather than Java's saturation.
     */
    static int toInt32(double f) {
        return f > -2147483649.0 && f < 2147483648.0 ? (int) f : Integer.MIN_VALUE;
    }

    /** Float to int64 truncating toward zero; NaN and out-of-range give Long.MIN_VALUE, as on x86. */
    static long toInt64(double f) {
        return f >= -0x1p63 && f < 0x1p63 ? (long) f : Long.MIN_VALUE;
    }
}
