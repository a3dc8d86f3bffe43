package dev.octet.kernel;

/**
 * Octet's own float transcendentals: range reduction and polynomials in float arithmetic, as a fixed sequence
 * of float operations (add, multiply, divide, {@link Math#fma}, min/max, comparisons and bit moves). The vector
 * kernels repeat exactly these operations lane by lane, so scalar and vector results are bit-identical on
 * every platform (see {@link FloatKernels}); {@code Math.exp} and the Vector API's EXP give no such promise.
 *
 * <p>The polynomial coefficients are minimax fits (Lawson's iteration against 40-digit references) rounded
 * to float. Errors are measured against {@code StrictMath} (for erf, a double-precision series) by
 * {@code FloatMathAccuracyTest}.
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

    // ---- erf ----

    /** Below this, erf(x) = x + x * P(x^2); from it on, erf(x) = 1 - exp(-x^2 + Q(x - 2.5)). */
    public static final float ERF_SPLIT = 1f;
    /** erf(x)/x - 1 on |x| < 1 (fit error 0.02 ulp). */
    public static final float ES0 = 1.283791661e-01f;
    public static final float ES1 = -3.761262596e-01f;
    public static final float ES2 = 1.128358543e-01f;
    public static final float ES3 = -2.685381100e-02f;
    public static final float ES4 = 5.188325420e-03f;
    public static final float ES5 = -8.010173333e-04f;
    public static final float ES6 = 7.853787247e-05f;
    /** log(erfc(t)) + t^2 as a polynomial in t - 2.5 on [1, 4] (fit error 0.0004 ulp of erf). */
    public static final float EL0 = -1.556815267e+00f;
    public static final float EL1 = -3.526805937e-01f;
    public static final float EL2 = 5.610817671e-02f;
    public static final float EL3 = -1.085350197e-02f;
    public static final float EL4 = 2.166458638e-03f;
    public static final float EL5 = -4.310070071e-04f;
    public static final float EL6 = 6.176431634e-05f;
    public static final float EL7 = -2.169763320e-05f;
    /** erf(x) rounds to 1 from 3.92 on; clamping there keeps the polynomial in its fitted range. */
    public static final float ERF_MAX = 4f;

    /**
     * The error function, with at most 1 ulp error (0.934 measured); NaN, +-Inf, -0 and denormals handled.
     * Small arguments use an odd polynomial; larger ones {@code 1 - erfc}, with erfc as
     * {@code exp(-t^2 + Q(t))}, whose rounding errors shrink with erfc itself.
     */
    public static float erf(float x) {
        float a = Math.abs(x);
        return a < ERF_SPLIT ? erfSmall(x) : erfLarge(x, a);
    }

    private static float erfSmall(float x) {
        float s = x * x;
        float q = Math.fma(ES6, s, ES5);
        q = Math.fma(q, s, ES4);
        q = Math.fma(q, s, ES3);
        q = Math.fma(q, s, ES2);
        q = Math.fma(q, s, ES1);
        q = Math.fma(q, s, ES0);
        return Math.fma(x, q, x);
    }

    private static float erfLarge(float x, float a) {
        float t = Math.min(a, ERF_MAX);
        float u = t - 2.5f;
        float q = Math.fma(EL7, u, EL6);
        q = Math.fma(q, u, EL5);
        q = Math.fma(q, u, EL4);
        q = Math.fma(q, u, EL3);
        q = Math.fma(q, u, EL2);
        q = Math.fma(q, u, EL1);
        q = Math.fma(q, u, EL0);
        float erfc = exp(Math.fma(-t, t, q));
        return Math.copySign(1f - erfc, x);
    }

    // ---- tanh ----

    /** Below this, tanh(x) = x + x^3 * P(x^2); from it on, tanh(x) = 1 - 2 / (exp(2x) + 1). */
    public static final float TANH_SPLIT = 0.75f;
    /** (tanh(x)/x - 1) / x^2 on |x| < 0.75 (fit error 0.03 ulp). */
    public static final float T0 = -3.333331645e-01f;
    public static final float T1 = 1.333269328e-01f;
    public static final float T2 = -5.389271677e-02f;
    public static final float T3 = 2.145201154e-02f;
    public static final float T4 = -7.657214068e-03f;
    public static final float T5 = 1.736908336e-03f;
    /** tanh(x) rounds to 1 from 9.01 on; the clamp keeps exp(2x) finite. */
    public static final float TANH_MAX = 10f;

    /** The hyperbolic tangent, with at most 1.06 ulp error (measured); NaN, +-Inf, -0 and denormals handled. */
    public static float tanh(float x) {
        float a = Math.abs(x);
        // Odd: computed at |x| and signed last, so -0 stays -0.
        return Math.copySign(a < TANH_SPLIT ? tanhSmall(a) : tanhLarge(a), x);
    }

    private static float tanhSmall(float x) {
        float s = x * x;
        float q = Math.fma(T5, s, T4);
        q = Math.fma(q, s, T3);
        q = Math.fma(q, s, T2);
        q = Math.fma(q, s, T1);
        q = Math.fma(q, s, T0);
        return Math.fma(x * s, q, x);
    }

    private static float tanhLarge(float a) {
        float e = exp(2f * Math.min(a, TANH_MAX));
        return 1f - 2f / (e + 1f);
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

    /**
     * The logistic function 1 / (1 + e^-x), at most 2.23 ulp error (measured), computed from {@code e = exp(-|x|)} (which
     * cannot overflow) as {@code 1 / (1 + e)} for x >= 0 and {@code e / (1 + e)} below.
     */
    public static float sigmoid(float x) {
        float e = exp(-Math.abs(x));
        return (x >= 0 ? 1f : e) / (1f + e);
    }
}
