package dev.octet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Node;
import dev.octet.kernel.KernelProvider;
import dev.octet.kernel.Parallel;
import dev.octet.kernel.Quantization;
import dev.octet.kernel.panama.PanamaKernelProvider;
import dev.octet.kernel.scalar.ScalarKernelProvider;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The pooling ops on the pool kernels, with every provider, against direct computations of their definitions. */
class PoolOpsTest {
    private static final List<KernelProvider> PROVIDERS = List.of(ScalarKernelProvider.INSTANCE,
        new PanamaKernelProvider(512), new PanamaKernelProvider(256), new PanamaKernelProvider(128));

    @Test
    void qlinearGlobalAveragePoolIsTheIntegerSumRequantized() {
        SplittableRandom r = new SplittableRandom(71);
        for (int[] shape : new int[][] {{1, 37, 5, 7}, {2, 3, 1, 1}, {1, 4, 67}, {1, 2, 3, 4, 5}}) {
            for (boolean unsigned : new boolean[] {true, false}) {
                DataType t = unsigned ? DataType.UINT8 : DataType.INT8;
                byte[] x = new byte[Tensor.checkedSize(shape)];
                r.nextBytes(x);
                int zx = unsigned ? 255 : -128;
                int zy = unsigned ? 3 : 127;
                float sx = 0.0371f, sy = 0.0213f;
                int planes = shape[0] * shape[1];
                int size = x.length / planes;
                byte[] want = new byte[planes];
                for (int p = 0; p < planes; p++) {
                    int sum = -zx * size;
                    for (int i = p * size; i < (p + 1) * size; i++) {
                        sum += unsigned ? x[i] & 0xFF : x[i];
                    }
                    want[p] = (byte) Quantization.requantize(sum, sx / (sy * (float) size), zy, t.qmin(), t.qmax());
                }
                Tensor[] in = {Tensor.of(t, shape, x), Tensor.ofFloats(new float[] {sx}), zp(t, zx),
                    Tensor.ofFloats(new float[] {sy}), zp(t, zy)};
                for (KernelProvider p : PROVIDERS) {
                    Tensor y = op("QLinearGlobalAveragePool", OpRegistry.MICROSOFT_DOMAIN, 5, Map.of(), p).run(in)[0];
                    assertEquals(t, y.type());
                    assertEquals(shape.length, y.rank());
                    assertArrayEquals(want, y.bytes(), p.describe() + " " + t + " " + java.util.Arrays.toString(shape));
                }
            }
        }
    }

    @Test
    void channelsLastQLinearGlobalAveragePoolGivesTheNchwBytes() {
        SplittableRandom r = new SplittableRandom(72);
        for (int[] nchw : new int[][] {{1, 37, 5, 7}, {2, 3, 1, 1}, {1, 4, 67}, {2, 1280, 8, 8}}) {
            for (boolean unsigned : new boolean[] {true, false}) {
                DataType t = unsigned ? DataType.UINT8 : DataType.INT8;
                byte[] x = new byte[Tensor.checkedSize(nchw)];
                r.nextBytes(x);
                int n = nchw[0], c = nchw[1], pixels = x.length / (n * c);
                byte[] nhwc = new byte[x.length];
                int[] nhwcShape = new int[nchw.length];
                nhwcShape[0] = n;
                System.arraycopy(nchw, 2, nhwcShape, 1, nchw.length - 2);
                nhwcShape[nchw.length - 1] = c;
                for (int b = 0; b < n; b++) {
                    for (int ch = 0; ch < c; ch++) {
                        for (int p = 0; p < pixels; p++) {
                            nhwc[(b * pixels + p) * c + ch] = x[(b * c + ch) * pixels + p];
                        }
                    }
                }
                // Means near the output range's middle, so that no output clamps.
                Tensor[] params = {Tensor.ofFloats(new float[] {0.0201f}), zp(t, unsigned ? 131 : -3),
                    Tensor.ofFloats(new float[] {0.0213f}), zp(t, unsigned ? 125 : 5)};
                for (KernelProvider p : PROVIDERS) {
                    Tensor want = op("QLinearGlobalAveragePool", OpRegistry.MICROSOFT_DOMAIN, 5, Map.of(), p)
                        .run(new Tensor[] {Tensor.of(t, nchw, x), params[0], params[1], params[2], params[3]})[0];
                    Tensor got = op("QLinearGlobalAveragePool", OpRegistry.OCTET_DOMAIN, 5, Map.of(), p)
                        .run(new Tensor[] {Tensor.of(t, nhwcShape, nhwc), params[0], params[1], params[2], params[3]})[0];
                    int[] wantShape = nhwcShape.clone();
                    java.util.Arrays.fill(wantShape, 1, wantShape.length - 1, 1);
                    assertArrayEquals(wantShape, got.shape(), java.util.Arrays.toString(nchw));
                    assertArrayEquals(want.bytes(), got.bytes(), p.describe() + " " + t + " " + java.util.Arrays.toString(nchw));
                }
            }
        }
    }

