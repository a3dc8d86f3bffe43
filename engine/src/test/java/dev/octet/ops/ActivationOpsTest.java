package dev.octet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Node;
import dev.octet.kernel.KernelProvider;
import dev.octet.kernel.Parallel;
import dev.octet.kernel.panama.PanamaKernelProvider;
import dev.octet.kernel.scalar.ScalarKernelProvider;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The activations against values worked out by hand from the ONNX operator spec (the ONNX backend tests of
 * each, in ../shared/testdata/onnx-node-full, run through {@code octet validate}).
 */
class ActivationOpsTest {
    private static Tensor run(String op, int opset, Map<String, Attribute> attrs, Tensor x) {
        Node node = new Node("n", op, "", List.of("x"), List.of("y"), attrs);
        return OpRegistry.defaults().create(node, opset, new Tensor[1]).run(new Tensor[] {x})[0];
    }

    private static void assertBits(float[] expected, Tensor y) {
        float[] actual = y.floats();
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                "element " + i + ": expected " + expected[i] + ", got " + actual[i]);
        }
    }

    @Test
    void leakyReluScalesOnlyNegatives() {
        // The spec's example: alpha 0.1 on [-1, 0, 1] gives [-0.1, 0, 1]; -0.1f is the float nearest 0.1 * -1.
        Tensor x = Tensor.ofFloats(new float[] {-1f, 0f, 1f, -4f, 2.5f, -0f}, 2, 3);
        Tensor y = run("LeakyRelu", 16, Map.of("alpha", new Attribute.FloatAttr(0.1f)), x);
        assertArrayEquals(new int[] {2, 3}, y.shape());
        // -4 * 0.1f is exact (a power of two), and is -0.4f; -0 is not below 0, so it stays -0.
        assertBits(new float[] {-0.1f, 0f, 1f, -0.4f, 2.5f, -0f}, y);
    }

    @Test
    void leakyReluDefaultsAlphaToOneHundredth() {
        // 0.01f is 0.00999999977648258, so -100 * 0.01f = -0.999999977648258 rounds to -1.
        Tensor x = Tensor.ofFloats(new float[] {-100f, 3f, Float.NEGATIVE_INFINITY, Float.NaN}, 4);
        assertBits(new float[] {-1f, 3f, Float.NEGATIVE_INFINITY, Float.NaN}, run("LeakyRelu", 6, Map.of(), x));
    }

    @Test
    void leakyReluRejectsABadAlphaAtLoadAndNonFloatInputs() {
        Node stringAlpha = new Node("lr", "LeakyRelu", "", List.of("x"), List.of("y"),
            Map.of("alpha", new Attribute.StringAttr("0.1")));
        OctetException e = assertThrows(OctetException.class,
            () -> OpRegistry.defaults().create(stringAlpha, 17, new Tensor[1]));
        assertEquals(ErrorCode.INVALID_GRAPH, e.code());
        e = assertThrows(OctetException.class, () -> run("LeakyRelu", 17, Map.of(), Tensor.ofLongs(new long[] {-1}, 1)));
        assertEquals(ErrorCode.UNSUPPORTED_TYPE, e.code());
    }

    private static Map<String, Attribute> floats(Object... nameValue) {
        Map<String, Attribute> m = new java.util.HashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            m.put((String) nameValue[i], new Attribute.FloatAttr((Float) nameValue[i + 1]));
        }
        return m;
    }

    /** Within 2 float ulps of a value computed in double by the JDK (exp and log are not exact in float). */
    private static void assertClose(double[] expected, Tensor y) {
        float[] actual = y.floats();
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            float e = (float) expected[i];
            assertEquals(e, actual[i], 2 * Math.ulp(e), "element " + i);
        }
    }

    private static Tensor vector(float... v) {
        return Tensor.ofFloats(v, v.length);
    }

    @Test
    void hardSigmoidClampsTheLine() {
        // 0.25 * x + 0.5 is exact here: -0.5 -> 0, 0.25, 0.5, 0.75, 1.5 -> 1.
        assertBits(new float[] {0f, 0.25f, 0.5f, 0.75f, 1f},
            run("HardSigmoid", 6, floats("alpha", 0.25f, "beta", 0.5f), vector(-4f, -1f, 0f, 1f, 4f)));
        // Defaults 0.2 and 0.5: 0.2f * -2.5f + 0.5f is -7.5e-9, clamped to 0; 0.2f * 2.5f + 0.5f rounds to 1.
        assertBits(new float[] {0f, 0.5f, 1f, Float.NaN}, run("HardSigmoid", 22, Map.of(), vector(-2.5f, 0f, 2.5f, Float.NaN)));
    }

    @Test
    void hardSwishIsXTimesHardSigmoidOfASixthXPlusAHalf() {
        // (float) (1/6) * 3 rounds to 0.5, so 3 -> 3 * 1; 1.5 -> 1.5 * 0.75; -3 and -6 -> x * 0 = -0.
        assertBits(new float[] {-0f, -0f, 0f, 1.125f, 3f, 7f},
            run("HardSwish", 14, Map.of(), vector(-6f, -3f, 0f, 1.5f, 3f, 7f)));
    }

    @Test
    void eluIsAlphaTimesExpMinusOneBelowZero() {
        assertClose(new double[] {2 * Math.expm1(-1), 2 * Math.expm1(-0.5), 0, 1.5},
            run("Elu", 6, floats("alpha", 2f), vector(-1f, -0.5f, 0f, 1.5f)));
        // e^-100 underflows to 0 in float, leaving exactly -alpha; -0 is not below 0.
        assertBits(new float[] {-1f, -0f}, run("Elu", 22, Map.of(), vector(-100f, -0f)));
    }

    @Test
    void seluScalesBothSides() {
        double alpha = 1.67326319217681884765625;
        double gamma = 1.05070102214813232421875;
        assertClose(new double[] {gamma * 2, 0, gamma * alpha * Math.expm1(-1), -gamma * alpha},
            run("Selu", 6, Map.of(), vector(2f, 0f, -1f, -100f)));
        assertClose(new double[] {3, 0.5 * 3 * Math.expm1(-2)},
            run("Selu", 22, floats("alpha", 3f, "gamma", 0.5f), vector(6f, -2f)));
    }

    @Test
    void celuDividesByAlphaInsideTheExponential() {
        assertClose(new double[] {3, 0, 2 * Math.expm1(-1), 2 * Math.expm1(-2)},
            run("Celu", 12, floats("alpha", 2f), vector(3f, 0f, -2f, -4f)));
        assertClose(new double[] {Math.expm1(-1)}, run("Celu", 28, Map.of(), vector(-1f)));
        Node zeroAlpha = new Node("c", "Celu", "", List.of("x"), List.of("y"), floats("alpha", 0f));
        OctetException e = assertThrows(OctetException.class, () -> OpRegistry.defaults().create(zeroAlpha, 17, new Tensor[1]));
        assertEquals(ErrorCode.INVALID_GRAPH, e.code());
        assertTrue(e.getMessage().contains("'alpha' must be non-zero"), e.getMessage());
    }

    @Test
    void softplusIsLogOfOnePlusExp() {
        assertClose(new double[] {Math.log(2), Math.log1p(Math.exp(-1)), 1 + Math.log1p(Math.exp(-1)), Math.log1p(Math.exp(-20)), 100},
            run("Softplus", 1, Map.of(), vector(0f, -1f, 1f, -20f, 100f)));
        assertBits(new float[] {0f, Float.POSITIVE_INFINITY}, run("Softplus", 22, Map.of(),
            vector(Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY)));
    }

    @Test
    void softsignIsXOverOnePlusItsMagnitude() {
        assertBits(new float[] {-0.5f, 0f, 0.75f, -0.8f}, run("Softsign", 1, Map.of(), vector(-1f, 0f, 3f, -4f)));
    }

    @Test
    void thresholdedReluKeepsOnlyValuesAboveAlpha() {
        assertBits(new float[] {0f, 0f, 0f, 2.5f, 3f}, run("ThresholdedRelu", 10, floats("alpha", 2f),
            vector(-1f, 0f, 2f, 2.5f, 3f)));
        assertBits(new float[] {0f, 0f, 1.5f}, run("ThresholdedRelu", 22, Map.of(), vector(0.5f, 1f, 1.5f)));
    }

    @Test
    void mishIsXTimesTanhOfSoftplus() {
        assertClose(new double[] {0, Math.tanh(Math.log1p(Math.E)), -Math.tanh(Math.log1p(Math.exp(-1))), 20},
            run("Mish", 18, Map.of(), vector(0f, 1f, -1f, 20f)));
    }

    @Test
    void preluBroadcastsItsSlopeToX() {
        Tensor x = Tensor.ofFloats(new float[] {-1f, 2f, -3f, -4f, 5f, -6f}, 2, 3);
        Node node = new Node("p", "PRelu", "", List.of("x", "slope"), List.of("y"), Map.of());
        Tensor y = OpRegistry.defaults().create(node, 16, new Tensor[2])
            .run(new Tensor[] {x, Tensor.ofFloats(new float[] {0.5f, 2f, 0.25f}, 3)})[0];
        assertArrayEquals(new int[] {2, 3}, y.shape());
        assertBits(new float[] {-0.5f, 2f, -0.75f, -2f, 5f, -1.5f}, y);

        Tensor ints = OpRegistry.defaults().create(node, 9, new Tensor[2])
            .run(new Tensor[] {Tensor.ofInts(new int[] {-3, 4}, 2), Tensor.ofInts(new int[] {2}, 1)})[0];
        assertArrayEquals(new int[] {-6, 4}, ints.ints());

        // A slope of [2, 3] against X [3] would broadcast X instead: PRelu's broadcast goes one way only.
        OctetException e = assertThrows(OctetException.class, () -> OpRegistry.defaults().create(node, 16, new Tensor[2])
            .run(new Tensor[] {Tensor.ofFloats(new float[] {1f, 2f, 3f}, 3), x}));
        assertEquals(ErrorCode.INVALID_INPUT, e.code());
    }

    /**
     * NCHW X against slopes of one value, one per channel (both spellings), and per width (the elementwise path),
     * at every provider: y = x < 0 ? slope * x : x with the slope's index worked out by hand, NaN and -0 included.
     */
    @Test
    void preluSlopePerChannelOrScalarMatchesTheDefinitionEverywhere() {
        int n = 2, c = 3, h = 5, w = 7;
        float[] xs = new float[n * c * h * w];
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) (r.nextDouble() * 20 - 10);
        }
        xs[0] = Float.NaN;
        xs[1] = -0f;
        xs[2] = Float.NEGATIVE_INFINITY;
        xs[40] = Float.POSITIVE_INFINITY;
        Tensor x = Tensor.ofFloats(xs, n, c, h, w);
        float[] perChannel = {0.25f, -1.5f, 0.1f};
        float[] perWidth = {0.5f, 0f, 2f, -0.3f, 0.01f, 1f, 3f};
        Object[][] slopes = { // slope values, its shape, the slope of element (c, w)
            {new float[] {0.2f}, new int[] {1}, (java.util.function.IntBinaryOperator) (ci, wi) -> 0},
            {new float[] {0.2f}, new int[] {1, 1, 1, 1}, (java.util.function.IntBinaryOperator) (ci, wi) -> 0},
            {perChannel, new int[] {3, 1, 1}, (java.util.function.IntBinaryOperator) (ci, wi) -> ci},
            {perChannel, new int[] {1, 3, 1, 1}, (java.util.function.IntBinaryOperator) (ci, wi) -> ci},
            {perWidth, new int[] {7}, (java.util.function.IntBinaryOperator) (ci, wi) -> wi},
        };
        Node node = new Node("p", "PRelu", "", List.of("x", "slope"), List.of("y"), Map.of());
        for (Object[] s : slopes) {
            float[] a = (float[]) s[0];
            int[] shape = (int[]) s[1];
            java.util.function.IntBinaryOperator slopeAt = (java.util.function.IntBinaryOperator) s[2];
            float[] expected = new float[xs.length];
            for (int i = 0; i < xs.length; i++) {
                float v = xs[i];
                float slope = a[slopeAt.applyAsInt(i / (h * w) % c, i % w)];
                expected[i] = v < 0 ? slope * v : v;
            }
            for (KernelProvider p : List.of(ScalarKernelProvider.INSTANCE, new PanamaKernelProvider(512),
                    new PanamaKernelProvider(256), new PanamaKernelProvider(128))) {
                Tensor y = OpRegistry.defaults().create(node, 16, new Tensor[2], new OpEnvironment(p, Parallel.SERIAL))
                    .run(new Tensor[] {x, Tensor.ofFloats(a, shape)})[0];
                assertArrayEquals(new int[] {n, c, h, w}, y.shape());
                assertBits(expected, y);
            }
        }
    }

    @Test
    void slopesOfOneValueOrOnePerChannelAreRecognized() {
        int[] nchw = {2, 3, 5, 7};
        assertTrue(ActivationOps.isScalarOrPerChannel(nchw, new int[] {}));
        assertTrue(ActivationOps.isScalarOrPerChannel(nchw, new int[] {1, 1}));
        assertTrue(ActivationOps.isScalarOrPerChannel(nchw, new int[] {3, 1, 1}));
        assertTrue(ActivationOps.isScalarOrPerChannel(new int[] {4, 3}, new int[] {3}));
        assertTrue(!ActivationOps.isScalarOrPerChannel(nchw, new int[] {3, 1}));
        assertTrue(!ActivationOps.isScalarOrPerChannel(nchw, new int[] {2, 3, 1, 1}));
        assertTrue(!ActivationOps.isScalarOrPerChannel(nchw, new int[] {1, 1, 1, 1, 1}));
        assertTrue(!ActivationOps.isScalarOrPerChannel(new int[] {3}, new int[] {3}));
    }

    @Test
    void everyUnaryActivationGivesTheSameBitsWithEveryKernelProvider() {
        float[] sweep = new float[1003];
        for (int i = 0; i < sweep.length; i++) {
            sweep[i] = -25f + i * (50f / sweep.length);
        }
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, Float.MIN_VALUE, -90f, 90f};
        System.arraycopy(specials, 0, sweep, 0, specials.length);
        Tensor x = Tensor.ofFloats(sweep, sweep.length);
        List<KernelProvider> providers = List.of(ScalarKernelProvider.INSTANCE, new PanamaKernelProvider(512),
            new PanamaKernelProvider(256), new PanamaKernelProvider(128));
        for (String op : List.of("LeakyRelu", "HardSigmoid", "HardSwish", "Elu", "Selu", "Celu", "Softplus", "Softsign",
            "ThresholdedRelu", "Mish", "Relu", "Clip", "Sigmoid")) {
            Node node = new Node("n", op, "", List.of("x"), List.of("y"), Map.of());
            float[] reference = null;
            for (KernelProvider p : providers) {
                float[] y = OpRegistry.defaults().create(node, 18, new Tensor[1], new OpEnvironment(p, Parallel.SERIAL))
                    .run(new Tensor[] {x})[0].floats();
                if (reference == null) {
                    reference = y;
                } else {
                    for (int i = 0; i < y.length; i++) {
                        assertEquals(Float.floatToRawIntBits(reference[i]), Float.floatToRawIntBits(y[i]),
                            op + " with " + p.describe() + " at x = " + sweep[i]);
                    }
                }
            }
        }
    }
}
