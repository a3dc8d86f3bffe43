package dev.octet.kernel.panama;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.octet.kernel.FloatKernels;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Once C2 has compiled it, the float GEMM allocates nothing, partial panels included (their tiles once passed
 * vectors to a store helper C2 did not inline, boxing them on every call: 2,784 bytes per call at 512 bits).
 * Until C2 has compiled the kernel it boxes everything, so the test calls it until a batch allocates nothing, or
 * fails after a budget; no timing is asserted.
 */
class FloatGemmAllocationTest {
    private static final int BATCH = 200;
    private static final long BUDGET_NANOS = 60_000_000_000L;

    @ParameterizedTest(name = "vector-{0}")
    @ValueSource(ints = {512, 256, 128})
    void partialPanelsSettleToNoAllocation(int bits) {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
            && t.isThreadAllocatedMemorySupported(), "the JVM counts allocated bytes per thread");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        FloatKernels f = new PanamaKernelProvider(bits).floats();
        // Attention's shapes at 20 tokens: every tile height, and 20 columns, a partial panel at every width.
        int m = 20, n = 20, k = 32;
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        float[] c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = i % 7 - 3;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = i % 5 - 2;
        }
        long start = System.nanoTime();
        long perCall = Long.MAX_VALUE;
        while (System.nanoTime() - start < BUDGET_NANOS) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < BATCH; i++) {
                f.gemm(m, n, k, a, 0, k, b, 0, n, false, c, 0, n);
            }
            perCall = (threads.getCurrentThreadAllocatedBytes() - before) / BATCH;
            if (perCall == 0) {
                return;
            }
        }
        fail("vector-" + bits + " float GEMM still allocates " + perCall + " bytes per call");
    }
}
