package dev.octet.bench;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How closely one output matches another, element by element over the whole tensor.
 *
 * <ul>
 *   <li>{@code differingElements}: elements whose bit patterns differ (exact equality: +0 and -0 differ, two
 *       NaNs with different payloads differ); zero means bit for bit identical.</li>
 *   <li>{@code maxAbsDiff}: the largest |a - b|. Equal bits, +0 against -0 and NaN against NaN count 0; NaN
 *       against a number and an infinity against anything else count +infinity.</li>
 *   <li>{@code beyond1e2}, {@code beyond1e1}: elements with |a - b| above 1e-2 and above 1e-1 (absolute).</li>
 *   <li>{@code cosine}: cosine similarity of the two tensors as flat vectors, over the elements finite in both
 *       (non-finite mismatches already show in {@code maxAbsDiff}); two zero vectors give 1, a zero vector
 *       against a non-zero one 0. A whole-tensor figure: a per-row minimum misleads on sparse outputs, where a
 *       row of near-zeros turns any rounding into a large angle.</li>
 * </ul>
 * An empty output agrees vacuously: no elements, cosine 1.
 */
record Agreement(long elements, long differingElements, double maxAbsDiff, double cosine, long beyond1e2,
                 long beyond1e1) {
    static final Agreement VACUOUS = new Agreement(0, 0, 0, 1, 0, 0);

    /** Compares two outputs of the same type and shape. */
    static Agreement of(Output a, Output b) {
        int n = a.values().length;
        long differing = 0, beyond1e2 = 0, beyond1e1 = 0;
        double max = 0, dot = 0, aa = 0, bb = 0;
        for (int i = 0; i < n; i++) {
            double x = a.values()[i];
            double y = b.values()[i];
            if (Double.isFinite(x) && Double.isFinite(y)) {
                dot += x * y;
                aa += x * x;
                bb += y * y;
            }
            if (a.bits()[i] == b.bits()[i]) {
                continue;
            }
            differing++;
            double d = absDiff(x, y);
            max = Math.max(max, d);
            if (d > 1e-2) beyond1e2++;
            if (d > 1e-1) beyond1e1++;
        }
        return new Agreement(n, differing, max, cosine(dot, aa, bb), beyond1e2, beyond1e1);
    }

    /** Both sides must have the same outputs, each with the same type and shape; compared name by name. */
    static Map<String, Agreement> perOutput(Map<String, Output> a, Map<String, Output> b) {
        if (!a.keySet().equals(b.keySet())) {
            throw new IllegalStateException("the engines return different outputs: " + a.keySet() + " and " + b.keySet());
        }
        Map<String, Agreement> result = new LinkedHashMap<>();
        for (var e : a.entrySet()) {
            Output x = e.getValue();
            Output y = b.get(e.getKey());
            if (!x.type().equals(y.type()) || !Arrays.equals(x.shape(), y.shape())) {
                throw new IllegalStateException("output '" + e.getKey() + "' is " + x.type() + Arrays.toString(x.shape())
                    + " on one side and " + y.type() + Arrays.toString(y.shape()) + " on the other");
            }
            result.put(e.getKey(), of(x, y));
        }
        return result;
    }

    /** All outputs as one figure: counts summed, the largest difference, the smallest cosine. */
    static Agreement overall(Collection<Agreement> parts) {
        Agreement total = VACUOUS;
        for (Agreement p : parts) {
            total = new Agreement(total.elements + p.elements, total.differingElements + p.differingElements,
                Math.max(total.maxAbsDiff, p.maxAbsDiff), Math.min(total.cosine, p.cosine),
                total.beyond1e2 + p.beyond1e2, total.beyond1e1 + p.beyond1e1);
        }
        return total;
    }

    double fractionBeyond1e2() {
        return fraction(beyond1e2);
    }

    double fractionBeyond1e1() {
        return fraction(beyond1e1);
    }

    private double fraction(long count) {
        return elements == 0 ? 0 : (double) count / elements;
    }

    private static double absDiff(double x, double y) {
        if (Double.isNaN(x) || Double.isNaN(y)) {
            return Double.isNaN(x) && Double.isNaN(y) ? 0 : Double.POSITIVE_INFINITY;
        }
        return Math.abs(x - y); // infinite when either is (equal infinities have equal bits and never get here)
    }

    private static double cosine(double dot, double aa, double bb) {
        if (aa == 0 || bb == 0) {
            return aa == bb ? 1 : 0;
        }
        double norms = aa * bb;
        // sqrt(aa * aa) is exactly aa, so identical tensors give exactly 1; the products of the square roots
        // only where aa * bb leaves the double range (double outputs near its limits).
        double denominator = Double.isFinite(norms) && norms > 0 ? Math.sqrt(norms) : Math.sqrt(aa) * Math.sqrt(bb);
        return Math.max(-1, Math.min(1, dot / denominator));
    }

    /**
     * A cosine to 9 decimals, where 1.000000000 means exactly 1: a cosine just below 1 prints as 0.999999999,
     * not as if the tensors were identical.
     */
    static String formatCosine(double cosine) {
        BigDecimal rounded = new BigDecimal(cosine).setScale(9, RoundingMode.HALF_EVEN);
        return (cosine < 1 && rounded.compareTo(BigDecimal.ONE) >= 0 ? new BigDecimal("0.999999999") : rounded)
            .toPlainString();
    }

    /**
     * A difference or fraction to 4 significant digits: plain from 0.001 up ({@code 0.25}, {@code 0.0012}),
     * scientific below ({@code 1.192E-7}); 0 as {@code 0}, non-finite ones as {@code Infinity} and {@code NaN}.
     * Every form parses with Java's and Python's float parsers.
     */
    static String formatNumber(double v) {
        if (v == 0) {
            return "0";
        }
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        BigDecimal r = new BigDecimal(v).round(new MathContext(4, RoundingMode.HALF_EVEN)).stripTrailingZeros();
        int exponent = r.precision() - r.scale() - 1;
        return exponent < -3 ? r.movePointRight(-exponent).toPlainString() + "E" + exponent : r.toPlainString();
    }
}
