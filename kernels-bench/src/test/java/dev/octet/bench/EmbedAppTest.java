package dev.octet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.bench.EmbedApp.Engine;
import dev.octet.bench.EmbedApp.Measurement;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The embedding app in this JVM, each engine for two runs (no timing assertions): its report line holds every
 * figure the script reads, and the two engines embed the sentence alike.
 */
class EmbedAppTest {
    private static final String TEXT = "The quick brown fox jumps over the lazy dog.";

    private static Measurement measure(Engine engine) {
        Measurement m = EmbedApp.measure(engine, 2, TEXT);
        Map<String, String> line = EmbedAppSummary.parse(m.line());
        assertEquals(engine.label(), line.get("engine"));
        assertEquals("2", line.get("runs"));
        assertEquals("384", line.get("dims"));
        assertEquals("n/a", line.get("run3_ms"));
        assertEquals("n/a", line.get("run10_ms"));
        for (String key : new String[] {"load_ms", "first_ms", "run2_ms", "steady_ms"}) {
            assertTrue(Double.parseDouble(line.get(key)) > 0, key + " in " + m.line());
        }
        // The steady state of two runs is the second run.
        assertEquals(line.get("run2_ms"), line.get("steady_ms"));
        int settle = Integer.parseInt(line.get("settle_run"));
        assertTrue(settle >= 1 && settle <= 2, m.line());
        assertTrue(Long.parseLong(line.get("first_alloc_bytes")) > 0, m.line());
        assertTrue(Long.parseLong(line.get("peak_rss_kb")) > 0, m.line());
        double norm = 0;
        for (float v : m.lastEmbedding()) {
            norm += v * v;
        }
        assertEquals(1.0, Math.sqrt(norm), 1e-5);
        return m;
    }

    @Test
    void bothEnginesReportEveryFigureAndAgree() {
        Measurement octet = measure(Engine.OCTET);
        Measurement ort = measure(Engine.ORT);
        double cosine = 0;
        for (int i = 0; i < 384; i++) {
            cosine += octet.lastEmbedding()[i] * ort.lastEmbedding()[i];
        }
        assertTrue(cosine > 0.999, "cosine of Octet's and LangChain4j's embeddings: " + cosine);
        // Octet counts the model's sequence, [CLS] and [SEP] included (10 word pieces + 2); LangChain4j the word pieces.
        assertEquals(12, octet.tokens());
        assertEquals(10, ort.tokens());
    }
}
