package dev.octet.ops;

import static dev.octet.ops.Shapes.broadcastInputs;
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
import java.util.Arrays;
import java.util.List;

/**
 * Float activations, element by element: the ones exported graphs put between quantized convolutions. Each is
 * one definition. Most run whole on the session's vector kernels ({@link Activation}); Softplus and Mish take
 * their exponentials and tanh from them over the whole tensor ({@link FloatMath}'s arithmetic, the same bits at
 * every vector width) and their logarithm from {@link StrictMath#log1p}, which Java specifies bit for bit.
 * The ONNX versions after the ones named here only added types (bfloat16, float16), so each definition
 * implements its operator through the latest opset.
 */
final class ActivationOps {
    private ActivationOps() {}

    private static final AttributeSpec<Float> LEAKY_RELU_ALPHA = AttributeSpec.floatAttr("alpha", 0.01f);
    private static final AttributeSpec<Float> HARD_SIGMOID_ALPHA = AttributeSpec.floatAttr("alpha", 0.2f);
    private static final AttributeSpec<Float> HARD_SIGMOID_BETA = AttributeSpec.floatAttr("beta", 0.5f);
    private static final AttributeSpec<Float> ELU_ALPHA = AttributeSpec.floatAttr("alpha", 1f);
    private static final AttributeSpec<Float> SELU_ALPHA = AttributeSpec.floatAttr("alpha", 1.67326319217681884765625f);
    private static final AttributeSpec<Float> SELU_GAMMA = AttributeSpec.floatAttr("gamma", 1.05070102214813232421875f);
    private static final AttributeSpec<Float> CELU_ALPHA =
        AttributeSpec.floatAttr("alpha", 1f).requiring(a -> a != 0, "non-zero (x / alpha is taken)");
    private static final AttributeSpec<Float> THRESHOLD = AttributeSpec.floatAttr("alpha", 1f);
    private static final AttributeSpec<Float> SHRINK_LAMBDA = AttributeSpec.floatAttr("lambd", 0.5f);
    private static final AttributeSpec<Float> SHRINK_BIAS = AttributeSpec.floatAttr("bias", 0f);
    private static final AttributeSpec<Float> SWISH_ALPHA = AttributeSpec.floatAttr("alpha", 1f);
    private static final AttributeSpec<String> GELU_APPROXIMATE = AttributeSpec.stringAttr("approximate", "none")
        .requiring(a -> a.equals("none") || a.equals("tanh"), "none or tanh");
    /** sqrt(2 / pi) and the cubic coefficient of Gelu's tanh approximation. */
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);
    private static final float GELU_CUBIC = 0.044715f;
    /** HardSwish is HardSigmoid with alpha 1/6 and beta 0.5, fixed. */
    private static final float ONE_SIXTH = (float) (1.0 / 6);

    private static final Arith PRELU = new Arith("PRelu", (x, slope) -> x < 0 ? slope * x : x,
        (x, slope) -> x < 0 ? slope * x : x, (x, slope) -> x < 0 ? slope * x : x);

    static void register(OpRegistry.Builder r) {
        // LeakyRelu-16 only added bfloat16 to the types of LeakyRelu-6.
        r.onnx("LeakyRelu", 6).unary().traits(OpTrait.ELEMENTWISE).attribute(LEAKY_RELU_ALPHA).shape(ShapeRule.SAME_AS_INPUT)
            .integerVariant(OpRegistry.MICROSOFT_DOMAIN, "QLinearLeakyRelu").factory(ctx ->
                ElementwiseOps.activation(ctx, "LeakyRelu", Activation.LEAKY_RELU, ctx.get(LEAKY_RELU_ALPHA), 0f));
        r.onnx("HardSigmoid", 6).unary().traits(OpTrait.ELEMENTWISE).attribute(HARD_SIGMOID_ALPHA).attribute(HARD_SIGMOID_BETA)
            .shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> ElementwiseOps.activation(ctx, "HardSigmoid",
                Activation.HARD_SIGMOID, ctx.get(HARD_SIGMOID_ALPHA), ctx.get(HARD_SIGMOID_BETA)));
        r.onnx("HardSwish", 14).unary().traits(OpTrait.ELEMENTWISE).shape(ShapeRule.SAME_AS_INPUT)
            .factory(ctx -> ElementwiseOps.activation(ctx, "HardSwish", Activation.HARD_SWISH, ONE_SIXTH, 0.5f));
        r.onnx("Elu", 6).unary().traits(OpTrait.ELEMENTWISE).attribute(ELU_ALPHA).shape(ShapeRule.SAME_AS_INPUT)
            .factory(ctx -> ElementwiseOps.activation(ctx, "Elu", Activation.ELU, ctx.get(ELU_ALPHA), 0f));
        r.onnx("Selu", 6).unary().traits(OpTrait.ELEMENTWISE).attribute(SELU_ALPHA).attribute(SELU_GAMMA).shape(ShapeRule.SAME_AS_INPUT)
            .factory(ctx -> ElementwiseOps.activation(ctx, "Selu", Activation.SELU, ctx.get(SELU_ALPHA),
                ctx.get(SELU_GAMMA)));
        // Celu-28 only added types to Celu-12.
        r.onnx("Celu", 12).unary().traits(OpTrait.ELEMENTWISE).attribute(CELU_ALPHA).shape(ShapeRule.SAME_AS_INPUT)
            .factory(ctx -> ElementwiseOps.activation(ctx, "Celu", Activation.CELU, ctx.get(CELU_ALPHA), 0f));
        r.onnx("Softplus", 1).unary().traits(OpTrait.ELEMENTWISE).shape(ShapeRule.SAME_AS_INPUT)
            .factory(ActivationOps::softplus);
        r.onnx("Softsign", 1).unary().traits(OpTrait.ELEMENTWISE).shape(ShapeRule.SAME_AS_INPUT)
            .factory(ctx -> ElementwiseOps.mapFloats("Softsign", x -> x / (1f + Math.abs(x))));
        r.onnx("ThresholdedRelu", 10).unary().traits(OpTrait.ELEMENTWISE).attribute(THRESHOLD).shape(ShapeRule.SAME_AS_INPUT).factory(ctx ->
            ElementwiseOps.activation(ctx, "ThresholdedRelu", Activation.THRESHOLDED_RELU, ctx.get(THRESHOLD), 0f));
        r.onnx("Shrink", 9).unary().traits(OpTrait.ELEMENTWISE).attribute(SHRINK_LAMBDA).attribute(SHRINK_BIAS).shape(ShapeRule.SAME_AS_INPUT)
            .factory(ctx -> {
                float lambda = ctx.get(SHRINK_LAMBDA);
                float bias = ctx.get(SHRINK_BIAS);
                return ElementwiseOps.mapFloats("Shrink", x -> x < -lambda ? x + bias : x > lambda ? x - bias : 0f);
            });
        r.onnx("Swish", 24).unary().traits(OpTrait.ELEMENTWISE).attribute(SWISH_ALPHA).shape(ShapeRule.SAME_AS_INPUT)
            .factory(ctx -> ElementwiseOps.activation(ctx, "Swish", Activation.SWISH, ctx.get(SWISH_ALPHA), 0f));
        r.onnx("SwiGLU", 28).inputs("rr").outputs("r").attribute(SWISH_ALPHA).shape(ShapeRule.SAME_AS_INPUT)
            .factory(ActivationOps::swiGlu);
        r.onnx("Gelu", 20).unary().traits(OpTrait.ELEMENTWISE).attribute(GELU_APPROXIMATE).shape(ShapeRule.SAME_AS_INPUT).factory(ctx ->
            ctx.get(GELU_APPROXIMATE).equals("none") ? TransformerOps.gelu(ctx) : geluTanh(ctx));
        r.onnx("Mish", 18).unary().traits(OpTrait.ELEMENTWISE).shape(ShapeRule.SAME_AS_INPUT).factory(ActivationOps::mish);
        // From opset 7 the slope broadcasts to X (one way); opset 9 added integer types.
        r.onnx("PRelu", 7).inputs("rr").outputs("r").shape(ActivationOps::inferPRelu).factory(ActivationOps::prelu);
    }

    /**
     * PRelu is LeakyRelu with a slope per element: a float slope that is one value, or one per channel (axis 1 of
     * X, the NCHW case), runs on the vector kernels one channel plane at a time; other broadcasts elementwise.
     */
    private static Op prelu(OpContext ctx) {
        FloatKernels kernels = ctx.kernels().floats();
        return Op.withBuffers((in, buffers) -> {
            Tensor x = in[0];
            Tensor slope = in[1];
            int[] shape = x.shapeView();
            if (x.type() == DataType.FLOAT && slope.type() == DataType.FLOAT && isScalarOrPerChannel(shape,
                    slope.shapeView())) {
                float[] s = x.floats();
                float[] a = slope.floats();
                if (a.length == 1) {
                    return new Tensor[] {ElementwiseOps.activation(kernels, Activation.LEAKY_RELU, a[0], 0f, x, buffers)};
                }
                float[] z = buffers.floats(s.length);
                int plane = s.length == 0 ? 0 : s.length / (shape[0] * shape[1]);
                for (int at = 0, c = 0; at < s.length; at += plane, c = (c + 1) % a.length) {
                    kernels.activation(Activation.LEAKY_RELU, a[c], 0f, s, at, z, at, plane);
                }
                return new Tensor[] {Tensor.ofFloats(z, shape)};
            }
            Tensor y = ElementwiseBinary.arith(x, slope, PRELU, buffers);
            if (!Arrays.equals(y.shapeView(), shape)) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "PRelu: slope " + Arrays.toString(slope.shapeView())
                    + " does not broadcast to X " + Arrays.toString(shape));
            }
            return new Tensor[] {y};
        });
    }

    /**
     * Whether a slope of this shape, aligned to X's trailing axes, is one value or one per channel: every axis 1
     * except X's axis 1, where it may equal X's channel count.
     */
    static boolean isScalarOrPerChannel(int[] x, int[] slope) {
        if (slope.length > x.length) {
            return false;
        }
        for (int d = 0; d < slope.length; d++) {
            int axis = x.length - slope.length + d;
            if (slope[d] != 1 && !(axis == 1 && slope[d] == x[1])) {
                return false;
            }
        }
        return true;
    }

    /**
     * ln(1 + e^x) as max(x, 0) + ln(1 + e^-|x|), which neither overflows nor loses small results; {@code e} is
     * e^-|x|.
     */
    private static float softplus(float x, float e) {
        return Math.max(x, 0f) + (float) StrictMath.log1p(e);
    }

    /** ln(1 + e^x) element by element, the exponentials on the session's kernels. */
    private static Op softplus(OpContext ctx) {
        FloatKernels kernels = ctx.kernels().floats();
        return Op.withBuffers((in, buffers) -> {
            float[] x = floats("Softplus", in[0]);
            float[] y = buffers.floats(x.length);
            softplus(kernels, x, y);
            return new Tensor[] {Tensor.ofFloats(y, in[0].shapeView())};
        });
    }

    /** Swish(A) * B for A and B of one shape, the Swish on the session's vector kernels. */
    private static Op swiGlu(OpContext ctx) {
        FloatKernels kernels = ctx.kernels().floats();
        float alpha = ctx.get(SWISH_ALPHA);
        return Op.withBuffers((in, buffers) -> {
            float[] a = floats("SwiGLU", in[0]);
            float[] b = floats("SwiGLU", in[1]);
            if (!Arrays.equals(in[0].shapeView(), in[1].shapeView())) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "SwiGLU: A " + Arrays.toString(in[0].shapeView())
                    + " and B " + Arrays.toString(in[1].shapeView()) + " must have one shape (no broadcasting)");
            }
            float[] y = buffers.floats(a.length);
            kernels.activation(Activation.SWISH, alpha, 0f, a, 0, y, 0, a.length);
            for (int i = 0; i < y.length; i++) {
                y[i] *= b[i];
            }
            return new Tensor[] {Tensor.ofFloats(y, in[0].shapeView())};
        });
    }

    /**
     * Gelu's tanh approximation, {@code 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))} in float,
     * the tanh on the session's kernels.
     */
    private static Op geluTanh(OpContext ctx) {
        FloatKernels kernels = ctx.kernels().floats();
        return Op.withBuffers((in, buffers) -> {
            float[] x = floats("Gelu", in[0]);
            float[] y = buffers.floats(x.length);
            for (int i = 0; i < x.length; i++) {
                y[i] = SQRT_2_OVER_PI * (x[i] + GELU_CUBIC * x[i] * x[i] * x[i]);
            }
            kernels.tanh(y, 0, y, 0, y.length);
            for (int i = 0; i < x.length; i++) {
                y[i] = 0.5f * x[i] * (1f + y[i]);
            }
            return new Tensor[] {Tensor.ofFloats(y, in[0].shapeView())};
        });
    }

    /** x * tanh(softplus(x)), the exponentials and tanh on the session's kernels. */
    private static Op mish(OpContext ctx) {
        FloatKernels kernels = ctx.kernels().floats();
        return Op.withBuffers((in, buffers) -> {
            float[] x = floats("Mish", in[0]);
            float[] y = buffers.floats(x.length);
            softplus(kernels, x, y);
            kernels.tanh(y, 0, y, 0, y.length);
            for (int i = 0; i < x.length; i++) {
                y[i] = x[i] * y[i];
            }
            return new Tensor[] {Tensor.ofFloats(y, in[0].shapeView())};
        });
    }

    /** Writes softplus(x) into y: e^-|x| in one pass of the kernels, then {@link #softplus(float, float)}. */
    private static void softplus(FloatKernels kernels, float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] = -Math.abs(x[i]);
        }
        kernels.exp(y, 0, y, 0, y.length);
        for (int i = 0; i < x.length; i++) {
            y[i] = softplus(x[i], y[i]);
        }
    }

    private static float[] floats(String op, Tensor x) {
        if (x.type() != DataType.FLOAT) {
            throw ElementwiseBinary.unsupportedType(op, x.type());
        }
        return x.floats();
    }

    /** X's type and shape; a slope that cannot broadcast to X is a contradiction. */
    private static ShapeValue[] inferPRelu(ShapeContext c) {
        List<Dim> x = c.shape(0);
        List<Dim> both = broadcastInputs(c, 0, 1);
        if (x != null && both != null && ShapeDims.allFixed(x) && ShapeDims.allFixed(both) && !both.equals(x)) {
            throw c.fail("PRelu slope " + c.shape(1) + " does not broadcast to X " + x);
        }
        return one(c.type(0), x);
    }
}
