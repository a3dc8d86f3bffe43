package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;

/**
 * Broadcasting element loops for the binary and ternary elementwise ops. Each loop has a fast path for
 * operands of equal shape; otherwise it reads operands through {@link Broadcast#indexMap} maps.
 */
final class ElementwiseBinary {
    private ElementwiseBinary() {}

    interface FloatFn {
        float apply(float a, float b);
    }

    /**
     * The float functions of the common arithmetic ops. Operands of one shape run a loop per function (see
     * {@link #sameShape}), which C2 inlines and vectorizes; one loop for all of them would call the function per
     * element once three ops have used it, and be compiled again each time a new one shows up.
     */
    enum FloatArith implements FloatFn {
        ADD {
            @Override
            public float apply(float a, float b) {
                return a + b;
            }
        },
        SUB {
            @Override
            public float apply(float a, float b) {
                return a - b;
            }
        },
        MUL {
            @Override
            public float apply(float a, float b) {
                return a * b;
            }
        },
        DIV {
            @Override
            public float apply(float a, float b) {
                return a / b;
            }
        },
        // Math.max/min propagate NaN, as numpy's maximum/minimum do.
        MAX {
            @Override
            public float apply(float a, float b) {
                return Math.max(a, b);
            }
        },
        MIN {
            @Override
            public float apply(float a, float b) {
                return Math.min(a, b);
            }
        }
    }

    /** For 8-bit and int32 operands, widened to int (UINT8 unsigned); the result is narrowed, so it wraps. */
    interface IntFn {
        int apply(int a, int b);
    }

    interface LongFn {
        long apply(long a, long b);
    }

    /** An arithmetic op given once per storage width. */
    record Arith(String name, FloatFn f, IntFn i, LongFn l) {}

    interface FloatTest {
        boolean test(float a, float b);
    }

    interface LongTest {
        boolean test(long a, long b);
    }

    /** A comparison; integers are compared widened to long, BOOL (Equal only) as 0/1 when allowed. */
    record Compare(String name, FloatTest f, LongTest l, boolean allowsBool) {}

    private static int at(int[] map, int i) {
        return map == null ? i : map[i];
    }

    /** Float outputs come from {@code buffers}; every element is written. */
    static Tensor arith(Tensor a, Tensor b, Arith op, Buffers buffers) {
        DataType t = sameType(op.name(), a, b);
        int[] shape = Broadcast.shape(a.shapeView(), b.shapeView());
        int n = Tensor.checkedSize(shape);
        int[] ma = Broadcast.indexMap(a.shapeView(), shape);
        int[] mb = Broadcast.indexMap(b.shapeView(), shape);
        Object out = t == DataType.FLOAT ? buffers.floats(n) : Tensor.newArray(t, n);
        // A method per element type: each is compiled on its own, when it gets hot.
        switch (t) {
            case FLOAT -> floats(a.floats(), ma, b.floats(), mb, (float[]) out, n, op.f());
            case INT32 -> ints(a.ints(), ma, b.ints(), mb, (int[]) out, n, op.i());
            case INT64 -> longs(a.longs(), ma, b.longs(), mb, (long[]) out, n, op.l());
            case INT8, UINT8 -> bytes(a.bytes(), ma, b.bytes(), mb, (byte[]) out, n, op.i(), t == DataType.UINT8);
            case BOOL -> throw unsupportedType(op.name(), t);
        }
        return Tensor.of(t, shape, out);
    }

    private static void floats(float[] x, int[] ma, float[] y, int[] mb, float[] z, int n, FloatFn f) {
        if (ma == null && mb == null) {
            if (f instanceof FloatArith k) {
                // A call per function with a constant argument: C2 inlines each into its own loop.
                switch (k) {
                    case ADD -> sameShape(FloatArith.ADD, x, y, z, n);
                    case SUB -> sameShape(FloatArith.SUB, x, y, z, n);
                    case MUL -> sameShape(FloatArith.MUL, x, y, z, n);
                    case DIV -> sameShape(FloatArith.DIV, x, y, z, n);
                    case MAX -> sameShape(FloatArith.MAX, x, y, z, n);
                    case MIN -> sameShape(FloatArith.MIN, x, y, z, n);
                    default -> sameShape(k, x, y, z, n); // a function added without a loop of its own
                }
            } else {
                sameShape(f, x, y, z, n);
            }
        } else {
            for (int i = 0; i < n; i++) z[i] = f.apply(x[at(ma, i)], y[at(mb, i)]);
        }
    }

    private static void sameShape(FloatFn f, float[] x, float[] y, float[] z, int n) {
        for (int i = 0; i < n; i++) z[i] = f.apply(x[i], y[i]);
    }

