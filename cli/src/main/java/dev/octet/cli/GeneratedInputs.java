package dev.octet.cli;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.ValueInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Model inputs made up from their declared types, shared by {@code run}, {@code profile} and {@code bench}:
 * {@code --dim SYMBOL=SIZE} sizes symbolic dimensions (1 when not given) and a seeded generator fills the data,
 * so the same seed gives the same inputs in every command.
 */
final class GeneratedInputs {
    private GeneratedInputs() {}

    /**
     * The {@code --dim SYMBOL=SIZE} values as symbol to size, in the order given. A malformed value, a symbol given
     * twice or one that no runtime input of {@code g} declares is an INVALID_INPUT error naming it (and the
     * model's symbols), rather than being ignored.
     */
    static Map<String, Integer> parseDims(List<String> specs, Graph g) {
        Set<String> symbols = new TreeSet<>();
        for (ValueInfo v : g.runtimeInputs()) {
            if (v.shape() != null) {
                v.shape().stream().filter(d -> !d.isFixed() && d.symbol() != null).forEach(d -> symbols.add(d.symbol()));
            }
        }
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            int size;
            try {
                size = Integer.parseInt(spec.substring(eq + 1));
            } catch (RuntimeException e) {
                size = -1;
            }
            if (eq <= 0 || size < 0) {
                throw new OctetException(ErrorCode.INVALID_INPUT,
                    "--dim takes SYMBOL=SIZE with SIZE a whole number from 0 to " + Integer.MAX_VALUE + ", got '" + spec + "'");
            }
            String symbol = spec.substring(0, eq);
            if (!symbols.contains(symbol)) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "--dim " + spec + ": no input of the model has a dimension named '"
                    + symbol + "'; " + (symbols.isEmpty() ? "its inputs have no symbolic dimensions" : "its symbols are " + symbols));
            }
            if (m.put(symbol, size) != null) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "--dim gives '" + symbol + "' twice");
            }
        }
        return m;
    }

    /** Every runtime input of {@code g}, generated in declaration order from one generator seeded with {@code seed}. */
    static Map<String, Tensor> generate(Graph g, Map<String, Integer> symbolSizes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> feed = new LinkedHashMap<>();
        for (ValueInfo v : g.runtimeInputs()) {
            feed.put(v.name(), randomTensor(v, symbolSizes, random));
        }
        return feed;
    }

    /** Uniform data of the declared type: floats in [0, 1), 8-bit integers over their range, int32/int64 0 or 1 (valid as indices, masks and token types). */
    static Tensor randomTensor(ValueInfo v, Map<String, Integer> symbolSizes, SplittableRandom random) {
        if (v.type() == null || v.shape() == null) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "cannot generate input " + v.describe()
                + ": its type or rank is not declared; pass --input");
        }
        int[] shape = new int[v.shape().size()];
        for (int i = 0; i < shape.length; i++) {
            Dim d = v.shape().get(i);
            shape[i] = d.isFixed() ? (int) d.value() : symbolSizes.getOrDefault(d.symbol(), 1);
        }
        int n = Tensor.checkedSize(shape);
        Object data = Tensor.newArray(v.type(), n);
        for (int i = 0; i < n; i++) {
            switch (v.type()) {
                case FLOAT -> ((float[]) data)[i] = (float) random.nextDouble();
                case UINT8, INT8 -> ((byte[]) data)[i] = (byte) random.nextInt(256);
                case INT32 -> ((int[]) data)[i] = random.nextInt(2);
                case INT64 -> ((long[]) data)[i] = random.nextInt(2);
                case BOOL -> ((boolean[]) data)[i] = random.nextBoolean();
                case FLOAT16 -> ((short[]) data)[i] = Float.floatToFloat16((float) random.nextDouble());
                // The upper half of a float in [0, 1) is a bfloat16 in [0, 1).
                case BFLOAT16 -> ((short[]) data)[i] = (short) (Float.floatToRawIntBits((float) random.nextDouble()) >>> 16);
                case DOUBLE -> ((double[]) data)[i] = random.nextDouble();
            }
        }
        return Tensor.of(v.type(), shape, data);
    }
}
