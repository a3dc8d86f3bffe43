package dev.octet.ops;

import static dev.octet.ops.OpRunner.attr;
import static dev.octet.ops.OpRunner.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hardmax, RMS and Lp normalization, Dropout, Gelu and Swish: the edges the ONNX backend tests do not reach. */
class NormalizationOpsTest {
    private static final Tensor X = Tensor.ofFloats(new float[] {3, -4, 0, 0, 2, 2}, 2, 3);

    @Test
    void hardmaxMarksTheFirstMaximum() {
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0}, run("Hardmax", 13, Map.of(), X).floats());
    }

    /**
     * Softmax, LogSoftmax and Hardmax write their output into the array the run's buffers hand out (steady-state
     * runs allocate no new one), every element of it, whatever the array held, and along a strided axis too.
     */
    @Test
    void axisSoftmaxesFillTheArrayTheRunsBuffersHandOut() {
        for (String op : new String[] {"Softmax", "LogSoftmax", "Hardmax"}) {
            for (long axis : new long[] {1, 0}) {
                dev.octet.ir.Node node = new dev.octet.ir.Node("n", op, "", java.util.List.of("x"), java.util.List.of("y"),
                    attr("axis", axis));
                Op created = OpRegistry.defaults().create(node, 13, new Tensor[1]);
                float[] pooled = new float[X.size()];
                java.util.Arrays.fill(pooled, Float.NaN);
                Buffers buffers = new Buffers() {
                    @Override
                    public float[] floats(int n) {
                        assertEquals(pooled.length, n);
                        return pooled;
                    }

                    @Override
                    public byte[] bytes(int n) {
                        throw new AssertionError();
                    }

                    @Override
                    public int[] ints(int n) {
                        throw new AssertionError();
                    }

                    @Override
                    public void giveBack(Object array) {
                    }
                };
                Tensor y = created.run(new Tensor[] {X}, buffers)[0];
                String what = op + " axis " + axis;
                assertSame(pooled, y.floats(), what + " allocated its own output");
                assertArrayEquals(created.run(new Tensor[] {X})[0].floats(), y.floats(), what);
            }
        }
    }

    @Test
    void rmsNormalizationDividesByTheRootMeanSquare() {
        Tensor scale = Tensor.ofFloats(new float[] {2f}, 1);
        float[] y = run("RMSNormalization", 23, Map.of("epsilon", new Attribute.FloatAttr(0f)), Tensor.ofFloats(new float[] {3, -4}, 1, 2),
            scale).floats();
        double rms = Math.sqrt((9 + 16) / 2.0);
        assertArrayEquals(new float[] {(float) (3 / rms * 2), (float) (-4 / rms * 2)}, y);
        OctetException stash = assertThrows(OctetException.class,
            () -> run("RMSNormalization", 23, attr("stash_type", 10), X, scale));
        assertEquals(ErrorCode.INVALID_GRAPH, stash.code());
        assertTrue(stash.getMessage().contains("stash_type"), stash.getMessage());
        OctetException shape = assertThrows(OctetException.class,
            () -> run("RMSNormalization", 23, Map.of(), X, Tensor.ofFloats(new float[] {1, 2}, 2)));
        assertEquals(ErrorCode.INVALID_SHAPE, shape.code());
    }

    @Test
    void lpNormalizationTakesP1Or2AndLeavesZeroVectorsZero() {
        assertArrayEquals(new float[] {0.6f, -0.8f, 0, 0, (float) (2 / Math.sqrt(8)), (float) (2 / Math.sqrt(8))},
            run("LpNormalization", 22, Map.of(), X).floats());
        assertArrayEquals(new float[] {3 / 7f, -4 / 7f, 0, 0, 0.5f, 0.5f},
            run("LpNormalization", 22, attr("p", 1), X).floats());
        float[] columns = run("LpNormalization", 22, attr("axis", 0), X).floats();
        assertEquals(0f, columns[2]);
        OctetException p = assertThrows(OctetException.class, () -> run("LpNormalization", 22, attr("p", 3), X));
        assertEquals(ErrorCode.INVALID_GRAPH, p.code());
    }

    @Test
    void dropoutInInferenceIsTheIdentityWithAnAllTrueMask() {
        Tensor[] out = run("Dropout", 13, 2, Map.of(), X);
        assertSame(X, out[0]);
        assertArrayEquals(new boolean[] {true, true, true, true, true, true}, out[1].bools());
        Tensor train = Tensor.ofBools(new boolean[] {true});
        Tensor zero = Tensor.ofFloats(new float[] {0f});
        assertSame(X, run("Dropout", 13, Map.of(), X, zero, train));
        OctetException random = assertThrows(OctetException.class,
            () -> run("Dropout", 13, Map.of(), X, null, train));
        assertEquals(ErrorCode.UNSUPPORTED_OP, random.code());
        OctetException ratio = assertThrows(OctetException.class,
            () -> run("Dropout", 13, Map.of(), X, Tensor.ofFloats(new float[] {1f}), null));
        assertEquals(ErrorCode.INVALID_INPUT, ratio.code());
        OctetException attr = assertThrows(OctetException.class,
            () -> run("Dropout", 10, Map.of("ratio", new Attribute.FloatAttr(-0.5f)), X));
        assertEquals(ErrorCode.INVALID_GRAPH, attr.code());
    }

    @Test
    void geluApproximationsAndSwish() {
        Tensor x = Tensor.ofFloats(new float[] {-3f, -0.5f, 0f, 1f, 4f}, 5);
        float[] exact = run("Gelu", 20, Map.of(), x).floats();
        float[] tanh = run("Gelu", 20, attr("approximate", "tanh"), x).floats();
        float[] swish = run("Swish", 24, Map.of("alpha", new Attribute.FloatAttr(2f)), x).floats();
        for (int i = 0; i < 5; i++) {
            double v = x.floats()[i];
            double phi = 0.5 * (1 + erf(v / Math.sqrt(2)));
            assertEquals(v * phi, exact[i], 1e-6);
            assertEquals(v * phi, tanh[i], 1e-3); // the approximation's own error
            assertEquals(v / (1 + Math.exp(-2 * v)), swish[i], 1e-6);
        }
        OctetException bad = assertThrows(OctetException.class,
            () -> run("Gelu", 20, attr("approximate", "sigmoid"), x));
        assertEquals(ErrorCode.INVALID_GRAPH, bad.code());
    }

    /** erf by its series, exact to double precision for |v| < 3 (Abramowitz and Stegun 7.1.5). */
    private static double erf(double v) {
        double term = v;
        double sum = v;
        for (int n = 1; n < 200; n++) {
            term *= -v * v / n;
            sum += term / (2 * n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    @Test
    void groupAndInstanceNormalizationAgreeWithOneGroupPerChannel() {
        Tensor x = Tensor.ofFloats(new float[] {1, 2, 3, 4, 10, 20, 30, 50}, 1, 2, 4);
        Tensor scale = Tensor.ofFloats(new float[] {1f, 2f}, 2);
        Tensor bias = Tensor.ofFloats(new float[] {0f, 1f}, 2);
        float[] instance = run("InstanceNormalization", 6, Map.of(), x, scale, bias).floats();
        float[] groups = run("GroupNormalization", 21, attr("num_groups", 2), x, scale, bias).floats();
        assertArrayEquals(instance, groups);
        // Channel 0: mean 2.5, population variance 1.25.
        assertEquals((float) ((1 - 2.5) / Math.sqrt(1.25 + 1e-5)), instance[0], 1e-6f);
        OctetException split = assertThrows(OctetException.class,
            () -> run("GroupNormalization", 21, attr("num_groups", 3), x, scale, bias));
        assertEquals(ErrorCode.INVALID_SHAPE, split.code());
        OctetException zero = assertThrows(OctetException.class,
            () -> run("GroupNormalization", 21, attr("num_groups", 0), x, scale, bias));
        assertEquals(ErrorCode.INVALID_GRAPH, zero.code());
    }

    @Test
    void lrnNeedsAPositiveSizeAndMvnNormalizesTheAxes() {
        Tensor x = Tensor.ofFloats(new float[] {1, 2, 3, 4}, 1, 4, 1, 1);
        OctetException size = assertThrows(OctetException.class, () -> run("LRN", 13, Map.of(), x));
        assertEquals(ErrorCode.INVALID_GRAPH, size.code());
        float[] y = run("LRN", 13, attr("size", 3), x).floats();
        // Channel 1 sums channels 0 to 2: 1 + 4 + 9.
        assertEquals((float) (2 / Math.pow(1 + 1e-4 / 3 * 14, 0.75)), y[1], 1e-7f);
        float[] mvn = run("MeanVarianceNormalization", 13,
            Map.of("axes", new Attribute.IntsAttr(new long[] {1})), x).floats();
        double std = Math.sqrt(1.25);
        assertEquals((float) (-1.5 / (std + 1e-9)), mvn[0], 1e-6f);
    }

    @Test
    void shrinkZeroesTheBand() {
        Tensor x = Tensor.ofFloats(new float[] {-2f, -0.5f, 0.25f, 3f}, 4);
        Map<String, Attribute> soft = Map.of("lambd", new Attribute.FloatAttr(0.5f), "bias", new Attribute.FloatAttr(0.5f));
        assertArrayEquals(new float[] {-1.5f, 0f, 0f, 2.5f}, run("Shrink", 9, soft, x).floats());
    }

    @Test
    void swiGluGatesTheValueWithSwishAndDoesNotBroadcast() {
        Tensor a = Tensor.ofFloats(new float[] {-1f, 0f, 2f}, 3);
        Tensor b = Tensor.ofFloats(new float[] {3f, 5f, -1f}, 3);
        float[] y = run("SwiGLU", 28, Map.of(), a, b).floats();
        for (int i = 0; i < 3; i++) {
            double v = a.floats()[i];
            assertEquals(v / (1 + Math.exp(-v)) * b.floats()[i], y[i], 1e-6);
        }
        OctetException shape = assertThrows(OctetException.class,
            () -> run("SwiGLU", 28, Map.of(), a, Tensor.ofFloats(new float[] {1f}, 1)));
        assertEquals(ErrorCode.INVALID_INPUT, shape.code());
    }
}
