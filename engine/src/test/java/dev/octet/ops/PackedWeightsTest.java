package dev.octet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.compile.Compiler;
import dev.octet.exec.ExecutionPlan;
import dev.octet.exec.Executor;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import dev.octet.kernel.DepthwiseKernels;
import dev.octet.kernel.FloatKernels;
import dev.octet.kernel.KernelProvider;
import dev.octet.kernel.KernelProviders;
import dev.octet.kernel.PackedB;
import dev.octet.kernel.Parallel;
import dev.octet.kernel.PoolKernels;
import dev.octet.kernel.PreparedA;
import dev.octet.kernel.QGemmKernel;
import dev.octet.kernel.QuantizeKernels;
import dev.octet.kernel.WinogradKernels;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Weights are packed once per session, however many plans (input shapes) it compiles. */
class PackedWeightsTest {
    @Test
    void packsOncePerTensorAndDescription() {
        PackedWeights cache = new PackedWeights();
        Tensor w = Tensor.ofInt8(new byte[] {1, 2, 3, 4}, 2, 2);
        Tensor sameValues = Tensor.ofInt8(new byte[] {1, 2, 3, 4}, 2, 2);
        AtomicInteger packs = new AtomicInteger();
        Object a = cache.get(w, "B", () -> new Object[] {packs.incrementAndGet()});
        assertSame(a, cache.get(w, "B", () -> new Object[] {packs.incrementAndGet()}));
        assertEquals(1, packs.get());
        assertNotSame(a, cache.get(w, "B^T", () -> new Object[] {packs.incrementAndGet()}));
        assertNotSame(a, cache.get(sameValues, "B", () -> new Object[] {packs.incrementAndGet()}));
        assertEquals(3, packs.get());
    }

    @Test
    void plansForNewShapesReuseTheSessionsPackedWeights() {
        int k = 5, n = 7;
        byte[] b = new byte[k * n];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 37 - 100);
        }
        Graph g = new Graph("g",
            List.of(new ValueInfo("a", DataType.UINT8, DataType.UINT8.onnxCode(), List.of(Dim.symbol("m"), Dim.of(k)))),
            List.of(new ValueInfo("y", null, 0, null)), Map.of("b", Tensor.ofInt8(b, k, n)),
            List.of(new Node("mm", "MatMulInteger", "", List.of("a", "b"), List.of("y"), Map.of())), Map.of("", 13),
            Map.of());
        CountingKernels kernels = new CountingKernels(KernelProviders.get());
        Compiler compiler = new Compiler(OpRegistry.defaults(), List.of(), new OpEnvironment(kernels, Parallel.SERIAL));
        ExecutionPlan generic = compiler.compile(g);
        for (int m : new int[] {3, 4, 9}) {
            ExecutionPlan plan = compiler.specialize(generic, Map.of("a", new int[] {m, k}));
            byte[] a = new byte[m * k];
            for (int i = 0; i < a.length; i++) {
                a[i] = (byte) (i * 11);
            }
            int[] y = Executor.run(plan, Map.of("a", Tensor.ofUint8(a, m, k))).get("y").ints();
            int[] expected = new int[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    for (int p = 0; p < k; p++) {
                        expected[i * n + j] += (a[i * k + p] & 0xFF) * b[p * n + j];
                    }
                }
            }
            assertArrayEquals(expected, y, "m=" + m);
        }
        assertEquals(1, kernels.packs.get(), "B packed once for the generic plan and three specializations");
    }

    /** The default kernels, counting how often B is packed. */
    private static final class CountingKernels implements KernelProvider {
        final KernelProvider inner;
        final AtomicInteger packs = new AtomicInteger();
        final QGemmKernel qgemm;

        CountingKernels(KernelProvider inner) {
            this.inner = inner;
            QGemmKernel q = inner.qgemm();
            this.qgemm = new QGemmKernel() {
                @Override
                public String id() {
                    return q.id();
                }

                @Override
                public int rowTile() {
                    return q.rowTile();
                }

                @Override
                public PackedB packB(byte[] b, int offset, int k, int n, boolean unsigned, boolean transposed) {
                    packs.incrementAndGet();
                    return q.packB(b, offset, k, n, unsigned, transposed);
                }

                @Override
                public void resetA(int m, int k, boolean rowSums, PreparedA out) {
                    q.resetA(m, k, rowSums, out);
                }

                @Override
                public void prepareRows(int i0, int i1, byte[] a, int aOffset, int lda, boolean unsigned, PreparedA out) {
                    q.prepareRows(i0, i1, a, aOffset, lda, unsigned, out);
                }

                @Override
                public QuantizeKernels epilogue() {
                    return q.epilogue();
                }

                @Override
                public void multiply(PreparedA a, int m0, int m1, PackedB b, int n0, int n1, int[] c, int cOffset,
                                     int ldc, int flush) {
                    q.multiply(a, m0, m1, b, n0, n1, c, cOffset, ldc, flush);
                }

                @Override
                public PackedB packWideB(int[] b, int k, int n) {
                    packs.incrementAndGet();
                    return q.packWideB(b, k, n);
                }

                @Override
                public void prepareRows(int i0, int i1, float[] a, int aOffset, int lda, PreparedA out) {
                    q.prepareRows(i0, i1, a, aOffset, lda, out);
                }
            };
        }

        @Override
        public dev.octet.kernel.DirectConvKernels directConv() {
            return inner.directConv();
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public int vectorBits() {
            return inner.vectorBits();
        }

        @Override
        public QGemmKernel qgemm() {
            return qgemm;
        }

        @Override
        public FloatKernels floats() {
            return inner.floats();
        }

        @Override
        public QuantizeKernels quantize() {
            return inner.quantize();
        }

        @Override
        public DepthwiseKernels depthwise() {
            return inner.depthwise();
        }

        @Override
        public PoolKernels pool() {
            return inner.pool();
        }

        @Override
        public WinogradKernels winograd() {
            return inner.winograd();
        }
    }
}
