package dev.octet.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Direct convolutions from a float band ({@link DirectConv}) against the integer reference {@link IntConv} (int32
 * sums) and the GEMM path (float and requantized outputs, which share the epilogue): the scalar kernels and every
 * vector width, one and three threads, both forms (dots: few outputs; outer: few inputs), strides, dilations,
 * asymmetric and over-wide padding, 1-D windows, runs that end inside a vector, signed and unsigned activations,
 * per-channel weight zero points anywhere in the range, and the deepest windows that stay exact with the widest values.
 */
class DirectConvTest {
    @ParameterizedTest(name = "batch={0} cin={1} {2}x{3} cout={4} k={5}x{6} s={7},{8} d={9},{10} pads={11},{12},{13},{14}")
    @CsvSource({
        "1, 16, 21, 37, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1",    // a segmentation head (dots)
        "2, 20, 13, 19, 3, 3, 3, 2, 1, 1, 2, 0, 2, 1, 2",    // dots over a run that ends inside a vector
        "1, 33, 9, 11, 7, 2, 3, 1, 2, 2, 1, 3, 0, 3, 1",     // three vectors per run at 512 bits, wide pads
        "1, 3, 17, 23, 1, 5, 5, 2, 2, 1, 1, 2, 2, 2, 2",     // dots of an image
        "1, 3, 25, 29, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1",    // an image layer (outer)
        "2, 4, 15, 18, 20, 3, 3, 2, 2, 2, 2, 2, 1, 0, 3",    // outer with a masked last vector, dilated, strided
        "1, 1, 12, 40, 40, 3, 2, 3, 4, 1, 3, 0, 6, 2, 7",    // gray, three vectors of outputs, strides 3 and 4
        "2, 2, 1, 50, 9, 1, 5, 1, 2, 1, 1, 0, 2, 0, 1",      // 1-D
        "1, 28, 6, 7, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1"})     // K = 252: at the exactness bound with extreme values
    void matchesTheReferences(int batch, int cin, int h, int w, int cout, int kh, int kw, int sh, int sw, int dh, int dw,
                              int padTop, int padLeft, int padBottom, int padRight) {
        SplittableRandom r = new SplittableRandom(h * 131L + w * 7L + cout * 3L + cin);
        int oh = (h + padTop + padBottom - (kh - 1) * dh - 1) / sh + 1;
        int ow = (w + padLeft + padRight - (kw - 1) * dw - 1) / sw + 1;
        boolean oneD = h == 1 && kh == 1;
        QConvNhwc.Geometry g = oneD
            ? new QConvNhwc.Geometry(batch, cin, new int[] {w}, cout, 1, new int[] {kw}, new int[] {sw},
                new int[] {dw}, new int[] {padLeft, padRight}, new int[] {ow})
            : new QConvNhwc.Geometry(batch, cin, new int[] {h, w}, cout, 1, new int[] {kh, kw}, new int[] {sh, sw},
                new int[] {dh, dw}, new int[] {padTop, padLeft, padBottom, padRight}, new int[] {oh, ow});
        int taps = kh * kw;
        assertTrue(DirectConv.applies(oneD ? 1 : 2, cin, cout, 1, taps, false), "the direct path takes this layer");
        boolean extreme = cin * taps > 200;
        // Odd h + w: unsigned activations and weights; even: signed.
        boolean unsigned = (h + w) % 2 == 1;
        byte[] x = new byte[batch * h * w * cin];
        byte[] weights = new byte[cout * cin * taps];
        int xzp;
        int[] wzp = new int[cout];
        if (extreme) {
            // Every product (x - xzp)(w - wzp) at its largest magnitude, 255 * 255: sums of 252 of them.
            java.util.Arrays.fill(x, unsigned ? (byte) 255 : (byte) 127);
            xzp = unsigned ? 0 : -128;
            for (int oc = 0; oc < cout; oc++) {
                wzp[oc] = oc % 2 == 0 ? (unsigned ? 255 : 127) : (unsigned ? 0 : -128);
                for (int i = 0; i < cin * taps; i++) {
                    weights[oc * cin * taps + i] = (byte) (oc % 2 == 0 ? (unsigned ? 0 : -128) : (unsigned ? 255 : 127));
                }
            }
        } else {
            r.nextBytes(x);
            r.nextBytes(weights);
            xzp = unsigned ? r.nextInt(256) : r.nextInt(-128, 128);
            for (int oc = 0; oc < cout; oc++) {
                wzp[oc] = unsigned ? r.nextInt(256) : r.nextInt(-128, 128);
            }
        }
        int[] expected = reference(x, unsigned, g, weights, xzp, wzp);
        DirectConv.Weights packed = DirectConv.pack(weights, cout, cin, taps, unsigned, wzp);
        assertEquals(cout < DirectConv.DOT_CHANNELS, packed.dots(), "the form");
        float[] scales = new float[cout];
        float[] floatBias = new float[cout];
        int[] bias = new int[cout];
        for (int oc = 0; oc < cout; oc++) {
            scales[oc] = 0.00021f + 0.000013f * oc;
            floatBias[oc] = (oc - cout / 2) * 0.37f;
            bias[oc] = r.nextInt(-3000, 3000);
        }
        for (KernelProvider kernels : providers()) {
            PackedB[] gemmWeights = QConvNhwc.packGroups(kernels.qgemm(), weights, cout, cin, taps, 1, unsigned);
            for (int threads : new int[] {1, 3}) {
                String where = kernels.describe() + ", " + threads + " threads";
                try (Parallel parallel = new Parallel(threads)) {
                    int[] sums = new int[expected.length];
                    DirectConv.run(kernels.directConv(), kernels.quantize(), parallel, g, x, unsigned, xzp, packed,
                        null, new QGemm.Output.Int32(sums));
                    assertArrayEquals(expected, sums, where + ": int32 sums");
                    float[] direct = new float[expected.length];
                    float[] gemm = new float[expected.length];
                    DirectConv.run(kernels.directConv(), kernels.quantize(), parallel, g, x, unsigned, xzp, packed,
                        null, new QGemm.Output.Scaled(direct, scales, floatBias, true));
                    QConvNhwc.gemm(kernels.qgemm(), parallel, g, new QConvNhwc.TapCache(), x, unsigned, xzp,
                        gemmWeights, unsigned, wzp, null, new QGemm.Output.Scaled(gemm, scales, floatBias, true));
                    assertArrayEquals(gemm, direct, where + ": float outputs");
                    byte[] directBytes = new byte[expected.length];
                    byte[] gemmBytes = new byte[expected.length];
                    float[] requantizing = new float[] {extreme ? 1e-6f : 0.003f};
                    DirectConv.run(kernels.directConv(), kernels.quantize(), parallel, g, x, unsigned, xzp, packed,
                        bias, new QGemm.Output.Requantized(directBytes, requantizing, 3, 0, 255));
                    QConvNhwc.gemm(kernels.qgemm(), parallel, g, new QConvNhwc.TapCache(), x, unsigned, xzp,
                        gemmWeights, unsigned, wzp, bias, new QGemm.Output.Requantized(gemmBytes, requantizing, 3, 0,
                            255));
                    assertArrayEquals(gemmBytes, directBytes, where + ": requantized outputs");
                }
            }
        }
    }

