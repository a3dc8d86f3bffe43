package dev.octet.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * {@link FloatMath} against double-precision references ({@code StrictMath}; for erf a series), in float
 * ulps of the correctly rounded result, over a dense sample of every float in each function's useful range
 * (over 10^7 arguments each, evenly spaced in bit pattern, so every binade is covered), plus the special values.
 */
class FloatMathAccuracyTest {
    /** Arguments per function: at least 10^7. */
    private static final long SAMPLES = 12_000_000;

    interface FloatFn {
        float apply(float x);
    }

    /** The largest error in ulps of f against ref over floats in [-lo, hi], sampled by bit pattern. */
    private static double maxUlps(String name, FloatFn f, DoubleUnaryOperator ref, float lo, float hi) {
        return maxUlps(name, f, ref, 0f, lo, hi);
    }

    /** The largest error in ulps over floats x with from <= |x|, x in [-lo, hi], sampled by bit pattern. */
    private static double maxUlps(String name, FloatFn f, DoubleUnaryOperator ref, float from, float lo, float hi) {
        return maxError(name + " (ulp)", f, (got, x) -> ulps(got, ref.applyAsDouble(x)), from, lo, hi);
    }

    /** The largest absolute error of f against ref over floats in [-lo, hi], sampled by bit pattern. */
    private static double maxAbsError(String name, FloatFn f, DoubleUnaryOperator ref, float lo, float hi) {
        return maxError(name + " (abs)", f, (got, x) -> Math.abs(got - ref.applyAsDouble(x)), 0f, lo, hi);
    }

    interface ErrorFn {
        double of(float got, float x);
    }

    private static double maxError(String name, FloatFn f, ErrorFn error, float from, float lo, float hi) {
        long fromBits = Float.floatToRawIntBits(from);
        long negBits = Float.floatToRawIntBits(lo) - fromBits;
        long posBits = Float.floatToRawIntBits(hi) - fromBits;
        long stride = Math.max(1, (negBits + posBits) / SAMPLES) | 1; // odd, so all mantissa patterns occur
        double worst = 0;
        float worstAt = 0;
        for (long b = 0; b <= negBits + posBits; b += stride) {
            float x = b <= posBits ? Float.intBitsToFloat((int) (fromBits + b))
                : -Float.intBitsToFloat((int) (fromBits + b - posBits));
            double e = error.of(f.apply(x), x);
            if (e > worst) {
                worst = e;
                worstAt = x;
            }
        }
        System.out.printf("%s: max %.4g at %s%n", name, worst, Float.toHexString(worstAt));
        return worst;
    }

    private static double ulps(float got, double exact) {
        float rounded = (float) exact;
        if (Float.isInfinite(rounded) || Float.isInfinite(got)) {
            return got == rounded ? 0 : Double.POSITIVE_INFINITY;
        }
        return Math.abs(got - exact) / Math.ulp(rounded);
    }

    /** erf in double: the series 2/sqrt(pi) e^-x^2 sum 2^n x^(2n+1) / (2n+1)!!, all terms positive. */
    static double erfReference(double x) {
        double a = Math.abs(x);
        if (a >= 6) {
            return Math.copySign(1, x);
        }
        double x2 = a * a;
        double term = a;
        double sum = a;
        for (int n = 0; term > sum * 1e-18; n++) {
            term *= 2 * x2 / (2 * n + 3);
            sum += term;
        }
        return Math.copySign(1.1283791670955126 * StrictMath.exp(-x2) * sum, x);
    }

    @Test
    void expWithinOneUlp() {
        assertTrue(maxUlps("exp", FloatMath::exp, StrictMath::exp, 104f, 89f) <= 1.0);
    }

    @Test
    void erfWithinOneUlp() {
        assertTrue(maxUlps("erf", FloatMath::erf, FloatMathAccuracyTest::erfReference, 4.5f, 4.5f) <= 1.0);
    }

    // tanh and sigmoid are ONNX Runtime's rational approximations, kept for bit parity with ORT: they are accurate
    // in absolute terms, less so relative to tiny results. That is the price of parity, measured here.

    @Test
    void tanhWithinFiveAndAHalfUlpsAboveTinyArguments() {
        assertTrue(maxUlps("tanh", FloatMath::tanh, StrictMath::tanh, 0x1p-60f, 10f, 10f) <= 5.5);
        // Denormal results lose relative accuracy (about 100 ulp, each ulp being 2^-149).
        assertTrue(maxAbsError("tanh", FloatMath::tanh, StrictMath::tanh, 10f, 10f) <= 3.3e-7);
    }

