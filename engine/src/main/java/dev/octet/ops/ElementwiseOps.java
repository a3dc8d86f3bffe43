package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.kernel.FloatKernels;
import dev.octet.kernel.FloatMath;
import dev.octet.ops.ElementwiseBinary.Arith;
import dev.octet.ops.ElementwiseBinary.Compare;

/** Elementwise arithmetic, comparison, selection and conversion operators. */
final class ElementwiseOps {
    private ElementwiseOps() {}

    private static final Arith ADD = new Arith("Add", Float::sum, Integer::sum, Long::sum);
    private static final Arith SUB = new Arith("Sub", (a, b) -> a - b, (a, b) -> a - b, (a, b) -> a - b);
    private static final Arith MUL = new Arith("Mul", (a, b) -> a * b, (a, b) -> a * b, (a, b) -> a * b);
    // Integer division truncates toward zero, like Java's; division by zero raises ArithmeticException.
    private static final Arith DIV = new Arith("Div", (a, b) -> a / b, (a, b) -> a / b, (a, b) -> a / b);
    // Math.max/min propagate NaN, as numpy's maximum/minimum do.
    private static final Arith MAX = new Arith("Max", Math::max, Math::max, Math::max);
    private static final Arith MIN = new Arith("Min", Math::min, Math::min, Math::min);

    private static final Compare LESS = new Compare("Less", (a, b) -> a < b, (a, b) -> a < b, false);
    private static final Compare EQUAL = new Compare("Equal", (a, b) -> a == b, (a, b) -> a == b, true);

    interface FloatUnary {
        float apply(float x);
    }

    /** A float kernel over a whole array: z[i] = f(x[i]) for n elements. */
    interface FloatBulk {
        void apply(FloatKernels kernels, float[] x, float[] z, int n);
    }

    static void register(OpRegistry.Builder r) {
        binary(r, "Add", ADD);
        binary(r, "Sub", SUB);
        binary(r, "Mul", MUL);
        binary(r, "Div", DIV);
        r.onnx("Pow", 7, ctx -> in -> out(ElementwiseBinary.pow(in[0], in[1])));
        r.onnx("Less", 7, ctx -> in -> out(ElementwiseBinary.compare(in[0], in[1], LESS)));
        r.onnx("Equal", 7, ctx -> in -> out(ElementwiseBinary.compare(in[0], in[1], EQUAL)));
        r.onnx("Where", 9, ctx -> in -> out(ElementwiseBinary.where(in[0], in[1], in[2])));
        variadic(r, "Max", MAX);
        variadic(r, "Min", MIN);

        r.onnx("Neg", 7, ctx -> in -> out(neg(in[0])));
        r.onnx("Relu", 7, ctx -> in -> out(relu(in[0])));
        floatUnary(r, "Reciprocal", 7, x -> 1f / x);
        floatUnary(r, "Sqrt", 7, x -> (float) Math.sqrt(x));
        // Octet's own transcendentals (FloatMath), vectorized by the session's kernels.
        floatBulk(r, "Exp", 7, (k, x, z, n) -> k.exp(x, 0, z, 0, n));
        floatBulk(r, "Tanh", 7, (k, x, z, n) -> k.tanh(x, 0, z, 0, n));
        floatBulk(r, "Sigmoid", 7, ElementwiseOps::sigmoid);
        floatBulk(r, "Erf", 9, (k, x, z, n) -> k.erf(x, 0, z, 0, n));
        // Round exists from opset 11; Math.rint rounds halves to even, as ONNX Round requires.
        floatUnary(r, "Round", 11, x -> (float) Math.rint(x));
        r.onnx("Clip", 7, ElementwiseOps::clip);

        r.onnx("Identity", 7, ctx -> in -> out(in[0]));
        r.onnx("Cast", 7, ctx -> {
            long code = ctx.requireInt("to");
            DataType to = DataType.fromOnnx((int) code);
            if (to == null || code != (int) code) {
                throw ctx.unsupported("Cast to " + DataType.onnxName((int) code) + " is not supported");
            }
            return in -> out(ElementwiseCast.cast(in[0], to));
        });
        r.onnx("CastLike", 15, ctx -> in -> out(ElementwiseCast.cast(in[0], in[1].type())));
    }

