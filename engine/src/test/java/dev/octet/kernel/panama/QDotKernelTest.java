package dev.octet.kernel.panama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.octet.kernel.ExactProducts;
import dev.octet.kernel.PackedB;
import dev.octet.kernel.PreparedA;
import dev.octet.kernel.QGemmKernel;
import dev.octet.kernel.scalar.ScalarKernelProvider;
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
 * The dot-product GEMMs at every width, and their warm-up's cold path, against the scalar reference GEMM: odd
 * shapes and strides, sub-blocks as parallel tasks cut them, row sums, extremes with int32 wrap-around, and wide
 * integer operands summed with a short flush interval.
 */
class QDotKernelTest {
    private static final QGemmKernel REFERENCE = ScalarKernelProvider.INSTANCE.qgemm();
    private static final int[] WIDTHS = {512, 256, 128};

    static Stream<Arguments> shapes() {
        List<Arguments> args = new ArrayList<>();
        for (int bits : WIDTHS) {
            for (int k : new int[] {1, 3, 4, 5, 8, 15, 16, 17, 33, 144, 1023, 1025}) {
                for (int[] mn : new int[][] {{1, 1}, {3, 2}, {4, 1}, {5, 7}, {9, 3}, {13, 9}}) {
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

    /** C over rows [m0, m1) and columns [n0, n1); every other cell keeps its fill. */
    private static int[] multiply(QGemmKernel kernel, boolean cold, int m, int k, int n, byte[] a, int aOff, int lda,
                                  boolean aU, byte[] b, boolean bU, boolean transposed, int[] block) {
        PackedB pb = kernel.packB(b, 0, k, n, bU, transposed);
        PreparedA pa = new PreparedA();
        kernel.resetA(m, k, true, pa);
        if (cold) {
            // Two row ranges, as two threads prepare them.
            DotLayout.prepareRowsScalar(lanes(kernel), 0, m / 2, a, aOff, lda, aU, pa);
            DotLayout.prepareRowsScalar(lanes(kernel), m / 2, m, a, aOff, lda, aU, pa);
        } else {
            kernel.prepareRows(0, m, a, aOff, lda, aU, pa);
        }
        int ldc = n + 3;
        int[] c = new int[5 + m * ldc + m];
        Arrays.fill(c, 0x5A5A5A5A);
        if (cold) {
            DotLayout.multiplyScalar(lanes(kernel), pa, block[0], block[1], pb, block[2], block[3], c, 5, ldc,
                QGemmKernel.INT8_FLUSH);
        } else {
            kernel.multiply(pa, block[0], block[1], pb, block[2], block[3], c, 5, ldc);
        }
        // The row sums after the products, where the reference's row sums go too.
        System.arraycopy(pa.rowSums(), 0, c, 5 + m * ldc, m);
        return c;
    }

    private static int lanes(QGemmKernel kernel) {
        return Integer.parseInt(kernel.id().substring(kernel.id().lastIndexOf('-') + 1)) / 32;
    }

    @ParameterizedTest(name = "vector-{0} m={1} k={2} n={3}")
    @MethodSource("shapes")
    void matchesTheReference(int bits, int m, int k, int n) {
        QGemmKernel dot = new PanamaKernelProvider(bits).qdot();
        SplittableRandom r = new SplittableRandom(31L * m + 7L * k + n + bits);
        int lda = k + 5;
        byte[] a = random(r, 3 + m * lda);
        byte[] b = random(r, k * n);
        for (boolean aU : new boolean[] {true, false}) {
            for (boolean transposed : new boolean[] {false, true}) {
                for (int[] block : new int[][] {{0, m, 0, n}, {m / 3, m, n / 2, n}, {0, Math.min(m, 5), 0, 1}}) {
                    int[] expected = multiply(REFERENCE, false, m, k, n, a, 3, lda, aU, b, !aU, transposed, block);
                    String what = dot.id() + " aU=" + aU + " transposed=" + transposed + " block "
                        + Arrays.toString(block);
                    assertArrayEquals(expected, multiply(dot, false, m, k, n, a, 3, lda, aU, b, !aU, transposed,
                        block), what);
                    assertArrayEquals(expected, multiply(dot, true, m, k, n, a, 3, lda, aU, b, !aU, transposed,
                        block), what + " (cold path)");
                }
            }
        }
    }

    /** All -128: sums far beyond 2^24 over several flush chunks, and past K = 2^17 int32 wrap-around. */
    @Test
    void extremesWrapLikeInts() {
        for (int bits : WIDTHS) {
            QGemmKernel dot = new PanamaKernelProvider(bits).qdot();
            for (int k : new int[] {20_000, 140_000}) {
                byte[] a = new byte[5 * k];
                byte[] b = new byte[k * 2];
                Arrays.fill(a, (byte) -128);
                Arrays.fill(b, (byte) -128);
                int[] block = {0, 5, 0, 2};
                assertArrayEquals(multiply(REFERENCE, false, 5, k, 2, a, 0, k, false, b, false, false, block),
                    multiply(dot, false, 5, k, 2, a, 0, k, false, b, false, false, block), dot.id() + " k=" + k);
            }
        }
    }

    /** Wide operands (Winograd's ranges) with a flush interval that keeps each lane's float sums exact. */
    @Test
    void wideOperandsWithAShortFlushInterval() {
        SplittableRandom r = new SplittableRandom(3);
        int flush = 14;
        for (int bits : WIDTHS) {
            QGemmKernel dot = new PanamaKernelProvider(bits).qdot();
            for (int[] mkn : new int[][] {{6, 300, 3}, {4, 29, 1}, {9, 1000, 7}}) {
                int m = mkn[0];
                int k = mkn[1];
                int n = mkn[2];
                int[] b = new int[k * n];
                for (int i = 0; i < b.length; i++) {
                    b[i] = r.nextBoolean() ? 2295 : -2295 + r.nextInt(10);
                }
                float[] a = new float[m * k];
                for (int i = 0; i < a.length; i++) {
                    a[i] = r.nextBoolean() ? 512 : -512 + r.nextInt(10);
                }
                int[] expected = ExactProducts.of(a, b, m, k, n);
                PackedB pb = dot.packWideB(b, k, n);
                PreparedA pa = new PreparedA();
                dot.resetA(m, k, false, pa);
                dot.prepareRows(0, m, a, 0, k, pa);
                int[] c = new int[m * n];
                dot.multiply(pa, 0, m, pb, 0, n, c, 0, n, flush);
                assertArrayEquals(expected, c, dot.id() + " " + Arrays.toString(mkn));
            }
        }
    }
}
