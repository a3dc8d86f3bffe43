package dev.octet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.octet.api.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The agreement figures on small hand-checked tensors, including the non-finite and empty cases. */
class AgreementTest {
    private static Output floats(float... v) {
        return Output.of(Tensor.ofFloats(v, v.length));
    }

    private static Agreement compare(Output a, Output b) {
        return Agreement.of(a, b);
    }

    @Test
    void identicalTensorsAgreeExactlyWhateverTheirValues() {
        Output a = floats(1.5f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE, 3e38f);
        Agreement g = compare(a, floats(1.5f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE, 3e38f));
        assertEquals(new Agreement(6, 0, 0, 1, 0, 0), g);
        assertEquals(1.0, compare(floats(0.1f, 0.7f, 0.3f), floats(0.1f, 0.7f, 0.3f)).cosine(), 0.0,
            "identical tensors have cosine exactly 1");
    }

    @Test
    void countsDifferencesAboveEachThreshold() {
        // |diff| = 0, ~0.005, ~0.05, 0.5: three elements differ, two by more than 1e-2, one by more than 1e-1.
        Agreement g = compare(floats(1, 2, 3, 4), floats(1, 2.005f, 3.05f, 4.5f));
        assertEquals(4, g.elements());
        assertEquals(3, g.differingElements());
        assertEquals(0.5, g.maxAbsDiff(), 0.0);
        assertEquals(2, g.beyond1e2());
        assertEquals(1, g.beyond1e1());
        assertEquals(0.5, g.fractionBeyond1e2(), 0.0);
        assertEquals(0.25, g.fractionBeyond1e1(), 0.0);
    }

    @Test
    void oneUlpApartDiffersInBitsButHardlyInValue() {
        // The example from issue 11: ORT's 0x3F19999A against Octet's 0x3F199999.
        Agreement g = compare(floats(Float.intBitsToFloat(0x3F19999A)), floats(Float.intBitsToFloat(0x3F199999)));
        assertEquals(1, g.differingElements());
        assertEquals(Math.ulp(0.6f), g.maxAbsDiff(), 0.0);
        assertEquals(0, g.beyond1e2());
    }

    @Test
    void cosineIsOverTheWholeTensor() {
        assertEquals(0.96, compare(floats(3, 4), floats(4, 3)).cosine(), 1e-15);
        assertEquals(0.0, compare(floats(1, 0), floats(0, 1)).cosine(), 0.0);
        assertEquals(-1.0, compare(floats(1, 2), floats(-1, -2)).cosine(), 0.0);
        assertEquals(1.0, compare(floats(0, 0), floats(0, 0)).cosine(), 0.0, "two zero tensors");
        assertEquals(0.0, compare(floats(0, 0), floats(0, 1e-30f)).cosine(), 0.0, "zero against non-zero");
        // A sparse output: one near-zero row turned around entirely, one large row exact. A minimum row cosine
        // would say -1; the whole tensor is still nearly aligned.
        Agreement sparse = compare(floats(1e-6f, 0, 100, 100), floats(-1e-6f, 0, 100, 100));
        assertEquals(1.0, sparse.cosine(), 1e-15);
        assertEquals(1, sparse.differingElements());
    }

    @Test
    void signedZerosDifferInBitsOnly() {
        Agreement g = compare(floats(0f, 1), floats(-0f, 1));
        assertEquals(1, g.differingElements());
        assertEquals(0.0, g.maxAbsDiff(), 0.0);
        assertEquals(1.0, g.cosine(), 0.0);
    }

    @Test
    void nanAgainstANumberIsAnInfiniteDifferenceAndLeavesTheCosineToTheFiniteElements() {
        Agreement g = compare(floats(Float.NaN, 3, 4), floats(1, 4, 3));
        assertEquals(Double.POSITIVE_INFINITY, g.maxAbsDiff());
        assertEquals(3, g.differingElements());
        assertEquals(3, g.beyond1e1(), "NaN against 1 and the two swapped elements");
        assertEquals(0.96, g.cosine(), 1e-15);
    }

    @Test
    void nansWithDifferentPayloadsDifferInBitsButNotInValue() {
        Agreement g = compare(floats(Float.intBitsToFloat(0x7FC00001)), floats(Float.intBitsToFloat(0x7FC00000)));
        assertEquals(1, g.differingElements());
        assertEquals(0.0, g.maxAbsDiff(), 0.0);
    }