    @Test
    void eightBitMaxPoolEqualsTheFloatMaxPoolOfItsValues() {
        SplittableRandom r = new SplittableRandom(73);
        Map<String, Attribute> attrs = Map.of("kernel_shape", ints(3, 3), "strides", ints(2, 2), "pads", ints(1, 0, 1, 2));
        int[] shape = {2, 3, 9, 70};
        for (DataType t : new DataType[] {DataType.UINT8, DataType.INT8}) {
            byte[] x = new byte[Tensor.checkedSize(shape)];
            r.nextBytes(x);
            float[] xf = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                xf[i] = t == DataType.UINT8 ? x[i] & 0xFF : x[i];
            }
            Tensor wantF = op("MaxPool", "", 1, attrs, ScalarKernelProvider.INSTANCE).run(
                new Tensor[] {Tensor.ofFloats(xf, shape)})[0];
            byte[] want = new byte[wantF.size()];
            for (int i = 0; i < want.length; i++) {
                want[i] = (byte) (int) wantF.floats()[i];
            }
            for (KernelProvider p : PROVIDERS) {
                Tensor y = op("MaxPool", "", 1, attrs, p).run(new Tensor[] {Tensor.of(t, shape, x)})[0];
                assertEquals(t, y.type());
                assertArrayEquals(wantF.shapeView(), y.shapeView());
                assertArrayEquals(want, y.bytes(), p.describe() + " " + t);
            }
        }
    }

    private static Op op(String type, String domain, int inputs, Map<String, Attribute> attrs, KernelProvider p) {
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < inputs; i++) {
            names.add("i" + i);
        }
        Node node = new Node("n", type, domain, names, List.of("y"), attrs);
        return OpRegistry.defaults().create(node, domain.isEmpty() ? 22 : 1, new Tensor[inputs],
            new OpEnvironment(p, Parallel.SERIAL));
    }

    private static Attribute ints(long... v) {
        return new Attribute.IntsAttr(v);
    }

    private static Tensor zp(DataType t, int v) {
        return Tensor.of(t, new int[0], new byte[] {(byte) v});
    }

    @Test
    void lpPoolSumsPowersOfTheTapsInsideTheInputAndGlobalMaxPoolTakesEachPlanesMax() {
        Tensor x = Tensor.ofFloats(new float[] {3, -4, 1, 2}, 1, 1, 4);
        Map<String, Attribute> attrs = Map.of("kernel_shape", new Attribute.IntsAttr(new long[] {2}),
            "pads", new Attribute.IntsAttr(new long[] {1, 0}), "strides", new Attribute.IntsAttr(new long[] {2}));
        // Windows [pad, 3], [-4, 1]: the padding adds nothing.
        assertArrayEquals(new float[] {3f, (float) Math.sqrt(17)}, OpRunner.run("LpPool", 18, attrs, x).floats());
        Map<String, Attribute> p1 = new HashMap<>(attrs);
        p1.put("p", new Attribute.IntAttr(1));
        assertArrayEquals(new float[] {3f, 5f}, OpRunner.run("LpPool", 18, p1, x).floats());
        p1.put("p", new Attribute.IntAttr(0));
        OctetException e = assertThrows(OctetException.class, () -> OpRunner.run("LpPool", 18, p1, x));
        assertEquals(ErrorCode.INVALID_GRAPH, e.code());
        Tensor max = OpRunner.run("GlobalMaxPool", 1, Map.of(), x);
        assertArrayEquals(new int[] {1, 1, 1}, max.shape());
        assertArrayEquals(new float[] {3f}, max.floats());
    }

    @Test
    void lpPoolWindowsFarWiderThanTheInputCostWhatTheyCoverOrAreRefused() {
        // A 2^20-tap window (same_upper: about half of it padding on each side) over four values: every window covers
        // all four.
        Tensor x = Tensor.ofFloats(new float[] {3, -4, 1, 2}, 1, 1, 4);
        Map<String, Attribute> wide = Map.of("kernel_shape", ints(1 << 20), "auto_pad",
            new Attribute.StringAttr("SAME_UPPER"), "p", new Attribute.IntAttr(1));
        assertArrayEquals(new float[] {10f, 10f, 10f, 10f}, OpRunner.run("LpPool", 18, wide, x).floats());
        // Two axes, 2^20 x 3 taps (about 8 x 10^7 per run of the old loop, nearly all in the padding): each output
        // sums its column and the neighbouring ones over every row.
        float[] grid = new float[25];
        for (int i = 0; i < 25; i++) {
            grid[i] = i % 7 - 3;
        }
        Map<String, Attribute> tall = Map.of("kernel_shape", ints(1 << 20, 3), "auto_pad",
            new Attribute.StringAttr("SAME_UPPER"), "p", new Attribute.IntAttr(1));
        float[] expected = new float[25];
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                for (int r = 0; r < 5; r++) {
                    for (int c = Math.max(0, j - 1); c <= Math.min(4, j + 1); c++) {
                        expected[i * 5 + j] += Math.abs(grid[r * 5 + c]);
                    }
                }
            }
        }
        assertArrayEquals(expected, OpRunner.run("LpPool", 18, tall, Tensor.ofFloats(grid, 1, 1, 5, 5)).floats());
        // 30,000 outputs each covering all 30,000 inputs: 9 x 10^8 powers, refused before any.
        Tensor longer = Tensor.ofFloats(new float[30_000], 1, 1, 30_000);
        Map<String, Attribute> covering = Map.of("kernel_shape", ints(60_001), "auto_pad",
            new Attribute.StringAttr("SAME_UPPER"));
        OctetException e = assertThrows(OctetException.class, () -> OpRunner.run("LpPool", 18, covering, longer));
        assertEquals(ErrorCode.RESOURCE_LIMIT, e.code());
    }

    @Test
    void maxUnpoolPlacesAtTheIndicesAndCol2ImSumsOverlappingBlocks() {
        Tensor x = Tensor.ofFloats(new float[] {5, 7}, 1, 1, 1, 2);
        Map<String, Attribute> k2 = Map.of("kernel_shape", new Attribute.IntsAttr(new long[] {1, 2}),
            "strides", new Attribute.IntsAttr(new long[] {1, 2}));
        Tensor idx = Tensor.ofLongs(new long[] {1, 2}, 1, 1, 1, 2);
        assertArrayEquals(new float[] {0, 5, 7, 0}, OpRunner.run("MaxUnpool", 11, k2, x, idx).floats());
        // A larger output_shape holds the result in its leading corner.
        Tensor bigger = OpRunner.run("MaxUnpool", 11, k2, x, idx, Tensor.ofLongs(new long[] {1, 1, 2, 4}, 4));
        assertArrayEquals(new float[] {0, 5, 7, 0, 0, 0, 0, 0}, bigger.floats());
        assertThrows(OctetException.class, () -> OpRunner.run("MaxUnpool", 11, k2, x,
            Tensor.ofLongs(new long[] {1, 4}, 1, 1, 1, 2)));
        assertThrows(OctetException.class, () -> OpRunner.run("MaxUnpool", 11, k2, x, idx,
            Tensor.ofLongs(new long[] {1, 1, 1, 3}, 4)));
        // Two blocks of 2 on an image of 3 with stride 1: the middle pixel gets both blocks' values.
        Tensor cols = Tensor.ofFloats(new float[] {1, 2, 10, 20}, 1, 2, 2);
        Tensor image = OpRunner.run("Col2Im", 18, Map.of(), cols, Tensor.ofLongs(new long[] {1, 3}, 2),
            Tensor.ofLongs(new long[] {1, 2}, 2));
        assertArrayEquals(new int[] {1, 1, 1, 3}, image.shape());
        assertArrayEquals(new float[] {1, 12, 20}, image.floats());
        assertThrows(OctetException.class, () -> OpRunner.run("Col2Im", 18, Map.of(), cols,
            Tensor.ofLongs(new long[] {1, 4}, 2), Tensor.ofLongs(new long[] {1, 2}, 2)));
    }
}
