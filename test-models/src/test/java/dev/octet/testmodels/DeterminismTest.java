package dev.octet.testmodels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.octet.api.SessionOptions;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Graph;
import dev.octet.ir.ValueInfo;
import dev.octet.models.BundledModels;
import dev.octet.onnx.OnnxImporter;
import dev.octet.onnx.TensorProtos;
import dev.octet.onnx.conformance.OnnxTestRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Octet's promise: one model and one input give bit-identical outputs with the scalar or the vector kernels,
 * at every vector width, with any number of threads.
 */
class DeterminismTest {
    /** Every provider, width and thread count a user can pick. */
    static List<SessionOptions> configurations() {
        List<SessionOptions> all = new ArrayList<>();
        for (String provider : List.of("scalar", "vector-128", "vector-256", "vector-512")) {
            for (int threads : new int[] {1, 2, 3}) {
                String[] p = provider.split("-");
                all.add(SessionOptions.builder().provider(p[0]).vectorBits(p.length > 1 ? Integer.parseInt(p[1]) : 0)
                    .threads(threads).build());
            }
        }
        return all;
    }

    static String label(SessionOptions o) {
        return o.provider() + (o.vectorBits() == 0 ? "" : "-" + o.vectorBits()) + " threads=" + o.threads();
    }

    static String hash(Map<String, Tensor> outputs) {
        return TensorProtos.sha256(outputs.values());
    }

    /** The outputs' hash under every configuration, which must all agree. */
    private static void assertSameEverywhere(Graph graph, Map<String, Tensor> inputs, String what) throws Exception {
        String first = null;
        String firstLabel = null;
        for (SessionOptions o : configurations()) {
            try (CompiledSession s = new CompiledSession(graph, o)) {
                String h = hash(s.run(inputs));
                if (first == null) {
                    first = h;
                    firstLabel = label(o);
                } else {
                    assertEquals(first, h, what + ": " + label(o) + " differs from " + firstLabel);
                }
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> onnxNodeSuite() throws Exception {
        return nodeTests(OnnxTestRunner.discover(List.of(TestData.onnxNodeTests())));
    }

    /** Every test of the full suite that Octet passes (those on its expected-failure list are refused at load). */
    @TestFactory
    Stream<DynamicTest> onnxNodeFullSuite() throws Exception {
        KnownFailureList refused = KnownFailureList.load(OnnxNodeFullConformanceTest.LIST);
        return nodeTests(OnnxTestRunner.discover(List.of(TestData.onnxNodeFullTests())).stream()
            .filter(dir -> refused.reason(dir.getFileName().toString()) == null).toList());
    }

    private static Stream<DynamicTest> nodeTests(List<Path> dirs) {
        return dirs.stream()
            .map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
                Graph g = OnnxImporter.load(dir.resolve("model.onnx"));
                List<ValueInfo> inputs = g.runtimeInputs();
                Map<String, Tensor> feed = new LinkedHashMap<>();
                Path set = dir.resolve("test_data_set_0");
                for (int i = 0; i < inputs.size() && Files.exists(set.resolve("input_" + i + ".pb")); i++) {
                    feed.put(inputs.get(i).name(), TensorProtos.read(set.resolve("input_" + i + ".pb")));
                }
                assertSameEverywhere(g, feed, dir.getFileName().toString());
            }));
    }

    @Test
    void mobileNetV2Qdq() throws Exception {
        Path dir = TestData.mobileNetV2Qdq();
        assertSameEverywhere(OnnxImporter.load(dir.resolve("model.onnx")),
            Map.of("image", TensorProtos.read(dir.resolve("test_data_set_0/input_0.pb"))), "mobilenetv2-qdq");
    }

    /** Side 36: the U-Net's ceil-mode pools and non-integer Resize scales, odd widths for the vector tails. */
    @Test
    void generatedQuantizedCnns() throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        float[] image = new float[3 * 36 * 36];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) r.nextDouble();
        }
        for (QuantizedCnns.Kind kind : QuantizedCnns.Kind.values()) {
            Graph g = OnnxImporter.load(QuantizedCnns.generate(kind, 36, QuantizedCnns.DEFAULT_SEED));
            assertSameEverywhere(g, Map.of("input", Tensor.ofFloats(image, 1, 3, 36, 36)), kind.modelName());
        }
    }

    @Test
    void miniLm() throws Exception {
        Graph g = OnnxImporter.load(BundledModels.minilmModel());
        for (int seq : new int[] {37, 128}) {
            assertSameEverywhere(g, textInputs(2, seq), "minilm batch 2 seq " + seq);
        }
    }

    /** Token ids in a realistic range with [CLS]/[SEP], the second row padded for its last 5 positions. */
    static Map<String, Tensor> textInputs(int batch, int seq) {
        SplittableRandom r = new SplittableRandom(seq);
        long[] ids = new long[batch * seq];
        long[] mask = new long[batch * seq];
        for (int b = 0; b < batch; b++) {
            int len = b == 1 ? seq - 5 : seq;
            for (int t = 0; t < seq; t++) {
                int i = b * seq + t;
                ids[i] = t == 0 ? 101 : t == len - 1 ? 102 : t < len ? 1000 + r.nextInt(29000) : 0;
                mask[i] = t < len ? 1 : 0;
            }
        }
        return Map.of("input_ids", Tensor.ofLongs(ids, batch, seq), "attention_mask", Tensor.ofLongs(mask, batch, seq),
            "token_type_ids", Tensor.ofLongs(new long[batch * seq], batch, seq));
    }
}
