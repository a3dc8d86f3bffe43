package dev.octet.ops;

import static dev.octet.ops.ShapeDims.broadcast;
import static dev.octet.ops.Shapes.broadcastInputs;
import static dev.octet.ops.Shapes.known;
import static dev.octet.ops.Shapes.one;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import dev.octet.kernel.Activation;
import dev.octet.kernel.FloatKernels;
import dev.octet.kernel.FloatMath;
import dev.octet.ops.ElementwiseBinary.Arith;
import dev.octet.ops.ElementwiseBinary.Compare;
import dev.octet.ops.ElementwiseBinary.FloatArith;
import dev.octet.ops.ShapeValue.Elem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongBinaryOperator;

/** Elementwise arithmetic, comparison, selection and conversion operators. */
final class ElementwiseOps {
    private ElementwiseOps() {}

    private static final Arith ADD = new Arith("Add", FloatArith.ADD, Integer::sum, Long::sum);
    private static final Arith SUB = new Arith("Sub", FloatArith.SUB, (a, b) -> a - b, (a, b) -> a - b);
    private static final Arith MUL = new Arith("Mul", FloatArith.MUL, (a, b) -> a * b, (a, b) -> a * b);
    // Integer division truncates toward zero, like Java's; ONNX leaves division by zero undefined, so it is an error.
    private static final Arith DIV = new Arith("Div", FloatArith.DIV, (a, b) -> a / nonZeroDivisor(b),
        (a, b) -> a / nonZeroDivisor(b));
    private static final Arith MAX = new Arith("Max", FloatArith.MAX, Math::max, Math::max);
    private static final Arith MIN = new Arith("Min", FloatArith.MIN, Math::min, Math::min);

    private static final Compare LESS = new Compare("Less", (a, b) -> a < b, (a, b) -> a < b, false);
    private static final Compare EQUAL = new Compare("Equal", (a, b) -> a == b, (a, b) -> a == b, true);
    private static final Compare GREATER = new Compare("Greater", (a, b) -> a > b, (a, b) -> a > b, false);
    private static final Compare LESS_OR_EQUAL =
        new Compare("LessOrEqual", (a, b) -> a <= b, (a, b) -> a <= b, false);
    private static final Compare GREATER_OR_EQUAL =
        new Compare("GreaterOrEqual", (a, b) -> a >= b, (a, b) -> a >= b, false);

