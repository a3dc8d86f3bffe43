package dev.octet.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.kernel.panama.PanamaKernelProvider;
import dev.octet.kernel.scalar.ChannelLoopDepthwiseKernels;
import dev.octet.kernel.scalar.ScalarKernelProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every vector depthwise kernel, at every width (the Vector API emulates widths the host lacks), and the channel-loop
 * kernel the vector provider runs while its own compiles, against the scalar reference, bit-exact: channel counts around the lane count, spatial sizes 1..9, 14 and 28, kernels
 * 3 and 5, strides 1 and 2, padding 0..2, dilation 1 and 2, extreme zero points and values, clamps, int32
 * output, and row bands as parallel tasks compute them.
 */
class DepthwiseKernelsSweepTest {
    private static final DepthwiseKernels REFERENCE = ScalarKernelProvider.INSTANCE.depthwise();
    private static final int[] SIZES = {1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 28};

    static Stream<Arguments> cases() {
        List<Arguments> args = new ArrayList<>();
        // The vector provider's path until its kernel is compiled.
        for (int c : new int[] {1, 3, 17, 96}) {
            args.add(Arguments.of(new ChannelLoopDepthwiseKernels(), c));
        }
        for (int bits : new int[] {512, 256, 128}) {
            DepthwiseKernels kernel = new PanamaKernelProvider(bits).depthwise();
            int lanes = bits / 32;
            int[] channels = Arrays.stream(new int[] {1, 3, lanes - 1, lanes, lanes + 1, 17, 96, 144}).distinct()
                .toArray();
            for (int c : channels) {
                args.add(Arguments.of(kernel, c));
            }
        }
        return args.stream();
    }

