package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TfIdfVectorizer over integer tokens (pool_int64s; Octet has no string tensors): counts the pool's n-grams of
 * min_gram_length to max_gram_length in each row, their items up to max_skip_count apart, as ONNX Runtime and
 * ONNX's reference walk them (unigrams once; longer n-grams once per skip distance), then weighs the counts (TF,
 * IDF or TFIDF).
 */
final class TfIdfVectorizerOp {
    private TfIdfVectorizerOp() {}

    private static final AttributeSpec<String> MODE = AttributeSpec.stringAttr("mode", "")
        .requiring(m -> m.equals("TF") || m.equals("IDF") || m.equals("TFIDF"), "TF, IDF or TFIDF");
    private static final AttributeSpec<Long> MIN_GRAM = AttributeSpec.intAttr("min_gram_length", 0)
        .requiring(v -> v >= 1, "at least 1");
    private static final AttributeSpec<Long> MAX_GRAM = AttributeSpec.intAttr("max_gram_length", 0)
        .requiring(v -> v >= 1, "at least 1");
    private static final AttributeSpec<Long> MAX_SKIP = AttributeSpec.intAttr("max_skip_count", 0)
        .requiring(v -> v >= 0 && v < Integer.MAX_VALUE, "0 or more");

    /** The pool as n-grams: each full n-gram's output index, and every prefix of one (to stop a walk early). */
    private record Pool(Map<List<Long>, Integer> index, Set<List<Long>> prefixes, int outputSize, String mode,
                        float[] weights, int minGram, int maxGram, int maxSkip) {}

    static void register(OpRegistry.Builder r) {
        r.onnx("TfIdfVectorizer", 9).unary().attribute(MODE).attribute(MIN_GRAM).attribute(MAX_GRAM)
            .attribute(MAX_SKIP).shape(c -> Shapes.one(DataType.FLOAT, null)).factory(ctx -> {
                if (ctx.has("pool_strings")) {
                    throw ctx.unsupportedType("TfIdfVectorizer over strings (pool_strings) is not supported");
                }
                Pool pool = pool(ctx);
                return in -> new Tensor[] {vectorize(in[0], pool)};
            });
    }

    private static Pool pool(OpContext ctx) {
        int min = (int) (long) ctx.get(MIN_GRAM);
        int max = (int) (long) ctx.get(MAX_GRAM);
        if (min > max) {
            throw ctx.fail("min_gram_length " + min + " exceeds max_gram_length " + max);
        }
        long[] items = ctx.getInts("pool_int64s");
        long[] counts = ctx.getInts("ngram_counts");
        long[] indexes = ctx.getInts("ngram_indexes");
        if (items == null || counts == null || indexes == null || indexes.length == 0) {
            throw ctx.fail("pool_int64s, ngram_counts and ngram_indexes are required");
        }
        float[] weights = ctx.has("weights") ? ctx.getFloats("weights") : null;
        long maxIndex = Arrays.stream(indexes).max().getAsLong();
        if (Arrays.stream(indexes).min().getAsLong() < 0 || maxIndex >= Tensor.MAX_ELEMENTS) {
            throw ctx.fail("ngram_indexes must be in [0, " + Tensor.MAX_ELEMENTS + "), got up to " + maxIndex);
        }
        int outputSize = ShapeKernels.checkedCount("TfIdfVectorizer output", maxIndex + 1);
        if (weights != null && weights.length < outputSize) {
            throw ctx.fail("weights must cover every output index, " + outputSize + " of them");
        }
        Map<List<Long>, Integer> index = new HashMap<>();
        Set<List<Long>> prefixes = new HashSet<>();
        int id = 0;
        for (int size = 1; size <= counts.length; size++) {
            long start = counts[size - 1];
            long end = size < counts.length ? counts[size] : items.length;
            if (start < 0 || end < start || end > items.length) {
                throw ctx.fail("ngram_counts " + Arrays.toString(counts) + " do not split the pool of " + items.length);
            }
            int grams = (int) ((end - start) / size);
            for (int g = 0; g < grams; g++, id++) {
                if (size < min || size > max) {
                    continue;
                }
                if (id >= indexes.length) {
                    throw ctx.fail("ngram_indexes has no output index for n-gram " + id);
                }
                List<Long> gram = Arrays.stream(items, (int) start + g * size, (int) start + (g + 1) * size).boxed()
                    .toList();
                index.put(gram, (int) indexes[id]);
                for (int k = 1; k <= size; k++) {
                    prefixes.add(gram.subList(0, k));
                }
            }
        }
        return new Pool(index, prefixes, outputSize, ctx.get(MODE), weights, min, max, (int) (long) ctx.get(MAX_SKIP));
    }

    static Tensor vectorize(Tensor x, Pool pool) {
        if (x.type() != DataType.INT32 && x.type() != DataType.INT64) {
            throw ElementwiseBinary.unsupportedType("TfIdfVectorizer", x.type());
        }
        int[] s = x.shapeView();
        if (s.length > 2 || s.length == 2 && s[0] < 1) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "TfIdfVectorizer needs [C] or [B, C] tokens, got " + x);
        }
        int rows = s.length == 2 ? s[0] : 1;
        int width = s.length == 0 ? 1 : s[s.length - 1];
        int out = pool.outputSize;
        long[] freq = new long[ShapeKernels.checkedCount("TfIdfVectorizer output", rows, out)];
        for (int row = 0; row < rows; row++) {
            int startSize = pool.minGram;
            for (int skip = 1; skip <= pool.maxSkip + 1; skip++) {
                // Once no n-gram of startSize fits the row at this skip, none fits at a larger one.
                if ((long) skip * (startSize - 1) >= width) {
                    break;
                }
                for (int start = 0; start < width; start++) {
                    if (start + (long) skip * (startSize - 1) >= width) {
                        break;
                    }
                    java.util.ArrayList<Long> gram = new java.util.ArrayList<>();
                    for (int item = start, size = 1; size <= pool.maxGram && item < width; size++, item += skip) {
                        gram.add(x.getLong(row * width + item));
                        if (!pool.prefixes.contains(gram)) {
                            break;
                        }
                        Integer at = pool.index.get(gram);
                        if (size >= startSize && at != null) {
                            freq[row * out + at]++;
                        }
                    }
                }
                // Unigrams are counted on the first pass only.
                if (startSize == 1) {
                    startSize++;
                    if (startSize > pool.maxGram) {
                        break;
                    }
                }
            }
        }
        float[] y = new float[freq.length];
        for (int i = 0; i < y.length; i++) {
            float w = pool.weights == null ? 1f : pool.weights[i % out];
            y[i] = switch (pool.mode) {
                case "TF" -> freq[i];
                case "IDF" -> freq[i] > 0 ? w : 0f;
                default -> w * freq[i];
            };
        }
        return s.length == 2 ? Tensor.ofFloats(y, rows, out) : Tensor.ofFloats(y, out);
    }
}