    @Test
    void sigmoidWithinTwoAndAHalfUlpsNearZeroAndAbsolutelyAccurateEverywhere() {
        DoubleUnaryOperator logistic = x -> 1 / (1 + StrictMath.exp(-x));
        assertTrue(maxUlps("sigmoid", FloatMath::sigmoid, logistic, 0f, 1f, 1f) <= 2.5);
        // Far left the rational function's tiny results are off by many of their own ulps (0 at the clamp, -18),
        // but never by more than 1.5 ulps of 1.
        assertTrue(maxAbsError("sigmoid", FloatMath::sigmoid, logistic, 104f, 89f) <= 1.8e-7);
    }

    @Test
    void softmaxExpWithinOneUlp() {
        assertTrue(maxUlps("softmaxExp", FloatMath::softmaxExp, StrictMath::exp, 0f, 104f, 0f) <= 1.0);
    }

    @Test
    void specialValues() {
        assertEquals(Float.NaN, FloatMath.exp(Float.NaN));
        assertEquals(1f, FloatMath.exp(0f));
        assertEquals(1f, FloatMath.exp(-0f));
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.exp(Float.POSITIVE_INFINITY));
        assertEquals(0f, FloatMath.exp(Float.NEGATIVE_INFINITY));
        assertEquals(0f, FloatMath.exp(-1e30f));
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.exp(Float.MAX_VALUE));
        assertEquals((float) StrictMath.exp(88.72283f), FloatMath.exp(88.72283f), "largest finite result");
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.exp(88.7229f));
        assertEquals(Float.MIN_VALUE, FloatMath.exp(-103.2789f), "smallest denormal");
        assertEquals(1f, FloatMath.exp(Float.MIN_VALUE));
        assertEquals(1f, FloatMath.exp(-Float.MIN_VALUE));

        assertEquals(1f, FloatMath.erf(Float.NaN), "ORT's erf clamps a NaN |x| to its bound");
        assertEquals(0x0p0f, FloatMath.erf(0f));
        assertEquals(-0x0p0f, FloatMath.erf(-0f));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(FloatMath.erf(-0f)));
        assertEquals(1f, FloatMath.erf(Float.POSITIVE_INFINITY));
        assertEquals(-1f, FloatMath.erf(Float.NEGATIVE_INFINITY));
        assertEquals(1f, FloatMath.erf(3.925f));
        assertEquals((float) (Float.MIN_NORMAL * 1.1283791670955126), FloatMath.erf(Float.MIN_NORMAL),
            Math.ulp(Float.MIN_NORMAL));
        assertEquals(Float.MIN_VALUE, FloatMath.erf(Float.MIN_VALUE));

        assertEquals(Float.NaN, FloatMath.tanh(Float.NaN));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(FloatMath.tanh(-0f)));
        assertEquals(1f, FloatMath.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, FloatMath.tanh(Float.NEGATIVE_INFINITY));
        assertEquals(-1f, FloatMath.tanh(-9.1f));
        assertEquals(0f, FloatMath.tanh(Float.MIN_VALUE), "ORT's x P(x^2) underflows before the division");

        assertEquals(Float.NaN, FloatMath.sigmoid(Float.NaN));
        assertEquals(1f, FloatMath.sigmoid(Float.POSITIVE_INFINITY));
        assertEquals(0f, FloatMath.sigmoid(Float.NEGATIVE_INFINITY));
        assertEquals(0.5f, FloatMath.sigmoid(0f));
        assertEquals(0.5f, FloatMath.sigmoid(-0f));
        assertEquals(0f, FloatMath.sigmoid(-18f), "ORT's logistic is 0 at its clamp (exactly: 1.5e-8)");

        assertEquals(1f, FloatMath.softmaxExp(0f));
        assertEquals(1f, FloatMath.softmaxExp(-0f));
        assertEquals(0f, FloatMath.softmaxExp(Float.NEGATIVE_INFINITY));
        assertEquals(Float.NaN, FloatMath.softmaxExp(Float.NaN));
        assertEquals((float) StrictMath.exp(-100), FloatMath.softmaxExp(-100f), Float.MIN_VALUE, "a denormal result");
    }
}
