package dev.octet.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The convolution driver gives the same bits on any thread count: enough output positions take the per-thread
 * chunk path (im2col and a single-threaded GEMM per chunk), few take the shared-GEMM path; batches, groups and
 * both output kinds.
 */
class QConvNhwcThreadsTest {
    @ParameterizedTest(name = "batch={0} cin={1} {2}x{3} cout={4} k={5} stride={6} group={7}")
    @CsvSource({
        "2, 8, 33, 31, 16, 3, 1, 1",   // 3x3 im2col, chunk path
        "3, 12, 29, 30, 24, 3, 2, 3",  // grouped, strided
        "2, 16, 40, 41, 32, 1, 1, 1",  // pointwise straight on the pixels
        "1, 6, 9, 7, 16, 5, 1, 2",     // few positions: the shared-GEMM path
        "2, 24, 26, 27, 16, 1, 1, 2"}) // pointwise, grouped
    void sameBitsOnAnyThreadCount(int batch, int cin, int h, int w, int cout, int k, int stride, int group) {
        KernelProvider kernels = KernelProviders.choose("vector", 0).provider();
        SplittableRandom r = new SplittableRandom(batch * 31L + cin);
        int pad = k / 2;
        int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
        int cinG = cin / group;
        byte[] x = new byte[batch * h * w * cin];
        r.nextBytes(x);
        byte[] weights = new byte[cout * cinG * k * k];
        r.nextBytes(weights);
        int[] wzp = new int[cout];
        int[] bias = new int[cout];
        float[] scales = new float[cout];
        for (int oc = 0; oc < cout; oc++) {
            wzp[oc] = r.nextInt(-3, 4);
            bias[oc] = r.nextInt(-5000, 5000);
            scales[oc] = 0.002f + 0.0001f * oc;
        }
        PackedB[] packed = QConvNhwc.packGroups(kernels.qgemm(), weights, cout, cinG, k * k, group, false);
        QConvNhwc.Geometry g = new QConvNhwc.Geometry(batch, cin, new int[] {h, w}, cout, group, new int[] {k, k},
            new int[] {stride, stride}, new int[] {1, 1}, new int[] {pad, pad, pad, pad}, new int[] {oh, ow});
        int outSize = batch * oh * ow * cout;
        byte[] expectedBytes = null;
        int[] expectedInts = null;
        for (int threads = 1; threads <= 3; threads++) {
            try (Parallel parallel = new Parallel(threads)) {
                byte[] y = new byte[outSize];
                int[] acc = new int[outSize];
                QConvNhwc.gemm(kernels.qgemm(), parallel, g, new QConvNhwc.TapCache(), x, true, 130, packed, false,
                    wzp, bias, new QGemm.Output.Requantized(y, scales, 7, 0, 255));
                QConvNhwc.gemm(kernels.qgemm(), parallel, g, new QConvNhwc.TapCache(), x, true, 130, packed, false,
                    wzp, bias, new QGemm.Output.Int32(acc));
                if (expectedBytes == null) {
                    expectedBytes = y;
                    expectedInts = acc;
                } else {
                    assertArrayEquals(expectedBytes, y, threads + " threads, requantized");
                    assertArrayEquals(expectedInts, acc, threads + " threads, int32");
                }
            }
        }
    }
}
