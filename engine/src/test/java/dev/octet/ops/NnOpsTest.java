package dev.octet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Node;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NnOpsTest {
    private static final int OPSET = 22;

    @Test
    void groupedStridedDilatedConvMatchesDirectLoop() {
        // N=2, C=4, 7x6 input; M=6 outputs in 2 groups; 3x2 kernel, asymmetric pads, stride (2,1), dilation (1,2).
        int[] pads = {1, 0, 2, 1};
        int[] strides = {2, 1};
        int[] dil = {1, 2};
        Tensor x = random(1, 2, 4, 7, 6);
        Tensor w = random(2, 6, 2, 3, 2);
        Tensor b = random(3, 6);
        Map<String, Attribute> attrs = Map.of(
            "group", new Attribute.IntAttr(2),
            "pads", ints(pads), "strides", ints(strides), "dilations", ints(dil));
        float[] expected = directConv(x, w, b, 2, pads, strides, dil);
        int[] expectedShape = {2, 6, 4, 5};
        // Once with W known at load, once with W only at run time.
        for (Tensor[] constants : new Tensor[][] {{null, w, null}, {null, null, null}}) {
            Tensor y = run("Conv", List.of("x", "w", "b"), attrs, constants, x, w, b)[0];
            assertArrayEquals(expectedShape, y.shape());
            assertArrayEquals(expected, y.floats(), 1e-4f);
        }
    }

    @Test
    void pointwiseConvWithSameUpperPadding() {
        Tensor x = random(4, 1, 3, 5, 5);
        Tensor w = random(5, 2, 3, 1, 1);
        Map<String, Attribute> attrs = Map.of("auto_pad", new Attribute.StringAttr("SAME_UPPER"));
        Tensor y = run("Conv", List.of("x", "w"), attrs, new Tensor[2], x, w)[0];
        assertArrayEquals(new int[] {1, 2, 5, 5}, y.shape());
        assertArrayEquals(directConv(x, w, null, 1, new int[4], new int[] {1, 1}, new int[] {1, 1}), y.floats(),
            1e-5f);
    }

    @Test
    void convTransposeIsTheAdjointOfConv() {
        // <conv(x, w), z> == <x, convT(z, w)> for any x, z: the transposed conv must scatter exactly where conv gathers.
        int[] pads = {1, 0, 0, 2};
        int[] strides = {2, 3};
        Map<String, Attribute> attrs = Map.of("group", new Attribute.IntAttr(2), "pads", ints(pads),
            "strides", ints(strides));
        Tensor x = random(6, 1, 4, 7, 8);
        Tensor w = random(7, 4, 2, 3, 2);
        Tensor cx = run("Conv", List.of("x", "w"), attrs, new Tensor[2], x, w)[0];
        Tensor z = random(8, cx.shape());
        // Conv floors the 7x8 input to a 3x3 output; output_padding restores the rows and columns it dropped.
        Map<String, Attribute> tAttrs = new java.util.HashMap<>(attrs);
        tAttrs.put("output_padding", ints(new int[] {1, 2}));
        Tensor tz = run("ConvTranspose", List.of("z", "w"), tAttrs, new Tensor[2], z, w)[0];
        assertArrayEquals(x.shape(), tz.shape());
        assertEquals(dot(cx.floats(), z.floats()), dot(x.floats(), tz.floats()), 1e-3);
    }

    @Test
    void gemmTransposesScalesAndBroadcastsC() {
        Tensor a = random(9, 4, 3);  // transA: op(A) is 3x4
        Tensor b = random(10, 5, 4); // transB: op(B) is 4x5
        Tensor c = random(11, 5);
        Map<String, Attribute> attrs = Map.of("transA", new Attribute.IntAttr(1), "transB", new Attribute.IntAttr(1),
            "alpha", new Attribute.FloatAttr(0.5f), "beta", new Attribute.FloatAttr(-2f));
        Tensor y = run("Gemm", List.of("a", "b", "c"), attrs, new Tensor[3], a, b, c)[0];
        float[] expected = new float[15];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 5; j++) {
                float s = 0;
                for (int k = 0; k < 4; k++) {
                    s += a.floats()[k * 3 + i] * b.floats()[j * 4 + k];
                }
                expected[i * 5 + j] = 0.5f * s - 2f * c.floats()[j];
            }
        }
        assertArrayEquals(new int[] {3, 5}, y.shape());
        assertArrayEquals(expected, y.floats(), 1e-5f);
    }

    @Test
    void matMulBroadcastsBatchesAndDropsVectorDims() {
        Tensor a = random(12, 2, 1, 3, 4);
        Tensor b = random(13, 3, 4, 5);
        Tensor y = run("MatMul", List.of("a", "b"), Map.of(), new Tensor[2], a, b)[0];
        assertArrayEquals(new int[] {2, 3, 3, 5}, y.shape());
        for (int n = 0; n < 2; n++) {
            for (int bt = 0; bt < 3; bt++) {
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 5; j++) {
                        float s = 0;
                        for (int k = 0; k < 4; k++) {
                            s += a.floats()[(n * 3 + i) * 4 + k] * b.floats()[(bt * 4 + k) * 5 + j];
                        }
                        assertEquals(s, y.floats()[((n * 3 + bt) * 3 + i) * 5 + j], 1e-5f);
                    }
                }
            }
        }
        Tensor v = random(14, 4);
        assertArrayEquals(new int[] {3, 5}, run("MatMul", List.of("v", "b"), Map.of(), new Tensor[2], v, b)[0].shape());
        assertArrayEquals(new int[] {2, 1, 3}, run("MatMul", List.of("a", "v"), Map.of(), new Tensor[2], a, v)[0].shape());
    }

    @Test
    void maxPoolColumnMajorIndices() {
        Tensor x = Tensor.ofFloats(new float[] {1, 9, 2, 3, 4, 5, 8, 6}, 1, 1, 2, 4);
        Map<String, Attribute> attrs = Map.of("kernel_shape", ints(new int[] {2, 2}), "strides", ints(new int[] {2, 2}),
            "storage_order", new Attribute.IntAttr(1));
        Node node = new Node("n", "MaxPool", "", List.of("x"), List.of("y", "i"), attrs);
        Tensor[] out = OpRegistry.defaults().create(node, OPSET, new Tensor[1]).run(new Tensor[] {x});
        assertArrayEquals(new float[] {9, 8}, out[0].floats());
        // 9 sits at (h=0, w=1): column-major index h + w*H = 2; 8 at (1, 2): 1 + 2*2 = 5.
        assertArrayEquals(new long[] {2, 5}, out[1].longs());
    }

    private static Tensor[] run(String op, List<String> inputs, Map<String, Attribute> attrs, Tensor[] constants,
                                Tensor... in) {
        Node node = new Node("n", op, "", inputs, List.of("y"), attrs);
        return OpRegistry.defaults().create(node, OPSET, constants).run(in);
    }

    /** Direct NCHW convolution straight from the ONNX definition. */
    private static float[] directConv(Tensor x, Tensor w, Tensor b, int group, int[] pads, int[] strides, int[] dil) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
        int m = w.dim(0), cg = w.dim(1), kh = w.dim(2), kw = w.dim(3);
        int oh = (h + pads[0] + pads[2] - (kh - 1) * dil[0] - 1) / strides[0] + 1;
        int ow = (wd + pads[1] + pads[3] - (kw - 1) * dil[1] - 1) / strides[1] + 1;
        float[] y = new float[n * m * oh * ow];
        int mg = m / group;
        for (int bi = 0; bi < n; bi++) {
            for (int oc = 0; oc < m; oc++) {
                int g = oc / mg;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        float s = b == null ? 0 : b.floats()[oc];
                        for (int ic = 0; ic < cg; ic++) {
                            for (int ky = 0; ky < kh; ky++) {
                                for (int kx = 0; kx < kw; kx++) {
                                    int iy = oy * strides[0] - pads[0] + ky * dil[0];
                                    int ix = ox * strides[1] - pads[1] + kx * dil[1];
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < wd) {
                                        s += x.floats()[((bi * c + g * cg + ic) * h + iy) * wd + ix]
                                            * w.floats()[((oc * cg + ic) * kh + ky) * kw + kx];
                                    }
                                }
                            }
                        }
                        y[((bi * m + oc) * oh + oy) * ow + ox] = s;
                    }
                }
            }
        }
        return y;
    }

    private static Tensor random(long seed, int... shape) {
        Random r = new Random(seed);
        float[] v = new float[Tensor.checkedSize(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return Tensor.ofFloats(v, shape);
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    private static Attribute.IntsAttr ints(int[] v) {
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            l[i] = v[i];
        }
        return new Attribute.IntsAttr(l);
    }
}