    private static void ints(int[] x, int[] ma, int[] y, int[] mb, int[] z, int n, IntFn f) {
        if (ma == null && mb == null) {
            for (int i = 0; i < n; i++) z[i] = f.apply(x[i], y[i]);
        } else {
            for (int i = 0; i < n; i++) z[i] = f.apply(x[at(ma, i)], y[at(mb, i)]);
        }
    }

    private static void longs(long[] x, int[] ma, long[] y, int[] mb, long[] z, int n, LongFn f) {
        if (ma == null && mb == null) {
            for (int i = 0; i < n; i++) z[i] = f.apply(x[i], y[i]);
        } else {
            for (int i = 0; i < n; i++) z[i] = f.apply(x[at(ma, i)], y[at(mb, i)]);
        }
    }

    /** 8-bit operands widened to int (UINT8 unsigned); results narrowed, so they wrap. */
    private static void bytes(byte[] x, int[] ma, byte[] y, int[] mb, byte[] z, int n, IntFn f, boolean unsigned) {
        int mask = unsigned ? 0xFF : -1;
        if (ma == null && mb == null) {
            for (int i = 0; i < n; i++) z[i] = (byte) f.apply(x[i] & mask, y[i] & mask);
        } else {
            for (int i = 0; i < n; i++) z[i] = (byte) f.apply(x[at(ma, i)] & mask, y[at(mb, i)] & mask);
        }
    }

    static Tensor compare(Tensor a, Tensor b, Compare op) {
        DataType t = sameType(op.name(), a, b);
        if (t == DataType.BOOL && !op.allowsBool()) {
            throw unsupportedType(op.name(), t);
        }
        int[] shape = Broadcast.shape(a.shapeView(), b.shapeView());
        int n = Tensor.checkedSize(shape);
        int[] ma = Broadcast.indexMap(a.shapeView(), shape);
        int[] mb = Broadcast.indexMap(b.shapeView(), shape);
        boolean[] z = new boolean[n];
        if (t == DataType.FLOAT) {
            float[] x = a.floats(), y = b.floats();
            FloatTest f = op.f();
            for (int i = 0; i < n; i++) z[i] = f.test(x[at(ma, i)], y[at(mb, i)]);
        } else {
            // Widening once keeps one loop for all integer widths and unsigned UINT8.
            long[] x = ElementwiseCast.longs(a), y = ElementwiseCast.longs(b);
            LongTest f = op.l();
            for (int i = 0; i < n; i++) z[i] = f.test(x[at(ma, i)], y[at(mb, i)]);
        }
        return Tensor.ofBools(z, shape);
    }

    interface BoolFn {
        boolean apply(boolean a, boolean b);
    }

    /** And, Or, Xor: BOOL operands only, broadcast. */
    static Tensor logical(String name, Tensor a, Tensor b, BoolFn f) {
        if (sameType(name, a, b) != DataType.BOOL) {
            throw unsupportedType(name, a.type());
        }
        int[] shape = Broadcast.shape(a.shapeView(), b.shapeView());
        int n = Tensor.checkedSize(shape);
        int[] ma = Broadcast.indexMap(a.shapeView(), shape);
        int[] mb = Broadcast.indexMap(b.shapeView(), shape);
        boolean[] x = a.bools(), y = b.bools(), z = new boolean[n];
        for (int i = 0; i < n; i++) z[i] = f.apply(x[at(ma, i)], y[at(mb, i)]);
        return Tensor.ofBools(z, shape);
    }

