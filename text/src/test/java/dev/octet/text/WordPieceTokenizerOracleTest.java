package dev.octet.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.octet.models.BundledModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Token ids against the Rust tokenizers library (through DJL, as LangChain4j calls it) on the same tokenizer.json. */
class WordPieceTokenizerOracleTest {
    private static final Path TOKENIZER = BundledModels.minilmTokenizer();

    @Test
    void idsMatchHuggingFace() throws Exception {
        List<String> texts = OracleSentences.load();
        assertTrue(texts.size() >= 100, "need at least 100 oracle texts");
        WordPieceTokenizer ours = WordPieceTokenizer.fromFile(TOKENIZER);
        // The file's own settings truncate at 128 and pad to 128; override them to the 512 we truncate at.
        Map<String, String> options = Map.of("padding", "false", "truncation", "true", "maxLength", "512");
        List<String> mismatches = new ArrayList<>();
        boolean truncated = false;
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(TOKENIZER, options)) {
            for (String text : texts) {
                long[] expected = hf.encode(text).getIds();
                long[] actual = Arrays.stream(ours.encode(text)).asLongStream().toArray();
                if (!Arrays.equals(expected, actual)) {
                    mismatches.add(text + "\n  hf:    " + Arrays.toString(expected) + "\n  octet: " + Arrays.toString(actual));
                }
                truncated |= ours.tokenIds(text).size() > 510;
            }
        }
        System.out.printf("token ids: %d of %d texts identical to HuggingFace%n", texts.size() - mismatches.size(), texts.size());
        assertTrue(truncated, "the oracle texts must include one that needs truncation");
        assertEquals(List.of(), mismatches);
    }

    @Test
    void truncatesToMaxLengthKeepingTheSpecialTokens() {
        WordPieceTokenizer t = WordPieceTokenizer.fromFile(TOKENIZER, 8);
        int[] ids = t.encode("one two three four five six seven eight nine ten");
        assertEquals(8, ids.length);
        assertEquals(101, ids[0]);
        assertEquals(102, ids[7]);
    }

    @Test
    void padsABatchToItsLongestText() {
        WordPieceTokenizer t = WordPieceTokenizer.fromFile(TOKENIZER);
        WordPieceTokenizer.Batch b = t.encodeBatch(List.of("hello", "hello big world"));
        assertEquals(2, b.batch());
        assertEquals(5, b.seq());
        assertEquals(List.of(101L, 7592L, 102L, 0L, 0L), Arrays.stream(b.inputIds(), 0, 5).boxed().toList());
        assertEquals(List.of(1L, 1L, 1L, 0L, 0L), Arrays.stream(b.attentionMask(), 0, 5).boxed().toList());
        assertEquals(List.of(1L, 1L, 1L, 1L, 1L), Arrays.stream(b.attentionMask(), 5, 10).boxed().toList());
    }
}
