package dev.octet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Node;
import dev.octet.kernel.KernelProviders;
import dev.octet.kernel.Parallel;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Softmax, LogSoftmax and Hardmax (along the last or a strided axis), 8-bit table lookups, per-tensor QuantizeLinear,
 * QLinearAdd / QLinearMul and 8-bit NCHW / NHWC transposes cut large tensors into tasks for the session's threads;
 * every split must give the single thread's bits.
 */
class SplitAcrossThreadsTest {
    private static Tensor run(Parallel parallel, String domain, String op, int opset, Map<String, Attribute> attrs,
                              Tensor... in) {
        List<String> names = java.util.stream.IntStream.range(0, in.length).mapToObj(i -> "x" + i).toList();
        Node node = new Node("n", op, domain, names, List.of("y"), attrs);
        return OpRegistry.defaults().create(node, opset, new Tensor[in.length],
            new OpEnvironment(KernelProviders.get(), parallel)).run(in)[0];
    }

    private static float[] floats(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * 4);
        }
        return x;
    }

    @Test
    void axisOpsGiveTheSameBitsOnThreeThreads() {
        try (Parallel three = new Parallel(3)) {
            // [2, 6, 70001]: a strided short axis; [3, 70001, 6] and [70001, 7]: contiguous rows; axis 0 of [5, 40000].
            int[][] shapes = {{2, 6, 70001}, {3, 70001, 6}, {70001, 7}, {5, 40000}};
            long[][] axes = {{1, -2}, {-1, 2}, {1, -1}, {0, -2}};
            for (int s = 0; s < shapes.length; s++) {
                Tensor x = Tensor.ofFloats(floats(java.util.Arrays.stream(shapes[s]).reduce(1, (a, b) -> a * b), s),
                    shapes[s]);
                for (long axis : axes[s]) {
                    for (String op : List.of("Softmax", "LogSoftmax", "Hardmax")) {
                        Map<String, Attribute> attrs = Map.of("axis", new Attribute.IntAttr(axis));
                        assertArrayEquals(run(Parallel.SERIAL, "", op, 13, attrs, x).floats(),
                            run(three, "", op, 13, attrs, x).floats(), op + " axis " + axis + " of shape " + s);
                    }
                }
            }
        }
    }

    @Test
    void tableLookupsGiveTheSameBytesOnThreeThreads() {
        try (Parallel three = new Parallel(3)) {
            byte[] codes = new byte[1_000_003];
            new SplittableRandom(7).nextBytes(codes);
            Tensor x = Tensor.ofUint8(codes, codes.length);
            byte[] entries = new byte[256];
            for (int i = 0; i < 256; i++) {
                entries[i] = (byte) (i * 37 + 11);
            }
            Tensor table = Tensor.ofUint8(entries, 256);
            assertArrayEquals(run(Parallel.SERIAL, "dev.octet", "LookupTable", 1, Map.of(), x, table).bytes(),
                run(three, "dev.octet", "LookupTable", 1, Map.of(), x, table).bytes());
            Tensor[] leaky = {x, Tensor.ofFloats(new float[] {0.05f}), Tensor.ofUint8(new byte[] {(byte) 128}),
                Tensor.ofFloats(new float[] {0.04f}), Tensor.ofUint8(new byte[] {(byte) 100})};
            Map<String, Attribute> alpha = Map.of("alpha", new Attribute.FloatAttr(0.1f));
            assertArrayEquals(run(Parallel.SERIAL, "com.microsoft", "QLinearLeakyRelu", 1, alpha, leaky).bytes(),
                run(three, "com.microsoft", "QLinearLeakyRelu", 1, alpha, leaky).bytes());
        }
    }

    @Test
    void quantizedElementwiseOpsGiveTheSameBytesOnThreeThreads() {
        try (Parallel three = new Parallel(3)) {
            int n = 200_003;
            Tensor x = Tensor.ofFloats(floats(n, 11), n);
            Tensor[] quantize = {x, Tensor.ofFloats(new float[] {0.0186579f}), Tensor.ofUint8(new byte[] {114})};
            byte[] q = run(Parallel.SERIAL, "", "QuantizeLinear", 13, Map.of(), quantize).bytes();
            assertArrayEquals(q, run(three, "", "QuantizeLinear", 13, Map.of(), quantize).bytes());
            byte[] other = new byte[n];
            new SplittableRandom(12).nextBytes(other);
            Tensor a = Tensor.ofUint8(q, n);
            Tensor sa = Tensor.ofFloats(new float[] {0.03f});
            Tensor za = Tensor.ofUint8(new byte[] {(byte) 120});
            Tensor sc = Tensor.ofFloats(new float[] {0.05f});
            Tensor zc = Tensor.ofUint8(new byte[] {(byte) 130});
            // Same shapes, then a scalar second operand.
            for (Tensor b : List.of(Tensor.ofUint8(other, n), Tensor.ofUint8(new byte[] {(byte) 200}, 1))) {
                Tensor[] in = {a, sa, za, b, Tensor.ofFloats(new float[] {0.02f}), Tensor.ofUint8(new byte[] {99}), sc, zc};
                for (String op : List.of("QLinearAdd", "QLinearMul")) {
                    assertArrayEquals(run(Parallel.SERIAL, "com.microsoft", op, 1, Map.of(), in).bytes(),
                        run(three, "com.microsoft", op, 1, Map.of(), in).bytes(), op + " of " + b.size());
                }
            }
        }
    }

    @Test
    void byteTransposesToAndFromChannelsLastMatchElementByElement() {
        try (Parallel three = new Parallel(3)) {
            // An RGB image (three rows of many pixels), and a two-image batch of 24 channels.
            int[][] shapes = {{1, 3, 257, 259}, {2, 24, 61, 67}};
            for (int[] shape : shapes) {
                int channels = shape[1];
                int pixels = shape[2] * shape[3];
                byte[] nchw = new byte[shape[0] * channels * pixels];
                new SplittableRandom(pixels).nextBytes(nchw);
                byte[] expected = new byte[nchw.length];
                for (int b = 0; b < shape[0]; b++) {
                    for (int c = 0; c < channels; c++) {
                        for (int p = 0; p < pixels; p++) {
                            expected[(b * pixels + p) * channels + c] = nchw[(b * channels + c) * pixels + p];
                        }
                    }
                }
                Map<String, Attribute> toLast = Map.of("perm", new Attribute.IntsAttr(new long[] {0, 2, 3, 1}));
                Map<String, Attribute> toFirst = Map.of("perm", new Attribute.IntsAttr(new long[] {0, 3, 1, 2}));
                for (Parallel parallel : List.of(Parallel.SERIAL, three)) {
                    Tensor nhwc = run(parallel, "", "Transpose", 13, toLast, Tensor.ofUint8(nchw, shape));
                    assertArrayEquals(expected, nhwc.bytes(), "to NHWC on " + parallel.threads() + " threads");
                    assertArrayEquals(nchw, run(parallel, "", "Transpose", 13, toFirst, nhwc).bytes(),
                        "back to NCHW on " + parallel.threads() + " threads");
                }
            }
        }
    }
}
