package dev.octet.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.octet.kernel.panama.PanamaKernelProvider;
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
 * Every vector GEMM variant, at every width (the Vector API emulates widths the host lacks), against the
 * scalar reference: bit-exact over odd shapes, strides, zero points, extreme values and int32 wrap-around.
 */
class QGemmKernelSweepTest {
    private static final QGemmKernel REFERENCE = ScalarKernelProvider.INSTANCE.qgemm();

    /** Each width's kernel, at 512 and 256 bits with the fused tiles reading widened panels and weight bytes. */
    static Stream<QGemmKernel> variants() {
        return Stream.of(PanamaKernelProvider.qgemm(512, false), PanamaKernelProvider.qgemm(512, true),
            PanamaKernelProvider.qgemm(256, false), PanamaKernelProvider.qgemm(256, true),
            new PanamaKernelProvider(128).qgemm());
    }

    /** K values around lane counts (4, 8, 16), primes, Lucene's sizes, and the float kernels' 1024 flush. */
    private static final int[] KS = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 61, 207, 300, 702, 1023, 1024,
        1025, 2049};

    static Stream<Arguments> shapes() {
        List<Arguments> args = new ArrayList<>();
        List<QGemmKernel> vs = variants().toList();
        for (QGemmKernel v : vs) {
            for (int k : KS) {
                // M covers 1 .. MR+1 for MR 6 and 8; N covers 1 .. NR+1 for NR 8, 16, 32 plus a multi-panel width;
                // past two row tiles, byte panels widened to floats once per call (one-vector panels included).
                for (int[] mn : new int[][] {{1, 1}, {1, 33}, {7, 9}, {9, 17}, {6, 16}, {8, 32}, {13, 65}, {2, 31},
                    {19, 16}, {21, 48}, {17, 9}}) {
                    args.add(Arguments.of(v, mn[0], k, mn[1]));
                }
            }
        }
        return args.stream();
    }

    private static byte[] random(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            int pick = r.nextInt(10);
            // Mostly uniform, with the extremes over-represented: -128, -127, 127 (and 0/255 unsigned).
            b[i] = (byte) (pick == 0 ? -128 : pick == 1 ? 127 : pick == 2 ? -127 : r.nextInt(256));
        }
        return b;
    }

    private static int[] multiply(QGemmKernel kernel, int m, int k, int n, byte[] a, int aOff, int lda, boolean aU,
                                  byte[] b, boolean bU, boolean transposed, int m0, int m1, int n0, int n1) {
        PackedB pb = kernel.packB(b, 0, k, n, bU, transposed);
        PreparedA pa = new PreparedA();
        kernel.prepareA(m, k, a, aOff, lda, aU, true, pa);
        int ldc = n + 3;
        int[] c = new int[5 + m * ldc];
        java.util.Arrays.fill(c, 0x5A5A5A5A); // cells outside [m0,m1) x [n0,n1) must stay untouched
        kernel.multiply(pa, m0, m1, pb, n0, n1, c, 5, ldc);
        return c;
    }

    @ParameterizedTest(name = "{0} m={1} k={2} n={3}")
    @MethodSource("shapes")
    void matchesReference(QGemmKernel kernel, int m, int k, int n) {
        SplittableRandom r = new SplittableRandom(31L * m + 7L * k + n);
        int lda = k + 5; // strided rows
        byte[] a = random(r, 3 + m * lda);
        byte[] b = random(r, k * n);
        for (boolean aU : new boolean[] {true, false}) {
            for (boolean transposed : new boolean[] {false, true}) {
                boolean bU = !aU;
                int[] expected = multiply(REFERENCE, m, k, n, a, 3, lda, aU, b, bU, transposed, 0, m, 0, n);
                assertArrayEquals(expected, multiply(kernel, m, k, n, a, 3, lda, aU, b, bU, transposed, 0, m, 0, n),
                    kernel.id() + " aU=" + aU + " transposed=" + transposed);
                // A sub-block, as a parallel task computes it.
                int m0 = m / 3, m1 = Math.max(m0 + 1, m - 1), n0 = n / 2, n1 = n;
                assertArrayEquals(multiply(REFERENCE, m, k, n, a, 3, lda, aU, b, bU, transposed, m0, m1, n0, n1),
                    multiply(kernel, m, k, n, a, 3, lda, aU, b, bU, transposed, m0, m1, n0, n1),
                    kernel.id() + " block");
            }
        }
    }

    /**
     * 8-bit weights stay bytes in the 256- and 512-bit kernels (a quarter of the float panels' memory); the 128-bit
     * kernel keeps float panels; Winograd's wide weights are floats everywhere.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void eightBitWeightsArePackedAsBytesAtWideVectors(QGemmKernel kernel) {
        int k = 37, n = 70;
        PackedB b = kernel.packB(new byte[k * n], 0, k, n, false, false);
        int nr = kernel.id().endsWith("-128") ? 8 : kernel.id().endsWith("-256") ? 16 : 32;
        int panelValues = (n + nr - 1) / nr * nr * k;
        if (kernel.id().endsWith("-128")) {
            assertEquals(panelValues, b.floats().length);
            assertEquals(null, b.bytes());
        } else {
            assertEquals(panelValues, b.bytes().length);
            assertEquals(null, b.floats());
        }
        PackedB wide = kernel.packWideB(new int[k * n], k, n);
        assertEquals(panelValues, wide.floats().length);
    }

    /**
     * Winograd's operands: integer-valued float rows of A (|a| <= 512) and wide weights (|b| <= 2295) at flush
     * intervals the products allow (flush * 512 * 2295 <= 2^24), against the exact sums: one-vector and wider panels,
     * one and several row tiles, odd and even K, past one float block.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void wideWeightsSumExactlyAtAnyFlushInterval(QGemmKernel kernel) {
        SplittableRandom r = new SplittableRandom(53);
        for (int k : new int[] {1, 2, 7, 30, 31, 1025}) {
            for (int n : new int[] {9, 16, 32, 48}) {
                for (int m : new int[] {1, 8, 19}) {
                    int[] b = new int[k * n];
                    // Half the values at the extremes, so that long runs come near the flush bound.
                    for (int i = 0; i < b.length; i++) {
                        b[i] = r.nextBoolean() ? (r.nextBoolean() ? 2295 : -2295) : r.nextInt(-2295, 2296);
                    }
                    float[] a = new float[m * k];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = r.nextBoolean() ? (r.nextBoolean() ? 512 : -512) : r.nextInt(-512, 513);
                    }
                    int[] expected = ExactProducts.of(a, b, m, k, n);
                    PackedB pb = kernel.packWideB(b, k, n);
                    PreparedA pa = new PreparedA();
                    kernel.resetA(m, k, false, pa);
                    kernel.prepareRows(0, m, a, 0, k, pa);
                    for (int flush : new int[] {1, 2, 3, 5, 14}) {
                        int[] c = new int[m * n];
                        kernel.multiply(pa, 0, m, pb, 0, n, c, 0, n, flush);
                        assertArrayEquals(expected, c, kernel.id() + " k=" + k + " n=" + n + " m=" + m + " flush=" + flush);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void extremesAccumulateExactlyAndWrapLikeInt32(QGemmKernel kernel) {
        // -128 * -128 = 2^14 per product: 2^17 + 3 products pass 2^31 and wrap, as the reference's ints do.
        int k = (1 << 17) + 3;
        byte[] a = new byte[2 * k];
        byte[] b = new byte[k * 3];
        java.util.Arrays.fill(a, (byte) -128);
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i % 3 == 0 ? -128 : i % 3 == 1 ? 127 : -127);
        }
        int[] expected = multiply(REFERENCE, 2, k, 3, a, 0, k, false, b, false, false, 0, 2, 0, 3);
        assertEquals(Integer.MIN_VALUE + 3 * 16384, expected[5], "2^31 + 3 * 2^14 wraps in int32");
        assertArrayEquals(expected, multiply(kernel, 2, k, 3, a, 0, k, false, b, false, false, 0, 2, 0, 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void aPreparedByThreadsInRowRanges(QGemmKernel kernel) {
        // Large enough that QGemm splits A's preparation over the threads: in slices of whole row tiles (67 x 517),
        // and, past the sliced sizes, in row ranges that start inside a tile (301 x 900: 101 rows per thread).
        // Weight zero points need row sums.
        SplittableRandom r = new SplittableRandom(7);
        for (int[] mkn : new int[][] {{67, 517, 45}, {301, 900, 21}}) {
            int m = mkn[0], k = mkn[1], n = mkn[2];
            byte[] a = random(r, m * k);
            byte[] b = random(r, k * n);
            int[] zb = new int[n];
            for (int j = 0; j < n; j++) {
                zb[j] = r.nextInt(256);
            }
            int[] ref = new int[m * n];
            int[] got = new int[m * n];
            QGemm.run(REFERENCE, Parallel.SERIAL, m, a, 0, k, true, 77, REFERENCE.packB(b, 0, k, n, true, false), true,
                zb, null, new QGemm.Output.Int32(ref), 0);
            try (Parallel three = new Parallel(3)) {
                QGemm.run(kernel, three, m, a, 0, k, true, 77, kernel.packB(b, 0, k, n, true, false), true, zb, null,
                    new QGemm.Output.Int32(got), 0);
            }
            assertArrayEquals(ref, got, kernel.id() + " " + Arrays.toString(mkn));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void oneRowProducts(QGemmKernel kernel) {
        // M = 1, the one-row tile: column counts around the panel width, K across the float flush, -128 x 127.
        SplittableRandom r = new SplittableRandom(11);
        for (int k : new int[] {1, 3, 64, 1023, 1024, 1025, 2049}) {
            for (int n : new int[] {1, 7, 31, 32, 33, 63, 64, 65, 200}) {
                byte[] a = random(r, k);
                byte[] b = random(r, k * n);
                a[0] = (byte) 0;   // 0 - 128 = -128 canonically
                b[0] = (byte) 255; // 255 - 128 = 127 canonically
                int[] ref = new int[n];
                int[] got = new int[n];
                QGemm.run(REFERENCE, Parallel.SERIAL, 1, a, 0, k, true, 3, REFERENCE.packB(b, 0, k, n, true, false),
                    true, new int[] {0}, null, new QGemm.Output.Int32(ref), 0);
                QGemm.run(kernel, Parallel.SERIAL, 1, a, 0, k, true, 3, kernel.packB(b, 0, k, n, true, false), true,
                    new int[] {0}, null, new QGemm.Output.Int32(got), 0);
                assertArrayEquals(ref, got, kernel.id() + " k=" + k + " n=" + n);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void emptyProductsWriteNothing(QGemmKernel kernel) {
        try (Parallel two = new Parallel(2)) {
            for (Parallel p : new Parallel[] {Parallel.SERIAL, two}) {
                int[] out = {42};
                // m = 0 (an empty sequence) and n = 0: nothing to compute, nothing written.
                QGemm.run(kernel, p, 0, new byte[0], 0, 5, true, 3, kernel.packB(new byte[5], 0, 5, 1, true, false), true,
                    new int[] {0}, null, new QGemm.Output.Int32(out), 0);
                QGemm.run(kernel, p, 1, new byte[5], 0, 5, true, 3, kernel.packB(new byte[0], 0, 5, 0, true, false), true,
                    new int[] {0}, null, new QGemm.Output.Int32(out), 0);
                assertArrayEquals(new int[] {42}, out);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void driverEpiloguesMatchTheReferenceAtAnyThreadCount(QGemmKernel kernel) {
        SplittableRandom r = new SplittableRandom(99);
        int m = 37, k = 113, n = 203;
        byte[] a = random(r, m * k);
        byte[] b = random(r, k * n);
        int[] bias = new int[n];
        float[] scales = new float[n];
        int[] zb = new int[n];
        for (int j = 0; j < n; j++) {
            bias[j] = r.nextInt(-100000, 100000);
            scales[j] = (float) (r.nextDouble() * 0.002 + 1e-5);
            zb[j] = r.nextInt(256);
        }
        try (Parallel three = new Parallel(3)) {
            for (int[] zbCase : new int[][] {{0}, {255}, zb}) {
                for (int za : new int[] {0, 128, 255}) {
                    byte[] ref = new byte[m * n];
                    byte[] got = new byte[m * n];
                    QGemm.run(REFERENCE, Parallel.SERIAL, m, a, 0, k, true, za, REFERENCE.packB(b, 0, k, n, true, false),
                        true, zbCase, bias, new QGemm.Output.Requantized(ref, scales, 7, 0, 200), 0);
                    QGemm.run(kernel, three, m, a, 0, k, true, za, kernel.packB(b, 0, k, n, true, false), true, zbCase,
                        bias, new QGemm.Output.Requantized(got, scales, 7, 0, 200), 0);
                    assertArrayEquals(ref, got, kernel.id() + " requantized za=" + za);
                    float[] fr = new float[m * n];
                    float[] fg = new float[m * n];
                    QGemm.run(REFERENCE, Parallel.SERIAL, m, a, 0, k, false, za - 128,
                        REFERENCE.packB(b, 0, k, n, false, true), false, new int[] {0}, null,
                        new QGemm.Output.Scaled(fr, scales, null), 0);
                    QGemm.run(kernel, three, m, a, 0, k, false, za - 128, kernel.packB(b, 0, k, n, false, true), false,
                        new int[] {0}, null, new QGemm.Output.Scaled(fg, scales, null), 0);
                    assertArrayEquals(fr, fg, kernel.id() + " scaled");
                }
            }
        }
    }

    /** Columns per B panel, from the id's {@code MRxNR}. */
    private static int panelWidth(QGemmKernel kernel) {
        String id = kernel.id();
        return Integer.parseInt(id.substring(id.indexOf('x') + 1, id.indexOf('-', id.indexOf('x'))));
    }

    /**
     * Per-column scales of every kind: random, powers of two (sums land on halves: ties to even), ones that put
     * nearly every value on a clamp, zero, NaN and infinities (NaN converts to 0, so those columns give zp). The
     * fusable ones stay within the fused tiles' limit (|scale| <= 0.2499, the limit itself included), without NaN
     * and infinities.
     */
    private static float[] columnScales(SplittableRandom r, int n, int k, boolean fusable) {
        float[] special = fusable ? new float[] {0f, -0f, -0.2499f, 0x1p-126f, Float.MIN_VALUE}
            : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f};
        float[] s = new float[n];
        for (int j = 0; j < n; j++) {
            s[j] = switch (j % 7) {
                case 0 -> (float) (r.nextDouble() * 0.01 + 1e-5);
                case 1 -> 0x1p-7f;
                case 2 -> fusable ? 0.2499f : 0.5f;
                case 3 -> Math.scalb(1f, -(32 - Integer.numberOfLeadingZeros(k)) - 7); // |sum| / 2^14 K within 2^7
                case 4 -> special[(j / 7) % special.length];
                case 5 -> -(float) (r.nextDouble() * 0.003);
                default -> (float) (r.nextDouble() * 1e-4);
            };
        }
        return s;
    }

    /**
     * The fused requantizing tiles straight from the kernel against the scalar product and
     * {@link Quantization#requantize}: every tile height, one to several panels, half panels and last panels cut
     * below and above one vector (through the scratch tile), K up to the 1024 limit, blocks that start inside a row
     * tile or on a later panel; everything outside the block untouched.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void fusedRequantizingTilesMatchTheUnfusedArithmetic(QGemmKernel kernel) {
        int nr = panelWidth(kernel);
        int mr = kernel.rowTile();
        SplittableRandom r = new SplittableRandom(23);
        int[][] outputs = {{7, 0, 255}, {-3, -128, 127}, {128, 0, 255}, {0, 0, 200}};
        for (int k : new int[] {1, 2, 3, 27, 64, 333, 1023, 1024}) {
            for (int n : new int[] {nr, 2 * nr + 5, 3 * nr, nr / 2, nr + nr / 2, nr + 3 * nr / 4}) {
                for (int m : new int[] {1, mr - 1, mr, mr + 1, 2 * mr + 3}) {
                    byte[] a = random(r, m * k);
                    byte[] b = random(r, k * n);
                    PackedB pb = kernel.packB(b, 0, k, n, false, false);
                    PreparedA pa = new PreparedA();
                    kernel.prepareA(m, k, a, 0, k, true, false, pa);
                    PreparedA ra = new PreparedA();
                    REFERENCE.prepareA(m, k, a, 0, k, true, false, ra);
                    int[] sums = new int[m * n];
                    REFERENCE.multiply(ra, 0, m, REFERENCE.packB(b, 0, k, n, false, false), 0, n, sums, 0, n);
                    // Column terms the float sums can start at exactly (|term| + k * 2^14 <= 2^24), the edge included.
                    int room = Math.min(40000, (1 << 24) - k * (1 << 14));
                    int[] colTerms = new int[n];
                    for (int j = 0; j < n; j++) {
                        colTerms[j] = j == n / 2 ? -room : r.nextInt(-room, room + 1);
                    }
                    float[] scales = columnScales(r, n, k, true);
                    int[] out = outputs[(m + k + n) % outputs.length];
                    int ldo = n + 2;
                    // Whole rows and panels, and a block starting one row in and on the second panel.
                    for (int[] block : new int[][] {{0, m, 0, n}, {Math.min(1, m - 1), m, n > nr ? nr : 0, n}}) {
                        byte[] got = new byte[3 + m * ldo];
                        java.util.Arrays.fill(got, (byte) 0x5A);
                        int end = kernel.multiplyRequantized(pa, block[0], block[1], pb, block[2], block[3], colTerms,
                            scales, out[0], out[1], out[2], got, 3, ldo);
                        String what = kernel.id() + " m=" + m + " k=" + k + " n=" + n + " block "
                            + java.util.Arrays.toString(block);
                        assertEquals(block[3], end, what + ": every column fused, a cut last panel included");
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < ldo; j++) {
                                boolean written = i >= block[0] && i < block[1] && j >= block[2] && j < end;
                                int expected = written ? (byte) Quantization.requantize(sums[i * n + j] + colTerms[j],
                                    scales[j], out[0], out[1], out[2]) : 0x5A;
                                assertEquals(expected, got[3 + i * ldo + j], what + " at (" + i + ", " + j + ")");
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * A prepared for the product it feeds ({@link QGemmKernel#resetA(int, PackedB, boolean, PreparedA)}: at 512 bits,
     * 16 and 24 columns at an even K get A as pairs) against the scalar product: prepared in two row ranges, A's last rows
     * reaching the end of its array (their part groups converted a value at a time), fused over blocks that start
     * inside a row tile and into an output that ends with the last row (the last tile's stores through the scratch
     * tile), and the int32 multiply over the same A (the pairs copied out as floats).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void aPreparedForItsProductMatchesTheReference(QGemmKernel kernel) {
        SplittableRandom r = new SplittableRandom(43);
        int mr = kernel.rowTile();
        for (int k : new int[] {2, 16, 24, 27, 40, 96, 144, 1024}) {
            for (int n : new int[] {24, 16, 56}) {
                for (int m : new int[] {1, mr - 1, mr, mr + 1, 3 * mr + 5}) {
                    byte[] a = random(r, m * k);
                    byte[] b = random(r, k * n);
                    PackedB pb = kernel.packB(b, 0, k, n, false, false);
                    PreparedA pa = new PreparedA();
                    kernel.resetA(m, pb, false, pa);
                    String what = kernel.id() + " m=" + m + " k=" + k + " n=" + n;
                    assertEquals(panelWidth(kernel) == 32 && n <= 24 && k % 2 == 0, pa.paired(), what + ": pairs");
                    int split = m / 2;
                    kernel.prepareRows(split, m, a, 0, k, true, pa);
                    kernel.prepareRows(0, split, a, 0, k, true, pa);
                    PreparedA ra = new PreparedA();
                    REFERENCE.prepareA(m, k, a, 0, k, true, false, ra);
                    int[] sums = new int[m * n];
                    REFERENCE.multiply(ra, 0, m, REFERENCE.packB(b, 0, k, n, false, false), 0, n, sums, 0, n);
                    int room = Math.min(40000, (1 << 24) - k * (1 << 14));
                    int[] colTerms = new int[n];
                    for (int j = 0; j < n; j++) {
                        colTerms[j] = r.nextInt(-room, room + 1);
                    }
                    float[] scales = columnScales(r, n, k, true);
                    for (int[] block : new int[][] {{0, m}, {Math.min(1, m - 1), m}, {Math.min(mr, m), m}}) {
                        byte[] got = new byte[2 + m * n];
                        java.util.Arrays.fill(got, (byte) 0x5A);
                        int end = kernel.multiplyRequantized(pa, block[0], block[1], pb, 0, n, colTerms, scales, 7, 0,
                            255, got, 2, n);
                        assertEquals(n, end, what + " block " + java.util.Arrays.toString(block) + ": fused");
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                boolean written = i >= block[0] && i < block[1];
                                int expected = written ? (byte) Quantization.requantize(sums[i * n + j] + colTerms[j],
                                    scales[j], 7, 0, 255) : 0x5A;
                                assertEquals(expected, got[2 + i * n + j], what + " block "
                                    + java.util.Arrays.toString(block) + " at (" + i + ", " + j + ")");
                            }
                        }
                        int[] c = new int[m * n];
                        kernel.multiply(pa, block[0], block[1], pb, 0, n, c, 0, n);
                        for (int i = block[0] * n; i < block[1] * n; i++) {
                            assertEquals(sums[i], c[i], what + " int32 block " + java.util.Arrays.toString(block)
                                + " at " + i);
                        }
                    }
                }
            }
        }
    }

    /**
     * A column term too large for the float sums to start at exactly (|term| + k * 2^14 > 2^24) leaves the whole
     * range to the int32 path; at the limit itself the kernel fuses, exactly.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void fusedRequantizingDeclinesColumnTermsPastExactness(QGemmKernel kernel) {
        int m = 3, k = 27, n = panelWidth(kernel) + 3;
        int room = (1 << 24) - k * (1 << 14);
        byte[] a = new byte[m * k];
        byte[] b = new byte[k * n];
        java.util.Arrays.fill(a, (byte) -128);
        java.util.Arrays.fill(b, (byte) -128); // every product 2^14, so each sum is k * 2^14
        PackedB pb = kernel.packB(b, 0, k, n, false, false);
        PreparedA pa = new PreparedA();
        kernel.prepareA(m, k, a, 0, k, false, false, pa);
        float[] scales = new float[n];
        java.util.Arrays.fill(scales, 1f / (1 << 17)); // (k * 2^14 + room) / 2^17 = 128: within an s8 output
        for (int extra : new int[] {0, 1}) {
            int[] colTerms = new int[n];
            colTerms[n - 1] = room + extra;
            byte[] got = new byte[m * n];
            int end = kernel.multiplyRequantized(pa, 0, m, pb, 0, n, colTerms, scales, -128, -128, 127, got, 0, n);
            assertEquals(extra == 0 ? n : 0, end, kernel.id() + " term " + colTerms[n - 1]);
            for (int i = 0; i < m * (end == 0 ? 0 : n); i++) {
                int j = i % n;
                assertEquals((byte) Quantization.requantize(k * (1 << 14) + colTerms[j], scales[j], -128, -128, 127),
                    got[i], kernel.id() + " at " + i);
            }
        }
    }

    /**
     * A scale past the fused tiles' limit (where rounding before clamping could differ: 0.25 times a sum of 2^24 is
     * 2^22), NaN or an infinity in the column range leaves the whole range to the int32 path; scales at the limit fuse.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void fusedRequantizingDeclinesScalesPastTheLimit(QGemmKernel kernel) {
        int m = 3, k = 27, n = panelWidth(kernel) + 3;
        SplittableRandom r = new SplittableRandom(29);
        byte[] a = random(r, m * k);
        byte[] b = random(r, k * n);
        PackedB pb = kernel.packB(b, 0, k, n, false, false);
        PreparedA pa = new PreparedA();
        kernel.prepareA(m, k, a, 0, k, false, false, pa);
        for (float odd : new float[] {0.25f, -0.25f, 1f, Float.NaN, Float.POSITIVE_INFINITY, 0.2499f}) {
            float[] scales = new float[n];
            java.util.Arrays.fill(scales, 0.001f);
            scales[n - 1] = odd;
            byte[] got = new byte[m * n];
            int end = kernel.multiplyRequantized(pa, 0, m, pb, 0, n, new int[n], scales, 0, -128, 127, got, 0, n);
            assertEquals(odd == 0.2499f ? n : 0, end, kernel.id() + " scale " + odd);
            if (end == 0) {
                assertArrayEquals(new byte[m * n], got, kernel.id() + " scale " + odd + ": nothing written");
            }
        }
    }

    /**
     * Deeper than 1024 k steps, the weights decide: small ones (|b| <= 7, a classifier head's) keep every partial sum
     * within 2^24 over K = 1280 and 2100, so the tiles fuse, bit for bit the reference's bytes, one row (its own
     * path) or several; weights of -128 past K = 1024 (sums past 2^24) leave the range to the int32 path untouched.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void fusedRequantizingTakesDeepProductsTheWeightsKeepExact(QGemmKernel kernel) {
        int n = 2 * panelWidth(kernel) + 3;
        SplittableRandom r = new SplittableRandom(31);
        for (int k : new int[] {1280, 2100}) {
            for (int m : new int[] {1, kernel.rowTile() + 1}) {
                byte[] a = random(r, m * k);
                byte[] b = new byte[k * n];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) r.nextInt(-7, 8);
                }
                PreparedA pa = new PreparedA();
                kernel.prepareA(m, k, a, 0, k, true, false, pa);
                PreparedA ra = new PreparedA();
                REFERENCE.prepareA(m, k, a, 0, k, true, false, ra);
                int[] sums = new int[m * n];
                REFERENCE.multiply(ra, 0, m, REFERENCE.packB(b, 0, k, n, false, false), 0, n, sums, 0, n);
                int[] colTerms = new int[n];
                for (int j = 0; j < n; j++) {
                    colTerms[j] = r.nextInt(-40000, 40001);
                }
                float[] scales = columnScales(r, n, k, true);
                byte[] got = new byte[m * n];
                String what = kernel.id() + " m=" + m + " k=" + k;
                assertEquals(n, kernel.multiplyRequantized(pa, 0, m, kernel.packB(b, 0, k, n, false, false), 0, n,
                    colTerms, scales, 3, 0, 255, got, 0, n), what + ": fused");
                for (int i = 0; i < m * n; i++) {
                    int j = i % n;
                    assertEquals((byte) Quantization.requantize(sums[i] + colTerms[j], scales[j], 3, 0, 255), got[i],
                        what + " at " + i);
                }
            }
        }
        int k = QGemmKernel.INT8_FLUSH + 1;
        byte[] worst = new byte[k * n];
        java.util.Arrays.fill(worst, (byte) -128);
        PreparedA pa = new PreparedA();
        kernel.prepareA(2, k, new byte[2 * k], 0, k, false, false, pa);
        byte[] got = new byte[2 * n];
        assertEquals(0, kernel.multiplyRequantized(pa, 0, 2, kernel.packB(worst, 0, k, n, false, false), 0, n,
            new int[n], new float[n], 0, -128, 127, got, 0, n));
        assertArrayEquals(new byte[2 * n], got);
    }

    /**
     * The driver's requantized output, fused where it can be, against the scalar reference at 1 and 3 threads:
     * per-tensor and per-column scales (NaN and infinities included), u8 and s8 outputs, K across the 1024 limit,
     * column counts with and without a cut panel, and weight zero points that need row sums (never fused).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void driverRequantizesFusedOrNotLikeTheReference(QGemmKernel kernel) {
        SplittableRandom r = new SplittableRandom(41);
        int nr = panelWidth(kernel);
        try (Parallel three = new Parallel(3)) {
            for (int k : new int[] {3, 27, 32, 96, 1024, 1025}) {
                // 24 columns, alone or past whole panels, take the 512-bit kernel's pair tile at an even K.
                for (int n : new int[] {16, 24, nr * 4, 2 * nr + 9, nr + nr / 2, nr + 24}) {
                    int m = 2 * kernel.rowTile() + 5;
                    byte[] a = random(r, m * k);
                    byte[] b = random(r, k * n);
                    int[] bias = new int[n];
                    for (int j = 0; j < n; j++) {
                        bias[j] = r.nextInt(-100000, 100000);
                    }
                    float[] perColumn = columnScales(r, n, k, false);
                    for (float[] scales : new float[][] {perColumn, {0x1p-9f}, {0.00173f}, {Float.NaN}}) {
                        for (boolean bU : new boolean[] {false, true}) {
                            // Signed weights with zero point 0 and unsigned with 128 need no row sums; 3 does.
                            for (int zb : bU ? new int[] {128, 3} : new int[] {0}) {
                                boolean aU = r.nextBoolean();
                                int za = aU ? r.nextInt(256) : r.nextInt(-128, 128);
                                int zp = aU ? 131 : -5;
                                int qmin = aU ? 0 : -128;
                                int qmax = aU ? 255 : 127;
                                byte[] ref = new byte[m * n];
                                QGemm.run(REFERENCE, Parallel.SERIAL, m, a, 0, k, aU, za,
                                    REFERENCE.packB(b, 0, k, n, bU, false), bU, new int[] {zb}, bias,
                                    new QGemm.Output.Requantized(ref, scales, zp, qmin, qmax), 0);
                                PackedB pb = kernel.packB(b, 0, k, n, bU, false);
                                for (Parallel p : new Parallel[] {Parallel.SERIAL, three}) {
                                    byte[] got = new byte[m * n];
                                    QGemm.run(kernel, p, m, a, 0, k, aU, za, pb, bU, new int[] {zb}, bias,
                                        new QGemm.Output.Requantized(got, scales, zp, qmin, qmax), 0);
                                    assertArrayEquals(ref, got, kernel.id() + " k=" + k + " n=" + n + " scales="
                                        + scales.length + " zb=" + zb + " threads=" + p.threads());
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void referenceDriverEqualsTheDefinition() {
        // (a - za)(b - zb) summed directly, against the driver's zero-point algebra on the scalar kernel.
        SplittableRandom r = new SplittableRandom(5);
        int m = 5, k = 19, n = 11;
        byte[] a = random(r, m * k);
        byte[] b = random(r, k * n);
        int za = 201;
        int[] zb = new int[n];
        for (int j = 0; j < n; j++) {
            zb[j] = r.nextInt(-128, 128);
        }
        int[] got = new int[m * n];
        QGemm.run(REFERENCE, Parallel.SERIAL, m, a, 0, k, true, za, REFERENCE.packB(b, 0, k, n, false, false), false, zb,
            null, new QGemm.Output.Int32(got), 0);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += ((a[i * k + p] & 0xFF) - za) * (b[p * n + j] - zb[j]);
                }
                assertEquals(sum, got[i * n + j], "(" + i + ", " + j + ")");
            }
        }
    }
}
