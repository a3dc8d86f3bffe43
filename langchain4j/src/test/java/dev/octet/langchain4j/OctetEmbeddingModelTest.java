package dev.octet.langchain4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.store.embedding.CosineSimilarity;
import dev.octet.models.BundledModels;
import dev.octet.text.SentenceEmbedder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OctetEmbeddingModel against the LangChain4j model it replaces, which runs the same MiniLM on ONNX Runtime. */
class OctetEmbeddingModelTest {
    private static OctetEmbeddingModel octet;

    @BeforeAll
    static void load() {
        octet = new OctetEmbeddingModel();
    }

    @AfterAll
    static void close() {
        octet.close();
    }

    private static List<TextSegment> sentences() throws IOException {
        try (InputStream in = OctetEmbeddingModelTest.class.getResourceAsStream("/sentences.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank())
                .map(TextSegment::from).toList();
        }
    }

    @Test
    void agreesWithLangChain4jsOnnxRuntimeModel() throws Exception {
        List<TextSegment> segments = sentences();
        EmbeddingModel reference = new AllMiniLmL6V2QuantizedEmbeddingModel();
        Response<List<Embedding>> expected = reference.embedAll(segments);
        Response<List<Embedding>> actual = octet.embedAll(segments);
        assertEquals(segments.size(), actual.content().size());
        double sum = 0;
        double min = 1;
        int argmin = -1;
        int identical = 0;
        double maxDiff = 0;
        long truncated = octet.embedder().embedAll(segments.stream().map(TextSegment::text).toList()).stream()
            .filter(SentenceEmbedder.SentenceEmbedding::truncated).count();
        for (int i = 0; i < segments.size(); i++) {
            double cosine = CosineSimilarity.between(actual.content().get(i), expected.content().get(i));
            float[] a = actual.content().get(i).vector();
            float[] e = expected.content().get(i).vector();
            identical += java.util.Arrays.equals(a, e) ? 1 : 0;
            for (int j = 0; j < a.length; j++) {
                maxDiff = Math.max(maxDiff, Math.abs(a[j] - e[j]));
            }
            sum += cosine;
            if (cosine < min) {
                min = cosine;
                argmin = i;
            }
            // Both keep the tokenizer.json's 128 ids and count word pieces without [CLS] and [SEP].
            int tokens = octet.embed(segments.get(i)).tokenUsage().inputTokenCount();
            assertEquals(reference.embed(segments.get(i)).tokenUsage().inputTokenCount(), tokens, "tokens of text " + i);
        }
        double mean = sum / segments.size();
        System.out.printf("OctetEmbeddingModel vs AllMiniLmL6V2QuantizedEmbeddingModel: %d texts (%d truncated to 128"
            + " ids), mean cosine %.9f, min %.9f (text %d), %d vectors bit for bit identical, max abs diff %.3g%n",
            segments.size(), truncated, mean, min, argmin, identical, maxDiff);
        assertTrue(segments.size() >= 50 && truncated >= 2, "the texts must include some over 128 tokens");
        assertEquals(expected.tokenUsage().inputTokenCount(), actual.tokenUsage().inputTokenCount());
        // ORT's arithmetic underneath and LangChain4j's pooling on top: the very vectors LangChain4j stores.
        assertEquals(segments.size(), identical, "vectors bit for bit equal to LangChain4j's; max abs diff " + maxDiff);
        assertEquals(reference.dimension(), octet.dimension());
    }

    @Test
    void aModelAndTokenizerFromFilesEmbedLikeTheBundledOne(@TempDir Path dir) throws Exception {
        Path model = Files.write(dir.resolve("all-minilm.onnx"), BundledModels.minilmModelBytes());
        Path tokenizer = Files.write(dir.resolve("tokenizer.json"), BundledModels.minilmTokenizerBytes());
        List<TextSegment> texts = sentences().subList(0, 5);
        try (OctetEmbeddingModel fromFiles = OctetEmbeddingModel.fromFiles(model, tokenizer)) {
            assertEquals("all-minilm", fromFiles.modelName());
            assertEquals(128, fromFiles.embedder().maxLength(), "the tokenizer.json's truncation");
            List<Embedding> a = fromFiles.embedAll(texts).content();
            List<Embedding> b = octet.embedAll(texts).content();
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(b.get(i).vector(), a.get(i).vector());
            }
        }
    }

    /** The README's example, verbatim between the markers. */
    @Test
    void readmeExample() {
        // README example start
        try (OctetEmbeddingModel model = new OctetEmbeddingModel()) { // the bundled all-MiniLM-L6-v2-q
            Embedding question = model.embed("How do I make pancakes?").content();
            List<Embedding> answers = model.embedAll(List.of(
                TextSegment.from("Whisk flour, eggs and milk, then fry ladlefuls in a hot pan."),
                TextSegment.from("The train to Berlin leaves from platform three."))).content();
            double recipe = CosineSimilarity.between(question, answers.get(0));
            double train = CosineSimilarity.between(question, answers.get(1));
            System.out.printf("dimension %d, recipe %.3f, train %.3f%n", model.dimension(), recipe, train);
            // README example end
            assertTrue(recipe > train + 0.2, recipe + " vs " + train);
            assertEquals(384, question.dimension());
            assertEquals(1.0, Math.sqrt(Arrays.stream(question.vectorAsDoubleArray()).map(v -> v * v).sum()), 1e-5);
        }
    }
}
