package dev.octet.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.octet.kernel.panama.PanamaKernelProvider;
import dev.octet.kernel.scalar.ScalarFloatKernels;
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
 * Every {@link FloatKernels} method of the vector kernels, at every width (the Vector API emulates widths the
 * host lacks), against the scalar reference: bit-identical ({@code floatToRawIntBits}) over odd sizes, odd
 * GEMM shapes with strides and transposed B, and special values.
 */
class FloatKernelsSweepTest {
    private static final FloatKernels REFERENCE = ScalarKernelProvider.INSTANCE.floats();

    /** Around the lane counts (4, 8, 16), the register tiles and transformer sizes. */
    private static final int[] SIZES = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 127, 128, 129,
        384, 1536, 1543};

    /** Values that stress the transcendentals: specials, huge, tiny, denormals, branch boundaries. */
    private static final float[] SPECIAL = {Float.NaN, -Float.NaN, Float.intBitsToFloat(0x7FA00001),
        Float.intBitsToFloat(0xFFC12345), Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MAX_VALUE,
        -Float.MAX_VALUE, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, -Float.MIN_NORMAL, 1e-30f, -1e-30f, 1f,
        -1f, 0.75f, -0.75f, Math.nextDown(1f), Math.nextDown(0.75f), 3.92f, 4f, 4.5f, 9.1f, 10f, 11f, 88.72283f,
        88.7229f, 89f, 89.5f, -87.3f, -103.2789f, -103.9f, -104f, -104.5f, -150f, 1e10f, -1e10f, 0.5f, 2.5f};

    static Stream<FloatKernels> variants() {
        return Stream.of(512, 256, 128).map(b -> new PanamaKernelProvider(b).floats());
    }

    static Stream<Arguments> sizes() {
        List<Arguments> args = new ArrayList<>();
        for (FloatKernels v : variants().toList()) {
            for (int n : SIZES) {
                args.add(Arguments.of(v, n));
            }
        }
        return args.stream();
    }

    /** m, n, k: tile edges (MR 6/8, NR 8/16/32), primes, and the attention and BERT MatMul shapes. */
    private static final int[][] GEMM_SHAPES = {{1, 1, 1}, {1, 1, 7}, {3, 5, 2}, {7, 9, 17}, {8, 32, 16}, {6, 16, 33},
        {9, 33, 5}, {13, 65, 31}, {17, 31, 64}, {2, 100, 3}, {5, 7, 0}, {0, 4, 4}, {128, 128, 32}, {128, 32, 128},
        {37, 384, 41}, {16, 47, 384}};

    static Stream<Arguments> gemmShapes() {
        List<Arguments> args = new ArrayList<>();
        for (FloatKernels v : variants().toList()) {
            for (int[] s : GEMM_SHAPES) {
                args.add(Arguments.of(v, s[0], s[1], s[2]));
            }
        }
        return args.stream();
    }

    private static float[] random(SplittableRandom r, int n, float scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return x;
    }

    /** The input with special values sprinkled over it. */
    private static float[] withSpecials(SplittableRandom r, float[] x) {
        for (int i = 0; i < x.length; i += 1 + r.nextInt(4)) {
            x[i] = SPECIAL[r.nextInt(SPECIAL.length)];
        }
        return x;
    }

    private static void assertBitsEqual(float[] expected, float[] actual, String what) {
        assertBitsEqual(expected, actual, what, false);
    }

    /**
     * Raw bits equal; with {@code anyNaN}, NaN matches any NaN. That is for rows holding several different NaNs:
     * which payload survives {@code NaN1 + NaN2} depends on operand order, which Java leaves to the JIT.
     */
    private static void assertBitsEqual(float[] expected, float[] actual, String what, boolean anyNaN) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            int e = anyNaN ? Float.floatToIntBits(expected[i]) : Float.floatToRawIntBits(expected[i]);
            int a = anyNaN ? Float.floatToIntBits(actual[i]) : Float.floatToRawIntBits(actual[i]);
            if (e != a) {
                throw new AssertionError(what + ": element " + i + " expected " + expected[i] + " (0x"
                    + Integer.toHexString(e) + ") but was " + actual[i] + " (0x" + Integer.toHexString(a) + ")");
            }
        }
    }

    @ParameterizedTest(name = "{0} m={1} n={2} k={3}")
    @MethodSource("gemmShapes")
    void gemm(FloatKernels kernels, int m, int n, int k) {
        SplittableRandom r = new SplittableRandom(31L * m + 7L * n + k);
        for (boolean transB : new boolean[] {false, true}) {
            for (int pad : new int[] {0, 3}) {
                int lda = k + pad, ldb = (transB ? k : n) + pad, ldc = n + 2 * pad;
                float[] a = random(r, 2 + m * lda, 1);
                float[] b = random(r, 1 + (transB ? n : k) * ldb, 1);
                float[] expected = new float[5 + m * ldc];
                java.util.Arrays.fill(expected, 42f); // cells outside C's m x n window stay as they were
                float[] actual = expected.clone();
                REFERENCE.gemm(m, n, k, a, 2, lda, b, 1, ldb, transB, expected, 5, ldc);
                kernels.gemm(m, n, k, a, 2, lda, b, 1, ldb, transB, actual, 5, ldc);
                assertBitsEqual(expected, actual, "transB=" + transB + " pad=" + pad);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void gemmPropagatesSpecials(FloatKernels kernels) {
        SplittableRandom r = new SplittableRandom(3);
        int m = 11, n = 37, k = 19;
        float[] a = withSpecials(r, random(r, m * k, 1e20f));
        float[] b = random(r, k * n, 1e20f);
        for (boolean transB : new boolean[] {false, true}) {
            float[] expected = new float[m * n];
            float[] actual = new float[m * n];
            REFERENCE.gemm(m, n, k, a, 0, k, b, 0, transB ? k : n, transB, expected, 0, n);
            kernels.gemm(m, n, k, a, 0, k, b, 0, transB ? k : n, transB, actual, 0, n);
            assertBitsEqual(expected, actual, "transB=" + transB);
        }
    }

    private static float[] slice(float[] x, int from, int n) {
        return java.util.Arrays.copyOfRange(x, from, from + n);
    }

    interface Unary {
        void apply(FloatKernels f, float[] x, int xOff, float[] out, int outOff, int n);
    }

    private static void unary(FloatKernels kernels, int n, Unary f, float scale, String what) {
        unary(kernels, n, f, scale, what, false);
    }

    private static void unary(FloatKernels kernels, int n, Unary f, float scale, String what, boolean anyNaN) {
        SplittableRandom r = new SplittableRandom(n);
        for (boolean specials : new boolean[] {false, true}) {
            float[] x = random(r, n + 3, scale);
            if (specials) {
                withSpecials(r, x);
            }
            float[] expected = new float[n + 1];
            float[] actual = new float[n + 1];
            f.apply(REFERENCE, x, 3, expected, 1, n);
            f.apply(kernels, x, 3, actual, 1, n);
            assertBitsEqual(expected, actual, what + (specials ? " with specials" : ""), anyNaN);
            // In place.
            float[] inPlace = x.clone();
            f.apply(kernels, inPlace, 3, inPlace, 3, n);
            assertBitsEqual(slice(expected, 1, n), slice(inPlace, 3, n), what + " in place", anyNaN);
        }
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("sizes")
    void elementwise(FloatKernels kernels, int n) {
        for (float scale : new float[] {1f, 6f, 120f}) {
            unary(kernels, n, FloatKernels::exp, scale, "exp");
            unary(kernels, n, FloatKernels::erf, scale, "erf");
            unary(kernels, n, FloatKernels::tanh, scale, "tanh");
            unary(kernels, n, FloatKernels::gelu, scale, "gelu");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void transcendentalsOverEveryBinade(FloatKernels kernels) {
        // Every exponent, several mantissas, both signs: 2^16 values through each function.
        float[] x = new float[1 << 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = Float.intBitsToFloat((i << 16) | (i * 0x9E37 & 0xFFFF));
        }
        Unary[] fs = {FloatKernels::exp, FloatKernels::erf, FloatKernels::tanh, FloatKernels::gelu};
        for (Unary f : fs) {
            float[] expected = new float[x.length];
            float[] actual = new float[x.length];
            f.apply(REFERENCE, x, 0, expected, 0, x.length);
            f.apply(kernels, x, 0, actual, 0, x.length);
            assertBitsEqual(expected, actual, f.toString());
        }
    }

    /** Every kind with parameters {a, b}: the usual ones, zero and negative slopes, -0, inverted and NaN bounds. */
    private static final Object[][] ACTIVATIONS = {
        {Activation.RELU, new float[][] {{0f, 0f}}},
        {Activation.LEAKY_RELU, new float[][] {{0.01f, 0f}, {0.2f, 0f}, {0f, 0f}, {-1.5f, 0f}, {Float.NaN, 0f}}},
        {Activation.HARD_SIGMOID, new float[][] {{0.2f, 0.5f}, {(float) (1.0 / 6), 0.5f}, {-3f, 0.25f}, {0f, -0f}}},
        {Activation.HARD_SWISH, new float[][] {{(float) (1.0 / 6), 0.5f}, {0.2f, 0.5f}}},
        {Activation.THRESHOLDED_RELU, new float[][] {{1f, 0f}, {0f, 0f}, {-0f, 0f}, {-2f, 0f}, {Float.NaN, 0f}}},
        {Activation.CLIP, new float[][] {{-1f, 1f}, {0f, 6f}, {-0f, 0f}, {2f, -2f}, {Float.NEGATIVE_INFINITY,
            Float.POSITIVE_INFINITY}, {Float.NaN, 1f}, {0f, Float.NaN}}},
        {Activation.ELU, new float[][] {{1f, 0f}, {0.5f, 0f}, {2f, 0f}, {-1f, 0f}}},
        {Activation.SELU, new float[][] {{1.67326319217681884765625f, 1.05070102214813232421875f}, {2f, 0.5f}}},
        {Activation.CELU, new float[][] {{1f, 0f}, {0.5f, 0f}, {2f, 0f}, {-1f, 0f}}},
        {Activation.SIGMOID, new float[][] {{0f, 0f}}},
        {Activation.SWISH, new float[][] {{1f, 0f}, {0.5f, 0f}, {-2f, 0f}, {0f, 0f}}},
    };

    /** Every length to 70 (each tail length at every width), then long ones. */
    static Stream<Arguments> activationSizes() {
        List<Arguments> args = new ArrayList<>();
        for (FloatKernels v : variants().toList()) {
            for (int n = 0; n <= 70; n++) {
                args.add(Arguments.of(v, n));
            }
            for (int n : new int[] {255, 1543, 4099}) {
                args.add(Arguments.of(v, n));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("activationSizes")
    void activations(FloatKernels kernels, int n) {
        for (Object[] row : ACTIVATIONS) {
            Activation kind = (Activation) row[0];
            for (float[] p : (float[][]) row[1]) {
                for (float scale : new float[] {1f, 8f, 1e30f}) {
                    unary(kernels, n, (f, x, xOff, out, outOff, m) -> f.activation(kind, p[0], p[1], x, xOff, out,
                        outOff, m), scale, kind + " a=" + p[0] + " b=" + p[1], nanMeetsNaN(kind, p));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void activationsOverEveryBinade(FloatKernels kernels) {
        float[] x = new float[1 << 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = Float.intBitsToFloat((i << 16) | (i * 0x9E37 & 0xFFFF));
        }
        for (Object[] row : ACTIVATIONS) {
            Activation kind = (Activation) row[0];
            for (float[] p : (float[][]) row[1]) {
                float[] expected = new float[x.length];
                float[] actual = new float[x.length];
                REFERENCE.activation(kind, p[0], p[1], x, 0, expected, 0, x.length);
                kernels.activation(kind, p[0], p[1], x, 0, actual, 0, x.length);
                assertBitsEqual(expected, actual, kind + " a=" + p[0] + " b=" + p[1], nanMeetsNaN(kind, p));
            }
        }
    }

    /**
     * Whether a NaN element meets a NaN bound in Clip's min/max: then which of the two NaNs comes out depends on
     * operand order, which Java leaves to the JIT (as for {@code NaN1 + NaN2}), so any NaN matches.
     */
    private static boolean nanMeetsNaN(Activation kind, float[] p) {
        return kind == Activation.CLIP && (Float.isNaN(p[0]) || Float.isNaN(p[1]));
    }

    /** The reference is the ONNX definitions written out, at the values where they are easy to get wrong. */
    @Test
    void activationReferenceFollowsTheSpec() {
        float nan = Float.NaN;
        float[][] cases = { // kind ordinal, a, b, x, expected
            {0, 0, 0, -0f, -0f}, {0, 0, 0, -3f, 0f}, {0, 0, 0, nan, nan}, {0, 0, 0, Float.POSITIVE_INFINITY,
                Float.POSITIVE_INFINITY},
            {1, 0.1f, 0, -2f, 0.1f * -2f}, {1, 0.1f, 0, -0f, -0f}, {1, 0.1f, 0, Float.NEGATIVE_INFINITY,
                Float.NEGATIVE_INFINITY}, {1, 0.1f, 0, nan, nan},
            {2, 0.2f, 0.5f, 10f, 1f}, {2, 0.2f, 0.5f, -10f, 0f}, {2, 0.2f, 0.5f, 1f, 0.2f * 1f + 0.5f},
            {2, 0.2f, 0.5f, nan, nan}, {2, 0.2f, 0.5f, Float.NEGATIVE_INFINITY, 0f},
            {3, 1 / 6f, 0.5f, 4f, 4f}, {3, 1 / 6f, 0.5f, -4f, -0f}, {3, 1 / 6f, 0.5f, 1f, 1f * (1 / 6f + 0.5f)},
            {3, 1 / 6f, 0.5f, nan, nan},
            {4, 1f, 0, 1f, 0f}, {4, 1f, 0, 1.5f, 1.5f}, {4, 1f, 0, nan, 0f},
            {5, -1f, 1f, -3f, -1f}, {5, -1f, 1f, 3f, 1f}, {5, 2f, -2f, 0f, -2f}, {5, -1f, 1f, nan, nan},
            {5, 0f, 6f, -0f, 0f},
        };
        for (float[] c : cases) {
            Activation kind = Activation.values()[(int) c[0]];
            assertEquals(Float.floatToIntBits(c[4]), Float.floatToIntBits(kind.apply(c[3], c[1], c[2])),
                kind + " a=" + c[1] + " b=" + c[2] + " x=" + c[3]);
        }
    }

    /** The same checks once C2 has compiled the kernels (the first calls run interpreted Vector API code). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void compiledCodeMatchesToo(FloatKernels kernels) {
        SplittableRandom r = new SplittableRandom(11);
        int n = 1543;
        float[] x = withSpecials(r, random(r, n, 12f));
        float[] y = random(r, 4 * 129, 3f);
        float[] g = random(r, 129, 2f);
        float[] a = random(r, 19 * 33, 1f);
        float[] b = random(r, 33 * 47, 1f);
        Unary[] fs = {FloatKernels::exp, FloatKernels::erf, FloatKernels::tanh, FloatKernels::gelu};
        float[] expected = new float[n];
        float[] actual = new float[n];
        for (int iter = 0; iter < 400; iter++) {
            for (Unary f : fs) {
                f.apply(REFERENCE, x, 0, expected, 0, n);
                f.apply(kernels, x, 0, actual, 0, n);
                assertBitsEqual(expected, actual, "iteration " + iter);
            }
            float[] es = new float[y.length], as = new float[y.length];
            REFERENCE.softmax(y, 0, es, 0, 4, 129);
            kernels.softmax(y, 0, as, 0, 4, 129);
            assertBitsEqual(es, as, "softmax iteration " + iter);
            REFERENCE.logSoftmax(y, 0, es, 0, 4, 129);
            kernels.logSoftmax(y, 0, as, 0, 4, 129);
            assertBitsEqual(es, as, "logSoftmax iteration " + iter);
            REFERENCE.layerNorm(y, 0, es, 0, 4, 129, g, g, 1e-5f);
            kernels.layerNorm(y, 0, as, 0, 4, 129, g, g, 1e-5f);
            assertBitsEqual(es, as, "layerNorm iteration " + iter);
            float[] ec = new float[19 * 47], ac = new float[19 * 47];
            boolean transB = iter % 2 == 1;
            REFERENCE.gemm(19, 47, 33, a, 0, 33, b, 0, transB ? 33 : 47, transB, ec, 0, 47);
            kernels.gemm(19, 47, 33, a, 0, 33, b, 0, transB ? 33 : 47, transB, ac, 0, 47);
            assertBitsEqual(ec, ac, "gemm iteration " + iter);
            for (Activation kind : Activation.values()) {
                REFERENCE.activation(kind, 0.2f, 0.5f, x, 0, expected, 0, n);
                kernels.activation(kind, 0.2f, 0.5f, x, 0, actual, 0, n);
                assertBitsEqual(expected, actual, kind + " iteration " + iter);
            }
        }
    }

    /**
     * The layer-norm statistics every provider shares, against their definition written out: float sums of x and
     * x*x in index order, E[x^2] - mean^2, the variance taken as 0 where that plus eps is negative. Four rows go
     * through the interleaved path, fewer through the single-row one; constant rows cancel to about zero.
     */
    @Test
    void layerNormStatisticsAreSequentialFloatSums() {
        SplittableRandom r = new SplittableRandom(11);
        float[] stats = new float[2 * ScalarFloatKernels.LAYER_NORM_STATS_ROWS];
        for (int rows = 1; rows <= ScalarFloatKernels.LAYER_NORM_STATS_ROWS; rows++) {
            for (int n : new int[] {1, 2, 17, 384}) {
                for (float offset : new float[] {0f, 100f}) {
                    float[] x = random(r, 3 + rows * n, 30f);
                    for (int i = 0; i < x.length; i++) {
                        x[i] += offset;
                    }
                    if (n == 17) {
                        Arrays.fill(x, 3, 3 + n, 5.230672f); // a constant row whose variance cancels to -1.9e-6
                    }
                    ScalarFloatKernels.layerNormStats(x, 3, rows, n, 1e-5f, stats);
                    for (int g = 0; g < rows; g++) {
                        float s = 0f, q = 0f;
                        for (int i = 0; i < n; i++) {
                            float v = x[3 + g * n + i];
                            s = s + v;
                            q = q + v * v;
                        }
                        float mean = s / n;
                        float t = q / n - mean * mean + 1e-5f;
                        float std = (float) Math.sqrt(t < 0 ? 1e-5f : t);
                        String where = "rows=" + rows + " n=" + n + " offset=" + offset + " row " + g;
                        assertEquals(Float.floatToIntBits(mean), Float.floatToIntBits(stats[2 * g]), "mean, " + where);
                        assertEquals(Float.floatToIntBits(std), Float.floatToIntBits(stats[2 * g + 1]), "std, " + where);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("sizes")
    void scaleAndMask(FloatKernels kernels, int n) {
        SplittableRandom r = new SplittableRandom(n);
        float[] mask = withSpecials(r, random(r, n + 3, 1e4f));
        for (float scale : new float[] {1f, 0.17677669f}) {
            for (boolean masked : new boolean[] {false, true}) {
                float[] x = withSpecials(r, random(r, n + 2, 100f));
                float[] expected = x.clone();
                float[] actual = x.clone();
                REFERENCE.scaleAndMask(expected, 2, n, scale, masked ? mask : null, 3);
                kernels.scaleAndMask(actual, 2, n, scale, masked ? mask : null, 3);
                assertBitsEqual(expected, actual, "scale " + scale + (masked ? " masked" : ""), true);
            }
        }
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("sizes")
    void softmax(FloatKernels kernels, int n) {
        rowwise(FloatKernels::softmax, kernels, n, "softmax");
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("sizes")
    void logSoftmax(FloatKernels kernels, int n) {
        rowwise(FloatKernels::logSoftmax, kernels, n, "logSoftmax");
    }

    /** A kernel over rows of n: scalar and vector agree bit for bit, out of place, in place and on specials. */
    private interface Rowwise {
        void apply(FloatKernels k, float[] x, int xOff, float[] out, int outOff, int rows, int n);
    }

    private static void rowwise(Rowwise f, FloatKernels kernels, int n, String name) {
        SplittableRandom r = new SplittableRandom(n);
        int rows = 3;
        for (float scale : new float[] {1f, 30f, 1e4f}) {
            float[] x = random(r, 2 + rows * n, scale);
            float[] expected = new float[1 + rows * n];
            float[] actual = new float[1 + rows * n];
            f.apply(REFERENCE, x, 2, expected, 1, rows, n);
            f.apply(kernels, x, 2, actual, 1, rows, n);
            assertBitsEqual(expected, actual, name + " scale " + scale);
            float[] inPlace = x.clone();
            f.apply(kernels, inPlace, 2, inPlace, 2, rows, n);
            assertBitsEqual(slice(expected, 1, rows * n), slice(inPlace, 2, rows * n), "in place");
        }
        float[] x = withSpecials(r, random(r, rows * n, 10f));
        float[] expected = new float[rows * n];
        float[] actual = new float[rows * n];
        f.apply(REFERENCE, x, 0, expected, 0, rows, n);
        f.apply(kernels, x, 0, actual, 0, rows, n);
        assertBitsEqual(expected, actual, name + " with specials", true);
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("sizes")
    void layerNorm(FloatKernels kernels, int n) {
        SplittableRandom r = new SplittableRandom(n);
        int rows = 7; // one group of four rows for the statistics, then three
        float[] gamma = random(r, n, 2f);
        float[] beta = random(r, n, 1f);
        for (float scale : new float[] {1f, 1e3f}) {
            float[] x = random(r, 2 + rows * n, scale);
            for (int params = 0; params < 4; params++) {
                float[] g = (params & 1) != 0 ? gamma : null;
                float[] b = (params & 2) != 0 ? beta : null;
                float[] expected = new float[1 + rows * n];
                float[] actual = new float[1 + rows * n];
                REFERENCE.layerNorm(x, 2, expected, 1, rows, n, g, b, 1e-5f);
                kernels.layerNorm(x, 2, actual, 1, rows, n, g, b, 1e-5f);
                assertBitsEqual(expected, actual, "layerNorm gamma=" + (g != null) + " beta=" + (b != null));
            }
            float[] inPlace = x.clone();
            kernels.layerNorm(inPlace, 2, inPlace, 2, rows, n, gamma, beta, 1e-12f);
            float[] expected = new float[2 + rows * n];
            REFERENCE.layerNorm(x, 2, expected, 2, rows, n, gamma, beta, 1e-12f);
            assertBitsEqual(slice(expected, 2, rows * n), slice(inPlace, 2, rows * n), "in place");
        }
        float[] x = withSpecials(r, random(r, rows * n, 10f));
        float[] expected = new float[rows * n];
        float[] actual = new float[rows * n];
        REFERENCE.layerNorm(x, 0, expected, 0, rows, n, gamma, beta, 1e-5f);
        kernels.layerNorm(x, 0, actual, 0, rows, n, gamma, beta, 1e-5f);
        assertBitsEqual(expected, actual, "layerNorm with specials", true);
    }
}
