package dev.octet.testmodels;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.octet.api.SessionOptions;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Graph;
import dev.octet.models.BundledModels;
import dev.octet.onnx.OnnxImporter;
import dev.octet.onnx.TensorProtos;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Once the JIT has compiled the kernels, an inference allocates little more than its outputs: the session's
 * buffer pool reuses the arrays of intermediate tensors and kernels keep per-thread scratch. Until C2 has
 * compiled a Vector API kernel it runs allocating fallback code, so the test runs until one inference stays
 * under the bound (or gives up after a budget), rather than after a fixed warm-up. It runs in a JVM of its own (tag
 * "steady-state", see the pom): the other tests' shapes would otherwise have shaped the kernels' compilations.
 */
@Tag("steady-state")
class SteadyStateAllocationTest {
    /**
     * Beyond the outputs, what a run may allocate: the small objects each step creates (tensors, their shapes, the
     * result arrays). A run allocated ~7 MB before the buffer pool; MiniLM still ~247 KB before its matmuls read B's
     * constant zero points once and the float GEMM's partial tiles stopped boxing their vectors, and ~44 KB beyond
     * its outputs (MobileNetV2 ~122 KB) before the executor reused its slot arrays, convolutions and matmuls kept
     * their shapes and scales from the call before, and the session limit stopped boxing the heap's limit per tensor.
     */
    private static final long PER_RUN_BYTES = 24 << 10;
    private static final int MAX_RUNS = 4000;
    private static final long MAX_NANOS = 90_000_000_000L;
    private static final int DIAGNOSED_RUNS = 50;

    @Test
    void miniLmSettlesToItsOutputs() throws Exception {
        // last_hidden_state [1, 16, 384] floats.
        assertSettles("MiniLM batch 1 seq 16", OnnxImporter.load(BundledModels.minilmModel()),
            DeterminismTest.textInputs(1, 16), 16 * 384 * Float.BYTES);
    }

    @Test
    void mobileNetV2SettlesToItsOutputs() throws Exception {
        java.nio.file.Path dir = TestData.mobileNetV2Qdq();
        assertSettles("MobileNetV2-QDQ", OnnxImporter.load(dir.resolve("model.onnx")),
            Map.of("image", TensorProtos.read(dir.resolve("test_data_set_0/input_0.pb"))), 1000 * Float.BYTES);
    }

    /**
     * A [1, 1, 64, 64] float mask. It allocated 52 KB a run before its Winograd convolutions kept their tile layouts
     * and column terms, its Resizes their coordinate tables, and its float NHWC -> NCHW transpose stopped building
     * an index map as large as the output.
     */
    @Test
    void dynamicUnetSettlesToItsOutputs() throws Exception {
        assertSettles("the dynamically quantized U-Net at 64x64", OnnxImporter.load(QuantizedCnns.generate(
            QuantizedCnns.Kind.UNET_DYNAMIC, 64, QuantizedCnns.DEFAULT_SEED)), DynamicConvFusionTest.input(1),
            64 * 64 * Float.BYTES);
    }

    /** Its boxes and class scores: Q/DQ convolutions, nearest Resize, Concat, shape arithmetic and a Softmax head. */
    @Test
    void vitisDetectorSettlesToItsOutputs() throws Exception {
        Graph g = OnnxImporter.load(QuantizedCnns.generate(QuantizedCnns.Kind.VITIS_DETECTOR, 64,
            QuantizedCnns.DEFAULT_SEED));
        Map<String, Tensor> inputs = Map.of(g.runtimeInputs().getFirst().name(),
            DynamicConvFusionTest.input(1).get("input"));
        long outputBytes;
        try (CompiledSession session = new CompiledSession(g, SessionOptions.DEFAULTS)) {
            outputBytes = session.run(inputs).values().stream().mapToLong(t -> 4L * t.size()).sum();
        }
        assertSettles("the Vitis-style detector at 64x64", g, inputs, outputBytes);
    }

    private static void assertSettles(String what, Graph g, Map<String, Tensor> inputs, long outputBytes) {
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
                if (last < outputBytes + PER_RUN_BYTES) {
                    return;
                }
            }
            fail(what + " still allocated " + last + " bytes per inference after warming up, its outputs "
                + outputBytes + "; where, over " + DIAGNOSED_RUNS + " more runs: " + allocationSites(session, inputs));
        }
    }

    /**
     * The methods that allocate in a run that should not: a flight recording of a few more runs, its allocation
     * samples summed by their innermost Octet frame (a kernel left uncompiled by C2 boxes its vectors there).
     */
    private static String allocationSites(CompiledSession session, Map<String, Tensor> inputs) {
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ObjectAllocationSample").withStackTrace().with("throttle", "10000/s");
            recording.start();
            for (int run = 0; run < DIAGNOSED_RUNS; run++) {
                session.run(inputs);
            }
            recording.stop();
            Path file = Files.createTempFile("octet-allocation", ".jfr");
            try {
                recording.dump(file);
                Map<String, Long> bytes = new HashMap<>();
                Set<Long> threadsSeen = new HashSet<>();
                List<RecordedEvent> events = RecordingFile.readAllEvents(file);
                events.sort(Comparator.comparing(RecordedEvent::getStartTime));
                for (RecordedEvent event : events) {
                    // A sample weighs what its thread allocated since the one before: a thread's first sample in the
                    // recording carries all it allocated before the recording.
                    if (event.getThread("eventThread") != null
                        && threadsSeen.add(event.getThread("eventThread").getJavaThreadId())) {
                        continue;
                    }
                    if (event.getStackTrace() != null) {
                        String site = event.getStackTrace().getFrames().stream().map(RecordedFrame::getMethod)
                            .filter(m -> m.getType().getName().startsWith("dev.octet."))
                            .map(m -> m.getType().getName() + "::" + m.getName()).findFirst().orElse("outside Octet");
                        bytes.merge(site, event.getLong("weight"), Long::sum);
                    }
                }
                return bytes.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .limit(6).map(e -> e.getKey() + " ~" + e.getValue() / DIAGNOSED_RUNS + " B/run")
                    .collect(Collectors.joining(", "));
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (java.io.IOException | RuntimeException e) {
            return "(no flight recording: " + e + ")";
        }
    }
}
