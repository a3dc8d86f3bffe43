package dev.octet.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.octet.kernel.panama.PanamaKernelProvider;
import dev.octet.kernel.scalar.ScalarKernelProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every vector pooling kernel, at every width, bit-exact with the scalar reference (floats compared by
 * {@link Float#floatToIntBits}: every bit, except that all NaNs are one NaN, as Java arithmetic does not define
 * NaN payloads). Shapes sweep widths around each vector length (float lanes 4, 8, 16; byte lanes 16, 32, 64),
 * strides, dilations, asymmetric padding, ceil mode and 1-D, 2-D and 3-D windows; values include NaN, signed
 * zeros, infinities, repeated values and the 8-bit extremes.
 */
class PoolKernelsSweepTest {
    private static final PoolKernels REFERENCE = ScalarKernelProvider.INSTANCE.pool();
    private static final int[] WIDTHS = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 67, 131};

    static Stream<PoolKernels> variants() {
        return Stream.of(512, 256, 128).map(b -> new PanamaKernelProvider(b).pool());
    }

    /** One pooling problem: spatial input and output shapes, window, strides, dilations, pads [begin..., end...]. */
    private record Case(int planes, int[] in, int[] out, int[] kernel, int[] strides, int[] dilations, int[] pads) {
        int inSize() {
            return planes * Arrays.stream(in).reduce(1, (a, b) -> a * b);
        }

        int outSize() {
            return planes * Arrays.stream(out).reduce(1, (a, b) -> a * b);
        }

        @Override
        public String toString() {
            return "planes=" + planes + " in=" + Arrays.toString(in) + " out=" + Arrays.toString(out) + " kernel="
                + Arrays.toString(kernel) + " strides=" + Arrays.toString(strides) + " dilations="
                + Arrays.toString(dilations) + " pads=" + Arrays.toString(pads);
        }
    }

    /** A random valid problem of the given spatial rank; output sizes as ONNX computes them, floor or ceil. */
    private static Case randomCase(SplittableRandom r, int rank) {
        int[] in = new int[rank];
        int[] out = new int[rank];
        int[] kernel = new int[rank];
        int[] strides = new int[rank];
        int[] dilations = new int[rank];
        int[] pads = new int[2 * rank];
        boolean ceil = r.nextInt(3) == 0;
        while (true) {
            boolean ok = true;
            for (int d = 0; d < rank; d++) {
                boolean last = d == rank - 1;
                in[d] = last ? WIDTHS[r.nextInt(WIDTHS.length)] : 1 + r.nextInt(rank == 3 ? 4 : 6);
                kernel[d] = 1 + r.nextInt(last ? 5 : 3);
                strides[d] = 1 + r.nextInt(3);
                dilations[d] = r.nextInt(4) == 0 ? 2 : 1;
                int eff = (kernel[d] - 1) * dilations[d] + 1;
                pads[d] = r.nextInt(eff);
                pads[d + rank] = r.nextInt(eff);
                int span = in[d] + pads[d] + pads[d + rank] - eff;
                if (span < 0) {
                    ok = false;
                    break;
                }
                out[d] = (ceil ? (span + strides[d] - 1) / strides[d] : span / strides[d]) + 1;
                // ceil_mode drops a last window that would start in the end padding.
                if (ceil && (out[d] - 1) * strides[d] >= in[d] + pads[d]) {
                    out[d]--;
                }
            }
            if (ok) {
                return new Case(1 + r.nextInt(2), in.clone(), out.clone(), kernel.clone(), strides.clone(),
                    dilations.clone(), pads.clone());
            }
        }
    }

    private static List<Case> cases() {
        SplittableRandom r = new SplittableRandom(53);
        List<Case> cases = new ArrayList<>();
        // ResNet's stem pool and common CNN windows, on rows wider than every vector.
        cases.add(new Case(2, new int[] {9, 70}, new int[] {5, 35}, new int[] {3, 3}, new int[] {2, 2},
            new int[] {1, 1}, new int[] {1, 1, 1, 1}));
        cases.add(new Case(1, new int[] {6, 131}, new int[] {6, 131}, new int[] {3, 3}, new int[] {1, 1},
            new int[] {1, 1}, new int[] {1, 1, 1, 1}));
        cases.add(new Case(1, new int[] {4, 64}, new int[] {2, 32}, new int[] {2, 2}, new int[] {2, 2},
            new int[] {1, 1}, new int[] {0, 0, 0, 0}));
        cases.add(new Case(3, new int[] {7, 7}, new int[] {1, 1}, new int[] {7, 7}, new int[] {1, 1},
            new int[] {1, 1}, new int[] {0, 0, 0, 0}));
        // Windows larger than a narrow input: whole rows outside, every column at an edge.
        cases.add(new Case(1, new int[] {2, 3}, new int[] {3, 4}, new int[] {3, 3}, new int[] {1, 1},
            new int[] {1, 1}, new int[] {2, 2, 2, 2}));
        for (int i = 0; i < 110; i++) {
            cases.add(randomCase(r, 2));
        }
        for (int i = 0; i < 30; i++) {
            cases.add(randomCase(r, 1));
        }
        for (int i = 0; i < 8; i++) {
            cases.add(randomCase(r, 3));
        }
        return cases;
    }

    /** Gaussian floats with a sixth special: NaN, infinities, signed zeros, and repeats of a few values. */
    private static float[] floats(SplittableRandom r, int n) {
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1f, 1f, -1f};
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextInt(6) == 0 ? specials[r.nextInt(specials.length)] : (float) r.nextGaussian();
        }
        return x;
    }

    /** Random codes, a quarter of them at the extremes of either 8-bit type. */
    private static byte[] bytes(SplittableRandom r, int n) {
        byte[] x = new byte[n];
        r.nextBytes(x);
        byte[] specials = {0, -1, 127, -128, 1};
        for (int i = 0; i < n; i++) {
            if (r.nextInt(4) == 0) {
                x[i] = specials[r.nextInt(specials.length)];
            }
        }
        return x;
    }

    @ParameterizedTest
    @MethodSource("variants")
    void maxAndAveragePoolMatchReference(PoolKernels k) {
        SplittableRandom r = new SplittableRandom(59);
        for (Case c : cases()) {
            String what = k.getClass().getSimpleName() + " " + c;
            float[] x = floats(r, c.inSize());
            float[] want = new float[c.outSize()];
            float[] got = new float[c.outSize()];
            REFERENCE.maxPool(x, c.planes, c.in, c.out, c.kernel, c.strides, c.dilations, c.pads, want, null, false);
            k.maxPool(x, c.planes, c.in, c.out, c.kernel, c.strides, c.dilations, c.pads, got, null, false);
            assertArrayEquals(want, got, "float max " + what);
            for (boolean countIncludePad : new boolean[] {false, true}) {
                REFERENCE.averagePool(x, c.planes, c.in, c.out, c.kernel, c.strides, c.dilations, c.pads,
                    countIncludePad, want);
                k.averagePool(x, c.planes, c.in, c.out, c.kernel, c.strides, c.dilations, c.pads, countIncludePad, got);
                assertArrayEquals(want, got, "average countIncludePad=" + countIncludePad + " " + what);
            }
            byte[] q = bytes(r, c.inSize());
            for (boolean unsigned : new boolean[] {true, false}) {
                byte[] wantQ = new byte[c.outSize()];
                byte[] gotQ = new byte[c.outSize()];
                REFERENCE.maxPool(q, unsigned, c.planes, c.in, c.out, c.kernel, c.strides, c.dilations, c.pads, wantQ);
                k.maxPool(q, unsigned, c.planes, c.in, c.out, c.kernel, c.strides, c.dilations, c.pads, gotQ);
                assertArrayEquals(wantQ, gotQ, "8-bit max unsigned=" + unsigned + " " + what);
            }
        }
    }

    /**
     * Channels last: the reference equals the planar reference on the same data transposed, and every vector
     * kernel equals the reference, for channel counts around each vector length.
     */
    @ParameterizedTest
    @MethodSource("variants")
    void maxPoolChannelsLastMatchesReference(PoolKernels k) {
        SplittableRandom r = new SplittableRandom(73);
        int[] channelCounts = {1, 3, 4, 7, 8, 15, 16, 17, 32, 33};
        List<Case> planar = cases().stream().filter(c -> c.in.length == 2).toList();
        for (int i = 0; i < planar.size(); i++) {
            Case c = planar.get(i);
            int ch = channelCounts[i % channelCounts.length];
            int batch = c.planes;
            int inPixels = c.in[0] * c.in[1];
            int outPixels = c.out[0] * c.out[1];
            float[] x = floats(r, batch * inPixels * ch);
            float[] want = new float[batch * outPixels * ch];
            float[] got = new float[want.length];
            REFERENCE.maxPoolChannelsLast(x, batch, ch, c.in, c.out, c.kernel, c.strides, c.dilations, c.pads, want);
            k.maxPoolChannelsLast(x, batch, ch, c.in, c.out, c.kernel, c.strides, c.dilations, c.pads, got);
            String what = k.getClass().getSimpleName() + " channels=" + ch + " " + c;
            assertArrayEquals(want, got, what);
            // The planar reference on [batch * channels] planes of the same values.
            float[] xPlanar = new float[x.length];
            for (int b = 0; b < batch; b++) {
                for (int p = 0; p < inPixels; p++) {
                    for (int q = 0; q < ch; q++) {
                        xPlanar[(b * ch + q) * inPixels + p] = x[(b * inPixels + p) * ch + q];
                    }
                }
            }
            float[] yPlanar = new float[want.length];
            REFERENCE.maxPool(xPlanar, batch * ch, c.in, c.out, c.kernel, c.strides, c.dilations, c.pads, yPlanar,
                null, false);
            for (int b = 0; b < batch; b++) {
                for (int p = 0; p < outPixels; p++) {
                    for (int q = 0; q < ch; q++) {
                        float planarValue = yPlanar[(b * ch + q) * outPixels + p];
                        float value = want[(b * outPixels + p) * ch + q];
                        if (Float.floatToIntBits(planarValue) != Float.floatToIntBits(value)) {
                            throw new AssertionError("channels-last reference " + value + " != planar " + planarValue
                                + " at batch " + b + " pixel " + p + " channel " + q + ": " + what);
                        }
                    }
                }
            }
        }
    }

    /**
     * Channels-last bilinear resampling: random rows and columns of taps (equal ones included, as at the edges)
     * with weights in [0, 1], over channel counts around each vector length.
     */
    @ParameterizedTest
    @MethodSource("variants")
    void bilinearChannelsLastMatchesReference(PoolKernels k) {
        SplittableRandom r = new SplittableRandom(79);
        for (int channels : new int[] {1, 3, 4, 7, 8, 15, 16, 17, 32, 33, 70}) {
            int batch = 1 + r.nextInt(2), h = 1 + r.nextInt(6), w = 1 + r.nextInt(7);
            int oh = 1 + r.nextInt(9), ow = 1 + r.nextInt(9);
            int[] y1 = new int[oh], y2 = new int[oh], x1 = new int[ow], x2 = new int[ow];
            float[] dy1 = new float[oh], dy2 = new float[oh], dx1 = new float[ow], dx2 = new float[ow];
            for (int i = 0; i < oh; i++) {
                y1[i] = r.nextInt(h);
                y2[i] = Math.min(y1[i] + 1, h - 1);
                dy1[i] = r.nextFloat();
                dy2[i] = 1 - dy1[i];
            }
            for (int j = 0; j < ow; j++) {
                x1[j] = r.nextInt(w);
                x2[j] = Math.min(x1[j] + 1, w - 1);
                dx1[j] = r.nextFloat();
                dx2[j] = r.nextInt(4) == 0 ? 0.5f : 1 - dx1[j];
            }
            float[] x = floats(r, batch * h * w * channels);
            float[] want = new float[batch * oh * ow * channels];
            float[] got = new float[want.length];
            REFERENCE.bilinearChannelsLast(x, h, w, channels, y1, y2, dy1, dy2, x1, x2, dx1, dx2, want, 0,
                batch * oh);
            // Two bands, as two threads take them: the same floats.
            int split = batch * oh / 2 + 1;
            k.bilinearChannelsLast(x, h, w, channels, y1, y2, dy1, dy2, x1, x2, dx1, dx2, got, split,
                batch * oh);
            k.bilinearChannelsLast(x, h, w, channels, y1, y2, dy1, dy2, x1, x2, dx1, dx2, got, 0, split);
            assertArrayEquals(want, got, k.getClass().getSimpleName() + " channels=" + channels + " batch=" + batch
                + " " + h + "x" + w + " -> " + oh + "x" + ow);
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void maxPoolWithIndicesMatchesReference(PoolKernels k) {
        SplittableRandom r = new SplittableRandom(61);
        for (Case c : cases().subList(0, 20)) {
            float[] x = floats(r, c.inSize());
            for (boolean columnMajor : new boolean[] {false, true}) {
                float[] want = new float[c.outSize()];
                float[] got = new float[c.outSize()];
                long[] wantIdx = new long[c.outSize()];
                long[] gotIdx = new long[c.outSize()];
                REFERENCE.maxPool(x, c.planes, c.in, c.out, c.kernel, c.strides, c.dilations, c.pads, want, wantIdx,
                    columnMajor);
                k.maxPool(x, c.planes, c.in, c.out, c.kernel, c.strides, c.dilations, c.pads, got, gotIdx, columnMajor);
                assertArrayEquals(want, got, c.toString());
                assertArrayEquals(wantIdx, gotIdx, c.toString());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void planeSumsMatchReference(PoolKernels k) {
        SplittableRandom r = new SplittableRandom(67);
        int[] sizes = {0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 49, 64, 127, 1001};
        for (int size : sizes) {
            for (int planes : new int[] {1, 3}) {
                byte[] x = bytes(r, planes * size + 5);
                for (boolean unsigned : new boolean[] {true, false}) {
                    int[] want = new int[planes + 2];
                    int[] got = new int[planes + 2];
                    REFERENCE.planeSums(x, 5, planes, size, unsigned, want, 2);
                    k.planeSums(x, 5, planes, size, unsigned, got, 2);
                    assertArrayEquals(want, got, k.getClass().getSimpleName() + " size=" + size + " planes=" + planes
                        + " unsigned=" + unsigned);
                }
            }
        }
        // All-extreme planes: 255 * n and -128 * n exactly.
        byte[] ones = new byte[1001];
        Arrays.fill(ones, (byte) -1);
        int[] s = new int[1];
        k.planeSums(ones, 0, 1, 1001, true, s, 0);
        assertArrayEquals(new int[] {255 * 1001}, s);
        Arrays.fill(ones, (byte) -128);
        k.planeSums(ones, 0, 1, 1001, false, s, 0);
        assertArrayEquals(new int[] {-128 * 1001}, s);
    }

    @ParameterizedTest
    @MethodSource("variants")
    void pixelSumsMatchReference(PoolKernels k) {
        SplittableRandom r = new SplittableRandom(71);
        for (int channels : new int[] {1, 3, 4, 8, 15, 16, 17, 33, 64, 1280}) {
            for (int pixels : new int[] {0, 1, 2, 49, 64}) {
                byte[] x = bytes(r, pixels * channels + 5);
                for (boolean unsigned : new boolean[] {true, false}) {
                    int[] want = new int[channels + 2];
                    int[] got = new int[channels + 2];
                    Arrays.fill(want, 0x5A5A);
                    Arrays.fill(got, 0x5A5A);
                    REFERENCE.pixelSums(x, 5, pixels, channels, unsigned, want, 2);
                    k.pixelSums(x, 5, pixels, channels, unsigned, got, 2);
                    assertArrayEquals(want, got, k.getClass().getSimpleName() + " channels=" + channels + " pixels="
                        + pixels + " unsigned=" + unsigned);
                }
            }
        }
        // All-extreme channels: 255 * n and -128 * n exactly.
        byte[] ones = new byte[64 * 20];
        Arrays.fill(ones, (byte) -1);
        int[] s = new int[20];
        k.pixelSums(ones, 0, 64, 20, true, s, 0);
        int[] want = new int[20];
        Arrays.fill(want, 255 * 64);
        assertArrayEquals(want, s);
        Arrays.fill(ones, (byte) -128);
        k.pixelSums(ones, 0, 64, 20, false, s, 0);
        Arrays.fill(want, -128 * 64);
        assertArrayEquals(want, s);
    }
}
