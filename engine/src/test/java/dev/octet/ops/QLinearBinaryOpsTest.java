package dev.octet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.ir.Node;
import dev.octet.kernel.KernelProvider;
import dev.octet.kernel.Parallel;
import dev.octet.kernel.Quantization;
import dev.octet.kernel.panama.PanamaKernelProvider;
import dev.octet.kernel.scalar.ScalarKernelProvider;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * com.microsoft QLinearAdd and QLinearMul over same shapes and broadcasts, with every kernel provider, against
 * the per-element formula through the broadcast index map: the run decomposition that sends broadcasts to the
 * kernels must not change a single output.
 */
class QLinearBinaryOpsTest {
    private static final List<KernelProvider> PROVIDERS = List.of(ScalarKernelProvider.INSTANCE,
        new PanamaKernelProvider(512), new PanamaKernelProvider(256), new PanamaKernelProvider(128));

    /** {a shape, b shape}: same shapes, scalars, last-axis, per-channel, mixed and short-run broadcasts. */
    private static final int[][][] SHAPES = {
        {{1, 24, 7, 9}, {1, 24, 7, 9}},
        {{2, 3, 37}, {}},
        {{1}, {5, 33}},
        {{4, 17}, {17}},
        {{3, 1}, {3, 21}},
        {{2, 5, 3, 11}, {1, 5, 1, 1}},
        {{1, 5, 1, 1}, {2, 5, 3, 11}},
        {{2, 1, 19}, {1, 4, 1}},
        {{6, 1, 3}, {1, 5, 3}},
        {{2, 3}, {2, 3}},
        {{0, 3}, {3}},
    };

    @Test
    void matchesThePerElementFormulaForEveryProviderAndBroadcast() {
        SplittableRandom r = new SplittableRandom(41);
        for (boolean unsigned : new boolean[] {true, false}) {
            DataType t = unsigned ? DataType.UINT8 : DataType.INT8;
            for (int[][] shapes : SHAPES) {
                Tensor a = codes(r, t, shapes[0]);
                Tensor b = codes(r, t, shapes[1]);
                int za = unsigned ? 255 : -128;
                int zb = unsigned ? 3 : 127;
                int zc = unsigned ? 128 : -1;
                float sa = 0.031f, sb = 0.0173f, sc = 0.0419f;
                Tensor[] in = {a, Tensor.ofFloats(new float[] {sa}), zp(t, za), b, Tensor.ofFloats(new float[] {sb}),
                    zp(t, zb), Tensor.ofFloats(new float[] {sc}), zp(t, zc)};
                int[] shape = Broadcast.shape(a.shapeView(), b.shapeView());
                int[] aMap = Broadcast.indexMap(a.shapeView(), shape);
                int[] bMap = Broadcast.indexMap(b.shapeView(), shape);
                int n = Tensor.checkedSize(shape);
                byte[] wantAdd = new byte[n];
                byte[] wantMul = new byte[n];
                float ratio = Quantization.qlinearMulRatio(sa, sb, sc);
                float ra = sa / sc;
                float rb = sb / sc;
                float c = Quantization.qlinearAddConstant(ra, za, rb, zb, zc);
                // QLinearAdd's FMAs are not symmetric: ORT's kernel takes an operand constant over a run second.
                Broadcast.Runs runs = n == 0 ? null : Broadcast.runs(a.shapeView(), b.shapeView(), shape);
                for (int i = 0; i < n; i++) {
                    int av = (int) a.getLong(aMap == null ? i : aMap[i]);
                    int bv = (int) b.getLong(bMap == null ? i : bMap[i]);
                    wantAdd[i] = (byte) (runs.aConstant()
                        ? Quantization.qlinearAdd(bv, rb, av, ra, Quantization.qlinearAddConstant(rb, zb, ra, za, zc),
                            t.qmin(), t.qmax())
                        : Quantization.qlinearAdd(av, ra, bv, rb, c, t.qmin(), t.qmax()));
                    wantMul[i] = (byte) Quantization.qlinearMul(av, za, bv, zb, ratio, zc, t.qmin(), t.qmax());
                }
                for (KernelProvider p : PROVIDERS) {
                    String what = p.describe() + " " + t + " " + Arrays.toString(shapes[0]) + " op "
                        + Arrays.toString(shapes[1]);
                    Tensor add = run("QLinearAdd", p, in);
                    assertArrayEquals(shape, add.shapeView(), what);
                    assertEquals(t, add.type(), what);
                    assertArrayEquals(wantAdd, add.bytes(), "QLinearAdd " + what);
                    assertArrayEquals(wantMul, run("QLinearMul", p, in).bytes(), "QLinearMul " + what);
                }
            }
        }
    }

    @Test
    void broadcastsSplitIntoRunsOfWholeOrConstantOperands() {
        Broadcast.Runs same = Broadcast.runs(new int[] {1, 24, 7, 9}, new int[] {1, 24, 7, 9}, new int[] {1, 24, 7, 9});
        assertEquals(List.of(1, 1512, false, false), List.of(same.count(), same.length(), same.aConstant(),
            same.bConstant()));
        Broadcast.Runs scalar = Broadcast.runs(new int[] {1}, new int[] {5, 33}, new int[] {5, 33});
        assertEquals(List.of(1, 165, true, false), List.of(scalar.count(), scalar.length(), scalar.aConstant(),
            scalar.bConstant()));
        Broadcast.Runs rows = Broadcast.runs(new int[] {4, 17}, new int[] {17}, new int[] {4, 17});
        assertEquals(List.of(4, 17, false, false), List.of(rows.count(), rows.length(), rows.aConstant(),
            rows.bConstant()));
        assertArrayEquals(new int[] {0, 17, 34, 51}, rows.aStarts());
        assertArrayEquals(new int[] {0, 0, 0, 0}, rows.bStarts());
        Broadcast.Runs channels = Broadcast.runs(new int[] {2, 5, 3, 11}, new int[] {1, 5, 1, 1}, new int[] {2, 5, 3, 11});
        assertEquals(List.of(10, 33, false, true), List.of(channels.count(), channels.length(), channels.aConstant(),
            channels.bConstant()));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 0, 1, 2, 3, 4}, channels.bStarts());
        Broadcast.Runs mixed = Broadcast.runs(new int[] {2, 1, 19}, new int[] {1, 4, 1}, new int[] {2, 4, 19});
        assertEquals(List.of(8, 19, false, true), List.of(mixed.count(), mixed.length(), mixed.aConstant(),
            mixed.bConstant()));
        assertArrayEquals(new int[] {0, 0, 0, 0, 19, 19, 19, 19}, mixed.aStarts());
        assertArrayEquals(new int[] {0, 1, 2, 3, 0, 1, 2, 3}, mixed.bStarts());
    }

    private static Tensor run(String op, KernelProvider p, Tensor[] in) {
        Node node = new Node("n", op, OpRegistry.MICROSOFT_DOMAIN, List.of("a", "as", "az", "b", "bs", "bz", "cs", "cz"),
            List.of("c"), Map.of());
        return OpRegistry.defaults().create(node, 1, new Tensor[8], new OpEnvironment(p, Parallel.SERIAL)).run(in)[0];
    }

    private static Tensor zp(DataType t, int v) {
        return Tensor.of(t, new int[0], new byte[] {(byte) v});
    }

    private static Tensor codes(SplittableRandom r, DataType t, int[] shape) {
        byte[] x = new byte[Tensor.checkedSize(shape)];
        r.nextBytes(x);
        return Tensor.of(t, shape, x);
    }
}
