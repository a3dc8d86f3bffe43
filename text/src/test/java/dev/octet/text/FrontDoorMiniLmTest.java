package dev.octet.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.octet.Octet;
import dev.octet.api.ErrorCode;
import dev.octet.api.InferenceSession;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.models.BundledModels;
import dev.octet.onnx.OnnxImporter;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bundled MiniLM through every form of {@link Octet#load}, against the importer and engine used directly. */
class FrontDoorMiniLmTest {
    private static final byte[] MODEL = BundledModels.minilmModelBytes();

    private static WordPieceTokenizer tokenizer() {
        return WordPieceTokenizer.fromJson(BundledModels.minilmTokenizerBytes(), "the bundled MiniLM tokenizer",
            WordPieceTokenizer.DEFAULT_MAX_LENGTH);
    }

    private static Map<String, Tensor> feed() {
        WordPieceTokenizer.Batch b = tokenizer().encodeBatch(List.of("The front door gives the same bits.",
            "Two texts, so the batch is padded."));
        return Map.of("input_ids", Tensor.ofLongs(b.inputIds(), b.batch(), b.seq()),
            "attention_mask", Tensor.ofLongs(b.attentionMask(), b.batch(), b.seq()),
            "token_type_ids", Tensor.ofLongs(b.tokenTypeIds(), b.batch(), b.seq()));
    }

    @Test
    void pathBytesAndStreamGiveTheImportersOutputs() throws Exception {
        Map<String, Tensor> feed = feed();
        float[] expected;
        try (CompiledSession direct = new CompiledSession(OnnxImporter.load(MODEL))) {
            expected = direct.run(feed).get("last_hidden_state").floats();
        }
        for (InferenceSession s : List.of(Octet.load(MODEL), Octet.load(BundledModels.minilmModel()),
                Octet.load(new ByteArrayInputStream(MODEL)))) {
            try (s) {
                assertEquals(List.of("last_hidden_state"), s.outputs().stream().map(t -> t.name()).toList());
                assertArrayEquals(expected, s.run(feed).get("last_hidden_state").floats());
            }
        }
    }

    @Test
    void embeddersFromATokenizerAlreadyReadMatchTheBundledOne() {
        List<String> texts = List.of("A sentence to embed.", "Another, a little longer, sentence to embed.");
        SentenceEmbedder.Options options = SentenceEmbedder.Options.builder().maxLength(128).build();
        try (SentenceEmbedder bundled = SentenceEmbedder.bundledMiniLm(options);
             SentenceEmbedder fromBytes = SentenceEmbedder.load(MODEL, tokenizer(), options);
             SentenceEmbedder fromPath = SentenceEmbedder.load(BundledModels.minilmModel(), tokenizer(), options)) {
            float[][] expected = bundled.embed(texts);
            assertArrayEquals(expected, fromBytes.embed(texts));
            assertArrayEquals(expected, fromPath.embed(texts));
            assertEquals(128, fromBytes.maxLength());
        }
    }

    @Test
    void badModelsAndLimitsAreTypedErrors() {
        OctetException e = assertThrows(OctetException.class,
            () -> SentenceEmbedder.load(new byte[] {1, 2, 3}, tokenizer(), SentenceEmbedder.Options.DEFAULTS));
        assertEquals(ErrorCode.INVALID_MODEL, e.code(), e.getMessage());
        e = assertThrows(OctetException.class, () -> SentenceEmbedder.load(MODEL, tokenizer(),
            SentenceEmbedder.Options.builder().maxLength(513).build()));
        assertEquals(ErrorCode.INVALID_INPUT, e.code(), e.getMessage());
    }
}
