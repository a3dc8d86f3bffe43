package dev.octet.bench;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Bit-for-bit comparison of float outputs, ONNX Runtime's against Octet's, accumulated over the runs of one test so
 * that a failure says how far apart the engines are and where to look first: the count of elements whose bits
 * differ, the largest absolute difference, the first differing element with both values and their bits, how many
 * elements are NaN on one side only, and the differing elements per part of the input (a sweep's region, a row kind).
 * Two NaNs count as equal whatever their payloads (ORT returns x86's default NaN, Octet Java's): NaN positions must
 * agree, NaN bits need not. +0 and -0 differ.
 */
final class BitParity {
    private final String what;
    private long elements;
    private long differing;
    private long nanMismatches;
    private double maxAbsDiff;
    private String first;
    /** Per part: elements, differing elements. */
    private final Map<String, long[]> parts = new LinkedHashMap<>();

    BitParity(String what) {
        this.what = what;
    }

    /** Adds one run's outputs; {@code where} names an element index (the row and column, the input value). */
    BitParity add(float[] ort, float[] octet, IntFunction<String> where) {
        return add(ort, octet, where, null);
    }

    /** As {@link #add(float[], float[], IntFunction)}, also counting per part ({@code partOf} names an index's). */
    BitParity add(float[] ort, float[] octet, IntFunction<String> where, IntFunction<String> partOf) {
        if (ort.length != octet.length) {
            fail(what + ": ONNX Runtime returned " + ort.length + " elements, Octet " + octet.length
                + " (at " + where.apply(0) + ")");
        }
        elements += ort.length;
        for (int i = 0; i < ort.length; i++) {
            float a = ort[i], b = octet[i];
            long[] part = partOf == null ? null : parts.computeIfAbsent(partOf.apply(i), k -> new long[2]);
            if (part != null) {
                part[0]++;
            }
            if (Float.floatToRawIntBits(a) == Float.floatToRawIntBits(b) || Float.isNaN(a) && Float.isNaN(b)) {
                continue;
            }
            differing++;
            if (part != null) {
                part[1]++;
            }
            if (Float.isNaN(a) != Float.isNaN(b)) {
                nanMismatches++;
            }
            double d = Float.isNaN(a) || Float.isNaN(b) ? Double.POSITIVE_INFINITY : Math.abs((double) a - b);
            maxAbsDiff = Math.max(maxAbsDiff, d);
            if (first == null) {
                first = String.format(Locale.ROOT, "%s: ORT %s (0x%08x), Octet %s (0x%08x)", where.apply(i), a,
                    Float.floatToRawIntBits(a), b, Float.floatToRawIntBits(b));
            }
        }
        return this;
    }

    long differing() {
        return differing;
    }

    double maxAbsDiff() {
        return maxAbsDiff;
    }

    /** One line, also printed by {@link #assertExact}, which the report quotes. */
    String summary() {
        StringBuilder byPart = new StringBuilder();
        parts.forEach((name, counts) -> byPart.append(byPart.isEmpty() ? "; by part: " : ", ").append(name)
            .append(' ').append(counts[1]).append('/').append(counts[0]));
        return String.format(Locale.ROOT, "PARITY %s: max_abs_diff=%s differing=%d/%d nan_only_on_one_side=%d%s%s",
            what, Agreement.formatNumber(maxAbsDiff), differing, elements, nanMismatches,
            first == null ? "" : "; first at " + first, byPart);
    }

    /** Prints the summary and fails unless every element matched. */
    void assertExact() {
        String summary = summary();
        System.out.println(summary);
        if (elements == 0) {
            fail(what + ": nothing was compared");
        }
        if (differing != 0) {
            fail(summary);
        }
    }
}
