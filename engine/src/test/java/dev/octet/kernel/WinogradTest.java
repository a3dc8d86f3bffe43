package dev.octet.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.kernel.panama.PanamaKernelProvider;
import dev.octet.kernel.panama.WarmingKernelProvider;
import dev.octet.kernel.scalar.ScalarKernelProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Winograd F(2x2, 3x3) against the direct path (im2col + GEMM, itself exact against ORT) and the scalar reference
 * convolution: bit-identical for every output kind, kernel width and thread count, over odd shapes, dilations,
 * paddings, zero points and extreme values.
 */
class WinogradTest {
    /** Which weights: random, all 255 unsigned with zero point 0 (|U| = 2295, the smallest flush), all 0. */
    enum Weights { RANDOM, MAX, ZERO }

    /** Which inputs: random, all 0 or all 255 (as bytes). */
    enum Inputs { RANDOM, LOW, HIGH }

    /** A convolution to compare; pads top, left, bottom, right; wzp: 0 absent, 1 per tensor, 2 per channel. */
    record Case(int batch, int cin, int h, int w, int cout, int dy, int dx, int[] pads, boolean xUnsigned,
                boolean wUnsigned, int wzpKind, Weights weights, Inputs inputs, long seed) {
        @Override
        public String toString() {
            return "b" + batch + " c" + cin + " " + h + "x" + w + " cout" + cout + " d" + dy + "x" + dx + " pads"
                + java.util.Arrays.toString(pads) + (xUnsigned ? " u8" : " s8") + (wUnsigned ? "xu8" : "xs8")
                + " wzp" + wzpKind + " " + weights + " " + inputs;
        }
    }

    static List<KernelProvider> providers() {
        // The gated provider too: cold, its transforms and float rows run the scalar code over the same layouts.
        return List.of(ScalarKernelProvider.INSTANCE, new PanamaKernelProvider(128), new PanamaKernelProvider(256),
            new PanamaKernelProvider(512), WarmingKernelProvider.of(512));
    }

