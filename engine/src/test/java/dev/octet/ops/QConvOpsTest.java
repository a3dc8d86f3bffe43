package dev.octet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Node;
import dev.octet.kernel.IntConv;
import dev.octet.kernel.KernelProvider;
import dev.octet.kernel.Parallel;
import dev.octet.kernel.Quantization;
import dev.octet.kernel.panama.PanamaKernelProvider;
import dev.octet.kernel.scalar.ScalarKernelProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The channels-last integer convolutions (direct 1x1 GEMM, NHWC im2col GEMM, depthwise kernels) against the
 * NCHW reference ({@link IntConv} on zero-point-adjusted values, then {@link Quantization#requantize}), with
 * every kernel provider, weights known at load or only at run time, and one or three threads.
 */
class QConvOpsTest {
    /** One convolution: NCHW input shape, OIHW weight shape, group and spatial attributes. */
    private record Conv(String name, int[] xShape, int[] wShape, int group, int[] strides, int[] pads, int[] dilations) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<Conv> CONVS = List.of(
        new Conv("pointwise", new int[] {1, 24, 7, 9}, new int[] {40, 24, 1, 1}, 1, null, null, null),
        new Conv("pointwise-batch2-grouped", new int[] {2, 32, 5, 6}, new int[] {32, 8, 1, 1}, 4, null, null, null),
        new Conv("1x1-stride2", new int[] {1, 16, 9, 7}, new int[] {24, 16, 1, 1}, 1, new int[] {2, 2}, null, null),
        new Conv("1x1-padded", new int[] {1, 16, 4, 5}, new int[] {9, 16, 1, 1}, 1, null, new int[] {1, 0, 0, 1}, null),
        new Conv("3x3-pad1", new int[] {2, 16, 9, 8}, new int[] {32, 16, 3, 3}, 1, null, new int[] {1, 1, 1, 1}, null),
        new Conv("3x3-stem-stride2", new int[] {1, 3, 17, 16}, new int[] {32, 3, 3, 3}, 1, new int[] {2, 2},
            new int[] {1, 1, 1, 1}, null),
        new Conv("3x3-dilated-asymmetric", new int[] {1, 8, 11, 10}, new int[] {12, 8, 3, 2}, 1, new int[] {2, 1},
            new int[] {1, 0, 2, 1}, new int[] {1, 2}),
        new Conv("3x3-grouped", new int[] {1, 16, 8, 8}, new int[] {24, 8, 3, 3}, 2, null, new int[] {1, 1, 1, 1},
            null),
        // 3x3 stride 1 with constant weights: the Winograd path (dilated, asymmetric pads, a half tile at the edges).
        new Conv("3x3-winograd-dilated", new int[] {2, 16, 13, 11}, new int[] {24, 16, 3, 3}, 1, null,
            new int[] {2, 1, 2, 3}, new int[] {2, 2}),
        new Conv("3x3-winograd-unpadded", new int[] {1, 20, 7, 9}, new int[] {9, 20, 3, 3}, 1, null, null,
            new int[] {1, 3}),
        // Large windows: the GEMM runs over several chunks of output positions (one group, and two).
        new Conv("pointwise-chunked", new int[] {1, 1024, 20, 20}, new int[] {8, 1024, 1, 1}, 1, null, null, null),
        new Conv("3x3-chunked", new int[] {1, 64, 20, 20}, new int[] {16, 64, 3, 3}, 1, null, new int[] {1, 1, 1, 1},
            null),
        new Conv("3x3-grouped-chunked", new int[] {1, 128, 15, 15}, new int[] {32, 64, 3, 3}, 2, null,
            new int[] {1, 1, 1, 1}, null),
        new Conv("depthwise-3x3-s1", new int[] {2, 48, 10, 9}, new int[] {48, 1, 3, 3}, 48, null,
            new int[] {1, 1, 1, 1}, null),
        new Conv("depthwise-3x3-s2", new int[] {1, 35, 14, 14}, new int[] {35, 1, 3, 3}, 35, new int[] {2, 2},
            new int[] {0, 0, 1, 1}, null),
        new Conv("depthwise-5x5-s2-dilated", new int[] {1, 20, 13, 12}, new int[] {20, 1, 5, 5}, 20,
            new int[] {2, 2}, new int[] {2, 2, 2, 2}, new int[] {2, 1}),
        new Conv("depthwise-1d", new int[] {1, 20, 31}, new int[] {20, 1, 5}, 20, null, new int[] {2, 1}, null),
        new Conv("3d", new int[] {1, 4, 5, 4, 6}, new int[] {10, 4, 2, 3, 3}, 1, null, new int[] {0, 1, 1, 1, 0, 1},
            null),
        new Conv("narrow-groups", new int[] {1, 8, 6, 6}, new int[] {8, 2, 3, 3}, 4, null, new int[] {1, 1, 1, 1},
            null),
        new Conv("depthwise-multiplier2", new int[] {1, 6, 6, 6}, new int[] {12, 1, 3, 3}, 6, null,
            new int[] {1, 1, 1, 1}, null));

    static Stream<Arguments> cases() {
        List<Arguments> args = new ArrayList<>();
        List<KernelProvider> providers = List.of(ScalarKernelProvider.INSTANCE, new PanamaKernelProvider(512),
            new PanamaKernelProvider(256), new PanamaKernelProvider(128));
        for (KernelProvider p : providers) {
            for (Conv c : CONVS) {
                args.add(Arguments.of(p.describe(), p, c));
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

    private static int size(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static Map<String, Attribute> attributes(Conv c, Long yMin, Long yMax) {
        Map<String, Attribute> a = new HashMap<>();
        a.put("group", new Attribute.IntAttr(c.group()));
        if (c.strides() != null) {
            a.put("strides", ints(c.strides()));
        }
        if (c.pads() != null) {
            a.put("pads", ints(c.pads()));
        }
        if (c.dilations() != null) {
            a.put("dilations", ints(c.dilations()));
        }
        if (yMin != null) {
            a.put("y_min", new Attribute.IntAttr(yMin));
            a.put("y_max", new Attribute.IntAttr(yMax));
        }
        return a;
    }

    private static Attribute ints(int[] v) {
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            l[i] = v[i];
        }
        return new Attribute.IntsAttr(l);
    }

    /** The exact sums sum (x - zx)(w - zw) in NCHW, by the reference loop. */
    private static int[] referenceSums(Conv c, Tensor x, int xzp, Tensor w, int[] wzp, int[] outShape) {
        int[] xs = new int[x.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (x.type() == DataType.UINT8 ? x.bytes()[i] & 0xFF : x.bytes()[i]) - xzp;
        }
        int cout = c.wShape()[0];
        int perChannel = w.size() / cout;
        int[] ws = new int[w.size()];
        for (int i = 0; i < ws.length; i++) {
            ws[i] = (w.type() == DataType.UINT8 ? w.bytes()[i] & 0xFF : w.bytes()[i])
                - wzp[wzp.length == 1 ? 0 : i / perChannel];
        }
        int r = c.xShape().length - 2;
        int[] inSpatial = java.util.Arrays.copyOfRange(c.xShape(), 2, r + 2);
        int[] kernel = java.util.Arrays.copyOfRange(c.wShape(), 2, r + 2);
        int[] ones = new int[r];
        java.util.Arrays.fill(ones, 1);
        int[] acc = new int[size(outShape)];
        IntConv.conv(xs, c.xShape()[0], c.xShape()[1], inSpatial, ws, cout, c.group(), kernel,
            c.strides() == null ? ones : c.strides(), c.dilations() == null ? ones : c.dilations(),
            c.pads() == null ? new int[2 * r] : c.pads(), java.util.Arrays.copyOfRange(outShape, 2, r + 2), acc);
        return acc;
    }

    private static int[] outShape(Conv c) {
        int r = c.xShape().length - 2;
        int[] o = new int[r + 2];
        o[0] = c.xShape()[0];
        o[1] = c.wShape()[0];
        for (int d = 0; d < r; d++) {
            int s = c.strides() == null ? 1 : c.strides()[d];
            int dil = c.dilations() == null ? 1 : c.dilations()[d];
            int pad = c.pads() == null ? 0 : c.pads()[d] + c.pads()[d + r];
            o[d + 2] = (c.xShape()[d + 2] + pad - (c.wShape()[d + 2] - 1) * dil - 1) / s + 1;
        }
        return o;
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("cases")
    void qlinearConvMatchesTheNchwReference(String name, KernelProvider provider, Conv c) {
        SplittableRandom r = new SplittableRandom(c.name().hashCode());
        int cout = c.wShape()[0];
        for (int variant = 0; variant < 4; variant++) {
            boolean xU = variant % 2 == 0;
            boolean wU = variant == 3;
            Tensor x = Tensor.of(xU ? DataType.UINT8 : DataType.INT8, c.xShape(), random(r, size(c.xShape())));
            Tensor w = Tensor.of(wU ? DataType.UINT8 : DataType.INT8, c.wShape(), random(r, size(c.wShape())));
            int xzp = xU ? new int[] {0, 255}[variant / 2] : new int[] {-128, 127}[variant / 2];
            int[] wzp = new int[variant < 2 ? 1 : cout];
            for (int i = 0; i < wzp.length; i++) {
                wzp[i] = wU ? r.nextInt(256) : r.nextInt(-128, 128);
            }
            float[] ws = new float[cout];
            int[] bias = new int[cout];
            for (int i = 0; i < cout; i++) {
                ws[i] = (float) (r.nextDouble() * 0.05 + 1e-3);
                bias[i] = r.nextInt(-20000, 20000);
            }
            boolean yU = variant != 1;
            float xs = 0.02f, ys = 0.7f;
            int yzp = yU ? 100 : -3;
            DataType xt = x.type(), wt = w.type(), yt = yU ? DataType.UINT8 : DataType.INT8;
            Tensor[] in = {x, Tensor.ofFloats(new float[] {xs}), scalar(xt, xzp), w, Tensor.ofFloats(ws, cout),
                zeroPoints(wt, wzp), Tensor.ofFloats(new float[] {ys}), scalar(yt, yzp), Tensor.ofInts(bias, cout)};
            int[] oShape = outShape(c);
            int[] acc = referenceSums(c, x, xzp, w, wzp, oShape);
            int plane = acc.length / (oShape[0] * cout);
            // Octet's fused form clamps to [y_min, y_max] (a folded Relu); the ONNX op to the type's range.
            boolean clamp = variant >= 2;
            int qmin = clamp ? yzp : yt.qmin(), qmax = clamp ? yt.qmax() - 9 : yt.qmax();
            byte[] expected = new byte[acc.length];
            for (int i = 0; i < acc.length; i++) {
                int oc = (i / plane) % cout;
                expected[i] = (byte) Quantization.requantize(acc[i] + bias[oc], xs * ws[oc] / ys, yzp, qmin, qmax);
            }
            Node node = new Node("n", "QLinearConv", clamp ? OpRegistry.OCTET_DOMAIN : "",
                List.of("x", "xs", "xzp", "w", "ws", "wzp", "ys", "yzp", "b"), List.of("y"),
                attributes(c, clamp ? (long) qmin : null, clamp ? (long) qmax : null));
            String what = provider.describe() + " " + c + " variant " + variant;
            // The version in force: ai.onnx opset 21, or version 1 of Octet's domain.
            for (boolean constantWeights : new boolean[] {true, false}) {
                for (int threads : new int[] {1, 3}) {
                    Tensor y = run(node, provider, threads, constantWeights ? in : new Tensor[in.length], in, clamp ? 1 : 21);
                    assertArrayEquals(oShape, y.shapeView(), what);
                    assertArrayEquals(expected, y.bytes(), what + " constant=" + constantWeights + " threads=" + threads);
                }
            }
            // ConvInteger: the exact int32 sums.
            Node ci = new Node("n", "ConvInteger", "", List.of("x", "w", "xzp", "wzp"), List.of("y"),
                attributes(c, null, null));
            Tensor[] ciIn = {x, w, scalar(xt, xzp), zeroPoints(wt, wzp)};
            for (boolean constantWeights : new boolean[] {true, false}) {
                Tensor y = run(ci, provider, 2, constantWeights ? new Tensor[] {null, w, null, ciIn[3]} : new Tensor[4],
                    ciIn, 10);
                assertArrayEquals(acc, y.ints(), what + " ConvInteger constant=" + constantWeights);
            }
        }
    }

    private static Tensor run(Node node, KernelProvider provider, int threads, Tensor[] constants, Tensor[] in,
                              int opset) {
        try (Parallel parallel = new Parallel(threads)) {
            return OpRegistry.defaults().create(node, opset, constants, new OpEnvironment(provider, parallel)).run(in)[0];
        }
    }

    private static Tensor scalar(DataType t, int v) {
        return Tensor.of(t, new int[0], new byte[] {(byte) v});
    }

    private static Tensor zeroPoints(DataType t, int[] v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return Tensor.of(t, new int[] {v.length}, b);
    }
}