    @Test
    void infinitiesAgreeOnlyWithTheSameInfinity() {
        float inf = Float.POSITIVE_INFINITY;
        Agreement g = compare(floats(inf, -inf, inf, 2), floats(inf, inf, 7, 2));
        assertEquals(2, g.differingElements());
        assertEquals(Double.POSITIVE_INFINITY, g.maxAbsDiff());
        assertEquals(2, g.beyond1e1());
        assertEquals(1.0, g.cosine(), 0.0, "only the finite pair (2, 2) counts");
    }

    @Test
    void emptyOutputsAgreeVacuously() {
        Output empty = Output.of(Tensor.ofFloats(new float[0], 2, 0));
        Agreement g = compare(empty, empty);
        assertEquals(Agreement.VACUOUS, g);
        assertEquals(0.0, g.fractionBeyond1e2(), 0.0);
    }

    @Test
    void integerOutputsCompareExactlyEvenBeyondDoublePrecision() {
        long big = (1L << 53) + 1; // widens to the same double as 2^53
        Agreement g = compare(Output.of(Tensor.ofLongs(new long[] {big, 5}, 2)),
            Output.of(Tensor.ofLongs(new long[] {big - 1, 5}, 2)));
        assertEquals(1, g.differingElements());
        Agreement bytes = compare(Output.of(Tensor.ofUint8(new byte[] {(byte) 200, 3}, 2)),
            Output.of(Tensor.ofUint8(new byte[] {(byte) 199, 3}, 2)));
        assertEquals(1, bytes.differingElements());
        assertEquals(1.0, bytes.maxAbsDiff(), 0.0, "uint8 compares unsigned");
    }

    @Test
    void perOutputRequiresTheSameOutputsTypesAndShapes() {
        Output a = floats(1, 2);
        assertEquals(Map.of("y", Agreement.of(a, a)), Agreement.perOutput(Map.of("y", a), Map.of("y", a)));
        assertThrows(IllegalStateException.class, () -> Agreement.perOutput(Map.of("y", a), Map.of("z", a)));
        assertThrows(IllegalStateException.class,
            () -> Agreement.perOutput(Map.of("y", a), Map.of("y", Output.of(Tensor.ofFloats(new float[] {1, 2}, 1, 2)))));
        assertThrows(IllegalStateException.class,
            () -> Agreement.perOutput(Map.of("y", a), Map.of("y", Output.of(Tensor.ofInts(new int[] {1, 2}, 2)))));
    }

    @Test
    void overallSumsCountsAndKeepsTheWorstFigures() {
        Agreement g = Agreement.overall(List.of(new Agreement(10, 2, 0.5, 0.99, 1, 1),
            new Agreement(30, 3, 0.02, 0.9, 2, 0)));
        assertEquals(new Agreement(40, 5, 0.5, 0.9, 3, 1), g);
        assertEquals(0.075, g.fractionBeyond1e2(), 1e-15);
        assertEquals(Agreement.VACUOUS, Agreement.overall(List.of()));
    }

    @Test
    void cosineFormatPrintsOneOnlyForExactlyOne() {
        assertEquals("1.000000000", Agreement.formatCosine(1.0));
        assertEquals("0.999999999", Agreement.formatCosine(Math.nextDown(1.0)));
        assertEquals("0.999999999", Agreement.formatCosine(1 - 4e-10));
        assertEquals("0.960000000", Agreement.formatCosine(0.96));
        assertEquals("-1.000000000", Agreement.formatCosine(-1.0));
    }

    @Test
    void numberFormatKeepsFourSignificantDigitsAndParsesBack() {
        assertEquals("0", Agreement.formatNumber(0));
        assertEquals("0.25", Agreement.formatNumber(0.25));
        assertEquals("1.192E-7", Agreement.formatNumber(Math.ulp(1f)));
        assertEquals("1.311E-6", Agreement.formatNumber(1.3109e-6));
        assertEquals("1E-4", Agreement.formatNumber(1e-4));
        assertEquals("0.0012", Agreement.formatNumber(0.0012));
        assertEquals("250", Agreement.formatNumber(250.04));
        assertEquals("Infinity", Agreement.formatNumber(Double.POSITIVE_INFINITY));
        assertEquals("NaN", Agreement.formatNumber(Double.NaN));
        assertEquals(0.2679, Double.parseDouble(Agreement.formatNumber(0.26789)), 0.0);
    }
}
