package dev.octet.bench;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import dev.octet.ir.ValueInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Deterministic inputs fed to both engines. Integer inputs named like a BERT tokenizer's outputs get text-like
 * data (real token ids make attention and embeddings do representative work); everything else is uniform noise.
 */
final class BenchInputs {
    static final long CLS = 101;
    static final long SEP = 102;
    /** Token ids of ordinary vocabulary words in BERT's uncased vocabulary (below 1000 are special and unused). */
    static final int TOKEN_MIN = 1000;
    static final int TOKEN_MAX = 30000;

    private BenchInputs() {}

    /** One tensor per runtime input, in declaration order, from one seeded stream. */
    static Map<String, Tensor> generate(List<ValueInfo> inputs, int batch, int seq, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> feed = new LinkedHashMap<>();
        for (ValueInfo v : inputs) {
            feed.put(v.name(), tensor(v, batch, seq, random));
        }
        return feed;
    }

    /**
     * The same inputs with every float element moved by one ulp, up or down by a seeded coin per element
     * (0 moves to the smallest subnormal of either sign); integer and bool inputs (token ids, masks) unchanged.
     * Empty when no input is a float tensor: then there is nothing to nudge.
     */
    static Optional<Map<String, Tensor>> nudgedByOneUlp(Map<String, Tensor> feed, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> nudged = new LinkedHashMap<>();
        boolean anyFloat = false;
        for (var e : feed.entrySet()) {
            Tensor t = e.getValue();
            if (t.type() == DataType.FLOAT) {
                float[] v = t.floats().clone();
                for (int i = 0; i < v.length; i++) {
                    v[i] = random.nextBoolean() ? Math.nextUp(v[i]) : Math.nextDown(v[i]);
                }
                t = Tensor.of(DataType.FLOAT, t.shape(), v);
                anyFloat = true;
            }
            nudged.put(e.getKey(), t);
        }
        return anyFloat ? Optional.of(nudged) : Optional.empty();
    }

    /** How an input is filled, for the report. */
    static String describe(ValueInfo v) {
        return switch (kind(v)) {
            case TOKEN_IDS -> "token ids in [" + TOKEN_MIN + "," + TOKEN_MAX + "), " + CLS + " first and " + SEP + " last per row";
            case MASK -> "all 1";
            case TOKEN_TYPES -> "all 0";
            case NOISE -> switch (v.type()) {
                case FLOAT, FLOAT16, BFLOAT16, DOUBLE -> "uniform [0,1)";
                case UINT8, INT8 -> "uniform over the type's range";
                case INT32, INT64 -> "uniform {0,1}";
                case BOOL -> "random booleans";
            };
        };
    }

    private enum Kind { TOKEN_IDS, MASK, TOKEN_TYPES, NOISE }

    private static Kind kind(ValueInfo v) {
        if (v.type() != DataType.INT64 && v.type() != DataType.INT32) {
            return Kind.NOISE;
        }
        String name = v.name().toLowerCase(Locale.ROOT);
        // "token_type_ids" also contains "ids", so types are recognised first.
        if (name.contains("type")) return Kind.TOKEN_TYPES;
        if (name.contains("mask")) return Kind.MASK;
        if (name.contains("ids")) return Kind.TOKEN_IDS;
        return Kind.NOISE;
    }

    private static int[] shape(ValueInfo v, int batch, int seq) {
        if (v.type() == null || v.shape() == null) {
            throw new IllegalArgumentException("input " + v.describe() + " has no declared type or rank to generate data for");
        }
        int[] shape = new int[v.shape().size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = size(v.shape().get(i), batch, seq);
        }
        return shape;
    }

    /** Fixed dims as declared; symbolic ones by name: batch-like to B, sequence-like to S, anything else 1. */
    private static int size(Dim d, int batch, int seq) {
        if (d.isFixed()) {
            return Math.toIntExact(d.value());
        }
        String s = d.symbol() == null ? "" : d.symbol().toLowerCase(Locale.ROOT);
        if (s.contains("batch") || s.equals("n") || s.equals("b")) {
            return batch;
        }
        if (s.contains("seq") || s.contains("len") || s.contains("token") || s.equals("s") || s.equals("t")) {
            return seq;
        }
        return 1;
    }

    private static Tensor tensor(ValueInfo v, int batch, int seq, SplittableRandom random) {
        int[] shape = shape(v, batch, seq);
        int n = Tensor.checkedSize(shape);
        int row = shape.length == 0 ? 1 : shape[shape.length - 1];
        Kind kind = kind(v);
        Object data = Tensor.newArray(v.type(), n);
        for (int i = 0; i < n; i++) {
            switch (v.type()) {
                case FLOAT -> ((float[]) data)[i] = (float) random.nextDouble();
                case UINT8, INT8 -> ((byte[]) data)[i] = (byte) random.nextInt(256);
                case BOOL -> ((boolean[]) data)[i] = random.nextBoolean();
                case INT32 -> ((int[]) data)[i] = (int) integer(kind, i % row, row, random);
                case INT64 -> ((long[]) data)[i] = integer(kind, i % row, row, random);
                case FLOAT16 -> ((short[]) data)[i] = Float.floatToFloat16((float) random.nextDouble());
                case BFLOAT16 -> ((short[]) data)[i] = (short) (Float.floatToRawIntBits((float) random.nextDouble()) >>> 16);
                case DOUBLE -> ((double[]) data)[i] = random.nextDouble();
            }
        }
        return Tensor.of(v.type(), shape, data);
    }

    private static long integer(Kind kind, int pos, int row, SplittableRandom random) {
        return switch (kind) {
            case TOKEN_IDS -> pos == 0 ? CLS : pos == row - 1 ? SEP : random.nextInt(TOKEN_MIN, TOKEN_MAX);
            case MASK -> 1;
            case TOKEN_TYPES -> 0;
            case NOISE -> random.nextInt(2); // valid as an index, a mask or a boolean-like flag
        };
    }
}
