package dev.octet.kernel;

/**
 * Octet's float transcendentals: range reduction and polynomials in float arithmetic, as a fixed sequence of float
 * operations (add, multiply, divide, {@link Math#fma}, min/max, comparisons and bit moves). The vector kernels
 * repeat exactly these operations lane by lane, so scalar and vector results are bit-identical on every platform
 * (see {@link FloatKernels}); {@code Math.exp} and the Vector API's EXP give no such promise.
 *
 * <p>erf, tanh, sigmoid and softmax's exponential are ONNX Runtime's arithmetic (see below), so transformer outputs
 * equal ORT's bit for bit. {@link #exp} (the Exp operator and the ELU family) is Octet's own: a minimax fit
 * (Lawson's iteration against 40-digit references) rounded to float. Errors are measured against {@code StrictMath}
 * (for erf, a double-precision series) by {@code FloatMathAccuracyTest}.
 */
public final class FloatMath {
    private FloatMath() {}

    // The constants are public for the vector kernels (kernel.panama), which must use exactly these.

    // ---- exp ----

    /** Adding 1.5 * 2^23 rounds a float of magnitude below 2^22 to an integer held in the low mantissa bits. */
    public static final float ROUNDER = 0x1.8p23f;
    public static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    public static final float LOG2E = 0x1.715476p0f;
    /** ln 2 split so n * LN2_HI + n * LN2_LO carries ln 2 to about 48 bits. */
    public static final float LN2_HI = 0x1.62e43p-1f;
    public static final float LN2_LO = -0x1.05c61p-29f;
    /** exp(r) = 1 + r + r^2 * (E0 + E1 r + E2 r^2 + E3 r^3 + E4 r^4) for |r| <= ln(2)/2 (fit error 0.05 ulp). */
    public static final float E0 = 4.999999404e-01f;
    public static final float E1 = 1.666652113e-01f;
    public static final float E2 = 4.166838899e-02f;
    public static final float E3 = 8.368713781e-03f;
    public static final float E4 = 1.381461625e-03f;
    /** exp(-104) is below half the smallest denormal and exp(89) above Float.MAX_VALUE: the clamp keeps 0 and Inf. */
    public static final float EXP_MIN = -104f;
    public static final float EXP_MAX = 89f;

