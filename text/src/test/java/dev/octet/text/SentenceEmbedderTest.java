package dev.octet.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Graph;
import dev.octet.models.BundledModels;
import dev.octet.onnx.OnnxImporter;
import dev.octet.onnx.OnnxModelBuilder;
import dev.octet.text.SentenceEmbedder.Options;
import dev.octet.text.SentenceEmbedder.Pooling;
import dev.octet.text.SentenceEmbedder.SentenceEmbedding;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedder's options, limits and results. The pooling arithmetic is checked on a one-node model whose
 * hidden state is an embedding-table lookup, so the expected vectors are computed by hand; the limits on the
 * bundled MiniLM.
 */
class SentenceEmbedderTest {
    private static final int VOCAB = 30522;
    private static final int DIMS = 3;
    private static final String LONG_TEXT = IntStream.range(0, 600).mapToObj(i -> "word").collect(Collectors.joining(" "));
    private static SentenceEmbedder minilm;

    @BeforeAll
    static void loadMiniLm() {
        minilm = SentenceEmbedder.load(BundledModels.MINILM);
    }

    @AfterAll
    static void closeMiniLm() {
        minilm.close();
    }

    private static WordPieceTokenizer bundledTokenizer() {
        return WordPieceTokenizer.fromJson(BundledModels.minilmTokenizerBytes(), "minilm tokenizer", 512);
    }

    /** last_hidden_state = table[input_ids], with table[t] = (t, 1, t % 7): a model whose output we know. */
    private static Graph lookupModel(Object seq) {
        float[] table = new float[VOCAB * DIMS];
        for (int t = 0; t < VOCAB; t++) {
            table[t * DIMS] = t;
            table[t * DIMS + 1] = 1;
            table[t * DIMS + 2] = t % 7;
        }
        byte[] model = new OnnxModelBuilder(17)
            .input("input_ids", DataType.INT64, "batch", seq).input("attention_mask", DataType.INT64, "batch", seq)
            .output("last_hidden_state", DataType.FLOAT, "batch", seq, DIMS)
            .initializer("word_embeddings", Tensor.ofFloats(table, VOCAB, DIMS))
            .node("Gather", List.of("word_embeddings", "input_ids"), List.of("last_hidden_state"))
            .toBytes();
        return OnnxImporter.load(model);
    }

    private static OctetException expectError(ErrorCode code, org.junit.jupiter.api.function.Executable e) {
        OctetException ex = assertThrows(OctetException.class, e);
        assertEquals(code, ex.code(), ex.getMessage());
        return ex;
    }

    @Test
    void modelWithoutTheEmbeddingInputsOrOutputIsAnInvalidModel() {
        byte[] noMask = new OnnxModelBuilder(17)
            .input("input_ids", DataType.INT64, "batch", "seq")
            .output("last_hidden_state", DataType.FLOAT, "batch", "seq", DIMS)
            .initializer("word_embeddings", Tensor.ofFloats(new float[VOCAB * DIMS], VOCAB, DIMS))
            .node("Gather", List.of("word_embeddings", "input_ids"), List.of("last_hidden_state"))
            .toBytes();
        OctetException e = expectError(ErrorCode.INVALID_MODEL,
            () -> new SentenceEmbedder(OnnxImporter.load(noMask), bundledTokenizer(), Options.DEFAULTS).close());
        assertTrue(e.getMessage().contains("attention_mask"), e.getMessage());
    }

    @Test
    void meanAndClsPoolingWithAndWithoutNormalization() {
        WordPieceTokenizer tokenizer = bundledTokenizer();
        int[] ids = tokenizer.encode("hello world"); // [CLS] hello world [SEP]
        assertEquals(4, ids.length);
        float[] mean = new float[DIMS];
        for (int id : ids) {
            mean[0] += id / 4f;
            mean[1] += 1 / 4f;
            mean[2] += (id % 7) / 4f;
        }
        Graph model = lookupModel("seq");
        Options raw = Options.builder().normalize(false).build();
        try (SentenceEmbedder meanRaw = new SentenceEmbedder(model, tokenizer, raw);
             SentenceEmbedder clsRaw = new SentenceEmbedder(model, tokenizer, Options.builder().normalize(false)
                 .pooling(Pooling.CLS).build());
             SentenceEmbedder meanUnit = new SentenceEmbedder(model, tokenizer, Options.DEFAULTS)) {
            assertArrayEquals(mean, meanRaw.embed(List.of("hello world"))[0], 1e-3f);
            assertArrayEquals(new float[] {ids[0], 1, ids[0] % 7}, clsRaw.embed(List.of("hello world"))[0]);
            float norm = (float) Math.sqrt(mean[0] * mean[0] + mean[1] * mean[1] + mean[2] * mean[2]);
            assertArrayEquals(new float[] {mean[0] / norm, mean[1] / norm, mean[2] / norm},
                meanUnit.embed(List.of("hello world"))[0], 1e-6f);
            assertEquals(DIMS, meanUnit.dimension());
        }
    }

