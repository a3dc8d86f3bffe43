package dev.octet.testmodels;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.octet.api.SessionOptions;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Graph;
import dev.octet.models.BundledModels;
import dev.octet.onnx.OnnxImporter;
import java.lang.management.ManagementFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Once the JIT has compiled the kernels, an inference allocates little more than its outputs: the session's
 * buffer pool reuses the arrays of intermediate tensors and kernels keep per-thread scratch. Until C2 has
 * compiled a Vector API kernel it runs allocating fallback code, so the test runs until one inference stays
 * under the bound (or gives up after a budget), rather than after a fixed warm-up.
 */
class SteadyStateAllocationTest {
    /**
     * The outputs (MiniLM's at seq 16: 25 KB) plus small per-call objects. A run allocated ~7 MB before the buffer
     * pool, and MiniLM still ~247 KB before its matmuls read B's constant zero points once and the float GEMM's
     * partial tiles stopped boxing their vectors.
     */
    private static final long BOUND_BYTES = 96 << 10;
    private static final int MAX_RUNS = 4000;
    private static final long MAX_NANOS = 90_000_000_000L;

    @Test
    void miniLmSettlesToItsOutputs() throws Exception {
        assertSettles("MiniLM batch 1 seq 16", OnnxImporter.load(BundledModels.minilmModel()),
            DeterminismTest.textInputs(1, 16));
    }

    @Test
    void dynamicUnetSettlesToItsOutputs() throws Exception {
        assertSettles("the dynamically quantized U-Net at 64x64", OnnxImporter.load(QuantizedCnns.generate(
            QuantizedCnns.Kind.UNET_DYNAMIC, 64, QuantizedCnns.DEFAULT_SEED)), DynamicConvFusionTest.input(1));
    }

    private static void assertSettles(String what, Graph g, Map<String, Tensor> inputs) {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
            && t.isThreadAllocatedMemorySupported(), "the JVM counts allocated bytes per thread");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (CompiledSession session = new CompiledSession(g, SessionOptions.DEFAULTS)) {
            long start = System.nanoTime();
            long last = Long.MAX_VALUE;
            for (int run = 0; run < MAX_RUNS && System.nanoTime() - start < MAX_NANOS; run++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                session.run(inputs);
                last = threads.getCurrentThreadAllocatedBytes() - before;
                if (last < BOUND_BYTES) {
                    return;
                }
            }
            fail(what + " still allocated " + last + " bytes per inference after warming up");
        }
    }
}
