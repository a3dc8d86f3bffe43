package dev.octet.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundledModelsTest {
    @TempDir
    Path tmp;

    /** Issue 13: the model used to be copied to a predictable, shared, world-readable folder in java.io.tmpdir. */
    @Test
    void nothingIsWrittenToTheTempFolder() throws Exception {
        String saved = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", tmp.toString());
        try {
            BundledModels.minilmModelBytes();
            BundledModels.minilmTokenizerBytes();
            Files.size(BundledModels.resolve(BundledModels.MINILM));
            Files.size(BundledModels.minilmTokenizer());
        } finally {
            System.setProperty("java.io.tmpdir", saved);
        }
        try (Stream<Path> written = Files.list(tmp)) {
            assertEquals(List.of(), written.toList());
        }
    }

    @Test
    void pathsNameTheResourcesInsideTheirJar() throws Exception {
        Path model = BundledModels.minilmModel();
        assertNotEquals(FileSystems.getDefault(), model.getFileSystem(), "a path inside the jar, not a copy");
        assertEquals(BundledModels.minilmModel(), BundledModels.resolve("MiniLM"), "the name is case-insensitive");
        byte[] bytes = BundledModels.minilmModelBytes();
        assertTrue(bytes.length > 1 << 20, "a 22 MB model, got " + bytes.length + " bytes");
        assertArrayEquals(bytes, Files.readAllBytes(model));
        assertArrayEquals(BundledModels.minilmTokenizerBytes(), Files.readAllBytes(BundledModels.minilmTokenizer()));
        String tokenizer = new String(BundledModels.minilmTokenizerBytes(), StandardCharsets.UTF_8);
        assertTrue(tokenizer.contains("\"WordPiece\""), "a WordPiece tokenizer.json");
    }

    /** The announced size is only a start: streams that announce too little or too much still read whole. */
    @Test
    void readingTakesTheWholeStreamWhateverItAnnounces() throws Exception {
        byte[] data = new byte[100_000];
        new java.util.Random(7).nextBytes(data);
        for (int announced : new int[] {0, 1, 40_000, 99_999, 100_000, 100_001, 250_000}) {
            java.io.InputStream in = new java.io.ByteArrayInputStream(data) {
                @Override
                public synchronized int available() {
                    return announced;
                }
            };
            assertArrayEquals(data, BundledModels.readFully(in), "announcing " + announced + " bytes");
        }
    }

    @Test
    void anythingElseIsAPath() {
        assertFalse(BundledModels.isBundled("models/minilm.onnx"));
        assertEquals(Path.of("models/minilm.onnx"), BundledModels.resolve("models/minilm.onnx"));
    }
}
