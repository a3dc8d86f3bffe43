package dev.octet.ops;

import static dev.octet.ops.Shapes.broadcastInputs;
import static dev.octet.ops.Shapes.known;
import static dev.octet.ops.Shapes.one;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import dev.octet.ops.ElementwiseBinary.Arith;
import dev.octet.ops.ElementwiseOps.FloatUnary;
import java.math.BigInteger;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * The unary math family (rounding, sign, logarithm, trigonometric and hyperbolic functions), the float tests,
 * Not, the bitwise operators, Mod, Range and Trilu: scalar reference loops. Transcendentals are computed in double with
 * {@link StrictMath}, which Java specifies bit for bit, and rounded to float once, so every CPU gives the same
 * result. The ONNX versions after the ones named here only added types Octet does not have (float16,
 * bfloat16, double, int16, ...), so each definition implements its operator through the latest opset.
 */
final class MathOps {
    private MathOps() {}

    private static final AttributeSpec<Long> DETECT_NEGATIVE = AttributeSpec.flag("detect_negative", 1);
    private static final AttributeSpec<Long> DETECT_POSITIVE = AttributeSpec.flag("detect_positive", 1);
    private static final AttributeSpec<Long> FMOD = AttributeSpec.flag("fmod", 0);
    private static final AttributeSpec<Long> UPPER = AttributeSpec.flag("upper", 1);
    private static final AttributeSpec<String> SHIFT_DIRECTION = AttributeSpec.stringAttr("direction", "")
        .requiring(d -> d.equals("LEFT") || d.equals("RIGHT"), "LEFT or RIGHT");

    // Mod with fmod=0 takes the divisor's sign (Python's %), for integers only; with fmod=1 the dividend's (C's
    // fmod, Java's %).
    private static final Arith MOD = new Arith("Mod", null, (a, b) -> Math.floorMod(a, nonZero(b)),
        (a, b) -> Math.floorMod(a, nonZero(b)));
    private static final Arith FMOD_OP = new Arith("Mod", (a, b) -> a % b, (a, b) -> a % nonZero(b),
        (a, b) -> a % nonZero(b));

    static void register(OpRegistry.Builder r) {
        number(r, "Abs", 6, Math::abs, Math::abs);
        // NaN and signed zeros keep themselves, as numpy's sign does.
        number(r, "Sign", 9, x -> x > 0 ? 1f : x < 0 ? -1f : x, Long::signum);
        floatUnary(r, "Ceil", 6, x -> (float) Math.ceil(x));
        floatUnary(r, "Floor", 6, x -> (float) Math.floor(x));
        strict(r, "Log", 6, StrictMath::log);
        strict(r, "Sin", 7, StrictMath::sin);
        strict(r, "Cos", 7, StrictMath::cos);
        strict(r, "Tan", 7, StrictMath::tan);
        strict(r, "Asin", 7, StrictMath::asin);
        strict(r, "Acos", 7, StrictMath::acos);
        strict(r, "Atan", 7, StrictMath::atan);
        strict(r, "Sinh", 9, StrictMath::sinh);
        strict(r, "Cosh", 9, StrictMath::cosh);
        strict(r, "Asinh", 9, MathOps::asinh);
        strict(r, "Acosh", 9, MathOps::acosh);
        strict(r, "Atanh", 9, MathOps::atanh);

        r.onnx("IsNaN", 9).unary().shape(c -> one(DataType.BOOL, c.shape(0)))
            .factory(ctx -> in -> out(test("IsNaN", in[0], Float::isNaN)));
        r.onnx("IsInf", 10).unary().attribute(DETECT_NEGATIVE).attribute(DETECT_POSITIVE)
            .shape(c -> one(DataType.BOOL, c.shape(0))).factory(ctx -> {
                boolean negative = ctx.get(DETECT_NEGATIVE) == 1;
                boolean positive = ctx.get(DETECT_POSITIVE) == 1;
                return in -> out(test("IsInf", in[0], x -> (negative && x == Float.NEGATIVE_INFINITY)
                    || (positive && x == Float.POSITIVE_INFINITY)));
            });
        r.onnx("Not", 1).unary().shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> in -> out(not(in[0])));

