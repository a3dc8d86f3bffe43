package dev.octet.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.octet.kernel.panama.PanamaKernelProvider;
import dev.octet.kernel.scalar.ScalarKernelProvider;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every vector quantization kernel, at every width, bit-exact with the scalar reference. */
class QuantizeKernelsSweepTest {
    private static final QuantizeKernels REFERENCE = ScalarKernelProvider.INSTANCE.quantize();
    private static final int[] SIZES = {0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 127, 384, 1001};

    static Stream<QuantizeKernels> variants() {
        return Stream.of(512, 256, 128).map(b -> new PanamaKernelProvider(b).quantize());
    }

    /** Random values with ties (x.5 after division), NaN, infinities, signed zeros and out-of-range values. */
    private static float[] values(SplittableRandom r, int n, float scale) {
        float[] x = new float[n];
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, 1e30f, -1e30f,
            Float.MIN_VALUE, 0.5f * scale, 1.5f * scale, 2.5f * scale, -2.5f * scale, 127.5f * scale, -128.5f * scale};
        for (int i = 0; i < n; i++) {
            x[i] = r.nextInt(6) == 0 ? specials[r.nextInt(specials.length)] : (float) (r.nextGaussian() * 80 * scale);
        }
        return x;
    }

    @ParameterizedTest
    @MethodSource("variants")
    void quantizeMatchesReference(QuantizeKernels k) {
        SplittableRandom r = new SplittableRandom(17);
        for (int n : SIZES) {
            for (float scale : new float[] {0.05f, 1f, 0.0037f}) {
                // Three rows, strided on both sides (a concatenation's slices); gaps must stay untouched.
                int rows = 3, xStride = n + 5, outStride = n + 2;
                float[] x = values(r, 3 + rows * xStride, scale);
                for (int[] q : new int[][] {{0, 255, 0}, {0, 255, 128}, {0, 255, 255}, {-128, 127, 0},
                    {-128, 127, -128}, {-128, 127, 127}, {0, 200, 7}}) {
                    byte[] want = new byte[2 + rows * outStride];
                    byte[] got = new byte[2 + rows * outStride];
                    REFERENCE.quantize(x, 3, n, n, 1, scale, q[2], q[0], q[1], want, 2, n);
                    k.quantize(x, 3, n, n, 1, scale, q[2], q[0], q[1], got, 2, n);
                    assertArrayEquals(want, got, k.getClass().getSimpleName() + " n=" + n + " scale=" + scale
                        + " zp=" + q[2]);
                    java.util.Arrays.fill(want, (byte) 0x5A);
                    java.util.Arrays.fill(got, (byte) 0x5A);
                    REFERENCE.quantize(x, 3, xStride, n, rows, scale, q[2], q[0], q[1], want, 2, outStride);
                    k.quantize(x, 3, xStride, n, rows, scale, q[2], q[0], q[1], got, 2, outStride);
                    assertArrayEquals(want, got, k.getClass().getSimpleName() + " rows, n=" + n + " scale=" + scale
                        + " zp=" + q[2]);
                }
            }
        }
        // Ties round half to even: 2.5 -> 2, 3.5 -> 4; NaN -> qmin.
        byte[] out = new byte[4];
        k.quantize(new float[] {2.5f, 3.5f, -2.5f, Float.NaN}, 0, 4, 4, 1, 1f, 10, 0, 255, out, 0, 4);
        assertArrayEquals(new byte[] {12, 14, 8, 0}, out);
    }

    @ParameterizedTest
    @MethodSource("variants")
    void dequantizeAndRangeMatchReference(QuantizeKernels k) {
        SplittableRandom r = new SplittableRandom(23);
        for (int n : SIZES) {
            byte[] q = new byte[n + 1];
            r.nextBytes(q);
            for (boolean unsigned : new boolean[] {true, false}) {
                float[] want = new float[n];
                float[] got = new float[n];
                REFERENCE.dequantize(q, 1, n, unsigned, unsigned ? 131 : -5, 0.0173f, want, 0);
                k.dequantize(q, 1, n, unsigned, unsigned ? 131 : -5, 0.0173f, got, 0);
                assertArrayEquals(want, got, "n=" + n);
            }
            float[] x = values(r, n, 0.3f);
            float[] a = REFERENCE.rangeWithZero(x, 0, n);
            float[] b = k.rangeWithZero(x, 0, n);
            assertEquals(a[0], b[0], "min n=" + n);
            assertEquals(a[1], b[1], "max n=" + n);
        }
    }

    /** Random codes of the type, a third of them at its extremes or at the zero point. */
    private static byte[] codes(SplittableRandom r, int n, boolean unsigned, int zp) {
        byte[] x = new byte[n];
        r.nextBytes(x);
        int[] specials = unsigned ? new int[] {0, 255, 1, 254, zp} : new int[] {-128, 127, -127, 0, zp};
        for (int i = 0; i < n; i++) {
            if (r.nextInt(3) == 0) {
                x[i] = (byte) specials[r.nextInt(specials.length)];
            }
        }
        return x;
    }

    /**
     * {sa, sb, sc} triples: ordinary scales, exact halves (sc = 2 makes every odd sum a tie), saturating ones,
     * overflow to infinity, and 0, NaN and infinite scales (the zero point of a NaN, the bounds of an infinity).
     */
    private static final float[][] BINARY_SCALES = {
        {0.0213f, 0.0178f, 0.0291f}, {1f, 1f, 2f}, {0.5f, 0.5f, 1f}, {1f, 3f, 4f}, {0.1f, 0.2f, 0.003f},
        {0.7f, 0.9f, 13f}, {3e38f, 3e38f, 1f}, {1f, 1f, 0f}, {Float.NaN, 1f, 1f}, {1f, Float.POSITIVE_INFINITY, 1f},
        {0.0037f, 0.05f, 1e-30f},
        // Sums of QLinearAdd up to about 3.4e6 (the vector loops take sums within 2^22) and 1e7 (element by element).
        {1f, 1f, 3e-4f}, {1f, 1f, 1e-4f},
        // QLinearMul's ratio 60: products up to about 3.9e6, near its vector loops' 2^22 bound.
        {8f, 7.5f, 1f}};

    /** {zp a, zp b, zp c} for unsigned and signed codes: extremes and a middle. */
    private static int[][] zeroPoints(boolean unsigned) {
        return unsigned ? new int[][] {{0, 0, 0}, {128, 131, 127}, {255, 0, 255}, {0, 255, 0}, {255, 255, 128}}
            : new int[][] {{0, 0, 0}, {-128, 127, -128}, {127, -128, 127}, {-3, 5, 1}, {-128, -128, 0}};
    }

    @ParameterizedTest
    @MethodSource("variants")
    void qlinearAddAndMulMatchReference(QuantizeKernels k) {
        SplittableRandom r = new SplittableRandom(31);
        for (int n : SIZES) {
            for (boolean unsigned : new boolean[] {true, false}) {
                int qmin = unsigned ? 0 : -128;
                int qmax = unsigned ? 255 : 127;
                for (int[] zp : zeroPoints(unsigned)) {
                    byte[] a = codes(r, n + 3, unsigned, zp[0]);
                    byte[] b = codes(r, n + 1, unsigned, zp[1]);
                    for (float[] s : BINARY_SCALES) {
                        // Both operands arrays, a scalar, b scalar, both scalars.
                        for (int mode = 0; mode < 4; mode++) {
                            boolean aScalar = (mode & 1) != 0;
                            boolean bScalar = (mode & 2) != 0;
                            String what = k.getClass().getSimpleName() + " n=" + n + " unsigned=" + unsigned
                                + " zp=" + java.util.Arrays.toString(zp) + " scales=" + java.util.Arrays.toString(s)
                                + " aScalar=" + aScalar + " bScalar=" + bScalar;
                            byte[] want = new byte[n + 2];
                            byte[] got = new byte[n + 2];
                            REFERENCE.qlinearAdd(a, 3, aScalar, b, 1, bScalar, n, unsigned, s[0], zp[0], s[1], zp[1],
                                s[2], zp[2], qmin, qmax, want, 2);
                            k.qlinearAdd(a, 3, aScalar, b, 1, bScalar, n, unsigned, s[0], zp[0], s[1], zp[1],
                                s[2], zp[2], qmin, qmax, got, 2);
                            assertArrayEquals(want, got, "qlinearAdd " + what);
                            REFERENCE.qlinearMul(a, 3, aScalar, b, 1, bScalar, n, unsigned, s[0], zp[0], s[1], zp[1],
                                s[2], zp[2], qmin, qmax, want, 2);
                            k.qlinearMul(a, 3, aScalar, b, 1, bScalar, n, unsigned, s[0], zp[0], s[1], zp[1],
                                s[2], zp[2], qmin, qmax, got, 2);
                            assertArrayEquals(want, got, "qlinearMul " + what);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void qlinearAddAndMulRoundHalfToEvenAndSaturate(QuantizeKernels k) {
        // Add, scales 1, 1, 2: (a + b) / 2 for a + b = 1, 3, 5, -1, -3 is 0.5, 1.5, 2.5, -0.5, -1.5 -> 0, 2, 2, -0, -2.
        int n = 37;
        byte[] a = new byte[n];
        byte[] b = new byte[n];
        int[] sums = {1, 3, 5, -1, -3};
        int[] want = {0, 2, 2, 0, -2};
        for (int i = 0; i < n; i++) {
            a[i] = (byte) sums[i % 5];
        }
        byte[] out = new byte[n];
        k.qlinearAdd(a, 0, false, b, 0, false, n, false, 1f, 0, 1f, 0, 2f, 10, -128, 127, out, 0);
        for (int i = 0; i < n; i++) {
            assertEquals(want[i % 5] + 10, out[i], "add tie " + sums[i % 5]);
        }
        // Saturation: 255 + 255 with scale 1 is 510 -> 255; 0 - 255 is -255 -> 0.
        java.util.Arrays.fill(a, (byte) 255);
        k.qlinearAdd(a, 0, false, a, 0, false, n, true, 1f, 0, 1f, 0, 1f, 0, 0, 255, out, 0);
        assertEquals((byte) 255, out[n - 1]);
        // Mul, ratio 1/2, zc 0: 1 * (1, 3, 5, -1, -3) / 2 -> 0, 2, 2, 0, -2 as for add; then 127 * -128 saturates.
        java.util.Arrays.fill(b, (byte) 1);
        for (int i = 0; i < n; i++) {
            a[i] = (byte) sums[i % 5];
        }
        k.qlinearMul(a, 0, false, b, 0, false, n, false, 1f, 0, 1f, 0, 2f, 0, -128, 127, out, 0);
        for (int i = 0; i < n; i++) {
            assertEquals(want[i % 5], out[i], "mul tie " + sums[i % 5]);
        }
        k.qlinearMul(new byte[] {127}, 0, true, new byte[] {-128}, 0, true, 1, false, 1f, 0, 1f, 0, 1f, 0, -128, 127,
            out, 0);
        assertEquals(-128, out[0]);
    }

    @ParameterizedTest
    @MethodSource("variants")
    void requantizeMatchesReference(QuantizeKernels k) {
        SplittableRandom r = new SplittableRandom(29);
        for (int n : SIZES) {
            int[] acc = new int[n + 2];
            int[] add = new int[n + 1];
            float[] scales = new float[n + 3];
            for (int i = 0; i < acc.length; i++) {
                acc[i] = r.nextInt(6) == 0 ? (r.nextBoolean() ? Integer.MAX_VALUE / 2 : Integer.MIN_VALUE / 2)
                    : r.nextInt(-300000, 300000);
            }
            for (int i = 0; i < add.length; i++) {
                add[i] = r.nextInt(-5000, 5000);
            }
            float[] special = {Float.NaN, Float.POSITIVE_INFINITY, 0f, 1e-9f, 3e-4f};
            for (int i = 0; i < scales.length; i++) {
                scales[i] = r.nextInt(8) == 0 ? special[r.nextInt(special.length)] : (float) (r.nextDouble() * 0.003);
            }
            for (boolean perColumn : new boolean[] {true, false}) {
                for (int[] q : new int[][] {{0, 255, 0}, {0, 255, 131}, {-128, 127, 0}, {-128, 127, -7}, {17, 255, 17}}) {
                    byte[] want = new byte[n + 1];
                    byte[] got = new byte[n + 1];
                    REFERENCE.requantize(acc, 2, add, 1, scales, 3, perColumn, q[2], q[0], q[1], want, 1, n);
                    k.requantize(acc, 2, add, 1, scales, 3, perColumn, q[2], q[0], q[1], got, 1, n);
                    assertArrayEquals(want, got, k.getClass().getSimpleName() + " n=" + n + " perColumn=" + perColumn
                        + " zp=" + q[2]);
                }
            }
        }
    }

    static Stream<QuantizeKernels> withReference() {
        return Stream.concat(Stream.of(REFERENCE), variants());
    }

    /**
     * The float epilogue against its formula written out here: (float)(acc + add) * scale, then + bias, each rounded
     * (no fused multiply-add), then Relu keeping -0 and NaN, over per-column and shared scales (NaN, infinite,
     * negative and zero among them), with and without bias and Relu.
     */
    @ParameterizedTest
    @MethodSource("withReference")
    void scaleMatchesItsFormula(QuantizeKernels k) {
        SplittableRandom r = new SplittableRandom(31);
        float[] specialScales = {Float.NaN, Float.POSITIVE_INFINITY, 0f, -0.25f, 1e-9f, 3e-4f};
        float[] specialBias = {Float.NaN, -0f, 0f, 1e30f, -1e-30f};
        for (int n : SIZES) {
            int[] acc = new int[3 * n + 2]; // up to three rows
            int[] add = new int[n + 1];
            float[] scales = new float[n + 3];
            float[] bias = new float[n + 4];
            for (int i = 0; i < acc.length; i++) {
                acc[i] = r.nextInt(8) == 0 ? 0 : r.nextInt(-(1 << 26), 1 << 26); // beyond 2^24: the int-to-float rounds
            }
            for (int i = 0; i < add.length; i++) {
                add[i] = r.nextInt(-5000, 5000);
            }
            for (int i = 0; i < scales.length; i++) {
                scales[i] = r.nextInt(6) == 0 ? specialScales[r.nextInt(specialScales.length)]
                    : (float) ((r.nextDouble() - 0.3) * 0.003);
            }
            if (n > 0) {
                add[1] = -acc[2]; // the first sum zero, times a negative scale: -0
                scales[3] = -0.5f;
            }
            for (int i = 0; i < bias.length; i++) {
                bias[i] = r.nextInt(6) == 0 ? specialBias[r.nextInt(specialBias.length)] : (float) r.nextGaussian();
            }
            for (boolean perColumn : new boolean[] {true, false}) {
                for (boolean withBias : new boolean[] {true, false}) {
                    for (boolean relu : new boolean[] {true, false}) {
                        for (int rows : new int[] {1, 3}) {
                            float[] want = new float[rows * n + 1];
                            for (int row = 0; row < rows; row++) {
                                for (int i = 0; i < n; i++) {
                                    float v = (float) (acc[2 + row * n + i] + add[1 + i])
                                        * scales[3 + (perColumn ? i : 0)];
                                    if (withBias) {
                                        v = v + bias[4 + i];
                                    }
                                    want[1 + row * n + i] = relu && v < 0 ? 0f : v;
                                }
                            }
                            float[] got = new float[rows * n + 1];
                            k.scale(acc, 2, add, 1, scales, 3, perColumn, withBias ? bias : null, 4, relu, got, 1, n,
                                rows);
                            for (int i = 0; i < got.length; i++) {
                                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                                    k.getClass().getSimpleName() + " n=" + n + " rows=" + rows + " i=" + i
                                        + " perColumn=" + perColumn + " bias=" + withBias + " relu=" + relu + ": "
                                        + want[i] + " vs " + got[i]);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * A 256-entry lookup at every width (two-table selects where the CPU has them), against {@code table[x & 0xFF]}:
     * every code, lengths around the vector sizes, offsets in both arrays, the bytes around the output untouched.
     */
    @ParameterizedTest
    @MethodSource("withReference")
    void lookUpReadsTheTableAtEveryCode(QuantizeKernels k) {
        SplittableRandom r = new SplittableRandom(41);
        byte[] table = new byte[256];
        for (int i = 0; i < 256; i++) {
            table[i] = (byte) r.nextInt(256);
        }
        for (int n : new int[] {0, 1, 63, 64, 65, 127, 128, 129, 256, 1001}) {
            byte[] x = new byte[n + 5];
            for (int i = 0; i < x.length; i++) {
                // Every code where n allows, in order, then random codes.
                x[i] = (byte) (i < 256 ? i : r.nextInt(256));
            }
            byte[] out = new byte[n + 7];
            java.util.Arrays.fill(out, (byte) 0x5A);
            k.lookUp(table, x, 2, n, out, 3);
            for (int i = 0; i < out.length; i++) {
                byte expected = i >= 3 && i < 3 + n ? table[x[2 + i - 3] & 0xFF] : (byte) 0x5A;
                assertEquals(expected, out[i], k + " n=" + n + " at " + i);
            }
        }
    }

    /**
     * interleave against its formula: 1 to 4 planes, lengths around every width's steps (a step stores a whole vector,
     * so the last ones must stop short), planes apart by more than their length, offsets in both arrays, and every
     * byte around the interleaved ones untouched (a task of a parallel layout change owns only its own).
     */
    @ParameterizedTest
    @MethodSource("withReference")
    void interleaveWritesPixelsInPlaneOrder(QuantizeKernels k) {
        SplittableRandom r = new SplittableRandom(43);
        for (int planes = 1; planes <= QuantizeKernels.MAX_INTERLEAVED; planes++) {
            for (int n : new int[] {0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 21, 22, 31, 32, 33, 63, 64, 65, 100, 1001}) {
                int stride = n + r.nextInt(3);
                byte[] x = new byte[2 + planes * stride];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (byte) r.nextInt(256);
                }
                byte[] out = new byte[planes * n + 70];
                java.util.Arrays.fill(out, (byte) 0x5A);
                k.interleave(x, 2, stride, planes, n, out, 3);
                for (int i = 0; i < out.length; i++) {
                    int pixel = (i - 3) / planes;
                    int plane = (i - 3) % planes;
                    byte expected = i >= 3 && i < 3 + planes * n ? x[2 + plane * stride + pixel] : (byte) 0x5A;
                    assertEquals(expected, out[i], k + " planes=" + planes + " n=" + n + " at " + i);
                }
            }
        }
    }
}
