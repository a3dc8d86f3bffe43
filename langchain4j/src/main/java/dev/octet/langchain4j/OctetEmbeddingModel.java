package dev.octet.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import dev.octet.models.BundledModels;
import dev.octet.text.SentenceEmbedder;
import dev.octet.text.SentenceEmbedder.SentenceEmbedding;
import dev.octet.text.WordPieceTokenizer;
import java.nio.file.Path;
import java.util.List;

/**
 * A LangChain4j {@link EmbeddingModel} that runs a BERT-style ONNX model on Octet: a drop-in replacement for
 * LangChain4j's in-process ONNX Runtime models. {@code new OctetEmbeddingModel()} is the bundled
 * all-MiniLM-L6-v2-q (like {@code AllMiniLmL6V2QuantizedEmbeddingModel}); {@link #fromFiles} takes any model
 * with its {@code tokenizer.json} (like {@code OnnxEmbeddingModel} with mean pooling).
 *
 * <p>As in LangChain4j, a text is truncated to the tokenizer.json's own {@code truncation.max_length} (128 for
 * the bundled MiniLM), vectors are mean-pooled and unit length, and the token usage counts word pieces without
 * the [CLS] and [SEP] tokens. Where the file sets no truncation, LangChain4j averages windows of 510 word
 * pieces while Octet truncates at the model's position limit. Thread-safe; close it to release the session.
 */
public final class OctetEmbeddingModel implements EmbeddingModel, AutoCloseable {
    private static final String MINILM_NAME = "all-minilm-l6-v2-q";

    private final SentenceEmbedder embedder;
    private final String modelName;
    private final int dimension;

    /** The bundled all-MiniLM-L6-v2-q (384 dimensions), read from the classpath. */
    public OctetEmbeddingModel() {
        this(bundledMiniLm(), MINILM_NAME);
    }

    private OctetEmbeddingModel(SentenceEmbedder embedder, String modelName) {
        this.embedder = embedder;
        this.modelName = modelName;
        this.dimension = embedder.dimension();
    }

    /** A BERT-style ONNX model with its tokenizer.json, mean-pooled and normalized, truncated as the file says. */
    public static OctetEmbeddingModel fromFiles(Path model, Path tokenizerJson) {
        WordPieceTokenizer tokenizer = WordPieceTokenizer.fromFile(tokenizerJson);
        return new OctetEmbeddingModel(SentenceEmbedder.load(model, tokenizer, likeLangChain4j(tokenizer)), model.getFileName().toString().replaceFirst("\\.onnx$", ""));
    }

    private static SentenceEmbedder bundledMiniLm() {
        WordPieceTokenizer tokenizer = WordPieceTokenizer.fromJson(BundledModels.minilmTokenizerBytes(),
            MINILM_NAME + " tokenizer", WordPieceTokenizer.DEFAULT_MAX_LENGTH);
        return SentenceEmbedder.load(BundledModels.minilmModelBytes(), tokenizer, likeLangChain4j(tokenizer));
    }

    /** LangChain4j's settings: the tokenizer.json's truncation length when it has one, mean pooling, unit vectors. */
    private static SentenceEmbedder.Options likeLangChain4j(WordPieceTokenizer tokenizer) {
        return SentenceEmbedder.Options.builder().maxLength(tokenizer.configuredMaxLength().orElse(0)).build();
    }

    @Override
    public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
        List<SentenceEmbedding> results = embedder.embedAll(segments.stream().map(TextSegment::text).toList());
        int special = embedder.tokenizer().specialTokenCount();
        int tokens = results.stream().mapToInt(r -> r.tokenCount() - special).sum();
        return Response.from(results.stream().map(r -> Embedding.from(r.vector())).toList(), new TokenUsage(tokens));
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public String modelName() {
        return modelName;
    }

    /** The embedder underneath, for its token limit and options. */
    public SentenceEmbedder embedder() {
        return embedder;
    }

    @Override
    public void close() {
        embedder.close();
    }
}
