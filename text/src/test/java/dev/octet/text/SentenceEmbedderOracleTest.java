package dev.octet.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.octet.models.BundledModels;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Octet's embeddings against LangChain4j's own all-MiniLM-L6-v2-q model (ONNX Runtime, default graph
 * optimizations), and, for scale, ONNX Runtime's own agreement with itself when its optimizations are off.
 *
 * <p>LangChain4j keeps the tokenizer.json's truncation at 128 tokens, while Octet truncates at 512; texts
 * longer than 128 tokens are therefore compared with ONNX Runtime (default optimizations, as LangChain4j
 * configures it) run on Octet's own 512 ids instead.
 */
class SentenceEmbedderOracleTest {
    private static final int LANGCHAIN4J_MAX_TOKENS = 128;

    @Test
    void embeddingsMatchLangChain4j() throws Exception {
        List<String> texts = OracleSentences.load();
        SentenceEmbedder octet = SentenceEmbedder.load(BundledModels.MINILM);
        long t0 = System.nanoTime();
        float[][] ours = octet.embed(texts);
        System.out.printf("octet: %d texts embedded in %.1f s, one per run%n", texts.size(), (System.nanoTime() - t0) / 1e9);
        // For the record only: batches share the dynamic quantization range (see SentenceEmbedder.DEFAULT_BATCH_SIZE).
        SentenceEmbedder batched = SentenceEmbedder.load(BundledModels.MINILM,
            SentenceEmbedder.Options.builder().batchSize(8).build());
        t0 = System.nanoTime();
        float[][] oursBatched = batched.embed(texts);
        System.out.printf("octet: %d texts embedded in %.1f s, 8 per run%n", texts.size(), (System.nanoTime() - t0) / 1e9);

        AllMiniLmL6V2QuantizedEmbeddingModel langchain4j = new AllMiniLmL6V2QuantizedEmbeddingModel();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        byte[] model = BundledModels.minilmModelBytes();
        try (OrtSession.SessionOptions noOpt = new OrtSession.SessionOptions();
             OrtSession.SessionOptions defaults = new OrtSession.SessionOptions()) {
            noOpt.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            try (OrtSession ortNoOpt = env.createSession(model, noOpt); OrtSession ortDefault = env.createSession(model, defaults)) {
                Stats octetVsLc4j = new Stats();
                Stats octetBatchedVsLc4j = new Stats();
                Stats ortNoOptVsLc4j = new Stats();
                Stats octetVsOrtLong = new Stats();
                int identical = 0;
                int identicalLong = 0;
                for (int i = 0; i < texts.size(); i++) {
                    int[] ids = octet.tokenizer().encode(texts.get(i));
                    Response<Embedding> r = langchain4j.embed(texts.get(i));
                    // LangChain4j reports the word pieces without [CLS] and [SEP].
                    int lc4jTokens = r.tokenUsage().inputTokenCount() + 2;
                    if (ids.length <= LANGCHAIN4J_MAX_TOKENS) {
                        assertEquals(ids.length, lc4jTokens, "LangChain4j token count of text " + i);
                        float[] expected = r.content().vector();
                        float[] unoptimized = ortEmbedding(env, ortNoOpt, ids);
                        octetVsLc4j.add(cosine(ours[i], expected), i);
                        identical += Arrays.equals(ours[i], expected) ? 1 : 0;
                        octetBatchedVsLc4j.add(cosine(oursBatched[i], expected), i);
                        ortNoOptVsLc4j.add(cosine(unoptimized, expected), i);
                    } else {
                        assertEquals(LANGCHAIN4J_MAX_TOKENS, lc4jTokens, "LangChain4j truncation of text " + i);
                        System.out.printf("text %d: %d ids for Octet, %d for LangChain4j; cosine between the two %.6f%n",
                            i, ids.length, lc4jTokens, cosine(ours[i], r.content().vector()));
                        float[] ort = ortEmbedding(env, ortDefault, ids);
                        octetVsOrtLong.add(cosine(ours[i], ort), i);
                        identicalLong += Arrays.equals(ours[i], ort) ? 1 : 0;
                    }
                }
                System.out.println("octet vs LangChain4j:                       " + octetVsLc4j + ", bit for bit equal: "
                    + identical);
                System.out.println("octet, 8 per batch, vs LangChain4j:         " + octetBatchedVsLc4j);
                System.out.println("ORT (optimizations off) vs LangChain4j:     " + ortNoOptVsLc4j);
                System.out.println("octet vs ORT default, texts over " + LANGCHAIN4J_MAX_TOKENS + " tokens: " + octetVsOrtLong
                    + ", bit for bit equal: " + identicalLong);
                assertTrue(octetVsLc4j.count >= 30 && octetVsOrtLong.count >= 1);
                // LangChain4j runs ORT's optimized graph; Octet fuses the same patterns and computes them in the
                // fused kernels' arithmetic, ORT's transcendentals included, and pools and normalizes as LangChain4j
                // does: one text per run gives LangChain4j's very vectors (unoptimized ORT: mean cosine 0.9993).
                assertEquals(octetVsLc4j.count, identical, "bit for bit equal to LangChain4j: " + octetVsLc4j);
                assertEquals(octetVsOrtLong.count, identicalLong, "long texts bit for bit equal to ORT: " + octetVsOrtLong);
            }
        }
    }

    /** Batch-1 ONNX Runtime run of the given ids, mean-pooled and normalized like SentenceEmbedder. */
    private static float[] ortEmbedding(OrtEnvironment env, OrtSession session, int[] ids) throws OrtException {
        long[] inputIds = Arrays.stream(ids).asLongStream().toArray();
        long[] ones = new long[ids.length];
        Arrays.fill(ones, 1);
        long[] shape = {1, ids.length};
        try (OnnxTensor a = OnnxTensor.createTensor(env, LongBuffer.wrap(inputIds), shape);
             OnnxTensor m = OnnxTensor.createTensor(env, LongBuffer.wrap(ones), shape);
             OnnxTensor t = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length]), shape);
             OrtSession.Result r = session.run(Map.of("input_ids", a, "attention_mask", m, "token_type_ids", t))) {
            float[][] hidden = ((float[][][]) r.get("last_hidden_state").orElseThrow().getValue())[0];
            int dims = hidden[0].length;
            float[] flat = new float[ids.length * dims];
            for (int s = 0; s < ids.length; s++) {
                System.arraycopy(hidden[s], 0, flat, s * dims, dims);
            }
            return SentenceEmbedder.meanPoolAndNormalize(flat, ones, 1, ids.length, dims)[0];
        }
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    private static final class Stats {
        int count;
        double sum;
        double min = Double.POSITIVE_INFINITY;
        int argmin = -1;

        void add(double v, int index) {
            count++;
            sum += v;
            if (v < min) {
                min = v;
                argmin = index;
            }
        }

        double mean() {
            return sum / count;
        }

        @Override
        public String toString() {
            return String.format("n=%d mean=%.6f min=%.6f (text %d)", count, mean(), min, argmin);
        }
    }
}
