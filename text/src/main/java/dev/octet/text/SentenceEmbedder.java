package dev.octet.text;

import dev.octet.Octet;
import dev.octet.api.ErrorCode;
import dev.octet.api.InferenceSession;
import dev.octet.api.OctetException;
import dev.octet.api.SessionOptions;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import dev.octet.models.BundledModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Sentence embeddings from a BERT-style encoder (sentence-transformers style): tokenize, run the model on
 * padded batches, pool {@code last_hidden_state} (mean over the attention mask, or the [CLS] position) and
 * L2-normalize. The embedder owns its session: close it to stop the session's worker threads. Thread-safe.
 *
 * <p>Texts are limited to the model's position table (its position-embedding initializer's rows, else the
 * declared sequence dimension of {@code input_ids}, else the tokenizer's max length), or to a shorter
 * {@link Options#maxLength()}. A longer text is truncated (and reported as such) or, with truncation off, rejected
 * with {@link ErrorCode#INVALID_INPUT} naming the limit.
 */
public final class SentenceEmbedder implements AutoCloseable {
    /**
     * Texts per model run. One by default: a dynamically quantized model (MiniLM's DynamicQuantizeLinear) picks
     * one activation scale per tensor, so batching lets the other texts and the padding change a text's
     * quantization and its embedding (one per run gives LangChain4j's vectors bit for bit; 8 per batch, a mean cosine of 0.9895 to them),
     * and with the scalar kernels batches are no faster than single runs anyway.
     */
    public static final int DEFAULT_BATCH_SIZE = 1;
    private static final String HIDDEN_STATE = "last_hidden_state";

    /** How the token vectors of {@code last_hidden_state} become one vector per text. */
    public enum Pooling {
        /** The mean over the tokens whose attention mask is 1 (sentence-transformers' default). */
        MEAN,
        /** The vector of the first token, [CLS]. */
        CLS
    }

    /**
     * How texts are embedded. Immutable; build with {@link #builder()}.
     *
     * @param maxLength  ids per text, special tokens included; 0 means the model's limit
     * @param truncate   whether longer texts are truncated (and reported so) rather than rejected
     * @param pooling    how token vectors are pooled
     * @param normalize  whether vectors are scaled to unit length
     * @param threads    threads per model run (see {@link SessionOptions#threads()})
     * @param batchSize  texts per model run (see {@link #DEFAULT_BATCH_SIZE})
     */
    public record Options(int maxLength, boolean truncate, Pooling pooling, boolean normalize, int threads,
                          int batchSize) {
        public static final Options DEFAULTS = builder().build();

        public Options {
            if (maxLength < 0) {
                throw new IllegalArgumentException("max length must be positive (or 0 for the model's), got " + maxLength);
            }
            if (pooling == null) {
                throw new IllegalArgumentException("pooling must be given");
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
            }
        }

        public static Builder builder() {
            return new Builder();
        }

        public static final class Builder {
            private int maxLength;
            private boolean truncate = true;
            private Pooling pooling = Pooling.MEAN;
            private boolean normalize = true;
            private int threads = 1;
            private int batchSize = DEFAULT_BATCH_SIZE;

            private Builder() {}

            /** Ids per text, special tokens included; 0 (the default) means the model's limit. */
            public Builder maxLength(int ids) {
                this.maxLength = ids;
                return this;
            }

            /** On by default; off rejects a text longer than the max length. */
            public Builder truncate(boolean on) {
                this.truncate = on;
                return this;
            }

            public Builder pooling(Pooling pooling) {
                this.pooling = pooling;
                return this;
            }

            /** On by default. */
            public Builder normalize(boolean on) {
                this.normalize = on;
                return this;
            }

            public Builder threads(int n) {
                this.threads = n;
                return this;
            }

            public Builder batchSize(int n) {
                this.batchSize = n;
                return this;
            }

            public Options build() {
                return new Options(maxLength, truncate, pooling, normalize, threads, batchSize);
            }
        }
    }

    /**
     * One text's embedding, the number of ids the model saw for it (special tokens included) and whether the text
     * was truncated to get there.
     */
    public record SentenceEmbedding(float[] vector, int tokenCount, boolean truncated) {}

    private final CompiledSession session;
    private final WordPieceTokenizer tokenizer;
    private final Options options;
    private final boolean wantsTokenTypes;
    private final int maxLength;
    private final String limitDescription;

    /**
     * An embedder for a BERT-style model with inputs {@code input_ids}, {@code attention_mask} (and optionally
     * {@code token_type_ids}) and output {@code last_hidden_state}; it compiles the model into its own session.
     */
    SentenceEmbedder(Graph model, WordPieceTokenizer tokenizer, Options options) {
        this(new CompiledSession(model, sessionOptions(options)), tokenizer, options);
    }

    /** Takes over {@code session}: closes it if the model or the options do not fit. */
    private SentenceEmbedder(CompiledSession session, WordPieceTokenizer tokenizer, Options options) {
        try {
            this.tokenizer = tokenizer;
            this.options = options;
            Graph model = session.graph();
            List<String> inputs = model.runtimeInputs().stream().map(ValueInfo::name).toList();
            for (String required : List.of("input_ids", "attention_mask")) {
                if (!inputs.contains(required)) {
                    throw new OctetException(ErrorCode.INVALID_MODEL, "the model has no input '" + required + "', only " + inputs);
                }
            }
            wantsTokenTypes = inputs.contains("token_type_ids");
            if (model.outputs().stream().noneMatch(v -> v.name().equals(HIDDEN_STATE))) {
                throw new OctetException(ErrorCode.INVALID_MODEL, "the model has no output '" + HIDDEN_STATE + "'");
            }
            OptionalInt vocabulary = wordEmbeddingRows(model);
            if (vocabulary.isPresent() && tokenizer.maxTokenId() >= vocabulary.getAsInt()) {
                throw new OctetException(ErrorCode.INVALID_MODEL, "the tokenizer produces token id " + tokenizer.maxTokenId()
                    + " but the model's word-embedding table has " + vocabulary.getAsInt() + " rows");
            }
            OptionalInt positions = positionLimit(model);
            int modelLimit = positions.orElse(tokenizer.maxLength());
            String modelLimitDescription = positions.isPresent()
                ? "the model's limit of " + modelLimit + " positions" : "the tokenizer's limit of " + modelLimit + " tokens";
            if (options.maxLength() > modelLimit) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "max length " + options.maxLength() + " is more than "
                    + modelLimitDescription);
            }
            maxLength = options.maxLength() == 0 ? modelLimit : options.maxLength();
            limitDescription = options.maxLength() == 0 ? modelLimitDescription : "the max length of " + maxLength + " tokens";
            if (maxLength <= tokenizer.specialTokenCount()) {
                throw new OctetException(ErrorCode.INVALID_INPUT, limitDescription + " leaves no room after the "
                    + tokenizer.specialTokenCount() + " special tokens");
            }
            this.session = session;
        } catch (RuntimeException | Error e) {
            session.close();
            throw e;
        }
    }

    private static SessionOptions sessionOptions(Options options) {
        return SessionOptions.builder().threads(options.threads()).build();
    }

    /** The session {@link Octet} made, with the engine's internal view of it that the checks above read. */
    private static CompiledSession compiled(InferenceSession session) {
        if (session instanceof CompiledSession c) {
            return c;
        }
        session.close();
        throw new OctetException(ErrorCode.INTERNAL, "Octet.load returned a " + session.getClass().getName()
            + ", not the engine's compiled session");
    }

    /**
     * The bundled MiniLM for {@code minilm}, else the ONNX model at that path with the {@code tokenizer.json}
     * in its folder.
     */
    public static SentenceEmbedder load(String modelPathOrName) {
        return load(modelPathOrName, Options.DEFAULTS);
    }

    public static SentenceEmbedder load(String modelPathOrName, Options options) {
        if (BundledModels.isBundled(modelPathOrName)) {
            return bundledMiniLm(options);
        }
        Path model = Path.of(modelPathOrName);
        Path tokenizer = model.toAbsolutePath().resolveSibling("tokenizer.json");
        if (!Files.isRegularFile(tokenizer)) {
            throw new OctetException(ErrorCode.IO, "no tokenizer.json beside " + model);
        }
        return load(model, tokenizer, options);
    }

    /** The bundled all-MiniLM-L6-v2-q, read from the classpath. */
    public static SentenceEmbedder bundledMiniLm(Options options) {
        return loadConcurrently(() -> WordPieceTokenizer.fromJson(BundledModels.minilmTokenizerBytes(),
            "the bundled MiniLM tokenizer", WordPieceTokenizer.DEFAULT_MAX_LENGTH),
            () -> Octet.load(BundledModels.minilmModelBytes(), sessionOptions(options)), options);
    }

    public static SentenceEmbedder load(Path model, Path tokenizerJson) {
        return load(model, tokenizerJson, Options.DEFAULTS);
    }

    public static SentenceEmbedder load(Path model, Path tokenizerJson, Options options) {
        return loadConcurrently(() -> WordPieceTokenizer.fromFile(tokenizerJson),
            () -> Octet.load(model, sessionOptions(options)), options);
    }

    /** An ONNX model file with a tokenizer already read (e.g. to derive the options from it). */
    public static SentenceEmbedder load(Path model, WordPieceTokenizer tokenizer, Options options) {
        return new SentenceEmbedder(compiled(Octet.load(model, sessionOptions(options))), tokenizer, options);
    }

    /** An ONNX model held in memory with a tokenizer already read (e.g. to derive the options from it). */
    public static SentenceEmbedder load(byte[] model, WordPieceTokenizer tokenizer, Options options) {
        return new SentenceEmbedder(compiled(Octet.load(model, sessionOptions(options))), tokenizer, options);
    }

    /**
     * Reads the tokenizer on a second thread while this one loads the model: in a fresh JVM each is a few hundred
     * milliseconds of mostly single-threaded work (class loading, code not yet compiled).
     */
    private static SentenceEmbedder loadConcurrently(Callable<WordPieceTokenizer> tokenizer,
            Supplier<InferenceSession> model, Options options) {
        FutureTask<WordPieceTokenizer> reading = new FutureTask<>(tokenizer);
        Thread.ofPlatform().daemon().name("octet-tokenizer-reader").start(reading);
        CompiledSession session;
        try {
            session = compiled(model.get());
        } catch (RuntimeException | Error e) {
            reading.cancel(true);
            throw e;
        }
        try {
            return new SentenceEmbedder(session, awaitTokenizer(reading), options);
        } catch (RuntimeException | Error e) {
            session.close();
            throw e;
        }
    }

    /**
     * The tokenizer read on the other thread, or its exception as if read on this one (an OctetException naming the
     * file). The caller's interrupt does not cut the wait short, as it would not have cut a read on this thread.
     */
    private static WordPieceTokenizer awaitTokenizer(FutureTask<WordPieceTokenizer> reading) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return reading.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    switch (e.getCause()) {
                        case RuntimeException r -> throw r;
                        case OutOfMemoryError oom -> throw new OctetException(ErrorCode.RESOURCE_LIMIT,
                            "the tokenizer does not fit in the Java heap: start the JVM with a larger -Xmx", oom);
                        case Error err -> throw err;
                        default -> throw new OctetException(ErrorCode.INTERNAL, "reading the tokenizer failed: "
                            + e.getCause(), e.getCause());
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public WordPieceTokenizer tokenizer() {
        return tokenizer;
    }

    public Options options() {
        return options;
    }

    /** Ids per text, special tokens included, that the model sees at most. */
    public int maxLength() {
        return maxLength;
    }

    /** The length of every vector. */
    public int dimension() {
        ValueInfo hidden = session.outputTypes().stream().filter(v -> v.name().equals(HIDDEN_STATE)).findFirst()
            .orElseThrow();
        if (hidden.shape() != null && hidden.shape().size() == 3 && hidden.shape().get(2).isFixed()) {
            return (int) hidden.shape().get(2).value();
        }
        return embedAll(List.of("")).getFirst().vector().length;
    }

    @Override
    public void close() {
        session.close();
    }

    /** One embedding per text, in input order (the vectors of {@link #embedAll}). */
    public float[][] embed(List<String> texts) {
        return embedAll(texts).stream().map(SentenceEmbedding::vector).toArray(float[][]::new);
    }

    /** One embedding per text, in input order, with token counts and truncation. */
    public List<SentenceEmbedding> embedAll(List<String> texts) {
        List<WordPieceTokenizer.Encoding> encodings = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            if (text == null) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "text " + i + " is null");
            }
            WordPieceTokenizer.Encoding e = tokenizer.encode(text, maxLength);
            if (e.truncated() && !options.truncate()) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "text " + i + " has " + e.untruncatedLength()
                    + " tokens, more than " + limitDescription + " (truncation is off)");
            }
            encodings.add(e);
        }
        SentenceEmbedding[] out = new SentenceEmbedding[texts.size()];
        // Batch texts of similar length together so little work goes into padding.
        List<Integer> order = new ArrayList<>(IntStream.range(0, texts.size()).boxed().toList());
        order.sort(Comparator.comparingInt(i -> encodings.get(i).ids().length));
        for (int from = 0; from < order.size(); from += options.batchSize()) {
            List<Integer> batch = order.subList(from, Math.min(order.size(), from + options.batchSize()));
            float[][] vectors = embedBatch(tokenizer.pad(batch.stream().map(encodings::get).toList()));
            for (int i = 0; i < batch.size(); i++) {
                WordPieceTokenizer.Encoding e = encodings.get(batch.get(i));
                out[batch.get(i)] = new SentenceEmbedding(vectors[i], e.ids().length, e.truncated());
            }
        }
        return List.of(out);
    }

    private float[][] embedBatch(WordPieceTokenizer.Batch b) {
        Map<String, Tensor> feed = new HashMap<>();
        feed.put("input_ids", Tensor.ofLongs(b.inputIds(), b.batch(), b.seq()));
        feed.put("attention_mask", Tensor.ofLongs(b.attentionMask(), b.batch(), b.seq()));
        if (wantsTokenTypes) {
            feed.put("token_type_ids", Tensor.ofLongs(b.tokenTypeIds(), b.batch(), b.seq()));
        }
        Tensor hidden = session.run(feed).get(HIDDEN_STATE);
        if (hidden.rank() != 3 || hidden.dim(0) != b.batch() || hidden.dim(1) != b.seq()) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, HIDDEN_STATE + " has shape "
                + Arrays.toString(hidden.shape()) + ", expected [" + b.batch() + ", " + b.seq() + ", dims]");
        }
        float[][] pooled = options.pooling() == Pooling.MEAN
            ? meanPool(hidden.floats(), b.attentionMask(), b.batch(), b.seq(), hidden.dim(2))
            : firstToken(hidden.floats(), b.batch(), b.seq(), hidden.dim(2));
        if (options.normalize()) {
            for (float[] v : pooled) {
                normalize(v);
            }
        }
        return pooled;
    }

    /**
     * Mean over the positions whose mask is 1, then division by the L2 norm, in LangChain4j's float arithmetic
     * (sums in position order, no fused multiply-adds), so that with ONNX Runtime's bits underneath a vector equals
     * the one LangChain4j's in-process model stores.
     */
    static float[][] meanPoolAndNormalize(float[] hidden, long[] mask, int batch, int seq, int dims) {
        float[][] out = meanPool(hidden, mask, batch, seq, dims);
        for (float[] v : out) {
            normalize(v);
        }
        return out;
    }

    /** Mean over the positions whose mask is 1: float sums in position order, divided by the count. */
    private static float[][] meanPool(float[] hidden, long[] mask, int batch, int seq, int dims) {
        float[][] out = new float[batch][dims];
        for (int b = 0; b < batch; b++) {
            float[] sum = out[b];
            int count = 0;
            for (int s = 0; s < seq; s++) {
                if (mask[b * seq + s] == 0) {
                    continue;
                }
                count++;
                int base = (b * seq + s) * dims;
                for (int d = 0; d < dims; d++) {
                    sum[d] += hidden[base + d];
                }
            }
            for (int d = 0; d < dims; d++) {
                sum[d] /= Math.max(count, 1);
            }
        }
        return out;
    }

    private static float[][] firstToken(float[] hidden, int batch, int seq, int dims) {
        float[][] out = new float[batch][];
        for (int b = 0; b < batch; b++) {
            out[b] = Arrays.copyOfRange(hidden, b * seq * dims, b * seq * dims + dims);
        }
        return out;
    }

    /** v / |v| with |v| the float sum of squares in index order, square-rooted (a zero vector stays zero). */
    private static void normalize(float[] v) {
        float sumSq = 0f;
        for (float x : v) {
            sumSq += x * x;
        }
        float norm = Math.max((float) Math.sqrt(sumSq), 1e-12f);
        for (int d = 0; d < v.length; d++) {
            v[d] /= norm;
        }
    }

    /** Rows of the table {@code input_ids} index: a Gather of an initializer by {@code input_ids}. */
    static OptionalInt wordEmbeddingRows(Graph g) {
        for (Node n : g.nodes()) {
            if (n.opType().equals("Gather") && n.inputs().size() == 2 && n.inputs().get(1).equals("input_ids")) {
                OptionalInt rows = initializerRows(g, n.inputs().get(0));
                if (rows.isPresent()) {
                    return rows;
                }
            }
        }
        return OptionalInt.empty();
    }

    /**
     * How many positions the model has: the rows of its position-embedding table (an initializer gathered from
     * whose name says "position"), else a fixed sequence dimension declared on {@code input_ids}.
     */
    static OptionalInt positionLimit(Graph g) {
        for (Node n : g.nodes()) {
            if (n.opType().equals("Gather") && !n.inputs().isEmpty()
                && n.inputs().get(0).toLowerCase(Locale.ROOT).contains("position")) {
                OptionalInt rows = initializerRows(g, n.inputs().get(0));
                if (rows.isPresent()) {
                    return rows;
                }
            }
        }
        return g.runtimeInputs().stream().filter(v -> v.name().equals("input_ids"))
            .filter(v -> v.shape() != null && v.shape().size() == 2 && v.shape().get(1).isFixed())
            .mapToInt(v -> (int) Math.min(Integer.MAX_VALUE, v.shape().get(1).value())).findFirst();
    }

    private static OptionalInt initializerRows(Graph g, String name) {
        Tensor t = g.initializers().get(name);
        return t == null || t.rank() < 1 ? OptionalInt.empty() : OptionalInt.of(t.dim(0));
    }
}
