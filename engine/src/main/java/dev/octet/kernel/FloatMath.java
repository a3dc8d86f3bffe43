package dev.octet.kernel;

/** Float functions the JDK lacks, computed in double and rounded once to float. */
public final class FloatMath {
    private FloatMath() {}

    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;

    /**
     * The error function. Below |x| = 4 it sums the series
     * {@code erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n 2^n x^(2n+1) / (1*3*...*(2n+1))}, whose terms are all
     * positive, so double arithmetic loses nothing to cancellation and the float result is correctly rounded
     * in practice. From |x| = 4 on, 1 - erf(x) is below half a float ulp of 1, so the result is +-1.
     */
    public static float erf(float x) {
        if (Float.isNaN(x)) {
            return x;
        }
        double a = Math.abs((double) x);
        if (a >= 4) {
            return Math.copySign(1f, x);
        }
        double x2 = a * a;
        double term = a;
        double sum = a;
        // Term ratio is 2x^2/(2n+3); at most ~70 terms for |x| < 4.
        for (int n = 0; term > sum * 1e-17; n++) {
            term *= 2 * x2 / (2 * n + 3);
            sum += term;
        }
        return (float) Math.copySign(TWO_OVER_SQRT_PI * Math.exp(-x2) * sum, x);
    }

    /** Placeholder until Octet's own exp: StrictMath is the same on every platform. */
    public static float exp(float x) {
        return (float) StrictMath.exp(x);
    }

    /** Placeholder until Octet's own tanh. */
    public static float tanh(float x) {
        return (float) StrictMath.tanh(x);
    }
}