    private static long nonZeroDivisor(long b) {
        if (b == 0) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "Div: integer division by zero");
        }
        return b;
    }

    private static int nonZeroDivisor(int b) {
        return (int) nonZeroDivisor((long) b);
    }

    interface FloatUnary {
        float apply(float x);
    }

    /** A float kernel over a whole array: z[i] = f(x[i]) for n elements. */
    interface FloatBulk {
        void apply(FloatKernels kernels, float[] x, float[] z, int n);
    }

    private static final AttributeSpec<Float> DROPOUT_RATIO =
        AttributeSpec.floatAttr("ratio", 0.5f).requiring(v -> v >= 0 && v < 1, "in [0, 1)");

    static void register(OpRegistry.Builder r) {
        binary(r, "Add", ADD, c -> inferArith(c, Long::sum, 0, true), "QLinearAdd");
        binary(r, "Sub", SUB, c -> inferArith(c, (a, b) -> a - b, 0, false), null);
        binary(r, "Mul", MUL, c -> inferArith(c, (a, b) -> a * b, 1, true), "QLinearMul");
        binary(r, "Div", DIV, c -> inferArith(c, (a, b) -> b == 0 ? Long.MIN_VALUE : a / b, 1, false), null);
        r.onnx("Pow", 7).inputs("rr").outputs("r")
            .shape(c -> one(c.type(0), broadcastInputs(c, 0, 1)))
            .factory(ctx -> in -> out(ElementwiseBinary.pow(in[0], in[1])));
        comparison(r, 7, LESS);
        comparison(r, 7, EQUAL);
        comparison(r, 7, GREATER);
        comparison(r, 12, LESS_OR_EQUAL);
        comparison(r, 12, GREATER_OR_EQUAL);
        logical(r, "And", (a, b) -> a & b);
        logical(r, "Or", (a, b) -> a | b);
        logical(r, "Xor", (a, b) -> a ^ b);
        r.onnx("Where", 9).traits(OpTrait.ANY_ELEMENT_TYPE).inputs("rrr").outputs("r")
            .shape(c -> one(known(c.type(1), c.type(2)), broadcastInputs(c, 0, 1, 2)))
            .factory(ctx -> in -> out(ElementwiseBinary.where(in[0], in[1], in[2])));
        variadic(r, "Max", MAX);
        variadic(r, "Min", MIN);
        // Sum and Mean broadcast from opset 8 (before, shapes had to be equal: a case of broadcasting). Both fold left
        // to right, as the reference does.
        variadic(r, "Sum", ADD);
        r.onnx("Mean", 7).inputs("r*").outputs("r").shape(ElementwiseOps::inferVariadic)
            .factory(ctx -> in -> out(mean(in)));

        r.onnx("Neg", 7).unary().traits(OpTrait.ELEMENTWISE).shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> in -> out(neg(in[0])));
        r.onnx("Relu", 7).unary().traits(OpTrait.ELEMENTWISE)
            .shape(ShapeRule.SAME_AS_INPUT)
            .traits(OpTrait.QUANTIZED_CLAMP)
            .factory(ctx -> {
                FloatKernels kernels = ctx.kernels().floats();
                return Op.withBuffers((in, buffers) -> out(in[0].type() == DataType.FLOAT
                    ? activation(kernels, Activation.RELU, 0f, 0f, in[0], buffers) : reluInteger(in[0])));
            });
        floatUnary(r, "Reciprocal", 7, x -> 1f / x);
        floatUnary(r, "Sqrt", 7, x -> (float) Math.sqrt(x));
        // Octet's own transcendentals (FloatMath), vectorized by the session's kernels.
        floatBulk(r, "Exp", 7, (k, x, z, n) -> k.exp(x, 0, z, 0, n));
        floatBulk(r, "Tanh", 7, (k, x, z, n) -> k.tanh(x, 0, z, 0, n));
        r.onnx("Sigmoid", 7).unary().traits(OpTrait.ELEMENTWISE).shape(ShapeRule.SAME_AS_INPUT)
            .factory(ctx -> activation(ctx, "Sigmoid", Activation.SIGMOID, 0f, 0f));
        floatBulk(r, "Erf", 9, (k, x, z, n) -> k.erf(x, 0, z, 0, n));
        // Round exists from opset 11; Math.rint rounds halves to even, as ONNX Round requires.
        floatUnary(r, "Round", 11, x -> (float) Math.rint(x));
        r.onnx("Clip", 7).unary().traits(OpTrait.ELEMENTWISE).inputsFrom(11, "roo").shape(ShapeRule.SAME_AS_INPUT).factory(ElementwiseOps::clip);

        r.onnx("Identity", 7).traits(OpTrait.ANY_ELEMENT_TYPE).unary()
            .shape(c -> new ShapeValue[] {c.in(0)})
            .traits(OpTrait.IDENTITY)
            .factory(ctx -> in -> out(in[0]));
        // Inference is the identity; the mask (BOOL from opset 10) is all true. Training mode only drops nothing
        // with ratio 0: random dropping is refused.
        r.onnx("Dropout", 7).inputs("r").inputsFrom(12, "roo").outputs("ro").attribute(DROPOUT_RATIO)
            .shape(c -> new ShapeValue[] {c.in(0), ShapeValue.of(DataType.BOOL, c.shape(0))})
            .factory(ElementwiseOps::dropout);
        // BitCast reinterprets the little-endian bytes of each element as another type of the same width.
        r.onnx("BitCast", 26).unary()
            .shape(c -> one(DataType.fromOnnx(c.attrs().requireInt("to")), c.shape(0)))
            .factory(ctx -> {
                long code = ctx.requireInt("to");
                DataType to = DataType.fromOnnx(code);
                if (to == null || to.isEdgeOnly() || code != (int) code) {
                    throw ctx.unsupportedType("BitCast to " + DataType.onnxName(code) + " is not supported");
                }
                return in -> out(bitCast(in[0], to));
            });
        r.onnx("Cast", 7).traits(OpTrait.ANY_ELEMENT_TYPE).unary()
            .shape(c -> inferCast(c, DataType.fromOnnx(c.attrs().requireInt("to"))))
            .traits(OpTrait.CONVERSION)
            .factory(ctx -> {
                long code = ctx.requireInt("to");
                DataType to = DataType.fromOnnx(code);
                if (to == null || code != (int) code) {
                    throw ctx.unsupportedType("Cast to " + DataType.onnxName(code) + " is not supported");
                }
                return in -> out(ElementwiseCast.cast(in[0], to));
            });
        r.onnx("CastLike", 15).traits(OpTrait.ANY_ELEMENT_TYPE).inputs("rr").outputs("r")
            .shape(c -> inferCast(c, c.type(1)))
            .factory(ctx -> in -> out(ElementwiseCast.cast(in[0], in[1].type())));
    }

    private static void comparison(OpRegistry.Builder r, int since, Compare op) {
        r.onnx(op.name(), since).inputs("rr").outputs("r")
            .shape(c -> one(DataType.BOOL, broadcastInputs(c, 0, 1)))
            .factory(ctx -> in -> out(ElementwiseBinary.compare(in[0], in[1], op)));
    }

    private static void logical(OpRegistry.Builder r, String name, ElementwiseBinary.BoolFn f) {
        r.onnx(name, 7).inputs("rr").outputs("r")
            .shape(c -> one(DataType.BOOL, broadcastInputs(c, 0, 1)))
            .factory(ctx -> in -> out(ElementwiseBinary.logical(name, in[0], in[1], f)));
    }

    /** The float sum of the inputs, broadcast and added left to right, divided by their count. */
    private static Tensor mean(Tensor[] in) {
        for (Tensor t : in) {
            if (t.type() != DataType.FLOAT) {
                throw ElementwiseBinary.unsupportedType("Mean", t.type());
            }
        }
        Tensor acc = in[0];
        for (int i = 1; i < in.length; i++) {
            acc = ElementwiseBinary.arith(acc, in[i], ADD, Buffers.FRESH);
        }
        float[] s = acc.floats();
        float[] z = new float[s.length];
        for (int i = 0; i < s.length; i++) {
            z[i] = s[i] / in.length;
        }
        return Tensor.ofFloats(z, acc.shapeView());
    }

    private static Tensor[] out(Tensor t) {
        return new Tensor[] {t};
    }

    /** {@code integerVariant}: the com.microsoft QLinear form, or null. */
    private static void binary(OpRegistry.Builder r, String name, Arith op, ShapeRule rule, String integerVariant) {
        OpDefinition.Builder d = r.onnx(name, 7).inputs("rr").outputs("r").shape(rule);
        if (integerVariant != null) {
            d.integerVariant(OpRegistry.MICROSOFT_DOMAIN, integerVariant);
        }
        d.factory(ctx -> Op.withBuffers((in, buffers) -> out(ElementwiseBinary.arith(in[0], in[1], op, buffers))));
    }

    /** Max and Min: any number of inputs, folded pairwise with broadcasting. */
    private static void variadic(OpRegistry.Builder r, String name, Arith op) {
        r.onnx(name, 7).inputs("r*").outputs("r").shape(ElementwiseOps::inferVariadic).factory(ctx -> {
            if (ctx.inputCount() < 1) {
                throw ctx.fail(name + " needs at least one input");
            }
            return in -> {
                Tensor acc = in[0];
                for (int i = 1; i < in.length; i++) {
                    acc = ElementwiseBinary.arith(acc, in[i], op, Buffers.FRESH);
                }
                return out(acc);
            };
        });
    }

    private static void floatUnary(OpRegistry.Builder r, String name, int since, FloatUnary f) {
        r.onnx(name, since).unary().traits(OpTrait.ELEMENTWISE).shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> mapFloats(name, f));
    }

    /** The op {@code y[i] = f(x[i])} on a float tensor (the scalar form of a float unary operator). */
    static Op mapFloats(String name, FloatUnary f) {
        return in -> {
            Tensor x = in[0];
            if (x.type() != DataType.FLOAT) {
                throw ElementwiseBinary.unsupportedType(name, x.type());
            }
            float[] s = x.floats();
            float[] z = new float[s.length];
            for (int i = 0; i < s.length; i++) {
                z[i] = f.apply(s[i]);
            }
            return out(Tensor.ofFloats(z, x.shapeView()));
        };
    }

    /** The op {@code y[i] = kind.apply(x[i], a, b)} on a float tensor, on the session's vector kernels. */
    private static Op dropout(OpContext ctx) {
        float attrRatio = ctx.get(DROPOUT_RATIO);
        boolean mask = ctx.hasOutput(1);
        if (mask && ctx.opset() < 10) {
            throw ctx.unsupported("the mask output before opset 10 (of the input's type) is not computed");
        }
        return in -> {
            boolean training = in.length > 2 && in[2] != null
                && ShapeKernels.oneValue(in[2], "Dropout training_mode", DataType.BOOL).bools()[0];
            float ratio = in.length > 1 && in[1] != null
                ? ShapeKernels.oneValue(in[1], "Dropout ratio", DataType.FLOAT).floats()[0] : attrRatio;
            if (!(ratio >= 0 && ratio < 1)) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "Dropout ratio must be in [0, 1), got " + ratio);
            }
            if (training && ratio > 0) {
                throw new OctetException(ErrorCode.UNSUPPORTED_OP, "Dropout in training mode with ratio " + ratio
                    + " drops at random, which Octet does not do (inference only)");
            }
            if (!mask) {
                return out(in[0]);
            }
            boolean[] keep = new boolean[in[0].size()];
            Arrays.fill(keep, true);
            return new Tensor[] {in[0], Tensor.ofBools(keep, in[0].shapeView())};
        };
    }

    /** The same bits as another type of the same width; a byte becomes a bool only when it is 0 or 1. */
    static Tensor bitCast(Tensor x, DataType to) {
        DataType from = x.type();
        if (from.byteSize() != to.byteSize()) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "BitCast from " + from + " (" + from.byteSize()
                + " bytes) to " + to + " (" + to.byteSize() + " bytes): the widths differ");
        }
        int[] shape = x.shapeView();
        int n = x.size();
        if (from == to) {
            return x;
        }
        return switch (to) {
            case FLOAT -> {
                float[] f = new float[n];
                int[] v = x.ints();
                for (int i = 0; i < n; i++) {
                    f[i] = Float.intBitsToFloat(v[i]);
                }
                yield Tensor.ofFloats(f, shape);
            }
            case INT32 -> {
                int[] v = new int[n];
                float[] f = x.floats();
                for (int i = 0; i < n; i++) {
                    v[i] = Float.floatToRawIntBits(f[i]);
                }
                yield Tensor.ofInts(v, shape);
            }
            case UINT8, INT8 -> {
                byte[] b = new byte[n];
                for (int i = 0; i < n; i++) {
                    b[i] = (byte) x.getLong(i);
                }
                yield Tensor.of(to, shape, b);
            }
            case BOOL -> {
                boolean[] b = new boolean[n];
                for (int i = 0; i < n; i++) {
                    long v = x.getLong(i) & 0xFF;
                    if (v > 1) {
                        throw new OctetException(ErrorCode.INVALID_INPUT, "BitCast to BOOL: byte " + v
                            + " is not a bool's representation (0 or 1)");
                    }
                    b[i] = v == 1;
                }
                yield Tensor.ofBools(b, shape);
            }
            // The factory refuses the types Octet only carries (DataType.isEdgeOnly); INT64 is the only 8-byte other.
            case INT64, FLOAT16, BFLOAT16, DOUBLE -> throw new AssertionError("BitCast to " + to + " after the type check");
        };
    }

    static Op activation(OpContext ctx, String name, Activation kind, float a, float b) {
        FloatKernels kernels = ctx.kernels().floats();
        return Op.withBuffers((in, buffers) -> {
            if (in[0].type() != DataType.FLOAT) {
                throw ElementwiseBinary.unsupportedType(name, in[0].type());
            }
            return out(activation(kernels, kind, a, b, in[0], buffers));
        });
    }

    /** {@code kind.apply(x[i], a, b)} over a float tensor, into an array from {@code buffers}. */
    static Tensor activation(FloatKernels kernels, Activation kind, float a, float b, Tensor x, Buffers buffers) {
        float[] s = x.floats();
        float[] z = buffers.floats(s.length);
        kernels.activation(kind, a, b, s, 0, z, 0, s.length);
        return Tensor.ofFloats(z, x.shapeView());
    }

    private static void floatBulk(OpRegistry.Builder r, String name, int since, FloatBulk f) {
        r.onnx(name, since).unary().traits(OpTrait.ELEMENTWISE).shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> {
            FloatKernels kernels = ctx.kernels().floats();
            return in -> {
                Tensor x = in[0];
                if (x.type() != DataType.FLOAT) {
                    throw ElementwiseBinary.unsupportedType(name, x.type());
                }
                float[] s = x.floats();
                float[] z = new float[s.length];
                f.apply(kernels, s, z, s.length);
                return out(Tensor.ofFloats(z, x.shapeView()));
            };
        });
    }

    private static Tensor neg(Tensor x) {
        return switch (x.type()) {
            case FLOAT -> {
                float[] s = x.floats();
                float[] z = new float[s.length];
                for (int i = 0; i < s.length; i++) {
                    z[i] = -s[i];
                }
                yield Tensor.ofFloats(z, x.shapeView());
            }
            case INT8, INT32, INT64 -> {
                long[] v = ElementwiseCast.longs(x);
                for (int i = 0; i < v.length; i++) {
                    v[i] = -v[i];
                }
                yield ElementwiseCast.fromLongs(v, x.type(), x.shapeView());
            }
            default -> throw ElementwiseBinary.unsupportedType("Neg", x.type());
        };
    }

    private static Tensor reluInteger(Tensor x) {
        return switch (x.type()) {
            case INT8, INT32, INT64 -> {
                long[] v = ElementwiseCast.longs(x);
                for (int i = 0; i < v.length; i++) {
                    v[i] = Math.max(v[i], 0);
                }
                yield ElementwiseCast.fromLongs(v, x.type(), x.shapeView());
            }
            default -> throw ElementwiseBinary.unsupportedType("Relu", x.type());
        };
    }

    /** Clip: bounds are float attributes before opset 11, optional scalar inputs from 11 on. */
    private static Op clip(OpContext ctx) {
        FloatKernels kernels = ctx.kernels().floats();
        if (ctx.opset() < 11) {
            float lo = ctx.getFloat("min", Float.NEGATIVE_INFINITY);
            float hi = ctx.getFloat("max", Float.POSITIVE_INFINITY);
            return activation(ctx, "Clip", Activation.CLIP, lo, hi);
        }
        if (ctx.has("min") || ctx.has("max")) {
            throw ctx.fail("from opset 11 Clip takes min and max as inputs, not attributes");
        }
        return Op.withBuffers((in, buffers) -> {
            Tensor x = in[0];
            Tensor lo = in.length > 1 ? in[1] : null;
            Tensor hi = in.length > 2 ? in[2] : null;
            for (Tensor bound : new Tensor[] {lo, hi}) {
                if (bound != null && (bound.type() != x.type() || bound.size() != 1)) {
                    throw new OctetException(ErrorCode.INVALID_INPUT, "Clip: min and max must be scalars of type "
                        + x.type() + ", got " + bound);
                }
            }
            return out(switch (x.type()) {
                // min(max(x, lo), hi): every element becomes hi when lo > hi, as the spec says. NaN stays NaN.
                case FLOAT -> activation(kernels, Activation.CLIP, lo == null ? Float.NEGATIVE_INFINITY : lo.floats()[0],
                    hi == null ? Float.POSITIVE_INFINITY : hi.floats()[0], x, buffers);
                case UINT8, INT8, INT32, INT64 -> clipInteger(x, lo == null ? Long.MIN_VALUE : lo.getLong(0),
                    hi == null ? Long.MAX_VALUE : hi.getLong(0));
                case BOOL, FLOAT16, BFLOAT16, DOUBLE -> throw ElementwiseBinary.unsupportedType("Clip", x.type());
            });
        });
    }

    private static Tensor clipInteger(Tensor x, long lo, long hi) {
        long[] v = ElementwiseCast.longs(x);
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.min(Math.max(v[i], lo), hi);
        }
        return ElementwiseCast.fromLongs(v, x.type(), x.shapeView());
    }

    // ---- shape rules ----------------------------------------------------------------------------------

    /**
     * Add/Sub/Mul/Div, computing shape-valued elements: fixed with fixed is evaluated (at the type's width),
     * and adding 0 or multiplying by 1 keeps a symbol.
     */
    private static ShapeValue[] inferArith(ShapeContext c, LongBinaryOperator f, long neutral, boolean commutative) {
        DataType t = known(c.type(0), c.type(1));
        List<Dim> shape = broadcastInputs(c, 0, 1);
        List<Elem> a = c.elements(0), b = c.elements(1);
        if (a == null || b == null || shape == null || shape.size() > 1 || !ShapeValue.isIndexType(t)) {
            return one(t, shape);
        }
        int n = Math.max(a.size(), b.size());
        if ((a.size() != n && a.size() != 1) || (b.size() != n && b.size() != 1)) {
            return one(t, shape);
        }
        List<Elem> r = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Elem x = a.get(a.size() == 1 ? 0 : i), y = b.get(b.size() == 1 ? 0 : i);
            Elem e = Elem.UNKNOWN;
            if (x.fixed() && y.fixed()) {
                long v = f.applyAsLong(x.value(), y.value());
                // Long.MIN_VALUE marks a division by zero, which fails at run time.
                e = v == Long.MIN_VALUE ? Elem.UNKNOWN : Elem.of(t == DataType.INT32 ? (int) v : v);
            } else if (y.fixed() && y.value() == neutral) {
                e = x;
            } else if (commutative && x.fixed() && x.value() == neutral) {
                e = y;
            }
            r.add(e);
        }
        return new ShapeValue[] {new ShapeValue(t, shape, null, r)};
    }

    private static ShapeValue[] inferVariadic(ShapeContext c) {
        List<List<Dim>> shapes = new ArrayList<>();
        DataType t = null;
        for (int i = 0; i < c.attrs().inputCount(); i++) {
            shapes.add(c.shape(i));
            t = known(t, c.type(i));
        }
        return one(t, broadcast(shapes));
    }

    private static ShapeValue[] inferCast(ShapeContext c, DataType to) {
        List<Elem> e = c.elements(0);
        if (e == null || !ShapeValue.isIndexType(to)) {
            return one(to, c.shape(0));
        }
        // Casting between int32 and int64 keeps the low bits; symbols are tensor dims, which fit in int32.
        List<Elem> r = e.stream().map(x -> x.fixed() && to == DataType.INT32 ? Elem.of((int) x.value()) : x).toList();
        return new ShapeValue[] {new ShapeValue(to, c.shape(0), null, r)};
    }
}
