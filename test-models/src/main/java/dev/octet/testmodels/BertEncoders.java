package dev.octet.testmodels;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import java.util.List;

/**
 * Generates BERT-style sentence-embedding encoders in the dialect of the dynamic-int8 exports LangChain4j bundles
 * (all-MiniLM-L6-v2-q: a PyTorch export at opset 11, then ONNX Runtime's {@code quantize_dynamic}), so tests can
 * compare engines on a 12-layer transformer without committing a model file. Node for node as that export writes
 * them:
 * <ul>
 *   <li>inputs {@code input_ids}, {@code attention_mask}, {@code token_type_ids}: int64 [batch_size,
 *       sequence_length]; output {@code last_hidden_state}: float [batch_size, sequence_length, hidden];</li>
 *   <li>the extended mask {@code (1 - Cast(Unsqueeze(Unsqueeze(mask)))) * -3.4028235e38};</li>
 *   <li>embeddings: u8 tables (zero point 128) through Gather -> DequantizeLinear for words, token types and
 *       positions (position ids sliced from a [1, 512] table by the sequence length taken with Shape -> Gather),
 *       two Adds, then LayerNorm;</li>
 *   <li>LayerNorm as ReduceMean -> Sub -> Pow 2 -> ReduceMean -> Add 1e-12 -> Sqrt -> Div -> Mul gamma -> Add beta;</li>
 *   <li>every Linear as DynamicQuantizeLinear -> MatMulInteger (s8 weights in [-64, 64], per-column scales and
 *       zero points 0, as {@code reduce_range} writes them) -> Cast -> Mul(activation scale x weight scales)
 *       -> Add(bias); query, key and value share their input's DynamicQuantizeLinear;</li>
 *   <li>self-attention: Reshape to [batch, seq, heads, head size] with shapes built by Shape -> Gather -> Unsqueeze
 *       -> Concat, Transposes (key to [0,2,3,1]), MatMul, Div by sqrt(head size), Add of the extended mask,
 *       Softmax (axis 3), MatMul, Transpose back and Reshape to [batch, seq, hidden];</li>
 *   <li>Gelu as Div sqrt2 -> Erf -> Add 1 -> Mul x -> Mul 0.5.</li>
 * </ul>
 * Weights come from a seeded stream, scaled (about 1/sqrt(fan-in)) so that activations stay near unit range through
 * all layers: attention neither uniform nor one-hot, Gelu inputs spread over its bend, nothing saturated.
 */
public final class BertEncoders {
    /** The seed the tests use unless they choose another. */
    public static final long DEFAULT_SEED = 20261205L;