    static Stream<Arguments> cases() {
        List<Case> cases = new ArrayList<>();
        // Hand-picked: every dilation, pads symmetric / asymmetric / none, H or W below 4, batch 2, extremes.
        cases.add(new Case(1, 16, 9, 9, 32, 1, 1, new int[] {1, 1, 1, 1}, true, true, 1, Weights.RANDOM,
            Inputs.RANDOM, 1));
        cases.add(new Case(2, 24, 8, 11, 40, 2, 2, new int[] {2, 2, 2, 2}, true, true, 1, Weights.RANDOM,
            Inputs.RANDOM, 2));
        cases.add(new Case(1, 17, 13, 12, 33, 3, 3, new int[] {3, 3, 3, 3}, false, false, 2, Weights.RANDOM,
            Inputs.RANDOM, 3));
        cases.add(new Case(1, 20, 17, 15, 24, 4, 4, new int[] {4, 4, 4, 4}, true, false, 0, Weights.RANDOM,
            Inputs.RANDOM, 4));
        cases.add(new Case(1, 16, 7, 10, 16, 1, 2, new int[] {0, 2, 1, 0}, false, true, 2, Weights.RANDOM,
            Inputs.RANDOM, 5));
        cases.add(new Case(2, 16, 3, 5, 17, 1, 1, new int[] {0, 0, 0, 0}, true, true, 1, Weights.RANDOM,
            Inputs.RANDOM, 6));
        cases.add(new Case(1, 16, 2, 9, 20, 1, 1, new int[] {1, 1, 1, 1}, true, true, 2, Weights.RANDOM,
            Inputs.RANDOM, 7));
        cases.add(new Case(1, 300, 6, 7, 35, 1, 1, new int[] {1, 1, 1, 1}, true, true, 1, Weights.MAX, Inputs.HIGH,
            8));
        cases.add(new Case(1, 300, 6, 7, 35, 2, 2, new int[] {2, 2, 2, 2}, true, true, 1, Weights.MAX, Inputs.LOW,
            9));
        cases.add(new Case(1, 40, 5, 6, 36, 1, 1, new int[] {1, 0, 2, 1}, false, true, 0, Weights.MAX, Inputs.LOW,
            10));
        cases.add(new Case(1, 32, 6, 6, 32, 1, 1, new int[] {1, 1, 1, 1}, true, true, 1, Weights.ZERO, Inputs.HIGH,
            11));
        cases.add(new Case(2, 64, 10, 9, 48, 2, 1, new int[] {2, 1, 2, 1}, true, false, 2, Weights.RANDOM,
            Inputs.HIGH, 12));
        // Random shapes.
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 10; i++) {
            int d = 1 + r.nextInt(4);
            int pad = r.nextInt(d + 2);
            cases.add(new Case(1 + r.nextInt(2), 16 + r.nextInt(120), 1 + r.nextInt(14), 1 + r.nextInt(14),
                8 + r.nextInt(90), d, 1 + r.nextInt(4), new int[] {pad, r.nextInt(3), r.nextInt(d + 1), pad},
                r.nextBoolean(), r.nextBoolean(), r.nextInt(3), Weights.RANDOM, Inputs.RANDOM, 100 + i));
        }
        List<Arguments> args = new ArrayList<>();
        for (Case c : cases) {
            int outH = c.h + c.pads[0] + c.pads[2] - 2 * c.dy;
            int outW = c.w + c.pads[1] + c.pads[3] - 2 * c.dx;
            if (outH > 0 && outW > 0) {
                args.add(Arguments.of(c));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bitExactWithTheDirectPath(Case c) {
        SplittableRandom r = new SplittableRandom(c.seed);
        int outH = c.h + c.pads[0] + c.pads[2] - 2 * c.dy;
        int outW = c.w + c.pads[1] + c.pads[3] - 2 * c.dx;
        byte[] x = new byte[c.batch * c.h * c.w * c.cin];
        switch (c.inputs) {
            case RANDOM -> r.nextBytes(x);
            case LOW -> java.util.Arrays.fill(x, (byte) 0);
            case HIGH -> java.util.Arrays.fill(x, (byte) 255);
        }
        byte[] w = new byte[c.cout * c.cin * 9];
        int[] wzp;
        switch (c.weights) {
            case RANDOM -> {
                r.nextBytes(w);
                wzp = new int[c.wzpKind == 2 ? c.cout : 1];
                for (int i = 0; i < wzp.length; i++) {
                    wzp[i] = c.wzpKind == 0 ? 0 : c.wUnsigned ? r.nextInt(256) : r.nextInt(-128, 128);
                }
            }
            case MAX -> {
                java.util.Arrays.fill(w, (byte) (c.wUnsigned ? 255 : -128));
                wzp = new int[] {0};
            }
            default -> wzp = new int[] {c.wUnsigned ? 255 : -128}; // all-zero bytes minus the extreme zero point
        }
        int xzp = c.xUnsigned ? r.nextInt(256) : r.nextInt(-128, 128);
        int[] bias = new int[c.cout];
        float[] scales = new float[c.cout];
        float[] floatBias = new float[c.cout];
        for (int oc = 0; oc < c.cout; oc++) {
            bias[oc] = r.nextInt(-100000, 100000);
            scales[oc] = 1e-5f * (1 + r.nextInt(100));
            floatBias[oc] = (float) r.nextGaussian();
        }
        QConvNhwc.Geometry g = new QConvNhwc.Geometry(c.batch, c.cin, new int[] {c.h, c.w}, c.cout, 1,
            new int[] {3, 3}, new int[] {1, 1}, new int[] {c.dy, c.dx}, c.pads, new int[] {outH, outW});
        assertTrue(Winograd.applies(g));
        int outSize = c.batch * outH * outW * c.cout;
        int[] reference = reference(c, g, x, xzp, w, wzp);
        for (KernelProvider kernels : providers()) {
            QGemmKernel kernel = kernels.qgemm();
            PackedB[] direct = QConvNhwc.packGroups(kernel, w, c.cout, c.cin, 9, 1, c.wUnsigned);
            Winograd.Weights wino = Winograd.plan(kernel, w, c.cout, c.cin, c.wUnsigned, wzp);
            assertNotNull(wino, "Winograd applies");
            List<QGemm.Output> expected = outputs(outSize, scales, floatBias, c.cout);
            for (QGemm.Output out : expected) {
                QConvNhwc.gemm(kernel, Parallel.SERIAL, g, new QConvNhwc.TapCache(), x, c.xUnsigned, xzp, direct,
                    c.wUnsigned, wzp, out instanceof QGemm.Output.Int32 ? null : bias, out);
            }
            for (int threads = 1; threads <= 2; threads++) {
                try (Parallel parallel = new Parallel(threads)) {
                    String what = kernels.describe() + ", " + threads + " threads";
                    List<QGemm.Output> actual = outputs(outSize, scales, floatBias, c.cout);
                    for (QGemm.Output out : actual) {
                        Winograd.run(kernel, kernels.winograd(), parallel, g, x, c.xUnsigned, xzp, wino,
                            out instanceof QGemm.Output.Int32 ? null : bias, out);
                    }
                    assertArrayEquals(reference, ((QGemm.Output.Int32) actual.get(0)).out(), what + ": int32");
                    assertArrayEquals(((QGemm.Output.Int32) expected.get(0)).out(),
                        ((QGemm.Output.Int32) actual.get(0)).out(), what + ": int32 direct");
                    for (int i = 1; i < 3; i++) {
                        assertArrayEquals(((QGemm.Output.Requantized) expected.get(i)).out(),
                            ((QGemm.Output.Requantized) actual.get(i)).out(), what + ": requantized " + i);
                    }
                    for (int i = 3; i < expected.size(); i++) {
                        assertArrayEquals(((QGemm.Output.Scaled) expected.get(i)).out(),
                            ((QGemm.Output.Scaled) actual.get(i)).out(), what + ": scaled " + i);
                    }
                }
            }
        }
    }

    /**
     * Int32; requantized per channel to u8 and per tensor to s8 with a clamp; scaled per channel with bias and relu,
     * per tensor without bias.
     */
    private static List<QGemm.Output> outputs(int size, float[] scales, float[] floatBias, int cout) {
        return List.of(new QGemm.Output.Int32(new int[size]),
            new QGemm.Output.Requantized(new byte[size], scales, 3, 0, 255),
            new QGemm.Output.Requantized(new byte[size], new float[] {scales[cout / 2]}, -5, -100, 120),
            new QGemm.Output.Scaled(new float[size], scales, floatBias, true),
            new QGemm.Output.Scaled(new float[size], new float[] {scales[0]}, null, false));
    }

    /** The scalar reference convolution (NCHW over centered ints), as NHWC sums. */
    private static int[] reference(Case c, QConvNhwc.Geometry g, byte[] x, int xzp, byte[] w, int[] wzp) {
        int pixels = c.h * c.w;
        int[] xc = new int[x.length];
        for (int b = 0; b < c.batch; b++) {
            for (int p = 0; p < pixels; p++) {
                for (int ic = 0; ic < c.cin; ic++) {
                    byte v = x[(b * pixels + p) * c.cin + ic];
                    xc[(b * c.cin + ic) * pixels + p] = (c.xUnsigned ? v & 0xFF : v) - xzp;
                }
            }
        }
        int[] wc = new int[w.length];
        for (int i = 0; i < w.length; i++) {
            wc[i] = (c.wUnsigned ? w[i] & 0xFF : w[i]) - wzp[wzp.length == 1 ? 0 : i / (c.cin * 9)];
        }
        int outPixels = g.outSpatial()[0] * g.outSpatial()[1];
        int[] nchw = new int[c.batch * c.cout * outPixels];
        IntConv.conv(xc, c.batch, c.cin, g.inSpatial(), wc, c.cout, 1, g.kernel(), g.strides(), g.dilations(),
            g.pads(), g.outSpatial(), nchw);
        return QConvNhwc.toNchw(nchw, c.batch, outPixels, c.cout, new int[nchw.length]);
    }

    /** The algebra alone: A^T [U .* (B^T d B)] A is 4 times the 2x2 correlation of d with g, for random tiles. */
    @Test
    void transformIsFourTimesTheCorrelation() {
        int[][] bt = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
        int[][] at = {{1, 1, 1, 0}, {0, 1, -1, -1}};
        SplittableRandom r = new SplittableRandom(7);
        for (int trial = 0; trial < 200; trial++) {
            byte[] w = new byte[9];
            r.nextBytes(w);
            int zp = r.nextInt(-128, 128);
            int[] sums = new int[1];
            int[][] u = Winograd.transform(w, 1, 1, false, new int[] {zp}, sums, new int[1]);
            int[][] d = new int[4][4];
            for (int[] row : d) {
                for (int j = 0; j < 4; j++) {
                    row[j] = r.nextInt(-128, 128);
                }
            }
            int[][] v = new int[4][4];
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    for (int p = 0; p < 4; p++) {
                        for (int q = 0; q < 4; q++) {
                            v[i][j] += bt[i][p] * d[p][q] * bt[j][q];
                        }
                    }
                }
            }
            int expectedSum = 0;
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++) {
                    long y4 = 0;
                    int direct = 0;
                    for (int p = 0; p < 4; p++) {
                        for (int q = 0; q < 4; q++) {
                            y4 += (long) at[i][p] * u[4 * p + q][0] * v[p][q] * at[j][q];
                        }
                    }
                    for (int a = 0; a < 3; a++) {
                        for (int b = 0; b < 3; b++) {
                            direct += d[i + a][j + b] * (w[3 * a + b] - zp);
                        }
                    }
                    assertEquals(4L * direct, y4, "trial " + trial + " output " + i + "," + j);
                }
            }
            for (byte b : w) {
                expectedSum += b - zp;
            }
            assertEquals(expectedSum, sums[0]);
        }
    }

    /**
     * The bounds: a flush interval holds at most 2^24 / 512 of |U| in any run of a column (all 2295: 14 products), and
     * int32 exactness decides the path at load.
     */
    @Test
    void directPathWhenTheBoundsFail() {
        QGemmKernel kernel = ScalarKernelProvider.INSTANCE.qgemm();
        assertEquals(14, Winograd.flushInterval(column(48, 2295, 2295), 48, 1)); // 2^24 / (512 * 2295)
        assertEquals(28, Winograd.flushInterval(column(48, 1152, -1152), 48, 1));
        assertEquals(28, Winograd.flushInterval(column(48, 2295, 0), 48, 1), "14 large ones in any run of 28");
        assertEquals(QGemmKernel.INT8_FLUSH, Winograd.flushInterval(column(48, 0, 0), 48, 1));
        assertEquals(QGemmKernel.INT8_FLUSH, Winograd.flushInterval(column(48, 600, -600), 48, 1),
            "48 * 600 <= 32768: all of K at once");
        // Two columns: the tighter one decides.
        int[] two = new int[2 * 48];
        for (int p = 0; p < 48; p++) {
            two[2 * p] = 100;
            two[2 * p + 1] = p % 3 == 0 ? 2295 : 0;
        }
        assertEquals(42, Winograd.flushInterval(two, 48, 2), "14 of every 3rd row: runs of 42 hold 14");
        // 4 * 9 * C * 128 * 255 < 2^31 up to C = 1827.
        assertTrue(Winograd.exact(1827, 255));
        assertFalse(Winograd.exact(1828, 255));
        int cout = 8;
        for (int cin : new int[] {1827, 1828}) {
            byte[] w = new byte[cout * cin * 9];
            java.util.Arrays.fill(w, (byte) 255);
            Winograd.Weights plan = Winograd.plan(kernel, w, cout, cin, true, new int[] {0});
            if (cin == 1827) {
                assertNotNull(plan);
                assertEquals(14, plan.flushes()[5], "the centre position: |U| = 9 * 255 everywhere");
                assertEquals(32, plan.flushes()[0], "a corner: |U| = 4 * 255");
            } else {
                assertNull(plan, "past the int32 bound the layer keeps the direct path");
            }
        }
        // Shapes Winograd does not take.
        assertFalse(Winograd.applies(2, new int[] {3, 3}, new int[] {2, 2}, 1, 16, 16));
        assertFalse(Winograd.applies(2, new int[] {3, 3}, new int[] {1, 1}, 2, 16, 16));
        assertFalse(Winograd.applies(2, new int[] {5, 5}, new int[] {1, 1}, 1, 16, 16));
        assertFalse(Winograd.applies(1, new int[] {3}, new int[] {1}, 1, 16, 16));
        assertFalse(Winograd.applies(2, new int[] {3, 3}, new int[] {1, 1}, 1, 3, 16));
    }

    /** K rows of one column alternating a and b. */
    private static int[] column(int k, int a, int b) {
        int[] u = new int[k];
        for (int p = 0; p < k; p++) {
            u[p] = p % 2 == 0 ? a : b;
        }
        return u;
    }
}
