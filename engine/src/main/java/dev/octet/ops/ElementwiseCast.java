package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;

/**
 * Element type conversions with ONNX Cast semantics (numpy {@code astype}): integers wrap to the target
 * width, floats truncate toward zero, anything non-zero (NaN included) is true. FLOAT16 and BFLOAT16 convert
 * through float (exact when widening); narrowing to them rounds to nearest even, as ONNX Runtime does; DOUBLE
 * narrows to float or to integers directly.
 */
final class ElementwiseCast {
    private ElementwiseCast() {}

    static Tensor cast(Tensor x, DataType to) {
        if (x.type() == to) {
            return x;
        }
        int[] shape = x.shapeView();
        if (x.type() == DataType.FLOAT16 || x.type() == DataType.BFLOAT16) {
            float[] f = halvesToFloats(x);
            return to == DataType.FLOAT16 ? toHalves(f, to, false, shape) : cast(Tensor.ofFloats(f, shape), to);
        }
        if (to == DataType.FLOAT16 || to == DataType.BFLOAT16) {
            boolean fromFloat = x.type() == DataType.FLOAT;
            return toHalves(fromFloat ? x.floats() : cast(x, DataType.FLOAT).floats(), to, fromFloat, shape);
        }
        if (x.type() == DataType.DOUBLE) {
            double[] d = x.doubles();
            if (to == DataType.FLOAT) {
                float[] r = new float[d.length];
                for (int i = 0; i < d.length; i++) {
                    r[i] = (float) d[i];
                }
                return Tensor.ofFloats(r, shape);
            }
            return fromReals(d.length, i -> d[i], to, shape);
        }
        if (to == DataType.DOUBLE) {
            double[] r = new double[x.size()];
            for (int i = 0; i < r.length; i++) {
                r[i] = x.getDouble(i);
            }
            return Tensor.ofDoubles(r, shape);
        }
        if (x.type() == DataType.FLOAT) {
            float[] f = x.floats();
            return to == DataType.FLOAT ? x : fromReals(f.length, i -> f[i], to, shape);
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
            case FLOAT, FLOAT16, BFLOAT16, DOUBLE ->
                throw new IllegalArgumentException(x.type() + " has no exact long form");
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
            case FLOAT, FLOAT16, BFLOAT16, DOUBLE -> throw new IllegalArgumentException("use cast() for " + to);
        }
        return Tensor.of(to, shape, out);
    }

    /** Float or double values (element i of n) to BOOL or an integer type. */
    private static Tensor fromReals(int n, java.util.function.IntToDoubleFunction v, DataType to, int[] shape) {
        switch (to) {
            case BOOL -> {
                boolean[] r = new boolean[n];
                for (int i = 0; i < n; i++) {
                    r[i] = v.applyAsDouble(i) != 0;
                }
                return Tensor.ofBools(r, shape);
            }
            case INT64 -> {
                long[] r = new long[n];
                for (int i = 0; i < n; i++) {
                    r[i] = toInt64(v.applyAsDouble(i));
                }
                return Tensor.ofLongs(r, shape);
            }
            case UINT8, INT8, INT32 -> {
                // Narrower integers go through int32 and keep the low bits, as the C cast numpy uses does.
                long[] r = new long[n];
                for (int i = 0; i < n; i++) {
                    r[i] = toInt32(v.applyAsDouble(i));
                }
                return fromLongs(r, to, shape);
            }
            default -> throw new IllegalArgumentException("not an integer or bool type: " + to);
        }
    }

    /**
     * Floats narrowed to FLOAT16 or BFLOAT16. ONNX Runtime keeps a NaN's payload in float16 only when the source
     * was a float; from other types a NaN becomes the quiet NaN with its sign.
     */
    private static Tensor toHalves(float[] f, DataType to, boolean keepNanPayload, int[] shape) {
        short[] r = new short[f.length];
        for (int i = 0; i < f.length; i++) {
            r[i] = to == DataType.BFLOAT16 ? floatToBfloat16(f[i])
                : !keepNanPayload && Float.isNaN(f[i]) ? (short) (signBit(f[i]) >>> 16 | 0x7E00) : Float.floatToFloat16(f[i]);
        }
        return Tensor.of(to, shape, r);
    }

    private static int signBit(float f) {
        return Float.floatToRawIntBits(f) & 0x80000000;
    }

    /** FLOAT16 or BFLOAT16 elements widened to float (exact). */
    static float[] halvesToFloats(Tensor x) {
        short[] s = (short[]) x.data();
        float[] r = new float[s.length];
        for (int i = 0; i < s.length; i++) {
            r[i] = x.type() == DataType.FLOAT16 ? Float.float16ToFloat(s[i]) : Float.intBitsToFloat(s[i] << 16);
        }
        return r;
    }

    /**
     * Float to bfloat16 rounding to nearest even, as ONNX Runtime's BFloat16 does; a NaN becomes the quiet NaN
     * 0x7FC0 with its sign.
     */
    static short floatToBfloat16(float f) {
        if (Float.isNaN(f)) {
            return (short) (signBit(f) >>> 16 | 0x7FC0);
        }
        int bits = Float.floatToRawIntBits(f);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
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
