package dev.octet.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.models.BundledModels;
import dev.octet.text.SentenceEmbedder;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

@Parameters(commandNames = "embed", commandDescription = "Sentence embeddings (mean-pooled, L2-normalized) and their cosine similarities")
final class EmbedCommand extends Main.Command {
    @Parameter(description = "TEXT...")
    List<String> texts = new ArrayList<>();

    @Parameter(names = "--model", description = "minilm (bundled all-MiniLM-L6-v2-q) or a model path with tokenizer.json beside it")
    String model = BundledModels.MINILM;

    @Parameter(names = "--file", description = "Read texts from this UTF-8 file (- for stdin), one per line (empty lines skipped), after the TEXT arguments; at most 16 MiB")
    String file;

    @Parameter(names = "--json", description = "Print only a JSON array of {\"text\", \"embedding\"} objects, in input order")
    boolean json;

    private final InputStream stdin;

    EmbedCommand(InputStream stdin) {
        this.stdin = stdin;
    }

    @Override
    int call(PrintStream out) throws Exception {
        List<String> all = new ArrayList<>(texts);
        if (file != null) {
            readTexts(file, stdin).lines().filter(l -> !l.isEmpty()).forEach(all::add);
        }
        if (all.isEmpty()) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "nothing to embed: give TEXT arguments or --file");
        }
        float[][] vectors = SentenceEmbedder.load(model).embed(all);
        if (json) {
            printJson(out, all, vectors);
        } else {
            printSummary(out, all, vectors);
        }
        return 0;
    }

    /** The most --file reads: far more text than an embedding run gets through, and a bound for /dev/zero or a pipe. */
    static final int MAX_FILE_BYTES = 16 << 20;

    /**
     * The text of {@code --file}: the file (any readable kind, so pipes like {@code <(cmd)} work) or stdin for
     * {@code -}, at most {@link #MAX_FILE_BYTES}, strict UTF-8 with a leading byte-order mark dropped. Every
     * failure is a one-line typed error naming the path.
     */
    static String readTexts(String file, InputStream stdin) {
        String label = "--file " + (file.equals("-") ? "- (stdin)" : file);
        byte[] bytes;
        if (file.equals("-")) {
            bytes = readBounded(stdin, label);
        } else {
            Path path;
            try {
                path = Path.of(file);
            } catch (InvalidPathException e) {
                throw new OctetException(ErrorCode.INVALID_INPUT, label + ": not a valid path (" + e.getReason() + ")");
            }
            if (Files.isDirectory(path)) {
                throw new OctetException(ErrorCode.IO, label + ": is a directory, not a file");
            }
            try (InputStream in = Files.newInputStream(path)) {
                bytes = readBounded(in, label);
            } catch (NoSuchFileException e) {
                throw new OctetException(ErrorCode.IO, label + ": no such file", e);
            } catch (AccessDeniedException e) {
                throw new OctetException(ErrorCode.IO, label + ": permission denied", e);
            } catch (IOException e) {
                throw new OctetException(ErrorCode.IO, label + ": cannot read it: " + e.getMessage(), e);
            }
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer chars = CharBuffer.allocate(bytes.length);
        CoderResult r = utf8.decode(in, chars, true);
        if (!r.isError()) {
            r = utf8.flush(chars);
        }
        if (r.isError()) {
            throw new OctetException(ErrorCode.INVALID_INPUT, label + ": not valid UTF-8 (bad byte at offset "
                + in.position() + ")");
        }
        String text = chars.flip().toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static byte[] readBounded(InputStream in, String label) {
        byte[] bytes;
        try {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (IOException e) {
            throw new OctetException(ErrorCode.IO, label + ": cannot read it: " + e.getMessage(), e);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new OctetException(ErrorCode.INVALID_INPUT, label + ": more than " + (MAX_FILE_BYTES >> 20)
                + " MiB of text; split it into smaller files");
        }
        return bytes;
    }

    private static void printJson(PrintStream out, List<String> texts, float[][] vectors) throws IOException {
        // Jackson escapes the texts correctly and writes floats in their shortest round-trip form.
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartArray();
            for (int i = 0; i < texts.size(); i++) {
                g.writeStartObject();
                g.writeStringField("text", texts.get(i));
                g.writeArrayFieldStart("embedding");
                for (float v : vectors[i]) {
                    g.writeNumber(v);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        out.println();
    }

    private static void printSummary(PrintStream out, List<String> texts, float[][] vectors) {
        for (int i = 0; i < texts.size(); i++) {
            float[] v = vectors[i];
            StringBuilder first = new StringBuilder();
            for (int d = 0; d < Math.min(4, v.length); d++) {
                first.append(d == 0 ? "" : ", ").append(String.format("%.4f", v[d]));
            }
            out.printf("[%d] dims=%d first=[%s, ...] norm=%.4f  %s%n", i, v.length, first, norm(v), abbreviate(texts.get(i)));
        }
        out.println("cosine similarity:");
        out.print("     ");
        for (int j = 0; j < texts.size(); j++) {
            out.printf("%8s", "[" + j + "]");
        }
        out.println();
        for (int i = 0; i < texts.size(); i++) {
            out.printf("%5s", "[" + i + "]");
            for (int j = 0; j < texts.size(); j++) {
                out.printf("%8.4f", dot(vectors[i], vectors[j]) / (norm(vectors[i]) * norm(vectors[j])));
            }
            out.println();
        }
    }

    private static String abbreviate(String text) {
        String oneLine = SafeText.clean(text.replaceAll("\\s+", " "));
        return oneLine.length() <= 60 ? oneLine : oneLine.substring(0, 57) + "...";
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    private static double norm(float[] a) {
        return Math.sqrt(dot(a, a));
    }
}