        r.onnx("Mod", 10).inputs("rr").outputs("r").attribute(FMOD)
            .shape(c -> one(known(c.type(0), c.type(1)), broadcastInputs(c, 0, 1)))
            .factory(ctx -> {
                boolean fmod = ctx.get(FMOD) == 1;
                return Op.withBuffers((in, buffers) -> {
                    if (!fmod && in[0].type() == DataType.FLOAT) {
                        throw ctx.fail("Mod of float tensors needs attribute fmod=1 (the spec requires it)");
                    }
                    return out(ElementwiseBinary.arith(in[0], in[1], fmod ? FMOD_OP : MOD, buffers));
                });
            });
        bitwise(r, "BitwiseAnd", new Arith("BitwiseAnd", null, (a, b) -> a & b, (a, b) -> a & b));
        bitwise(r, "BitwiseOr", new Arith("BitwiseOr", null, (a, b) -> a | b, (a, b) -> a | b));
        bitwise(r, "BitwiseXor", new Arith("BitwiseXor", null, (a, b) -> a ^ b, (a, b) -> a ^ b));
        // BitShift takes unsigned integers; uint8 is Octet's one unsigned type. A shift by 8 or more clears
        // every bit (Java's int shift would take the amount modulo 32).
        r.onnx("BitShift", 11).inputs("rr").outputs("r").attribute(SHIFT_DIRECTION)
            .shape(c -> one(known(c.type(0), c.type(1)), broadcastInputs(c, 0, 1))).factory(ctx -> {
                boolean left = ctx.get(SHIFT_DIRECTION).equals("LEFT");
                Arith shift = new Arith("BitShift", null,
                    (a, b) -> b >= Byte.SIZE ? 0 : left ? a << b : a >>> b, null);
                return Op.withBuffers((in, buffers) -> {
                    if (in[0].type() != DataType.UINT8) {
                        throw ElementwiseBinary.unsupportedType("BitShift", in[0].type());
                    }
                    return out(ElementwiseBinary.arith(in[0], in[1], shift, buffers));
                });
            });
        r.onnx("BitwiseNot", 18).unary().shape(ShapeRule.SAME_AS_INPUT)
            .factory(ctx -> in -> out(mapIntegers("BitwiseNot", in[0], v -> ~v)));
        r.onnx("Range", 11).inputs("rrr").outputs("r")
            .shape(c -> one(c.type(0), List.of(Dim.UNKNOWN)))
            .factory(ctx -> in -> out(range(in[0], in[1], in[2])));
        // Det-22 only added types.
        r.onnx("Det", 11).unary().shape(MathOps::inferDet).factory(ctx -> in -> out(det(in[0])));
        r.onnx("Trilu", 14).inputs("ro").outputs("r").attribute(UPPER)
            .shape(ShapeRule.SAME_AS_INPUT)
            .factory(ctx -> {
                boolean upper = ctx.get(UPPER) == 1;
                return in -> out(trilu(in[0], in.length > 1 && in[1] != null ? in[1] : null, upper));
            });
    }

    private static Tensor[] out(Tensor t) {
        return new Tensor[] {t};
    }

    private static int nonZero(int b) {
        return (int) nonZero((long) b);
    }

    private static long nonZero(long b) {
        if (b == 0) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "Mod: integer division by zero");
        }
        return b;
    }

    private static void floatUnary(OpRegistry.Builder r, String name, int since, FloatUnary f) {
        r.onnx(name, since).unary().traits(OpTrait.ELEMENTWISE).shape(ShapeRule.SAME_AS_INPUT)
            .factory(ctx -> ElementwiseOps.mapFloats(name, f));
    }

    /** {@code y = (float) f((double) x)}: one rounding of a function {@link StrictMath} computes exactly alike everywhere. */
    private static void strict(OpRegistry.Builder r, String name, int since, DoubleUnaryOperator f) {
        floatUnary(r, name, since, x -> (float) f.applyAsDouble(x));
    }

    /** A unary operator on float and integer tensors. */
    private static void number(OpRegistry.Builder r, String name, int since, FloatUnary f, LongUnaryOperator l) {
        Op floats = ElementwiseOps.mapFloats(name, f);
        r.onnx(name, since).unary().traits(OpTrait.ELEMENTWISE).shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> in -> in[0].type() == DataType.FLOAT
            ? floats.run(in) : out(mapIntegers(name, in[0], l)));
    }

    /** {@code l} over an integer tensor, widened to long (UINT8 unsigned) and narrowed back, wrapping. */
    private static Tensor mapIntegers(String name, Tensor x, LongUnaryOperator l) {
        if (x.type() == DataType.FLOAT || x.type() == DataType.BOOL) {
            throw ElementwiseBinary.unsupportedType(name, x.type());
        }
        long[] v = ElementwiseCast.longs(x);
        for (int i = 0; i < v.length; i++) {
            v[i] = l.applyAsLong(v[i]);
        }
        return ElementwiseCast.fromLongs(v, x.type(), x.shapeView());
    }

    /** BitwiseAnd, BitwiseOr, BitwiseXor (opset 18): integer operands of one type, broadcast. */
    private static void bitwise(OpRegistry.Builder r, String name, Arith op) {
        r.onnx(name, 18).inputs("rr").outputs("r")
            .shape(c -> one(known(c.type(0), c.type(1)), broadcastInputs(c, 0, 1)))
            .factory(ctx -> Op.withBuffers((in, buffers) -> {
                if (in[0].type() == DataType.FLOAT) {
                    throw ElementwiseBinary.unsupportedType(name, in[0].type());
                }
                return out(ElementwiseBinary.arith(in[0], in[1], op, buffers));
            }));
    }

    /**
     * The determinant of each square matrix in the last two axes: Gaussian elimination with partial pivoting,
     * in double, rounded once.
     */
    static Tensor det(Tensor x) {
        if (x.type() != DataType.FLOAT) {
            throw ElementwiseBinary.unsupportedType("Det", x.type());
        }
        int[] s = x.shapeView();
        if (s.length < 2 || s[s.length - 1] != s[s.length - 2]) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, "Det needs square matrices in the last two axes, got "
                + x);
        }
        int m = s[s.length - 1];
        int[] outShape = java.util.Arrays.copyOf(s, s.length - 2);
        float[] v = x.floats();
        float[] out = new float[Tensor.checkedSize(outShape)];
        // With no matrices, m * m may exceed an int (x [0, 50000, 50000]): nothing to allocate.
        double[] a = out.length == 0 ? null : new double[m * m];
        for (int b = 0; b < out.length; b++) {
            for (int i = 0; i < m * m; i++) {
                a[i] = v[b * m * m + i];
            }
            out[b] = (float) determinant(a, m);
        }
        return Tensor.ofFloats(out, outShape);
    }

    /** Destroys a. */
    private static double determinant(double[] a, int m) {
        double det = 1;
        for (int c = 0; c < m; c++) {
            int pivot = c;
            for (int r = c + 1; r < m; r++) {
                if (Math.abs(a[r * m + c]) > Math.abs(a[pivot * m + c])) {
                    pivot = r;
                }
            }
            if (a[pivot * m + c] == 0) {
                return 0;
            }
            if (pivot != c) {
                for (int k = 0; k < m; k++) {
                    double t = a[c * m + k];
                    a[c * m + k] = a[pivot * m + k];
                    a[pivot * m + k] = t;
                }
                det = -det;
            }
            double p = a[c * m + c];
            det *= p;
            for (int r = c + 1; r < m; r++) {
                double f = a[r * m + c] / p;
                for (int k = c; k < m; k++) {
                    a[r * m + k] -= f * a[c * m + k];
                }
            }
        }
        return det;
    }

    private static ShapeValue[] inferDet(ShapeContext c) {
        List<Dim> s = c.shape(0);
        if (s != null && s.size() < 2) {
            throw c.fail("Det needs square matrices in the last two axes, got " + s);
        }
        return one(DataType.FLOAT, s == null ? null : s.subList(0, s.size() - 2));
    }

    /** asinh as log1p(|x| + x^2 / (1 + sqrt(1 + x^2))), which keeps small arguments' precision; odd. */
    static double asinh(double x) {
        double a = Math.abs(x);
        double y = StrictMath.log1p(a + a * a / (1 + StrictMath.sqrt(1 + a * a)));
        return Math.copySign(y, x);
    }

    /** log(x + sqrt(x^2 - 1)); NaN below 1. */
    static double acosh(double x) {
        return StrictMath.log(x + StrictMath.sqrt(x * x - 1));
    }

    /** atanh as log1p(2x / (1 - x)) / 2; infinite at +-1, NaN beyond. */
    static double atanh(double x) {
        return 0.5 * StrictMath.log1p(2 * x / (1 - x));
    }

    private interface FloatTest {
        boolean test(float x);
    }

    private static Tensor test(String name, Tensor x, FloatTest f) {
        if (x.type() != DataType.FLOAT) {
            throw ElementwiseBinary.unsupportedType(name, x.type());
        }
        float[] s = x.floats();
        boolean[] z = new boolean[s.length];
        for (int i = 0; i < s.length; i++) {
            z[i] = f.test(s[i]);
        }
        return Tensor.ofBools(z, x.shapeView());
    }

    private static Tensor not(Tensor x) {
        if (x.type() != DataType.BOOL) {
            throw ElementwiseBinary.unsupportedType("Not", x.type());
        }
        boolean[] s = x.bools();
        boolean[] z = new boolean[s.length];
        for (int i = 0; i < s.length; i++) {
            z[i] = !s[i];
        }
        return Tensor.ofBools(z, x.shapeView());
    }

    /**
     * Range(start, limit, delta): max(ceil((limit - start) / delta), 0) elements start + i * delta. The count is
     * exact for integers; for floats it is taken in double, as numpy's arange does, and each element is
     * start + i * delta in double, rounded once.
     */
    static Tensor range(Tensor start, Tensor limit, Tensor delta) {
        DataType t = start.type();
        for (Tensor s : new Tensor[] {start, limit, delta}) {
            if (s.type() != t || s.size() != 1) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "Range: start, limit and delta must be scalars of"
                    + " one type, got " + start + ", " + limit + " and " + delta);
            }
        }
        if (t == DataType.FLOAT) {
            double s = start.floats()[0], l = limit.floats()[0], d = delta.floats()[0];
            double count = Math.max(Math.ceil((l - s) / d), 0);
            if (d == 0 || Double.isNaN(count) || Double.isInfinite(count)) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "Range: start " + s + ", limit " + l + " and delta "
                    + d + " do not give a finite element count");
            }
            float[] z = new float[size(count)];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) (s + i * d);
            }
            return Tensor.ofFloats(z, z.length);
        }
        if (t != DataType.INT32 && t != DataType.INT64) {
            throw ElementwiseBinary.unsupportedType("Range", t);
        }
        long s = start.getLong(0), l = limit.getLong(0), d = delta.getLong(0);
        if (d == 0) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "Range: delta must not be zero");
        }
        BigInteger span = BigInteger.valueOf(l).subtract(BigInteger.valueOf(s));
        BigInteger[] qr = span.divideAndRemainder(BigInteger.valueOf(d));
        // Ceiling division: round the truncated quotient up when a remainder is left and the quotient is positive.
        BigInteger count = qr[1].signum() != 0 && span.signum() == Long.signum(d) ? qr[0].add(BigInteger.ONE) : qr[0];
        long[] z = new long[size(count.max(BigInteger.ZERO).min(BigInteger.valueOf(Long.MAX_VALUE)).doubleValue())];
        for (int i = 0; i < z.length; i++) {
            z[i] = s + i * d;
        }
        return ElementwiseCast.fromLongs(z, t, new int[] {z.length});
    }

    /** A non-negative element count, at most what {@link TensorLimit} allows. */
    private static int size(double count) {
        long n = (long) Math.min(count, Long.MAX_VALUE);
        if (TensorLimit.exceeds(n)) {
            throw TensorLimit.refusal(n, "Range's output");
        }
        return (int) count;
    }

    /**
     * Trilu: keeps the upper (j - i >= k) or lower (j - i <= k) triangle of each matrix in the last two axes and
     * zeroes the rest.
     */
    static Tensor trilu(Tensor x, Tensor kTensor, boolean upper) {
        if (x.rank() < 2) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "Trilu: input must have rank 2 or more, got " + x);
        }
        if (kTensor != null && (kTensor.type() != DataType.INT64 || kTensor.size() != 1)) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "Trilu: k must be an int64 scalar, got " + kTensor);
        }
        int rows = x.dim(x.rank() - 2), cols = x.dim(x.rank() - 1);
        // Beyond +-(rows + cols) every k keeps all or nothing; clamping keeps i + k from overflowing.
        long k = kTensor == null ? 0 : Math.clamp(kTensor.getLong(0), -(long) rows - cols, (long) rows + cols);
        Object src = x.data();
        Object dst = Tensor.newArray(x.type(), x.size());
        int plane = rows * cols;
        for (int base = 0; plane > 0 && base < x.size(); base += plane) {
            for (int i = 0; i < rows; i++) {
                // Kept columns of row i: [i + k, cols) for the upper triangle, [0, i + k] for the lower.
                long from = upper ? Math.max(0, i + k) : 0;
                long to = upper ? cols : Math.min(cols, i + k + 1);
                if (from < to) {
                    int at = base + i * cols + (int) from;
                    System.arraycopy(src, at, dst, at, (int) (to - from));
                }
            }
        }
        return Tensor.of(x.type(), x.shapeView(), dst);
    }
}
