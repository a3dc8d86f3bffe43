package dev.octet.testmodels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.SessionOptions;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Graph;
import dev.octet.models.BundledModels;
import dev.octet.onnx.OnnxImporter;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The warm-up gate switches kernels from scalar arithmetic to vector code while sessions run: MiniLM's outputs must
 * be the bits of the ungated vector kernels before, during and after the switch, at 1 and 2 threads. This is the only
 * test of the module that turns the gate on (surefire sets {@code octet.warmup=false}), so its first run is cold.
 */
class WarmupSwitchTest {
    @Test
    void miniLmGivesTheVectorKernelsBitsBeforeDuringAndAfterTheSwitch() throws Exception {
        Graph g = OnnxImporter.load(BundledModels.minilmModel());
        Map<String, Tensor> inputs = DeterminismTest.textInputs(2, 37);
        String expected;
        try (CompiledSession vector = new CompiledSession(g,
            SessionOptions.builder().provider("vector").warmup(false).build())) {
            expected = DeterminismTest.hash(vector.run(inputs));
        }
        try (CompiledSession one = new CompiledSession(g,
                 SessionOptions.builder().provider("vector").warmup(true).threads(1).build());
             CompiledSession two = new CompiledSession(g,
                 SessionOptions.builder().provider("vector").warmup(true).threads(2).build())) {
            int coldRuns = 0;
            int warmRuns = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            // Keep running through the switch, then a few runs on warm kernels only.
            while (warmRuns < 4) {
                assertTrue(System.nanoTime() < deadline, "the warm-up never finished: " + one.kernelDescription());
                boolean warming = one.kernelsWarming();
                for (CompiledSession s : new CompiledSession[] {one, two}) {
                    assertEquals(expected, DeterminismTest.hash(s.run(inputs)),
                        (warming ? "while warming" : "after the switch") + ", threads=" + s.options().threads());
                }
                if (warming) {
                    coldRuns++;
                } else {
                    warmRuns++;
                }
            }
            // The float kernels' gates close until their first call, so the first runs took the scalar path.
            assertTrue(coldRuns > 0, "no run saw the gate closed");
        }
    }
}
