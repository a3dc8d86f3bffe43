package dev.octet.kernel.panama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.kernel.DepthwiseKernels;
import dev.octet.kernel.DepthwiseWeights;
import dev.octet.kernel.FloatKernels;
import dev.octet.kernel.KernelProvider;
import dev.octet.kernel.PackedB;
import dev.octet.kernel.Parallel;
import dev.octet.kernel.PoolKernels;
import dev.octet.kernel.PreparedA;
import dev.octet.kernel.QGemm;
import dev.octet.kernel.QGemmKernel;
import dev.octet.kernel.QuantizeKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The warm-up gate's cold paths against the ungated vector kernels (bit for bit), and a gated provider giving the
 * vector kernels' bits before and after its warm-up. The float and quantize kernels' cold path is the scalar
 * reference, which their own sweep tests hold to the vector kernels; the int8 GEMM's is scalar code over the vector
 * layouts, swept here.
 */
class WarmingKernelProviderTest {
    private static final int[] WIDTHS = {512, 256, 128};

    static Stream<Arguments> shapes() {
        List<Arguments> args = new ArrayList<>();
        for (int bits : WIDTHS) {
            for (int k : new int[] {0, 1, 3, 4, 5, 9, 40, 1023, 1024, 1025, 2100}) {
                for (int[] mn : new int[][] {{1, 1}, {1, 33}, {7, 9}, {9, 17}, {6, 16}, {8, 32}, {13, 65}, {17, 70}}) {
                    args.add(Arguments.of(bits, mn[0], k, mn[1]));
                }
            }
        }
        return args.stream();
    }

