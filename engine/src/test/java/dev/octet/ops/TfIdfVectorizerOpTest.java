package dev.octet.ops;

import static dev.octet.ops.OpRunner.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** TfIdfVectorizer: unigram and skip-bigram counts by hand, the weightings, and the refused pools. */
class TfIdfVectorizerOpTest {
    /** Pool: unigrams 7 and 8 (outputs 0, 1), bigram (7, 8) (output 2). */
    private static Map<String, Attribute> attrs(String mode, int maxSkip) {
        Map<String, Attribute> a = new HashMap<>();
        a.put("mode", new Attribute.StringAttr(mode));
        a.put("min_gram_length", new Attribute.IntAttr(1));
        a.put("max_gram_length", new Attribute.IntAttr(2));
        a.put("max_skip_count", new Attribute.IntAttr(maxSkip));
        a.put("pool_int64s", new Attribute.IntsAttr(new long[] {7, 8, 7, 8}));
        a.put("ngram_counts", new Attribute.IntsAttr(new long[] {0, 2}));
        a.put("ngram_indexes", new Attribute.IntsAttr(new long[] {0, 1, 2}));
        return a;
    }

    private static final Tensor TOKENS = Tensor.ofLongs(new long[] {7, 1, 8, 7, 8}, 5);

    @Test
    void countsUnigramsOnceAndBigramsPerSkipDistance() {
        // Adjacent (7, 8) once; with one skip also 7 _ 8 at positions 0 and 2.
        assertArrayEquals(new float[] {2, 2, 1}, run("TfIdfVectorizer", 9, attrs("TF", 0), TOKENS).floats());
        assertArrayEquals(new float[] {2, 2, 2}, run("TfIdfVectorizer", 9, attrs("TF", 1), TOKENS).floats());
        Map<String, Attribute> weighted = attrs("TFIDF", 0);
        weighted.put("weights", new Attribute.FloatsAttr(new float[] {0.5f, 1f, 3f}));
        assertArrayEquals(new float[] {1, 2, 3}, run("TfIdfVectorizer", 9, weighted, TOKENS).floats());
        assertArrayEquals(new float[] {1, 1, 1}, run("TfIdfVectorizer", 9, attrs("IDF", 0), TOKENS).floats());
    }

    @Test
    void refusesStringPoolsAndBadModes() {
        Map<String, Attribute> strings = attrs("TF", 0);
        strings.remove("pool_int64s");
        strings.put("pool_strings", new Attribute.StringsAttr(List.of("a", "b")));
        assertEquals(ErrorCode.UNSUPPORTED_TYPE, assertThrows(OctetException.class,
            () -> run("TfIdfVectorizer", 9, strings, TOKENS)).code());
        assertEquals(ErrorCode.INVALID_GRAPH, assertThrows(OctetException.class,
            () -> run("TfIdfVectorizer", 9, attrs("BM25", 0), TOKENS)).code());
        assertEquals(ErrorCode.UNSUPPORTED_TYPE, assertThrows(OctetException.class,
            () -> run("TfIdfVectorizer", 9, attrs("TF", 0), Tensor.ofFloats(new float[] {7}, 1))).code());
    }
}
