package dev.octet.ops;

/**
 * Float activations, element by element: the ones exported graphs put between quantized convolutions. Each is
 * one definition; the scalar form is the reference.
 */
final class ActivationOps {
    private ActivationOps() {}

    private static final AttributeSpec<Float> LEAKY_RELU_ALPHA = AttributeSpec.floatAttr("alpha", 0.01f);

    static void register(OpRegistry.Builder r) {
        // LeakyRelu-16 only added bfloat16 to the types of LeakyRelu-6.
        r.onnx("LeakyRelu", 6).attribute(LEAKY_RELU_ALPHA).shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> {
            float alpha = ctx.get(LEAKY_RELU_ALPHA);
            return ElementwiseOps.mapFloats("LeakyRelu", x -> x < 0 ? alpha * x : x);
        });
    }
}
