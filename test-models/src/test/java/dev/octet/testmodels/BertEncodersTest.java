package dev.octet.testmodels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.models.BundledModels;
import dev.octet.onnx.OnnxImporter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The generated BERT-style encoder against the export it imitates: the same operators in the same proportions per
 * layer as the bundled MiniLM, and the same fused plan per layer. The comparison with ONNX Runtime is in
 * kernels-bench.
 */
class BertEncodersTest {
    private static final BertEncoders.Dims SIX_LAYERS = new BertEncoders.Dims(6, 384, 12, 1536, 1000);

    @Test
    void theSameSeedGivesTheSameBytesAndAnotherSeedOtherWeights() {
        BertEncoders.Dims tiny = new BertEncoders.Dims(1, 32, 4, 64, 50);
        byte[] a = BertEncoders.generate(tiny, 1);
        assertArrayEquals(a, BertEncoders.generate(tiny, 1));
        assertFalse(Arrays.equals(a, BertEncoders.generate(tiny, 2)));
    }

    /** Six generated layers hold MiniLM's six layers' operators, each as often (Constant nodes aside). */
    @Test
    void holdsTheOperatorsOfTheExportItImitates() {
        Graph minilm = OnnxImporter.load(BundledModels.minilmModel());
        Graph generated = OnnxImporter.load(BertEncoders.generate(SIX_LAYERS, BertEncoders.DEFAULT_SEED));
        assertEquals(opCounts(minilm), opCounts(generated));
        assertEquals(minilm.runtimeInputs().stream().map(v -> v.name() + v.type() + v.shape().size()).toList(),
            generated.runtimeInputs().stream().map(v -> v.name() + v.type() + v.shape().size()).toList());
    }

    private static Map<String, Long> opCounts(Graph g) {
        return g.nodes().stream().map(Node::opType).filter(op -> !op.equals("Constant"))
            .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
    }

    /** Octet fuses the twelve layers as it fuses MiniLM's six (MiniLmFusionTest). */
    @Test
    void twelveLayersFuseAsMiniLmDoes() {
        Graph graph = OnnxImporter.load(BertEncoders.generate(BertEncoders.TWELVE_LAYERS, BertEncoders.DEFAULT_SEED));
        try (CompiledSession s = new CompiledSession(graph)) {
            TransformerPlans.assertFused(s.executionSteps(), 12);
        }
    }

    /** The attention block alone fuses into one Attention, as inside the encoder. */
    @Test
    void theAttentionBlockFusesIntoOneAttention() {
        Graph graph = OnnxImporter.load(BertEncoders.generateAttention(BertEncoders.TWELVE_LAYERS));
        try (CompiledSession s = new CompiledSession(graph)) {
            List<String> ops = s.executionSteps().stream().map(step -> step.substring(step.lastIndexOf("(op ") + 4,
                step.length() - 1)).toList();
            assertEquals(1, ops.stream().filter(op -> op.equals("dev.octet.Attention")).count(), ops.toString());
            assertFalse(ops.contains("Softmax") || ops.contains("MatMul") || ops.contains("Transpose"), ops.toString());
        }
    }

    /**
     * The activations stay realistic through twelve layers: the output rows are LayerNorm outputs (mean about the
     * betas', spread about the gammas'), every element finite, tokens distinct from each other, and a padded position
     * does not change the unpadded tokens' rows beyond the quantization's reach.
     */
    @Test
    void twelveLayersKeepActivationsInRange() {
        Graph graph = OnnxImporter.load(BertEncoders.generate(BertEncoders.TWELVE_LAYERS, BertEncoders.DEFAULT_SEED));
        int seq = 9, hidden = BertEncoders.TWELVE_LAYERS.hidden();
        long[] ids = {101, 7, 512, 33, 999, 2, 640, 88, 5};
        long[] mask = new long[seq];
        Arrays.fill(mask, 1);
        float[] out;
        try (CompiledSession s = new CompiledSession(graph)) {
            out = s.run(Map.of("input_ids", Tensor.ofLongs(ids, 1, seq), "attention_mask", Tensor.ofLongs(mask, 1, seq),
                "token_type_ids", Tensor.ofLongs(new long[seq], 1, seq))).get("last_hidden_state").floats();
        }
        assertEquals(seq * hidden, out.length);
        for (int t = 0; t < seq; t++) {
            double sum = 0, squares = 0;
            for (int i = t * hidden; i < (t + 1) * hidden; i++) {
                assertTrue(Float.isFinite(out[i]), "element " + i + " is " + out[i]);
                sum += out[i];
                squares += (double) out[i] * out[i];
            }
            double mean = sum / hidden, rms = Math.sqrt(squares / hidden - mean * mean);
            assertTrue(Math.abs(mean) < 0.1 && rms > 0.5 && rms < 1.1, "token " + t + ": mean " + mean + ", spread " + rms);
            if (t > 0) {
                float[] previous = Arrays.copyOfRange(out, (t - 1) * hidden, t * hidden);
                assertFalse(Arrays.equals(previous, Arrays.copyOfRange(out, t * hidden, (t + 1) * hidden)),
                    "tokens " + (t - 1) + " and " + t + " have the same row");
            }
        }
    }

    @Test
    void impossibleDimensionsAreRefusedWithATypedError() {
        OctetException e = assertThrows(OctetException.class, () -> new BertEncoders.Dims(2, 100, 12, 64, 10));
        assertEquals(ErrorCode.INVALID_INPUT, e.code());
        assertTrue(e.getMessage().contains("hidden=100") && e.getMessage().contains("heads=12"), e.getMessage());
    }
}