    /**
     * e^x with at most 1 ulp error (0.995 measured) over the whole float range: NaN, +-Inf, overflow to Inf
     * and gradual underflow through the denormals to 0 included. {@code x = n ln2 + r}, {@code |r| <= ln2/2};
     * the result {@code p(r) * 2^n} is scaled in two exact halves so denormal results are rounded once.
     */
    public static float exp(float x) {
        float xc = Math.min(Math.max(x, EXP_MIN), EXP_MAX); // NaN stays NaN
        float t = Math.fma(xc, LOG2E, ROUNDER);
        float n = t - ROUNDER;
        int ni = Float.floatToRawIntBits(t) - ROUNDER_BITS;
        float r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);
        float q = Math.fma(E4, r, E3);
        q = Math.fma(q, r, E2);
        q = Math.fma(q, r, E1);
        q = Math.fma(q, r, E0);
        float p = Math.fma(q, r * r, r) + 1f;
        int n1 = ni >> 1;
        float s1 = Float.intBitsToFloat((n1 + 127) << 23);
        float s2 = Float.intBitsToFloat((ni - n1 + 127) << 23);
        return p * s1 * s2;
    }

    // ---- erf, tanh and sigmoid: ONNX Runtime's arithmetic ----
    //
    // These three, the softmax exponential below and so every operator built on them (Erf, Gelu, Tanh, Sigmoid,
    // Softmax, Attention) compute exactly what ONNX Runtime's MLAS kernels compute on an x86 host with FMA, so that
    // Octet's outputs equal ORT's bit for bit: the same published coefficients, clamps and operation order, written
    // here as plain float operations. The comparisons are written as MLAS's min/max instructions behave with NaN
    // (they return their second operand), which is not always Math.min/max's NaN rule.

    /** |x| is clamped here (a NaN |x| too: the x86 minimum returns the bound), where erf rounds to 1. */
    public static final float ERF_MAX = 3.925f;
    /** Below this, erf(x) = x + x P(x^2); from it on, erf(x) = 1 - exp(-x Q(x) - x). */
    public static final float ERF_SPLIT = 0.921875f;
    public static final float ERF_P0 = -5.99104969e-4f;
    public static final float ERF_P1 = 4.99339588e-3f;
    public static final float ERF_P2 = -2.67667342e-2f;
    public static final float ERF_P3 = 1.12818025e-1f;
    public static final float ERF_P4 = -3.76124859e-1f;
    public static final float ERF_P5 = 1.28379151e-1f;
    public static final float ERF_Q0 = 1.72948930e-5f;
    public static final float ERF_Q1 = -3.83208680e-4f;
    public static final float ERF_Q2 = 3.88393435e-3f;
    public static final float ERF_Q3 = -2.42545605e-2f;
    public static final float ERF_Q4 = 1.06777847e-1f;
    public static final float ERF_Q5 = 6.34846687e-1f;
    public static final float ERF_Q6 = 1.28717512e-1f;
    /** The exponential inside erf: its own clamp, ln 2 split and degree-6 polynomial (C0 * f^6 + ... + C6). */
    public static final float ERF_EXP_MIN = -88.3762626647949f;
    public static final float ERF_LN2_HI = -6.93145752e-1f;
    public static final float ERF_LN2_LO = -1.42860677e-6f;
    public static final float ERF_C0 = 1.38319808e-3f;
    public static final float ERF_C1 = 8.37550033e-3f;
    public static final float ERF_C2 = 4.16689515e-2f;
    public static final float ERF_C3 = 1.66664466e-1f;
    public static final float ERF_C4 = 4.99999851e-1f;

    /**
     * The error function as ONNX Runtime computes it (MLAS's FMA erf kernel; error measured by
     * {@code FloatMathAccuracyTest}). Odd: computed at |x| and signed last, so -0 stays -0; a NaN gives +-1.
     */
    public static float erf(float x) {
        float a = Math.abs(x);
        a = a < ERF_MAX ? a : ERF_MAX;
        float y = a >= ERF_SPLIT ? erfLarge(a) : erfSmall(a);
        return Math.copySign(y, x);
    }

    /** erf(a) for 0 <= a < ERF_SPLIT. */
    public static float erfSmall(float a) {
        float s = a * a;
        float p = Math.fma(ERF_P0, s, ERF_P1);
        p = Math.fma(p, s, ERF_P2);
        p = Math.fma(p, s, ERF_P3);
        p = Math.fma(p, s, ERF_P4);
        p = Math.fma(p, s, ERF_P5);
        return Math.fma(p, a, a);
    }

    /** erf(a) for ERF_SPLIT <= a <= ERF_MAX: 1 - exp(-(a Q(a) + a)), 2^n scaled by one multiply (n >= -21). */
    public static float erfLarge(float a) {
        float q = Math.fma(ERF_Q0, a, ERF_Q1);
        q = Math.fma(q, a, ERF_Q2);
        q = Math.fma(q, a, ERF_Q3);
        q = Math.fma(q, a, ERF_Q4);
        q = Math.fma(q, a, ERF_Q5);
        q = Math.fma(q, a, ERF_Q6);
        q = -Math.fma(q, a, a);
        q = q > ERF_EXP_MIN ? q : ERF_EXP_MIN;
        float t = Math.fma(LOG2E, q, ROUNDER);
        float n = t - ROUNDER;
        float f = Math.fma(ERF_LN2_HI, n, q);
        f = Math.fma(n, ERF_LN2_LO, f);
        float e = Math.fma(ERF_C0, f, ERF_C1);
        e = Math.fma(e, f, ERF_C2);
        e = Math.fma(e, f, ERF_C3);
        e = Math.fma(e, f, ERF_C4);
        e = Math.fma(e, f, 1f);
        e = Math.fma(e, f, 1f);
        int ni = Float.floatToRawIntBits(t) - ROUNDER_BITS;
        return 1f - e * Float.intBitsToFloat((ni + 127) << 23);
    }

    /** tanh's argument is clamped to [-TANH_MAX, TANH_MAX], where the rational function reaches +-1. */
    public static final float TANH_MAX = 9f;
    /** tanh(x) = x P(x^2) / Q(x^2), P of degree 6 (A13 .. A1), Q of degree 3 (B6 .. B0): Eigen's coefficients. */
    public static final float TANH_A13 = -2.76076847742355e-16f;
    public static final float TANH_A11 = 2.00018790482477e-13f;
    public static final float TANH_A9 = -8.60467152213735e-11f;
    public static final float TANH_A7 = 5.12229709037114e-08f;
    public static final float TANH_A5 = 1.48572235717979e-05f;
    public static final float TANH_A3 = 6.37261928875436e-04f;
    public static final float TANH_A1 = 4.89352455891786e-03f;
    public static final float TANH_B6 = 1.19825839466702e-06f;
    public static final float TANH_B4 = 1.18534705686654e-04f;
    public static final float TANH_B2 = 2.26843463243900e-03f;
    public static final float TANH_B0 = 4.89352518554385e-03f;

    /** The hyperbolic tangent as ONNX Runtime computes it (MLAS's FMA tanh kernel); NaN stays NaN, -0 stays -0. */
    public static float tanh(float x) {
        float v = Math.min(Math.max(x, -TANH_MAX), TANH_MAX); // NaN stays NaN, as with x86 max(bound, x)
        float s = v * v;
        float p = Math.fma(s, TANH_A13, TANH_A11);
        p = Math.fma(s, p, TANH_A9);
        p = Math.fma(s, p, TANH_A7);
        p = Math.fma(s, p, TANH_A5);
        p = Math.fma(s, p, TANH_A3);
        p = Math.fma(s, p, TANH_A1);
        float q = Math.fma(s, TANH_B6, TANH_B4);
        q = Math.fma(s, q, TANH_B2);
        q = Math.fma(s, q, TANH_B0);
        return v * p / q;
    }

    // ---- gelu ----

    /** 1/sqrt(2) rounded to float, the constant ONNX Runtime's Gelu kernels multiply by. */
    public static final float SQRT1_2 = 0.70710677f;

    /**
     * GELU in the operation order of ONNX Runtime's Gelu and BiasGelu kernels: {@code (x * 0.5) * (erf(x * SQRT1_2)
     * + 1)}. A BERT export's {@code Div(x, sqrt2) -> Erf -> Add 1 -> Mul x -> Mul 0.5} rounds the erf argument
     * differently; ORT's default optimizations replace it with the fused kernel, and so does Octet.
     */
    public static float gelu(float x) {
        return x * 0.5f * (erf(x * SQRT1_2) + 1f);
    }

    // ---- sigmoid ----

    /** The logistic function's argument is clamped to [-SIGMOID_MAX, SIGMOID_MAX]. */
    public static final float SIGMOID_MAX = 18f;
    /** sigmoid(x) = x P(x^2) / Q(x^2) + 1/2, P of degree 4 (A9 .. A1), Q of degree 5 (B10 .. B0): Eigen's. */
    public static final float SIGMOID_A9 = 4.37031012579801e-11f;
    public static final float SIGMOID_A7 = 1.15627324459942e-07f;
    public static final float SIGMOID_A5 = 6.08574864600143e-05f;
    public static final float SIGMOID_A3 = 8.51377133304701e-03f;
    public static final float SIGMOID_A1 = 2.48287947061529e-01f;
    public static final float SIGMOID_B10 = 6.10247389755681e-13f;
    public static final float SIGMOID_B8 = 5.76102136993427e-09f;
    public static final float SIGMOID_B6 = 6.29106785017040e-06f;
    public static final float SIGMOID_B4 = 1.70198817374094e-03f;
    public static final float SIGMOID_B2 = 1.16817656904453e-01f;
    public static final float SIGMOID_B0 = 9.93151921023180e-01f;

    /**
     * The logistic function 1 / (1 + e^-x) as ONNX Runtime computes it (MLAS's FMA logistic kernel): accurate in
     * absolute terms (1.5e-7), not relative to tiny results (0 at the clamp, -18; negative results clamp to 0);
     * NaN stays NaN.
     */
    public static float sigmoid(float x) {
        float v = Math.min(Math.max(x, -SIGMOID_MAX), SIGMOID_MAX);
        float s = v * v;
        float p = Math.fma(s, SIGMOID_A9, SIGMOID_A7);
        p = Math.fma(s, p, SIGMOID_A5);
        p = Math.fma(s, p, SIGMOID_A3);
        p = Math.fma(s, p, SIGMOID_A1);
        float q = Math.fma(s, SIGMOID_B10, SIGMOID_B8);
        q = Math.fma(s, q, SIGMOID_B6);
        q = Math.fma(s, q, SIGMOID_B4);
        q = Math.fma(s, q, SIGMOID_B2);
        q = Math.fma(s, q, SIGMOID_B0);
        float r = v * p / q + 0.5f;
        return r < 0f ? 0f : r; // r is never -0: p/q = -0.5 gives +0
    }

    // ---- softmax's exponential ----

    /** Softmax's exp clamps its (non-positive) argument here: exp(-103.97) is about half the smallest denormal. */
    public static final float SOFTMAX_EXP_MIN = -103.9720840454f;
    /** ln 2 split for softmax's exp, and its degree-6 polynomial (S0 * r^6 + ... + S4 * r^2 + r + 1). */
    public static final float SOFTMAX_LN2_HI = -6.93145752e-1f;
    public static final float SOFTMAX_LN2_LO = -1.42860677e-6f;
    public static final float SOFTMAX_S0 = 0x1.694000p-10f;
    public static final float SOFTMAX_S1 = 0x1.125edcp-7f;
    public static final float SOFTMAX_S2 = 0x1.555b5ap-5f;
    public static final float SOFTMAX_S3 = 0x1.555450p-3f;
    public static final float SOFTMAX_S4 = 0x1.fffff6p-2f;

    /**
     * e^x for x <= 0 (a row element minus the row maximum) as ONNX Runtime's AVX-512 softmax computes it: clamped at
     * {@link #SOFTMAX_EXP_MIN}, {@code p(r) * 2^n} rounded once (2^n applied in two exact halves, as the scale
     * instruction does, so denormal results round once). NaN stays NaN.
     */
    public static float softmaxExp(float x) {
        float v = Math.max(x, SOFTMAX_EXP_MIN);
        float t = Math.fma(LOG2E, v, ROUNDER);
        float n = t - ROUNDER;
        v = Math.fma(n, SOFTMAX_LN2_HI, v);
        v = Math.fma(n, SOFTMAX_LN2_LO, v);
        float p = Math.fma(SOFTMAX_S0, v, SOFTMAX_S1);
        p = Math.fma(p, v, SOFTMAX_S2);
        p = Math.fma(p, v, SOFTMAX_S3);
        p = Math.fma(p, v, SOFTMAX_S4);
        p = Math.fma(p, v, 1f);
        p = Math.fma(p, v, 1f);
        int ni = Float.floatToRawIntBits(t) - ROUNDER_BITS;
        int n1 = ni >> 1;
        return p * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((ni - n1 + 127) << 23);
    }
}