    /** A transformer's dimensions. */
    public record Dims(int layers, int hidden, int heads, int intermediate, int vocabulary) {
        public Dims {
            if (layers < 1 || heads < 1 || hidden < heads || hidden % heads != 0 || intermediate < 1 || vocabulary < 2) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "no BERT-style encoder has layers=" + layers
                    + ", hidden=" + hidden + ", heads=" + heads + " (hidden must be a multiple of heads), intermediate="
                    + intermediate + ", vocabulary=" + vocabulary);
            }
        }

        public int headSize() {
            return hidden / heads;
        }
    }

    /** The acceptance model of issue 14: MiniLM's width with BERT-base's 12 layers and a small vocabulary. */
    public static final Dims TWELVE_LAYERS = new Dims(12, 384, 12, 1536, 1000);

    /** Positions the embedding table holds: the longest sequence the model takes. */
    public static final int MAX_POSITIONS = 512;

    private BertEncoders() {}

    /** The model as ONNX bytes. */
    public static byte[] generate(Dims dims, long seed) {
        Encoder e = new Encoder(dims, seed);
        e.build();
        return e.b.toBytes();
    }

    /**
     * One self-attention block alone, in float: inputs {@code query}, {@code key}, {@code value} (float [batch_size,
     * sequence_length, hidden], the projections) and {@code attention_mask}, output {@code context} (float, the same
     * shape), written as in {@link #generate} from the extended mask to the Reshape before the output Linear. No
     * weights: the model depends on the dimensions only.
     */
    public static byte[] generateAttention(Dims dims) {
        Encoder e = new Encoder(dims, 0);
        e.buildAttention();
        return e.b.toBytes();
    }

    /** One encoder under construction. */
    private static final class Encoder extends GraphUnderConstruction {
        final Dims d;

        Encoder(Dims dims, long seed) {
            super(11, seed);
            d = dims;
        }

        String scalar(float v) {
            return constant("const", Tensor.ofFloats(new float[] {v}));
        }

        String longs(long... v) {
            return constant("const", Tensor.ofLongs(v, v.length));
        }

        String longScalar(long v) {
            return constant("const", Tensor.ofLongs(new long[] {v}));
        }

        float[] gaussian(int n, double mean, double spread) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) (mean + random.nextGaussian() * spread);
            }
            return v;
        }

        void build() {
            b.input("input_ids", DataType.INT64, "batch_size", "sequence_length");
            b.input("attention_mask", DataType.INT64, "batch_size", "sequence_length");
            b.input("token_type_ids", DataType.INT64, "batch_size", "sequence_length");
            b.output("last_hidden_state", DataType.FLOAT, "batch_size", "sequence_length", d.hidden());
            String extendedMask = extendedMask();
            String hidden = embeddings();
            for (int layer = 0; layer < d.layers(); layer++) {
                boolean last = layer == d.layers() - 1;
                hidden = layer(hidden, extendedMask, last ? "last_hidden_state" : null);
            }
        }

        void buildAttention() {
            for (String name : List.of("query", "key", "value")) {
                b.input(name, DataType.FLOAT, "batch_size", "sequence_length", d.hidden());
            }
            b.input("attention_mask", DataType.INT64, "batch_size", "sequence_length");
            String context = attention("query", "key", "value", extendedMask());
            b.node("Identity", List.of(context), List.of("context"));
            b.output("context", DataType.FLOAT, "batch_size", "sequence_length", d.hidden());
        }

        /** {@code (1 - mask) * -3.4028235e38}, [batch, 1, 1, seq]: 0 where attended, the float minimum where not. */
        String extendedMask() {
            String mask = node("Cast", List.of(node("Unsqueeze", List.of(node("Unsqueeze", List.of("attention_mask"),
                "axes", new long[] {1})), "axes", new long[] {2})), "to", DataType.FLOAT.onnxCode());
            return node("Mul", List.of(node("Sub", List.of(scalar(1f), mask)), scalar(-Float.MAX_VALUE)));
        }

        String embeddings() {
            String words = embeddingTable("input_ids", d.vocabulary(), 0.05);
            String types = embeddingTable("token_type_ids", 2, 0.02);
            String seqLen = node("Unsqueeze", List.of(node("Gather", List.of(node("Shape", List.of("input_ids")),
                longScalar(1)), "axis", 0)), "axes", new long[] {0});
            long[] positions = new long[MAX_POSITIONS];
            for (int i = 0; i < positions.length; i++) {
                positions[i] = i;
            }
            String positionIds = node("Slice", List.of(constant("position_ids", Tensor.ofLongs(positions, 1, MAX_POSITIONS)),
                longs(0), seqLen, longs(1), longs(1)));
            String position = embeddingTable(positionIds, MAX_POSITIONS, 0.03);
            return layerNorm(node("Add", List.of(node("Add", List.of(words, types)), position)), null);
        }

        /** A u8 table with zero point 128 and one scale, gathered then dequantized, as quantize_dynamic writes it. */
        String embeddingTable(String ids, int rows, double spread) {
            float scale = (float) (spread / 24);
            byte[] q = new byte[rows * d.hidden()];
            for (int i = 0; i < q.length; i++) {
                q[i] = (byte) Math.clamp(128 + Math.round(random.nextGaussian() * 24), 0, 255);
            }
            String gathered = node("Gather", List.of(constant("embedding_quantized", Tensor.ofUint8(q, rows, d.hidden())),
                ids));
            return node("DequantizeLinear", List.of(gathered, scalar(scale),
                constant("embedding_zero_point", Tensor.ofUint8(new byte[] {(byte) 128}))));
        }

        /** One encoder layer; its last LayerNorm writes {@code outputName} when given. */
        String layer(String x, String extendedMask, String outputName) {
            Quantized xq = quantize(x);
            String attention = attention(linear(xq, d.hidden(), d.hidden(), 1.5), linear(xq, d.hidden(), d.hidden(), 1.5),
                linear(xq, d.hidden(), d.hidden(), 1.0), extendedMask);
            String attended = layerNorm(node("Add", List.of(linear(quantize(attention), d.hidden(), d.hidden(), 1.0), x)),
                null);
            String ffn = linear(quantize(gelu(linear(quantize(attended), d.hidden(), d.intermediate(), 1.0))),
                d.intermediate(), d.hidden(), 1.0);
            return layerNorm(node("Add", List.of(ffn, attended)), outputName);
        }

        record Quantized(String values, String scale, String zeroPoint) {}

        Quantized quantize(String x) {
            Quantized q = new Quantized(fresh("quantized"), fresh("scale"), fresh("zero_point"));
            b.node("DynamicQuantizeLinear", List.of(x), List.of(q.values, q.scale, q.zeroPoint));
            return q;
        }

        /**
         * quantize_dynamic's MatMul with {@code reduce_range}: s8 weights in [-64, 64] with one scale per output column
         * and zero points 0. Weights have a standard deviation of {@code gain / sqrt(in)}, biases 0.05.
         */
        String linear(Quantized x, int in, int out, double gain) {
            float[] w = gaussian(in * out, 0, gain / Math.sqrt(in));
            float[] scales = new float[out];
            for (int col = 0; col < out; col++) {
                float max = 0;
                for (int row = 0; row < in; row++) {
                    max = Math.max(max, Math.abs(w[row * out + col]));
                }
                scales[col] = max / 64;
            }
            byte[] q = new byte[w.length];
            for (int i = 0; i < w.length; i++) {
                q[i] = (byte) Math.clamp(Math.round(w[i] / scales[i % out]), -64, 64);
            }
            String scale = node("Mul", List.of(x.scale, constant("weight_scale", Tensor.ofFloats(scales, out))));
            String product = node("MatMulInteger", List.of(x.values, constant("weight_quantized", Tensor.ofInt8(q, in, out)),
                x.zeroPoint, constant("weight_zero_point", Tensor.ofInt8(new byte[out], out))));
            String scaled = node("Mul", List.of(node("Cast", List.of(product), "to", DataType.FLOAT.onnxCode()), scale));
            return node("Add", List.of(constant("bias", Tensor.ofFloats(gaussian(out, 0, 0.05), out)), scaled));
        }

        /** The export's multi-head self-attention over the projected query, key and value. */
        String attention(String query, String key, String value, String extendedMask) {
            String q = node("Transpose", List.of(splitHeads(query)), "perm", new long[] {0, 2, 1, 3});
            String k = node("Transpose", List.of(splitHeads(key)), "perm", new long[] {0, 2, 3, 1});
            String v = node("Transpose", List.of(splitHeads(value)), "perm", new long[] {0, 2, 1, 3});
            String scores = node("Div", List.of(node("MatMul", List.of(q, k)), scalar((float) Math.sqrt(d.headSize()))));
            String probabilities = node("Softmax", List.of(node("Add", List.of(scores, extendedMask))), "axis", 3);
            String context = node("Transpose", List.of(node("MatMul", List.of(probabilities, v))),
                "perm", new long[] {0, 2, 1, 3});
            String shape = node("Concat", List.of(dimOf(context, 0), dimOf(context, 1), longs(d.hidden())), "axis", 0);
            return node("Reshape", List.of(context, shape));
        }

        /** [batch, seq, hidden] to [batch, seq, heads, head size], the shape built from the tensor's own. */
        String splitHeads(String x) {
            String shape = node("Concat", List.of(dimOf(x, 0), dimOf(x, 1), longs(d.heads()), longs(d.headSize())),
                "axis", 0);
            return node("Reshape", List.of(x, shape));
        }

        /** Shape -> Gather(index) -> Unsqueeze: one dimension as a 1-element shape piece. */
        String dimOf(String x, long index) {
            return node("Unsqueeze", List.of(node("Gather", List.of(node("Shape", List.of(x)), longScalar(index)),
                "axis", 0)), "axes", new long[] {0});
        }

        String gelu(String x) {
            String erf = node("Erf", List.of(node("Div", List.of(x, scalar((float) Math.sqrt(2))))));
            return node("Mul", List.of(node("Mul", List.of(x, node("Add", List.of(erf, scalar(1f))))), scalar(0.5f)));
        }

        /** LayerNorm as the export decomposes it; gamma in [0.5, 1], beta about 0.05. */
        String layerNorm(String x, String outputName) {
            String mean = node("ReduceMean", List.of(x), "axes", new long[] {-1});
            String centered = node("Sub", List.of(x, mean));
            String variance = node("ReduceMean", List.of(node("Pow", List.of(centered, scalar(2f)))), "axes",
                new long[] {-1});
            String normalized = node("Div", List.of(centered, node("Sqrt", List.of(node("Add", List.of(variance,
                scalar(1e-12f)))))));
            float[] gamma = new float[d.hidden()];
            for (int i = 0; i < gamma.length; i++) {
                gamma[i] = (float) (0.5 + 0.5 * random.nextDouble());
            }
            String scaled = node("Mul", List.of(normalized, constant("gamma", Tensor.ofFloats(gamma, d.hidden()))));
            String beta = constant("beta", Tensor.ofFloats(gaussian(d.hidden(), 0, 0.05), d.hidden()));
            if (outputName == null) {
                return node("Add", List.of(scaled, beta));
            }
            b.node("Add", List.of(scaled, beta), List.of(outputName));
            return outputName;
        }
    }
}