    @Test
    void takesNarrowOrFewInputLayersWhoseSumsStayExact() {
        assertTrue(DirectConv.applies(2, 16, 1, 1, 9, true), "a head, even requantized");
        assertTrue(DirectConv.applies(2, 3, 16, 1, 9, false), "an image layer with a float output");
        assertFalse(DirectConv.applies(2, 3, 16, 1, 9, true), "a requantized image layer is ImageConv's");
        assertFalse(DirectConv.applies(2, 16, 16, 1, 9, false), "neither side narrow");
        assertFalse(DirectConv.applies(2, 29, 1, 1, 9, false), "K = 261: float sums could pass 2^24");
        assertFalse(DirectConv.applies(2, 200, 1, 1, 1, false), "1x1: the GEMM on the pixels themselves");
        assertFalse(DirectConv.applies(3, 4, 1, 1, 27, false), "3-D windows");
        assertFalse(DirectConv.applies(2, 4, 2, 2, 9, false), "groups");
        assertFalse(DirectConv.applies(2, 0, 1, 1, 9, false), "no input channels");
    }

    @Test
    void refusesWeightsOfAnotherShape() {
        DirectConv.Weights packed = DirectConv.pack(new byte[2 * 4 * 9], 2, 4, 9, false, new int[] {0});
        QConvNhwc.Geometry g = new QConvNhwc.Geometry(1, 4, new int[] {5, 5}, 3, 1, new int[] {3, 3},
            new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0, 0, 0}, new int[] {3, 3});
        KernelProvider kernels = ScalarProvider.get();
        assertThrows(IllegalArgumentException.class, () -> DirectConv.run(kernels.directConv(), kernels.quantize(),
            Parallel.SERIAL, g, new byte[100], false, 0, packed, null, new QGemm.Output.Int32(new int[27])));
    }

    private static final class ScalarProvider {
        static KernelProvider get() {
            return KernelProviders.choose("scalar", 0).provider();
        }
    }

    private static KernelProvider[] providers() {
        return new KernelProvider[] {ScalarProvider.get(), KernelProviders.choose("vector", 128).provider(),
            KernelProviders.choose("vector", 256).provider(), KernelProviders.choose("vector", 512).provider()};
    }

    /** NHWC int32 sums of (x - xzp)(w - wzp) from the integer reference convolution. */
    private static int[] reference(byte[] x, boolean unsigned, QConvNhwc.Geometry g, byte[] weights, int xzp,
                                   int[] wzp) {
        int batch = g.batch(), cout = g.cout();
        int perOut = weights.length / cout;
        int[] ws = new int[weights.length];
        for (int i = 0; i < ws.length; i++) {
            ws[i] = (unsigned ? weights[i] & 0xFF : weights[i]) - wzp[i / perOut];
        }
        int outSize = g.outSize();
        int[] acc = IntConv.nhwcInput(x, unsigned, xzp, g, ws);
        int[] nhwc = new int[acc.length];
        for (int b = 0; b < batch; b++) {
            for (int oc = 0; oc < cout; oc++) {
                for (int o = 0; o < outSize; o++) {
                    nhwc[(b * outSize + o) * cout + oc] = acc[(b * cout + oc) * outSize + o];
                }
            }
        }
        return nhwc;
    }
}
