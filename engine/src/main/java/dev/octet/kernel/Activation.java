package dev.octet.kernel;

/**
 * The activations {@link FloatKernels#activation} runs, each with at most two float parameters {@code a} and
 * {@code b}. {@link #apply} is the reference arithmetic: every kernel computes exactly these float operations in
 * this order (no fused multiply-add beyond {@link FloatMath#exp}'s and {@link FloatMath#sigmoid}'s own), so the bits, NaN and -0 included, agree at
 * every width.
 */
public enum Activation {
    /** {@code x < 0 ? 0 : x}: NaN and -0 pass through. */
    RELU,
    /** {@code x < 0 ? a * x : x} (LeakyRelu, and PRelu one slope at a time). */
    LEAKY_RELU,
    /** {@code max(0, min(1, a * x + b))}, NaN staying NaN. */
    HARD_SIGMOID,
    /** {@code x * max(0, min(1, a * x + b))} (HardSwish: a = 1/6, b = 0.5). */
    HARD_SWISH,
    /** {@code x > a ? x : 0}: NaN becomes 0. */
    THRESHOLDED_RELU,
    /** {@code min(max(x, a), b)}: everything becomes b when a > b, as ONNX Clip says; NaN stays NaN. */
    CLIP,
    /** {@code x < 0 ? a * (exp(x) - 1) : x}. */
    ELU,
    /** {@code x > 0 ? b * x : b * (a * exp(x) - a)} (a is Selu's alpha, b its gamma). */
    SELU,
    /** {@code max(0, x) + min(0, a * (exp(x / a) - 1))}. */
    CELU,
    /** {@link FloatMath#sigmoid}: ONNX Runtime's rational approximation. */
    SIGMOID,
    /** {@code x * sigmoid(a * x)} (Swish; SiLU when a = 1). */
    SWISH;

    /** The activation of one element. */
    public float apply(float x, float a, float b) {
        return switch (this) {
            case RELU -> x < 0 ? 0f : x;
            case LEAKY_RELU -> x < 0 ? a * x : x;
            case HARD_SIGMOID -> Math.max(0f, Math.min(1f, a * x + b));
            case HARD_SWISH -> x * Math.max(0f, Math.min(1f, a * x + b));
            case THRESHOLDED_RELU -> x > a ? x : 0f;
            case CLIP -> Math.min(Math.max(x, a), b);
            case ELU -> x < 0 ? a * (FloatMath.exp(x) - 1f) : x;
            case SELU -> x > 0 ? b * x : b * (a * FloatMath.exp(x) - a);
            case CELU -> Math.max(0f, x) + Math.min(0f, a * (FloatMath.exp(x / a) - 1f));
            case SIGMOID -> FloatMath.sigmoid(x);
            case SWISH -> x * FloatMath.sigmoid(a * x);
        };
    }
}
