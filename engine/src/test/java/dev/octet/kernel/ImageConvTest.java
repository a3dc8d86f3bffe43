package dev.octet.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Few-channel image convolutions ({@link ImageConv}: the fused tiles read a float copy of the image) against the
 * integer reference {@link IntConv} and {@link Quantization#requantize}: every vector width, one and three threads,
 * strides, dilations, asymmetric and over-wide padding, 1-D windows, output widths that end inside a tile and
 * channel counts that end inside a panel, signed and unsigned activations, per-tensor and per-channel scales; column
 * terms past float exactness take the GEMM path for the same bytes.
 */
class ImageConvTest {
    @ParameterizedTest(name = "batch={0} cin={1} {2}x{3} cout={4} k={5}x{6} s={7},{8} d={9},{10} pads={11},{12},{13},{14}")
    @CsvSource({
        "1, 3, 33, 35, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1",   // MobileNet's first layer
        "2, 3, 30, 29, 64, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3",   // ResNet's
        "1, 1, 17, 23, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1",   // gray, one-vector panel at 512 bits
        "1, 4, 19, 21, 24, 5, 5, 1, 1, 2, 2, 4, 0, 3, 5",   // RGBA, dilated, asymmetric pads, a cut panel
        "1, 2, 13, 40, 40, 3, 2, 3, 4, 1, 3, 0, 6, 2, 7",   // strides 3 and 4, pads wider than the windows reach
        "2, 3, 1, 50, 48, 1, 5, 1, 2, 1, 1, 0, 2, 0, 1",    // 1-D
        "1, 3, 9, 9, 8, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0"})     // narrower than any panel
    void matchesTheIntegerReference(int batch, int cin, int h, int w, int cout, int kh, int kw, int sh, int sw, int dh,
                                    int dw, int padTop, int padLeft, int padBottom, int padRight) {
        SplittableRandom r = new SplittableRandom(h * 131L + w * 7L + cout);
        int oh = (h + padTop + padBottom - (kh - 1) * dh - 1) / sh + 1;
        int ow = (w + padLeft + padRight - (kw - 1) * dw - 1) / sw + 1;
        boolean oneD = h == 1 && kh == 1;
        int[] inSpatial = oneD ? new int[] {w} : new int[] {h, w};
        int[] outSpatial = oneD ? new int[] {ow} : new int[] {oh, ow};
        QConvNhwc.Geometry g = oneD
            ? new QConvNhwc.Geometry(batch, cin, inSpatial, cout, 1, new int[] {kw}, new int[] {sw}, new int[] {dw},
                new int[] {padLeft, padRight}, outSpatial)
            : new QConvNhwc.Geometry(batch, cin, inSpatial, cout, 1, new int[] {kh, kw}, new int[] {sh, sw},
                new int[] {dh, dw}, new int[] {padTop, padLeft, padBottom, padRight}, outSpatial);
        byte[] x = new byte[batch * h * w * cin];
        r.nextBytes(x);
        byte[] weights = new byte[cout * cin * kh * kw];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (byte) r.nextInt(-127, 128);
        }
        // Odd h + w: signed activations and one output scale; even: unsigned, a scale per channel.
        boolean unsigned = (h + w) % 2 == 0;
        int xzp = unsigned ? 121 : -7;
        int[] bias = new int[cout];
        float[] scales = new float[cout];
        for (int oc = 0; oc < cout; oc++) {
            bias[oc] = r.nextInt(-20000, 20000);
            scales[oc] = unsigned ? 0.0005f + 0.00003f * oc : 0.0007f;
        }
        float[] outScales = unsigned ? scales : new float[] {scales[0]};
        int[] wzp = {0};
        QGemm.Output probe = new QGemm.Output.Requantized(new byte[0], scales, 0, 0, 255);
        assertTrue(ImageConv.applies(g, false, wzp, probe), "the image path takes this layer");
        byte[] expected = reference(x, unsigned, weights, g, xzp, bias, scales, 9);
        // Bias past float exactness: the tiles decline and the GEMM path gives the same bytes.
        int[] farBias = bias.clone();
        farBias[cout - 1] = (1 << 24) + 5;
        byte[] expectedFar = reference(x, unsigned, weights, g, xzp, farBias, scales, 9);
        for (int bits : new int[] {128, 256, 512}) {
            KernelProvider kernels = KernelProviders.choose("vector", bits).provider();
            PackedB[] packed = QConvNhwc.packGroups(kernels.qgemm(), weights, cout, cin, kh * kw, 1, false);
            for (int threads : new int[] {1, 3}) {
                try (Parallel parallel = new Parallel(threads)) {
                    byte[] y = new byte[expected.length];
                    QConvNhwc.gemm(kernels.qgemm(), parallel, g, new QConvNhwc.TapCache(), x, unsigned, xzp, packed,
                        false, wzp, bias, new QGemm.Output.Requantized(y, outScales, 9, 0, 255));
                    assertArrayEquals(expected, y, bits + " bits, " + threads + " threads");
                    QConvNhwc.gemm(kernels.qgemm(), parallel, g, new QConvNhwc.TapCache(), x, unsigned, xzp, packed,
                        false, wzp, farBias, new QGemm.Output.Requantized(y, outScales, 9, 0, 255));
                    assertArrayEquals(expectedFar, y, bits + " bits, " + threads + " threads, inexact column terms");
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void emptyOutputsAndManyChannelsTakeTheGemmPath() {
        QGemm.Output out = new QGemm.Output.Requantized(new byte[0], new float[] {1f}, 0, 0, 255);
        int[] k3 = {3, 3}, ones = {1, 1}, pads = {0, 0, 0, 0};
        // A window wider than the input: no output positions (a band would hold nothing).
        assertFalse(ImageConv.applies(new QConvNhwc.Geometry(1, 3, new int[] {5, 2}, 8, 1, k3, ones, ones, pads,
            new int[] {3, 0}), false, new int[] {0}, out));
        assertFalse(ImageConv.applies(new QConvNhwc.Geometry(1, 5, new int[] {5, 5}, 8, 1, k3, ones, ones, pads,
            new int[] {3, 3}), false, new int[] {0}, out));
        assertTrue(ImageConv.applies(new QConvNhwc.Geometry(1, 4, new int[] {5, 5}, 8, 1, k3, ones, ones, pads,
            new int[] {3, 3}), false, new int[] {0}, out));
    }

    /** NHWC requantized bytes from the integer reference convolution. */
    private static byte[] reference(byte[] x, boolean unsigned, byte[] weights, QConvNhwc.Geometry g, int xzp,
                                    int[] bias, float[] scales, int yzp) {
        int batch = g.batch(), cout = g.cout();
        int[] ws = new int[weights.length];
        for (int i = 0; i < ws.length; i++) {
            ws[i] = weights[i];
        }
        int outSize = g.outSize();
        int[] acc = IntConv.nhwcInput(x, unsigned, xzp, g, ws);
        byte[] y = new byte[acc.length];
        for (int b = 0; b < batch; b++) {
            for (int oc = 0; oc < cout; oc++) {
                for (int o = 0; o < outSize; o++) {
                    y[(b * outSize + o) * cout + oc] = (byte) Quantization.requantize(
                        acc[(b * cout + oc) * outSize + o] + bias[oc], scales[oc], yzp, 0, 255);
                }
            }
        }
        return y;
    }
}