    @Test
    void paddingInABatchDoesNotCountTowardsTheMean() {
        WordPieceTokenizer tokenizer = bundledTokenizer();
        Options batched = Options.builder().batchSize(3).build();
        List<String> texts = List.of("a much longer sentence than the others", "hi", "hello world");
        try (SentenceEmbedder one = new SentenceEmbedder(lookupModel("seq"), tokenizer, Options.DEFAULTS);
             SentenceEmbedder three = new SentenceEmbedder(lookupModel("seq"), tokenizer, batched)) {
            float[][] alone = one.embed(texts);
            float[][] together = three.embed(texts);
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(alone[i], together[i], 1e-6f, texts.get(i));
            }
        }
    }

    @Test
    void aDeclaredSequenceLengthIsTheLimitWhenThereIsNoPositionTable() {
        Graph model = lookupModel(8);
        assertEquals(8, SentenceEmbedder.positionLimit(model).getAsInt());
        try (SentenceEmbedder strict = new SentenceEmbedder(model, bundledTokenizer(), Options.builder().truncate(false).build());
             SentenceEmbedder lenient = new SentenceEmbedder(model, bundledTokenizer(), Options.DEFAULTS)) {
            assertEquals(8, strict.maxLength());
            assertFalse(strict.embedAll(List.of("one two three four five six")).getFirst().truncated());
            OctetException e = expectError(ErrorCode.INVALID_INPUT,
                () -> strict.embedAll(List.of("one two three four five six seven")));
            assertTrue(e.getMessage().contains("9 tokens") && e.getMessage().contains("limit of 8 positions"), e.getMessage());
            SentenceEmbedding cut = lenient.embedAll(List.of("one two three four five six seven")).getFirst();
            assertEquals(8, cut.tokenCount());
            assertTrue(cut.truncated());
        }
    }

    @Test
    void theMiniLmPositionTableIsTheLimit() {
        assertEquals(512, minilm.maxLength());
        SentenceEmbedding cut = minilm.embedAll(List.of(LONG_TEXT)).getFirst();
        assertEquals(512, cut.tokenCount());
        assertTrue(cut.truncated());
        try (SentenceEmbedder strict = SentenceEmbedder.load(BundledModels.MINILM, Options.builder().truncate(false).build())) {
            OctetException e = expectError(ErrorCode.INVALID_INPUT, () -> strict.embedAll(List.of("short", LONG_TEXT)));
            assertTrue(e.getMessage().contains("text 1 has 602 tokens") && e.getMessage().contains("512 positions"),
                e.getMessage());
        }
        OctetException e = expectError(ErrorCode.INVALID_INPUT,
            () -> SentenceEmbedder.load(BundledModels.MINILM, Options.builder().maxLength(513).build()));
        assertTrue(e.getMessage().contains("513") && e.getMessage().contains("512 positions"), e.getMessage());
    }

    @Test
    void aShorterMaxLengthEmbedsTheTextsFirstTokens() {
        String text = "one two three four five six seven eight nine ten eleven twelve";
        try (SentenceEmbedder six = SentenceEmbedder.load(BundledModels.MINILM, Options.builder().maxLength(6).build())) {
            SentenceEmbedding cut = six.embedAll(List.of(text)).getFirst();
            SentenceEmbedding full = minilm.embedAll(List.of("one two three four")).getFirst();
            assertEquals(6, cut.tokenCount());
            assertTrue(cut.truncated());
            assertEquals(6, full.tokenCount());
            assertFalse(full.truncated());
            assertArrayEquals(full.vector(), cut.vector());
        }
    }

    @Test
    void tokenCountsAreReportedPerText() {
        List<String> texts = List.of("hello world", "", "The quick brown fox jumps over the lazy dog.");
        List<SentenceEmbedding> out = minilm.embedAll(texts);
        for (int i = 0; i < texts.size(); i++) {
            assertEquals(minilm.tokenizer().encode(texts.get(i)).length, out.get(i).tokenCount(), texts.get(i));
            assertEquals(384, out.get(i).vector().length);
        }
        assertEquals(2, out.get(1).tokenCount());
        assertEquals(384, minilm.dimension());
    }

    @Test
    void moreThreadsGiveTheSameBits() {
        List<String> texts = List.of("The quick brown fox jumps over the lazy dog.", "hello world");
        try (SentenceEmbedder two = SentenceEmbedder.load(BundledModels.MINILM, Options.builder().threads(2).build())) {
            float[][] expected = minilm.embed(texts);
            float[][] actual = two.embed(texts);
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(expected[i], actual[i], texts.get(i));
            }
        }
    }

    @Test
    void aNullTextIsATypedError() {
        OctetException e = expectError(ErrorCode.INVALID_INPUT, () -> minilm.embedAll(java.util.Arrays.asList("a", null)));
        assertTrue(e.getMessage().contains("text 1"), e.getMessage());
    }

    /** Issue 13: ids past the model's vocabulary (or negative ones) must never reach the embedding Gather. */
    @Test
    void tokenIdsOutsideTheModelsVocabularyAreRejected() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(BundledModels.minilmTokenizerBytes());
        ((ObjectNode) root.path("model").path("vocab")).put("zzzunseen", VOCAB);
        WordPieceTokenizer tooBig = WordPieceTokenizer.fromJson(json.writeValueAsBytes(root), "edited", 512);
        OctetException e = expectError(ErrorCode.INVALID_MODEL,
            () -> new SentenceEmbedder(OnnxImporter.load(BundledModels.minilmModelBytes()), tooBig, Options.DEFAULTS));
        assertTrue(e.getMessage().contains("30522 rows"), e.getMessage());

        ((ObjectNode) root.path("model").path("vocab")).put("zzzunseen", -3);
        e = expectError(ErrorCode.INVALID_MODEL,
            () -> WordPieceTokenizer.fromJson(json.writeValueAsBytes(root), "edited", 512));
        assertTrue(e.getMessage().contains("-3"), e.getMessage());
    }

    @Test
    void badOptionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Options.builder().batchSize(0).build());
        assertThrows(IllegalArgumentException.class, () -> Options.builder().threads(0).build());
        assertThrows(IllegalArgumentException.class, () -> Options.builder().maxLength(-1).build());
        assertThrows(IllegalArgumentException.class, () -> Options.builder().pooling(null).build());
    }
}
