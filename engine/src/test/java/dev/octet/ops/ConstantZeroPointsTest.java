package dev.octet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.compile.Compiler;
import dev.octet.exec.ExecutionPlan;
import dev.octet.exec.Executor;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import dev.octet.kernel.KernelProviders;
import dev.octet.kernel.Parallel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * B's zero points read once at load ({@link QParams.ConstantZeroPoints}): the values a constant gives, run after
 * run and shape after shape; a zero point fed at run time over an initializer's default is the one used; a constant
 * of the wrong length is still refused.
 */
class ConstantZeroPointsTest {
    private static final int K = 5;
    private static final int N = 7;
    private static final byte[] B = new byte[K * N];
    private static final byte[] ZB = new byte[N];

    static {
        for (int i = 0; i < B.length; i++) {
            B[i] = (byte) (i * 37 - 100);
        }
        for (int j = 0; j < N; j++) {
            ZB[j] = (byte) (j * 9 - 30);
        }
    }

    /** MatMulInteger(a, b, azp = 3, bzp): b and bzp initializers, bzp also a graph input when {@code overridable}. */
    private static ExecutionPlan plan(byte[] zb, boolean overridable) {
        List<ValueInfo> inputs = new ArrayList<>();
        inputs.add(new ValueInfo("a", DataType.UINT8, DataType.UINT8.onnxCode(), List.of(Dim.symbol("m"), Dim.of(K))));
        if (overridable) {
            inputs.add(new ValueInfo("bzp", DataType.INT8, DataType.INT8.onnxCode(), List.of(Dim.of(zb.length))));
        }
        Map<String, Tensor> initializers = new HashMap<>();
        initializers.put("b", Tensor.ofInt8(B, K, N));
        initializers.put("azp", Tensor.ofUint8(new byte[] {3}));
        initializers.put("bzp", Tensor.ofInt8(zb, zb.length));
        Graph g = new Graph("g", inputs, List.of(new ValueInfo("y", null, 0, null)), initializers,
            List.of(new Node("mm", "MatMulInteger", "", List.of("a", "b", "azp", "bzp"), List.of("y"), Map.of())),
            Map.of("", 13), Map.of());
        Compiler compiler = new Compiler(OpRegistry.defaults(), List.of(),
            new OpEnvironment(KernelProviders.get(), Parallel.SERIAL));
        return compiler.compile(g);
    }

    private static byte[] a(int m) {
        byte[] a = new byte[m * K];
        for (int i = 0; i < a.length; i++) {
            a[i] = (byte) (i * 11);
        }
        return a;
    }

    private static int[] expected(byte[] a, int m, byte[] zb) {
        int[] y = new int[m * N];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < N; j++) {
                for (int p = 0; p < K; p++) {
                    y[i * N + j] += ((a[i * K + p] & 0xFF) - 3) * (B[p * N + j] - zb[j]);
                }
            }
        }
        return y;
    }

    @Test
    void aConstantPerColumnZeroPointGivesTheSameProductsRunAfterRun() {
        ExecutionPlan plan = plan(ZB, false);
        for (int m : new int[] {3, 4, 3, 9}) {
            byte[] a = a(m);
            int[] y = Executor.run(plan, Map.of("a", Tensor.ofUint8(a, m, K))).get("y").ints();
            assertArrayEquals(expected(a, m, ZB), y, "m=" + m);
        }
    }

    @Test
    void aZeroPointFedAtRunReplacesTheInitializersDefault() {
        ExecutionPlan plan = plan(ZB, true);
        byte[] fed = new byte[N];
        for (int j = 0; j < N; j++) {
            fed[j] = (byte) (50 - 13 * j);
        }
        byte[] a = a(4);
        Map<String, Tensor> inputs = Map.of("a", Tensor.ofUint8(a, 4, K), "bzp", Tensor.ofInt8(fed, N));
        assertArrayEquals(expected(a, 4, fed), Executor.run(plan, inputs).get("y").ints());
        assertArrayEquals(expected(a, 4, ZB), Executor.run(plan, Map.of("a", Tensor.ofUint8(a, 4, K))).get("y").ints());
    }

    @Test
    void aConstantZeroPointOfTheWrongLengthIsRefused() {
        OctetException e = assertThrows(OctetException.class,
            () -> Executor.run(plan(new byte[] {1, 2, 3}, false), Map.of("a", Tensor.ofUint8(a(2), 2, K))));
        assertEquals(ErrorCode.INVALID_SHAPE, e.code(), e.getMessage());
    }
}
