package dev.octet.ops;

import static dev.octet.ops.OpRunner.attr;
import static dev.octet.ops.OpRunner.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DFT and STFT on signals whose transforms are known in closed form. */
class SpectralOpsTest {
    /** One real signal (1, 0, 0, 0) along axis 1: its spectrum is all ones. */
    private static final Tensor IMPULSE = Tensor.ofFloats(new float[] {1, 0, 0, 0}, 1, 4, 1);

    @Test
    void anImpulseHasAFlatSpectrumAndTheHalfSpectrumInvertsIt() {
        Tensor spectrum = run("DFT", 20, Map.of(), IMPULSE);
        assertArrayEquals(new int[] {1, 4, 2}, spectrum.shape());
        assertArrayEquals(new float[] {1, 0, 1, 0, 1, 0, 1, 0}, spectrum.floats(), 1e-7f);
        Tensor half = run("DFT", 20, attr("onesided", 1), IMPULSE);
        assertArrayEquals(new int[] {1, 3, 2}, half.shape());
        Map<String, Attribute> irfft = Map.of("inverse", new Attribute.IntAttr(1), "onesided", new Attribute.IntAttr(1));
        Tensor back = run("DFT", 20, irfft, half);
        assertArrayEquals(new int[] {1, 4, 1}, back.shape());
        assertArrayEquals(new float[] {1, 0, 0, 0}, back.floats(), 1e-7f);
    }

    @Test
    void stftFramesTheSignal() {
        Tensor signal = Tensor.ofFloats(new float[] {1, 2, 3, 4, 5}, 1, 5, 1);
        Tensor out = run("STFT", 17, Map.of(), signal, Tensor.ofLongs(new long[] {2}), null,
            Tensor.ofLongs(new long[] {2}));
        // Frames (1, 2) and (3, 4); two bins each: the sum and the difference.
        assertArrayEquals(new int[] {1, 2, 2, 2}, out.shape());
        assertArrayEquals(new float[] {3, 0, -1, 0, 7, 0, -1, 0}, out.floats(), 1e-6f);
    }

    @Test
    void refusesTheComplexAxisAndFramesLongerThanTheSignal() {
        OctetException axis = assertThrows(OctetException.class, () -> run("DFT", 20, Map.of(), IMPULSE, null,
            Tensor.ofLongs(new long[] {-1})));
        assertEquals(ErrorCode.INVALID_INPUT, axis.code());
        OctetException frames = assertThrows(OctetException.class, () -> run("STFT", 17, Map.of(), IMPULSE,
            Tensor.ofLongs(new long[] {1}), null, Tensor.ofLongs(new long[] {9})));
        assertEquals(ErrorCode.INVALID_INPUT, frames.code());
    }

    @Test
    void theTwiddleTableGivesEachStepsCosineAndSineOfItsAngle() {
        // A complex signal of odd length, forward and inverse: the sums of the definition with each step's angle
        // sign * 2 pi ((k t) mod L) / L through StrictMath, bit for bit (the table holds the same values).
        int length = 999;
        float[] v = new float[2 * length];
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextDouble(-1, 1);
        }
        Tensor x = Tensor.ofFloats(v, 1, length, 2);
        for (boolean inverse : new boolean[] {false, true}) {
            Tensor y = run("DFT", 20, attr("inverse", inverse ? 1 : 0), x);
            float[] expected = new float[2 * length];
            double sign = inverse ? 1 : -1;
            for (int k = 0; k < length; k++) {
                double sr = 0;
                double si = 0;
                for (int t = 0; t < length; t++) {
                    double angle = sign * 2 * Math.PI * ((long) k * t % length) / length;
                    double c = StrictMath.cos(angle);
                    double sn = StrictMath.sin(angle);
                    sr += v[2 * t] * c - v[2 * t + 1] * sn;
                    si += v[2 * t] * sn + v[2 * t + 1] * c;
                }
                expected[2 * k] = (float) (inverse ? sr / length : sr);
                expected[2 * k + 1] = (float) (inverse ? si / length : si);
            }
            assertArrayEquals(expected, y.floats(), "inverse=" + inverse);
        }
    }

    @Test
    void theComplexInverseDividesByTheLength() {
        // ifft([1, 2, 3, 4]) = [2.5, -0.5 - 0.5i, -0.5, -0.5 + 0.5i], by hand from the definition.
        Tensor spectrum = Tensor.ofFloats(new float[] {1, 0, 2, 0, 3, 0, 4, 0}, 1, 4, 2);
        Tensor back = run("DFT", 20, attr("inverse", 1), spectrum);
        assertArrayEquals(new int[] {1, 4, 2}, back.shape());
        assertArrayEquals(new float[] {2.5f, 0, -0.5f, -0.5f, -0.5f, 0, -0.5f, 0.5f}, back.floats(), 1e-6f);
    }
}