    private static Tensor[] out(Tensor t) {
        return new Tensor[] {t};
    }

    private static void binary(OpRegistry.Builder r, String name, Arith op) {
        r.onnx(name, 7, ctx -> Op.withBuffers((in, buffers) -> out(ElementwiseBinary.arith(in[0], in[1], op, buffers))));
    }

    /** Max and Min: any number of inputs, folded pairwise with broadcasting. */
    private static void variadic(OpRegistry.Builder r, String name, Arith op) {
        r.onnx(name, 7, ctx -> {
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
        r.onnx(name, since, ctx -> in -> {
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
        });
    }

    private static void floatBulk(OpRegistry.Builder r, String name, int since, FloatBulk f) {
        r.onnx(name, since, ctx -> {
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

    /** FloatMath.sigmoid with the exponentials exp(-|x|) (which cannot overflow) computed by the kernel. */
    private static void sigmoid(FloatKernels kernels, float[] x, float[] z, int n) {
        for (int i = 0; i < n; i++) {
            z[i] = -Math.abs(x[i]);
        }
        kernels.exp(z, 0, z, 0, n);
        for (int i = 0; i < n; i++) {
            z[i] = FloatMath.sigmoidFrom(x[i], z[i]);
        }
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

    private static Tensor relu(Tensor x) {
        return switch (x.type()) {
            case FLOAT -> {
                float[] s = x.floats();
                float[] z = new float[s.length];
                for (int i = 0; i < s.length; i++) {
                    // Keeps NaN, as numpy's maximum(x, 0) does.
                    z[i] = s[i] < 0 ? 0f : s[i];
                }
                yield Tensor.ofFloats(z, x.shapeView());
            }
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
        if (ctx.opset() < 11) {
            float lo = ctx.getFloat("min", Float.NEGATIVE_INFINITY);
            float hi = ctx.getFloat("max", Float.POSITIVE_INFINITY);
            return in -> {
                if (in[0].type() != DataType.FLOAT) {
                    throw ElementwiseBinary.unsupportedType("Clip", in[0].type());
                }
                return out(clipFloat(in[0], lo, hi));
            };
        }
        if (ctx.has("min") || ctx.has("max")) {
            throw ctx.fail("from opset 11 Clip takes min and max as inputs, not attributes");
        }
        return in -> {
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
                case FLOAT -> clipFloat(x, lo == null ? Float.NEGATIVE_INFINITY : lo.floats()[0],
                    hi == null ? Float.POSITIVE_INFINITY : hi.floats()[0]);
                case UINT8, INT8, INT32, INT64 -> clipInteger(x, lo == null ? Long.MIN_VALUE : lo.getLong(0),
                    hi == null ? Long.MAX_VALUE : hi.getLong(0));
                case BOOL -> throw ElementwiseBinary.unsupportedType("Clip", x.type());
            });
        };
    }

    /** min(max(x, lo), hi): every element becomes hi when lo > hi, as the spec says. NaN stays NaN. */
    private static Tensor clipFloat(Tensor x, float lo, float hi) {
        float[] s = x.floats();
        float[] z = new float[s.length];
        for (int i = 0; i < s.length; i++) {
            z[i] = Math.min(Math.max(s[i], lo), hi);
        }
        return Tensor.ofFloats(z, x.shapeView());
    }

    private static Tensor clipInteger(Tensor x, long lo, long hi) {
        long[] v = ElementwiseCast.longs(x);
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.min(Math.max(v[i], lo), hi);
        }
        return ElementwiseCast.fromLongs(v, x.type(), x.shapeView());
    }
}
