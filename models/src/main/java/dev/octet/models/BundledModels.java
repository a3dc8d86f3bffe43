package dev.octet.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Models that come with Octet as Maven artifacts, named by a word wherever a model path is accepted.
 * {@code minilm} is all-MiniLM-L6-v2, dynamically quantized (MatMulInteger + DynamicQuantizeLinear), from
 * LangChain4j's artifact. Resources are copied once into a cache folder so they can be read as files.
 */
public final class BundledModels {
    public static final String MINILM = "minilm";
    private static final String MINILM_MODEL = "all-minilm-l6-v2-q.onnx";
    private static final String MINILM_TOKENIZER = "all-minilm-l6-v2-q-tokenizer.json";

    private BundledModels() {}

    /** A model path for a path or a bundled model's name. */
    public static Path resolve(String pathOrName) {
        if (pathOrName.toLowerCase(Locale.ROOT).equals(MINILM)) {
            return extract(MINILM_MODEL);
        }
        return Path.of(pathOrName);
    }

    /** The tokenizer.json of a bundled text model. */
    public static Path minilmTokenizer() {
        return extract(MINILM_TOKENIZER);
    }

    public static Path minilmModel() {
        return extract(MINILM_MODEL);
    }

    private static synchronized Path extract(String resource) {
        try (InputStream in = BundledModels.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("bundled resource " + resource + " is not on the classpath");
            }
            Path dir = cacheDir();
            Path target = dir.resolve(resource);
            byte[] bytes = in.readAllBytes();
            if (!Files.exists(target) || Files.size(target) != bytes.length) {
                Path tmp = Files.createTempFile(dir, resource, ".part");
                Files.write(tmp, bytes);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract bundled " + resource, e);
        }
    }

    private static Path cacheDir() throws IOException {
        String override = System.getProperty("octet.cache.dir");
        Path dir = override != null ? Path.of(override)
            : Path.of(System.getProperty("java.io.tmpdir"), "octet-models-" + System.getProperty("user.name"));
        return Files.createDirectories(dir);
    }
}