    /** Where(condition, x, y) with three-way broadcasting. */
    static Tensor where(Tensor c, Tensor a, Tensor b) {
        if (c.type() != DataType.BOOL) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "Where: condition must be BOOL, got " + c.type());
        }
        DataType t = sameType("Where", a, b);
        int[] shape = Broadcast.shape(c.shapeView(), a.shapeView(), b.shapeView());
        int n = Tensor.checkedSize(shape);
        int[] mc = Broadcast.indexMap(c.shapeView(), shape);
        int[] ma = Broadcast.indexMap(a.shapeView(), shape);
        int[] mb = Broadcast.indexMap(b.shapeView(), shape);
        boolean[] cond = c.bools();
        Object out = Tensor.newArray(t, n);
        switch (t) {
            case FLOAT -> {
                float[] x = a.floats(), y = b.floats(), z = (float[]) out;
                for (int i = 0; i < n; i++) z[i] = cond[at(mc, i)] ? x[at(ma, i)] : y[at(mb, i)];
            }
            case UINT8, INT8 -> {
                byte[] x = a.bytes(), y = b.bytes(), z = (byte[]) out;
                for (int i = 0; i < n; i++) z[i] = cond[at(mc, i)] ? x[at(ma, i)] : y[at(mb, i)];
            }
            case INT32 -> {
                int[] x = a.ints(), y = b.ints(), z = (int[]) out;
                for (int i = 0; i < n; i++) z[i] = cond[at(mc, i)] ? x[at(ma, i)] : y[at(mb, i)];
            }
            case INT64 -> {
                long[] x = a.longs(), y = b.longs(), z = (long[]) out;
                for (int i = 0; i < n; i++) z[i] = cond[at(mc, i)] ? x[at(ma, i)] : y[at(mb, i)];
            }
            case BOOL -> {
                boolean[] x = a.bools(), y = b.bools(), z = (boolean[]) out;
                for (int i = 0; i < n; i++) z[i] = cond[at(mc, i)] ? x[at(ma, i)] : y[at(mb, i)];
            }
            case FLOAT16, BFLOAT16 -> {
                short[] x = (short[]) a.data(), y = (short[]) b.data(), z = (short[]) out;
                for (int i = 0; i < n; i++) z[i] = cond[at(mc, i)] ? x[at(ma, i)] : y[at(mb, i)];
            }
            case DOUBLE -> {
                double[] x = a.doubles(), y = b.doubles(), z = (double[]) out;
                for (int i = 0; i < n; i++) z[i] = cond[at(mc, i)] ? x[at(ma, i)] : y[at(mb, i)];
            }
        }
        return Tensor.of(t, shape, out);
    }

    /**
     * Pow(base, exponent); the result has the base's type. As in the reference (numpy power then astype):
     * a float base is raised in double; an integer base with an integer exponent is raised exactly (wrapping),
     * with a float exponent in double, then truncated.
     */
    static Tensor pow(Tensor a, Tensor b) {
        DataType t = a.type();
        if (t == DataType.BOOL || b.type() == DataType.BOOL) {
            throw unsupportedType("Pow", DataType.BOOL);
        }
        int[] shape = Broadcast.shape(a.shapeView(), b.shapeView());
        int n = Tensor.checkedSize(shape);
        int[] ma = Broadcast.indexMap(a.shapeView(), shape);
        int[] mb = Broadcast.indexMap(b.shapeView(), shape);
        if (t == DataType.FLOAT) {
            float[] x = a.floats();
            double[] e = doubles(b);
            float[] z = new float[n];
            for (int i = 0; i < n; i++) z[i] = (float) StrictMath.pow(x[at(ma, i)], e[at(mb, i)]);
            return Tensor.ofFloats(z, shape);
        }
        long[] x = ElementwiseCast.longs(a);
        long[] z = new long[n];
        if (b.type() == DataType.FLOAT) {
            float[] e = b.floats();
            boolean wide = t == DataType.INT64;
            for (int i = 0; i < n; i++) {
                double p = StrictMath.pow(x[at(ma, i)], e[at(mb, i)]);
                z[i] = wide ? ElementwiseCast.toInt64(p) : ElementwiseCast.toInt32(p);
            }
        } else {
            long[] y = ElementwiseCast.longs(b);
            for (int i = 0; i < n; i++) z[i] = intPow(x[at(ma, i)], y[at(mb, i)]);
        }
        return ElementwiseCast.fromLongs(z, t, shape);
    }

    /** Exact integer power by squaring, wrapping on overflow; negative exponents truncate 1/a^-e toward zero. */
    static long intPow(long a, long e) {
        if (e < 0) {
            return a == 1 ? 1 : a == -1 ? ((e & 1) == 0 ? 1 : -1) : 0;
        }
        long r = 1;
        while (e != 0) {
            if ((e & 1) != 0) {
                r *= a;
            }
            a *= a;
            e >>>= 1;
        }
        return r;
    }

    private static double[] doubles(Tensor t) {
        int n = t.size();
        double[] r = new double[n];
        if (t.type() == DataType.FLOAT) {
            float[] s = t.floats();
            for (int i = 0; i < n; i++) r[i] = s[i];
        } else {
            long[] s = ElementwiseCast.longs(t);
            for (int i = 0; i < n; i++) r[i] = s[i];
        }
        return r;
    }

    static DataType sameType(String op, Tensor a, Tensor b) {
        if (a.type() != b.type()) {
            throw new OctetException(ErrorCode.INVALID_INPUT, op + ": operand types differ: " + a.type()
                + " and " + b.type());
        }
        return a.type();
    }

    static OctetException unsupportedType(String op, DataType t) {
        return new OctetException(ErrorCode.UNSUPPORTED_TYPE, op + " does not support " + t + " tensors");
    }
}