    private static byte[] random(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            int pick = r.nextInt(8);
            b[i] = (byte) (pick == 0 ? -128 : pick == 1 ? 127 : r.nextInt(256));
        }
        return b;
    }

    @ParameterizedTest(name = "vector-{0} m={1} k={2} n={3}")
    @MethodSource("shapes")
    void coldQGemmMatchesTheVectorKernel(int bits, int m, int k, int n) {
        SplittableRandom r = new SplittableRandom(31L * m + 7L * k + n + bits);
        int lda = k + 3;
        byte[] a = random(r, 2 + m * lda);
        byte[] b = random(r, k * n);
        for (boolean unsigned : new boolean[] {false, true}) {
            assertSameProducts(bits, m, k, n, a, 2, lda, unsigned, b, !unsigned, unsigned);
        }
    }

    /** All -128: sums beyond one float block's 2^24 and, past K = 2^17, int32 wrap-around. */
    @Test
    void coldQGemmMatchesTheVectorKernelAtTheExtremes() {
        for (int bits : WIDTHS) {
            for (int k : new int[] {2048, 140_000}) {
                byte[] a = new byte[3 * k];
                byte[] b = new byte[k * 5];
                Arrays.fill(a, (byte) -128);
                Arrays.fill(b, (byte) -128);
                assertSameProducts(bits, 3, k, 5, a, 0, k, false, b, false, false);
            }
        }
    }

    /** Winograd's operands: wide integer B, float A, a flush interval far below 1024 (as its layers use). */
    @Test
    void coldWideQGemmMatchesTheVectorKernelWithAShortFlushInterval() {
        SplittableRandom r = new SplittableRandom(11);
        int flush = 14;
        for (int bits : WIDTHS) {
            for (int[] mkn : new int[][] {{13, 100, 70}, {4, 29, 16}, {9, 300, 33}}) {
                int m = mkn[0];
                int k = mkn[1];
                int n = mkn[2];
                int[] b = new int[k * n];
                for (int i = 0; i < b.length; i++) {
                    b[i] = r.nextInt(2 * 2295 + 1) - 2295;
                }
                float[] a = new float[m * k];
                for (int i = 0; i < a.length; i++) {
                    a[i] = r.nextInt(1025) - 512;
                }
                QGemmKernel vector = new PanamaKernelProvider(bits).qgemm();
                int mr = vector.rowTile();
                PackedB pb = vector.packWideB(b, k, n);
                PreparedA hot = new PreparedA();
                PreparedA cold = new PreparedA();
                vector.resetA(m, k, false, hot);
                vector.resetA(m, k, false, cold);
                vector.prepareRows(0, m, a, 0, k, hot);
                FloatPacking.prepareFloatRowsScalar(mr, 0, m, a, 0, k, cold);
                int[] exact = new int[m * n];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        for (int p = 0; p < k; p++) {
                            exact[i * n + j] += (int) a[i * k + p] * b[p * n + j];
                        }
                    }
                }
                // The whole product, and a block starting inside a row tile and a panel.
                for (int[] block : new int[][] {{0, m, 0, n}, {m / 3, m, 5, n - 2}}) {
                    int[] expected = new int[m * n];
                    int[] actual = new int[m * n];
                    vector.multiply(hot, block[0], block[1], pb, block[2], block[3], expected, 0, n, flush);
                    FloatPacking.multiplyScalar(mr, bits / 16, cold, block[0], block[1], pb, block[2], block[3], actual,
                        0, n, flush);
                    String what = "vector-" + bits + " " + Arrays.toString(mkn) + " block " + Arrays.toString(block);
                    assertArrayEquals(expected, actual, what);
                    for (int i = block[0]; i < block[1]; i++) {
                        for (int j = block[2]; j < block[3]; j++) {
                            assertEquals(exact[i * n + j], actual[i * n + j], what + " at " + i + "," + j);
                        }
                    }
                }
            }
        }
    }

    private static void assertSameProducts(int bits, int m, int k, int n, byte[] a, int aOff, int lda, boolean aU,
                                           byte[] b, boolean bU, boolean transposed) {
        QGemmKernel vector = new PanamaKernelProvider(bits).qgemm();
        int mr = vector.rowTile();
        int nr = bits / 16;
        String what = "vector-" + bits + " m=" + m + " k=" + k + " n=" + n + " aU=" + aU;
        PackedB pb = vector.packB(b, 0, k, n, bU, transposed);
        PreparedA hot = new PreparedA();
        PreparedA cold = new PreparedA();
        vector.resetA(m, k, true, hot);
        vector.resetA(m, k, true, cold);
        vector.prepareRows(0, m, a, aOff, lda, aU, hot);
        // Two row ranges, as two threads prepare them.
        FloatPacking.prepareRowsScalar(mr, 0, m / 2, a, aOff, lda, aU, cold);
        FloatPacking.prepareRowsScalar(mr, m / 2, m, a, aOff, lda, aU, cold);
        int size = FloatPacking.preparedSize(mr, m, k);
        assertArrayEquals(hot.floats(size), cold.floats(size), what + ": prepared A");
        assertArrayEquals(Arrays.copyOf(hot.rowSums(), m), Arrays.copyOf(cold.rowSums(), m), what + ": row sums");
        // The vector kernel's rows in two ranges cut inside a row tile, as threads prepare them.
        PreparedA split = new PreparedA();
        vector.resetA(m, k, true, split);
        vector.prepareRows(0, m / 2 + 1, a, aOff, lda, aU, split);
        vector.prepareRows(m / 2 + 1, m, a, aOff, lda, aU, split);
        assertArrayEquals(split.floats(size), cold.floats(size), what + ": prepared A in two ranges");
        assertArrayEquals(Arrays.copyOf(split.rowSums(), m), Arrays.copyOf(cold.rowSums(), m),
            what + ": row sums in two ranges");
        // The whole product and a block starting inside a row tile and a panel.
        for (int[] block : new int[][] {{0, m, 0, n}, {m / 3, m, Math.min(n, 5), Math.max(Math.min(n, 5), n - 2)}}) {
            int ldc = n + 3;
            int[] expected = new int[4 + m * ldc];
            int[] actual = new int[4 + m * ldc];
            Arrays.fill(expected, 0x5A5A5A5A);
            Arrays.fill(actual, 0x5A5A5A5A);
            vector.multiply(hot, block[0], block[1], pb, block[2], block[3], expected, 4, ldc);
            FloatPacking.multiplyScalar(mr, nr, cold, block[0], block[1], pb, block[2], block[3], actual, 4, ldc,
                QGemmKernel.INT8_FLUSH);
            assertArrayEquals(expected, actual, what + " block " + Arrays.toString(block));
        }
    }

    /** One call of every gated family, into fresh outputs, as a digest of the results. */
    private static String run(KernelProvider p) {
        SplittableRandom r = new SplittableRandom(5);
        int m = 13;
        int k = 1030;
        int n = 70;
        byte[] a = random(r, m * k);
        byte[] b = random(r, k * n);
        QGemmKernel q = p.qgemm();
        PackedB pb = q.packB(b, 0, k, n, true, false);
        PreparedA pa = new PreparedA();
        q.prepareA(m, k, a, 0, k, true, true, pa);
        int[] c = new int[m * n];
        q.multiply(pa, 0, m, pb, 0, n, c, 0, n);
        // Requantized with K within one float pass: the fused tiles once warm (whole panels), the int32 path cold.
        int shallow = 300;
        float[] scales = new float[n];
        for (int j = 0; j < n; j++) {
            scales[j] = (float) (r.nextDouble() * 0.004);
        }
        byte[] requantized = new byte[m * n];
        QGemm.run(q, Parallel.SERIAL, m, a, 0, shallow, true, 9, q.packB(b, 0, shallow, n, false, false), false,
            new int[] {0}, null, new QGemm.Output.Requantized(requantized, scales, 2, -128, 127), 0);
        // 24 and 16 columns at an even K: at 512 bits, A prepared as pairs once both GEMM gates are open, floats before.
        byte[] pairColumns = new byte[m * 40];
        QGemm.run(q, Parallel.SERIAL, m, a, 0, 40, true, 9, q.packB(b, 0, 40, 24, false, false), false,
            new int[] {0}, null, new QGemm.Output.Requantized(pairColumns, Arrays.copyOf(scales, 24), 2, -128, 127), 0);
        QGemm.run(q, Parallel.SERIAL, m, a, 0, 40, true, 9, q.packB(b, 0, 40, 16, false, false), false,
            new int[] {0}, null, new QGemm.Output.Requantized(pairColumns, Arrays.copyOf(scales, 16), 2, -128, 127),
            m * 24);
        float[] x = new float[3 * 101];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 16 - 8);
        }
        FloatKernels f = p.floats();
        float[] product = new float[9 * 37];
        f.gemm(9, 37, 7, x, 0, 7, x, 7, 37, false, product, 0, 37);
        float[] soft = new float[x.length];
        f.softmax(x, 0, soft, 0, 3, 101);
        float[] gelu = new float[x.length];
        f.gelu(x, 0, gelu, 0, x.length);
        float[] norm = new float[x.length];
        f.layerNorm(x, 0, norm, 0, 3, 101, null, null, 1e-5f);
        QuantizeKernels qk = q.epilogue();
        byte[] codes = new byte[x.length];
        qk.quantize(x, 0, x.length, x.length, 1, 0.03f, 5, -128, 127, codes, 0, x.length);
        // Depthwise 3 x 3, padded, stride 1 and 2: requantized (the row kernels) and int32 sums (per pixel).
        DepthwiseKernels dk = p.depthwise();
        int channels = 21;
        byte[] image = random(r, 11 * 10 * channels);
        DepthwiseWeights dw = dk.pack(random(r, channels * 9), 0, channels, 3, 3, false, new int[] {1});
        float[] dwScales = new float[channels];
        for (int ch = 0; ch < channels; ch++) {
            dwScales[ch] = (float) (r.nextDouble() * 0.003);
        }
        byte[] dwOut = new byte[11 * 10 * channels];
        dk.run(dw, new DepthwiseKernels.Shape(channels, 11, 10, 11, 10, 3, 3, 1, 1, 1, 1, 1, 1), image, 0, true, 140,
            null, new QGemm.Output.Requantized(dwOut, dwScales, 7, 0, 255), 0, 0, 11);
        int[] dwSums = new int[6 * 5 * channels];
        dk.run(dw, new DepthwiseKernels.Shape(channels, 11, 10, 6, 5, 3, 3, 2, 2, 1, 1, 1, 1), image, 0, false, -3,
            null, new QGemm.Output.Int32(dwSums), 0, 0, 6);
        // Pooling: a padded strided window with indices, channels last with a vector tail, bilinear, 8-bit, sums.
        PoolKernels pk = p.pool();
        int planes = 2;
        int[] in = {9, 11};
        int[] out = {5, 6};
        int[] window = {3, 3};
        int[] strides = {2, 2};
        int[] dilations = {1, 1};
        int[] pads = {1, 1, 1, 1};
        float[] img = new float[planes * 9 * 11 * channels];
        for (int i = 0; i < img.length; i++) {
            img[i] = (float) (r.nextDouble() * 10 - 5);
        }
        float[] maxed = new float[planes * 5 * 6];
        long[] where = new long[maxed.length];
        pk.maxPool(img, planes, in, out, window, strides, dilations, pads, maxed, where, false);
        float[] averaged = new float[maxed.length];
        pk.averagePool(img, planes, in, out, window, strides, dilations, pads, false, averaged);
        float[] maxedLast = new float[5 * 6 * channels];
        pk.maxPoolChannelsLast(img, 1, channels, in, out, window, strides, dilations, pads, maxedLast);
        int[] rowsA = {0, 1, 2, 4, 6, 8};
        int[] rowsB = {1, 2, 3, 5, 7, 8};
        float[] rowW1 = {0.25f, 0.5f, 0.75f, 0.1f, 0.9f, 0.5f};
        float[] rowW2 = {0.75f, 0.5f, 0.25f, 0.9f, 0.1f, 0.5f};
        float[] resampled = new float[6 * 6 * channels];
        pk.bilinearChannelsLast(img, 9, 11, channels, rowsA, rowsB, rowW1, rowW2, rowsA, rowsB, rowW2, rowW1,
            resampled, 0, rowsA.length);
        byte[] pooledCodes = new byte[maxed.length];
        pk.maxPool(image, true, planes, in, out, window, strides, dilations, pads, pooledCodes);
        int[] sums = new int[2 * channels];
        pk.planeSums(image, 1, 2, 99, false, sums, 0);
        pk.pixelSums(image, 3, 99, channels, true, sums, channels);
        return Arrays.toString(c) + Arrays.toString(requantized) + Arrays.toString(pairColumns) + Arrays.toString(product) + Arrays.toString(soft) + Arrays.toString(gelu) + Arrays.toString(norm)
            + Arrays.toString(codes) + Arrays.toString(qk.rangeWithZero(x, 0, x.length)) + Arrays.toString(dwOut)
            + Arrays.toString(dwSums) + Arrays.toString(maxed) + Arrays.toString(where) + Arrays.toString(averaged)
            + Arrays.toString(maxedLast) + Arrays.toString(resampled) + Arrays.toString(pooledCodes)
            + Arrays.toString(sums);
    }

    @Test
    void gatedProviderGivesTheVectorBitsBeforeAndAfterItsWarmup() throws InterruptedException {
        for (int bits : new int[] {512, 256}) {
            String expected = run(new PanamaKernelProvider(bits));
            WarmingKernelProvider gated = new WarmingKernelProvider(bits);
            assertFalse(gated.warmup().warming(), "nothing requested yet");
            assertEquals(expected, run(gated), "vector-" + bits + " cold");
            assertTrue(gated.describe().endsWith("(warming)"), gated.describe());
            assertTrue(gated.warmup().awaitIdle(120_000), "warm-up of vector-" + bits + " did not finish");
            assertEquals("vector-" + bits, gated.describe());
            assertEquals(List.of(), gated.warmup().failed(), "warm-ups that threw");
            assertEquals(expected, run(gated), "vector-" + bits + " warm");
            assertFalse(gated.warmup().allOpen(), "kernels never called stay unwarmed (e.g. tanh)");
        }
    }

    /**
     * Before any call, the cold (scalar) paths run their warm-up rounds, which leave the vector warm-up unstarted
     * and record nothing: the vector batches cover only the GEMM tile heights real calls use.
     */
    @Test
    void theColdPathsWarmBeforeTheFirstCall() throws InterruptedException {
        WarmingKernelProvider gated = new WarmingKernelProvider(512);
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (gated.warmup().coldRoundsRun() < KernelWarmup.COLD_ROUNDS && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(KernelWarmup.COLD_ROUNDS, gated.warmup().coldRoundsRun());
        assertEquals(List.of(), gated.warmup().failed(), "cold warm-ups that threw");
        assertFalse(gated.warmup().started(), "the vector warm-up started without a call");
        assertFalse(gated.warmup().warming(), "nothing requested yet");
        assertEquals(1 << gated.qgemm().rowTile(), gated.recordedGemmHeights(), "the cold warm-up recorded heights");
    }

    /** The warm-up waits for a session's first run to finish, so it does not slow that run down. */
    @Test
    void theWarmUpStartsWhenARunFinishes() throws InterruptedException {
        WarmingKernelProvider gated = new WarmingKernelProvider(256);
        float[] x = {0.5f, -1f, 2f, 3f};
        gated.floats().exp(x, 0, new float[4], 0, 4);
        assertTrue(gated.warmup().warming(), "the call queued the exp kernel's warm-up");
        Thread.sleep(KernelWarmup.FIRST_RUN_GRACE_NANOS / 4_000_000);
        assertFalse(gated.warmup().started(), "started during the first run");
        gated.runFinished();
        assertTrue(gated.warmup().awaitIdle(120_000), "warm-up did not finish");
        assertTrue(gated.warmup().started());
    }

    /** Kernels called without a session finishing a run (a long first run, direct callers) warm up after a grace. */
    @Test
    void withoutAFinishedRunTheWarmUpStartsAfterItsGrace() throws InterruptedException {
        WarmingKernelProvider gated = new WarmingKernelProvider(256);
        long called = System.nanoTime();
        gated.floats().exp(new float[] {1f, 2f}, 0, new float[2], 0, 2);
        long deadline = called + 60_000_000_000L;
        while (!gated.warmup().started() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(gated.warmup().started(), "never started");
        assertTrue(System.nanoTime() - called >= KernelWarmup.FIRST_RUN_GRACE_NANOS, "started before its grace");
    }
}