    /** Uniform bytes with the extremes over-represented: -128, 127 and -1 (255 unsigned). */
    private static byte[] random(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            int pick = r.nextInt(8);
            b[i] = (byte) (pick == 0 ? -128 : pick == 1 ? 127 : pick == 2 ? -1 : r.nextInt(256));
        }
        return b;
    }

    /** The quantization parameters of one case, rotating through the extremes. */
    private record Params(boolean xUnsigned, int xzp, boolean wUnsigned, int[] wzp, int[] bias, float[] scales, int yzp,
                          int qmin, int qmax, boolean int32) {
        static Params pick(SplittableRandom r, int i, int channels) {
            boolean xU = i % 2 == 0;
            int[] xzps = xU ? new int[] {0, 255, 128, r.nextInt(256)} : new int[] {-128, 127, 0, r.nextInt(-128, 128)};
            boolean wU = i % 3 == 0;
            int[] wzp;
            switch (i % 4) {
                case 0 -> wzp = new int[] {wU ? 255 : -128};
                case 1 -> wzp = new int[] {wU ? 0 : 127};
                case 2 -> wzp = new int[] {0};
                default -> {
                    wzp = new int[channels];
                    for (int c = 0; c < channels; c++) {
                        wzp[c] = wU ? r.nextInt(256) : r.nextInt(-128, 128);
                    }
                }
            }
            int[] bias = null;
            if (i % 5 != 0) {
                bias = new int[channels];
                for (int c = 0; c < channels; c++) {
                    // Now and then near the int32 limits, where the sums wrap like the reference's ints.
                    bias[c] = i % 7 == 0 ? Integer.MAX_VALUE - r.nextInt(100000) : r.nextInt(-200000, 200000);
                }
            }
            float[] scales;
            if (i % 3 == 1) {
                scales = new float[] {(float) (r.nextDouble() * 0.01 + 1e-4)};
            } else {
                scales = new float[channels];
                for (int c = 0; c < channels; c++) {
                    scales[c] = (float) (r.nextDouble() * 0.02 + 1e-5);
                }
                if (i % 4 == 2) {
                    // Degenerate scales (a zero y scale gives infinity): infinities clamp, NaN (with or without a
                    // payload) gives the zero point.
                    float[] odd = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
                        Float.intBitsToFloat(0x7FC00A5B), 0f, -0.5f};
                    for (int c = 0; c < channels; c += 3) {
                        scales[c] = odd[(c / 3 + i) % odd.length];
                    }
                }
            }
            boolean yU = i % 2 == 1;
            int yzp = yU ? new int[] {0, 255, 128, 7}[i % 4] : new int[] {-128, 127, 0, -5}[i % 4];
            int qmin = yU ? 0 : -128;
            int qmax = yU ? 255 : 127;
            switch (i % 3) {
                case 1 -> qmin = Math.max(qmin, yzp); // a folded Relu
                case 2 -> {
                    qmin = yU ? 10 : -100;
                    qmax = yU ? 200 : 90;
                }
                default -> { }
            }
            // i / 2: each signedness of x (i % 2) goes through all four of its zero points.
            return new Params(xU, xzps[i / 2 % 4], wU, wzp, bias, scales, yzp, qmin, qmax, i % 6 == 5);
        }
    }

    private static Object run(DepthwiseKernels kernel, DepthwiseWeights w, DepthwiseKernels.Shape s, byte[] x,
                              Params p, int oy0, int oy1) {
        int outSize = 3 + s.outH() * s.outW() * s.channels();
        QGemm.Output out;
        Object y;
        if (p.int32()) {
            int[] ints = new int[outSize];
            Arrays.fill(ints, 0x5A5A5A5A); // outside [oy0, oy1) must stay untouched
            out = new QGemm.Output.Int32(ints);
            y = ints;
        } else {
            byte[] bytes = new byte[outSize];
            Arrays.fill(bytes, (byte) 0x5A);
            out = new QGemm.Output.Requantized(bytes, p.scales(), p.yzp(), p.qmin(), p.qmax());
            y = bytes;
        }
        kernel.run(w, s, x, 5, p.xUnsigned(), p.xzp(), p.bias(), out, 3, oy0, oy1);
        return y;
    }

    @ParameterizedTest(name = "{0} channels={1}")
    @MethodSource("cases")
    void matchesReference(DepthwiseKernels kernel, int channels) {
        SplittableRandom r = new SplittableRandom(channels * 131L + kernel.id().hashCode());
        int i = 0;
        int checked = 0;
        for (int size : SIZES) {
            for (int k : new int[] {3, 5}) {
                for (int stride : new int[] {1, 2}) {
                    for (int pad : new int[] {0, 1, 2}) {
                        for (int dilation : new int[] {1, 2}) {
                            i++;
                            // Every fifth case is not square, with an extra pad at the bottom right.
                            int inH = size;
                            int inW = i % 5 == 0 ? size + 3 : size;
                            int extra = i % 5 == 0 ? 1 : 0;
                            int span = (k - 1) * dilation + 1;
                            int outH = (inH + 2 * pad + extra - span) / stride + 1;
                            int outW = (inW + 2 * pad + extra - span) / stride + 1;
                            if (inH + 2 * pad + extra < span || inW + 2 * pad + extra < span) {
                                continue;
                            }
                            var s = new DepthwiseKernels.Shape(channels, inH, inW, outH, outW, k, k, stride, stride,
                                dilation, dilation, pad, pad);
                            Params p = Params.pick(r, i, channels);
                            byte[] x = random(r, 5 + inH * inW * channels);
                            byte[] wb = random(r, channels * k * k);
                            DepthwiseWeights wRef = REFERENCE.pack(wb, 0, channels, k, k, p.wUnsigned(), p.wzp());
                            DepthwiseWeights wVec = kernel.pack(wb, 0, channels, k, k, p.wUnsigned(), p.wzp());
                            String what = kernel.id() + " " + s + " " + p;
                            assertEquals(run(REFERENCE, wRef, s, x, p, 0, outH), run(kernel, wVec, s, x, p, 0, outH),
                                what);
                            int oy0 = outH / 3, oy1 = Math.max(oy0 + 1, outH - 1);
                            assertEquals(run(REFERENCE, wRef, s, x, p, oy0, oy1),
                                run(kernel, wVec, s, x, p, oy0, oy1), what + " rows " + oy0 + ".." + oy1);
                            checked++;
                        }
                    }
                }
            }
        }
        assertTrue(checked > 200, "only " + checked + " geometries");
    }

    /**
     * Rows wide enough (700 pixels of 144 channels, 100 KB) that a padded 3 x 3 band is copied a few output rows
     * at a time: several copies per band, at strides 1 and 2.
     */
    @ParameterizedTest(name = "{0}-bit")
    @org.junit.jupiter.params.provider.ValueSource(ints = {512, 256, 128})
    void widePaddedRowsAcrossSeveralCopies(int bits) {
        DepthwiseKernels kernel = new PanamaKernelProvider(bits).depthwise();
        int channels = 144;
        SplittableRandom r = new SplittableRandom(9);
        for (int stride : new int[] {1, 2}) {
            int inH = 7, inW = 700;
            int outH = (inH + 2 - 3) / stride + 1, outW = (inW + 2 - 3) / stride + 1;
            var s = new DepthwiseKernels.Shape(channels, inH, inW, outH, outW, 3, 3, stride, stride, 1, 1, 1, 1);
            for (int i = 0; i < 4; i++) {
                Params p = Params.pick(r, 6 * i + 1, channels); // requantized outputs
                byte[] x = random(r, 5 + inH * inW * channels);
                byte[] wb = random(r, channels * 9);
                DepthwiseWeights wRef = REFERENCE.pack(wb, 0, channels, 3, 3, p.wUnsigned(), p.wzp());
                DepthwiseWeights wVec = kernel.pack(wb, 0, channels, 3, 3, p.wUnsigned(), p.wzp());
                assertEquals(run(REFERENCE, wRef, s, x, p, 0, outH), run(kernel, wVec, s, x, p, 0, outH),
                    kernel.id() + " " + s + " " + p);
                assertEquals(run(REFERENCE, wRef, s, x, p, 1, outH - 1), run(kernel, wVec, s, x, p, 1, outH - 1),
                    kernel.id() + " " + s + " " + p + " rows 1.." + (outH - 1));
            }
        }
    }

    /**
     * Padding wider than the windows reach (ONNX allows any): windows entirely in the padding, at strides 1 and 2,
     * and a padded row with no input column in it.
     */
    @ParameterizedTest(name = "{0} channels={1}")
    @MethodSource("cases")
    void paddingWiderThanTheWindows(DepthwiseKernels kernel, int channels) {
        SplittableRandom r = new SplittableRandom(channels);
        // {inH, inW, outH, outW, stride, padTop, padLeft}: ONNX sizes with no end padding; in the last two the
        // windows end before the input's columns start.
        int[][] shapes = {{3, 3, 4, 4, 2, 5, 5}, {3, 3, 6, 6, 1, 4, 4}, {2, 5, 5, 3, 1, 2, 2}, {3, 1, 1, 1, 4, 1, 5},
            {4, 2, 2, 1, 5, 1, 4}};
        for (int[] g : shapes) {
            var s = new DepthwiseKernels.Shape(channels, g[0], g[1], g[2], g[3], 3, 3, g[4], g[4], 1, 1, g[5], g[6]);
            Params p = Params.pick(r, 7, channels); // requantized
            byte[] x = random(r, 5 + g[0] * g[1] * channels);
            byte[] wb = random(r, channels * 9);
            DepthwiseWeights wRef = REFERENCE.pack(wb, 0, channels, 3, 3, p.wUnsigned(), p.wzp());
            DepthwiseWeights wVec = kernel.pack(wb, 0, channels, 3, 3, p.wUnsigned(), p.wzp());
            assertEquals(run(REFERENCE, wRef, s, x, p, 0, g[2]), run(kernel, wVec, s, x, p, 0, g[2]),
                kernel.id() + " " + s + " " + p);
        }
    }

    private static void assertEquals(Object expected, Object actual, String message) {
        if (expected instanceof int[] e) {
            assertArrayEquals(e, (int[]) actual, message);
        } else {
            assertArrayEquals((byte[]) expected, (byte[]) actual, message);
        }
    }
}
