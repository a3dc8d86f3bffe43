package dev.octet.bench;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.onnx.OnnxModelBuilder;
import dev.octet.testmodels.BertEncoders;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The transcendental operators of transformers, bit for bit against ONNX Runtime 1.23.2 (issue 14): ORT's
 * arithmetic is Octet's canonical one for exp, erf, tanh, sigmoid and softmax. Each operator runs as a one-node model
 * with symbolic dimensions, opened once per thread count (1 and 2, the same on both engines) and run over a sweep;
 * a failure names the first differing element with both values (see {@link BitParity}).
 *
 * <ul>
 *   <li>Softmax (opset 13, last axis) on rows of every length 1..129 and of 191..1024 around the
 *       powers of two and the transformer widths (256, 384, 512, 768, 1000, 1024): Gaussian scores of spread 1, 3 and
 *       5, uniform in +-80 and +-1e4, rows masked at their ends with -10000 (BERT's additive mask) and with
 *       -3.4028235e38 (the float minimum MiniLM's export adds), every third entry -inf, a fully -inf row, a NaN,
 *       a +inf, a constant row, and one entry 80 above the rest.</li>
 *   <li>Erf, Sigmoid, Tanh, com.microsoft Gelu and the decomposed Gelu (Div sqrt2, Erf, Add 1, Mul x, Mul 0.5,
 *       which ORT fuses into its Gelu) on: +-0, +-Inf, NaN, subnormals, the kernels' branch and clamp points and
 *       their neighbours, every 997th float of either sign from 0 to 100 (all binades, subnormals included), and
 *       [-10, 10] in steps of 2^-12.</li>
 *   <li>Self-attention as BERT exports decompose it, from float projections, with padded masks.</li>
 * </ul>
 */
class OrtOperatorParityTest {
    private static final int[] SOFTMAX_LENGTHS = IntStream.concat(IntStream.rangeClosed(1, 129),
        IntStream.of(191, 192, 193, 255, 256, 257, 383, 384, 385, 511, 512, 513, 767, 768, 999, 1000, 1001, 1023, 1024))
        .toArray();
    private static final List<String> ROW_KINDS = List.of("gaussian-1", "gaussian-3", "gaussian-5", "uniform-80",
        "uniform-1e4", "masked-10000", "masked-float-min", "third-minus-inf", "all-minus-inf", "one-nan", "one-plus-inf",
        "constant", "one-at-80", "offset-minus-10000");
    private static final int SOFTMAX_ROW_KINDS = ROW_KINDS.size();
    /** The unary sweep's parts, in order: the special values with their neighbours, the strided and dense sweeps. */
    private static final int SPECIALS = 19 * 6;
    private static final int STRIDED = 2 * (Float.floatToIntBits(100f) / 997 + 1);
    private static final float[] UNARY_SWEEP = unarySweep();

    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void softmaxRowsMatchBitForBit(int threads) throws Exception {
        byte[] model = new OnnxModelBuilder(13)
            .input("x", DataType.FLOAT, "rows", "n").output("y", DataType.FLOAT, "rows", "n")
            .node("Softmax", List.of("x"), List.of("y"), "axis", -1)
            .toBytes();
        BitParity parity = new BitParity("Softmax rows of length 1..1024, threads=" + threads);
        try (ParityEngines engines = new ParityEngines(model, threads)) {
            for (int n : SOFTMAX_LENGTHS) {
                float[] x = softmaxRows(n);
                ParityEngines.Pair out = engines.run(Map.of("x", Tensor.ofFloats(x, SOFTMAX_ROW_KINDS, n)), "y");
                parity.add(out.ort(), out.octet(), i -> String.format(Locale.ROOT,
                    "length %d, row %s, column %d (input %s)", n, ROW_KINDS.get(i / n), i % n, x[i]),
                    i -> ROW_KINDS.get(i / n));
            }
        }
        parity.assertExact();
    }

    /** One row of each kind of {@link #ROW_KINDS}, of length n. */
    private static float[] softmaxRows(int n) {
        SplittableRandom r = new SplittableRandom(1000L + n);
        float[] x = new float[SOFTMAX_ROW_KINDS * n];
        int masked = n - Math.max(1, n * 2 / 3); // the last third, or nothing in rows of length 1
        for (int j = 0; j < n; j++) {
            x[j] = (float) r.nextGaussian();
            x[n + j] = (float) r.nextGaussian() * 3;
            x[2 * n + j] = (float) r.nextGaussian() * 5;
            x[3 * n + j] = (float) (r.nextDouble() * 160 - 80);
            x[4 * n + j] = (float) (r.nextDouble() * 2e4 - 1e4);
            x[5 * n + j] = j >= n - masked ? -10000f : (float) r.nextGaussian() * 3;
            x[6 * n + j] = j >= n - masked ? -Float.MAX_VALUE : (float) r.nextGaussian() * 3;
            x[7 * n + j] = j % 3 == 2 ? Float.NEGATIVE_INFINITY : (float) r.nextGaussian() * 3;
            x[8 * n + j] = Float.NEGATIVE_INFINITY;
            x[9 * n + j] = j == n / 2 ? Float.NaN : (float) r.nextGaussian();
            x[10 * n + j] = j == n / 3 ? Float.POSITIVE_INFINITY : (float) r.nextGaussian();
            x[11 * n + j] = 0.25f;
            x[12 * n + j] = j == n / 2 ? 80f + (float) r.nextGaussian() : (float) r.nextGaussian();
            x[13 * n + j] = (float) r.nextGaussian() * 3 - 10000f; // large offset: exp's argument after the max
        }
        return x;
    }

    @ParameterizedTest(name = "{0} threads={1}")
    @CsvSource({"Erf, 1", "Erf, 2", "Sigmoid, 1", "Sigmoid, 2", "Tanh, 1", "Tanh, 2"})
    void unaryOperatorsMatchBitForBit(String op, int threads) throws Exception {
        byte[] model = new OnnxModelBuilder(13)
            .input("x", DataType.FLOAT, "n").output("y", DataType.FLOAT, "n")
            .node(op, List.of("x"), List.of("y"))
            .toBytes();
        compareOnSweep(op, model, threads);
    }

    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void microsoftGeluMatchesBitForBit(int threads) throws Exception {
        byte[] model = new OnnxModelBuilder(13).opset("com.microsoft", 1)
            .input("x", DataType.FLOAT, "n").output("y", DataType.FLOAT, "n")
            .node("com.microsoft", "Gelu", List.of("x"), List.of("y"))
            .toBytes();
        compareOnSweep("com.microsoft Gelu", model, threads);
    }

    /** The Gelu BERT exports write: ORT's default optimizations fuse it into its Gelu kernel, Octet's into its own. */
    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void decomposedGeluMatchesBitForBit(int threads) throws Exception {
        byte[] model = new OnnxModelBuilder(13)
            .input("x", DataType.FLOAT, "n").output("y", DataType.FLOAT, "n")
            .initializer("sqrt2", Tensor.ofFloats(new float[] {(float) Math.sqrt(2)}))
            .initializer("one", Tensor.ofFloats(new float[] {1f}))
            .initializer("half", Tensor.ofFloats(new float[] {0.5f}))
            .node("Div", List.of("x", "sqrt2"), List.of("scaled"))
            .node("Erf", List.of("scaled"), List.of("erf"))
            .node("Add", List.of("erf", "one"), List.of("shifted"))
            .node("Mul", List.of("x", "shifted"), List.of("product"))
            .node("Mul", List.of("product", "half"), List.of("y"))
            .toBytes();
        compareOnSweep("decomposed Gelu", model, threads);
    }

    /**
     * Self-attention as BERT exports write it (BertEncoders.generateAttention: head split, MatMul, Div by sqrt(32),
     * the extended mask, Softmax, MatMul, head merge), in float from given projections: ORT's optimizations turn it
     * into FusedMatMul (scale folded into alpha), Add, Softmax and MatMul; Octet's into its Attention. 12 heads of 32,
     * batch 3 with rows 1 and 2 padded at their ends, query and key spread 2 so that attention is neither uniform
     * nor one-hot.
     */
    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void decomposedAttentionMatchesBitForBit(int threads) throws Exception {
        BertEncoders.Dims dims = new BertEncoders.Dims(1, 384, 12, 1536, 2);
        int batch = 3, hidden = dims.hidden();
        BitParity parity = new BitParity("decomposed attention, batch 3 padded, threads=" + threads);
        try (ParityEngines engines = new ParityEngines(BertEncoders.generateAttention(dims), threads)) {
            for (int seq : new int[] {1, 2, 7, 16, 17, 33, 77, 128, 256}) {
                SplittableRandom r = new SplittableRandom(seq);
                Map<String, Tensor> inputs = new HashMap<>();
                for (String name : List.of("query", "key", "value")) {
                    float[] x = new float[batch * seq * hidden];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) r.nextGaussian() * (name.equals("value") ? 1 : 2);
                    }
                    inputs.put(name, Tensor.ofFloats(x, batch, seq, hidden));
                }
                long[] mask = new long[batch * seq];
                for (int b = 0; b < batch; b++) {
                    int attended = b == 0 ? seq : Math.max(1, seq - (b * seq) / 4 - b);
                    Arrays.fill(mask, b * seq, b * seq + attended, 1);
                }
                inputs.put("attention_mask", Tensor.ofLongs(mask, batch, seq));
                ParityEngines.Pair out = engines.run(inputs, "context");
                parity.add(out.ort(), out.octet(), i -> String.format(Locale.ROOT, "seq %d, row %d, token %d, channel %d",
                    seq, i / (seq * hidden), i / hidden % seq, i % hidden), i -> "seq " + seq);
            }
        }
        parity.assertExact();
    }

    private static void compareOnSweep(String what, byte[] model, int threads) throws Exception {
        BitParity parity = new BitParity(what + " on " + UNARY_SWEEP.length + " inputs, threads=" + threads);
        try (ParityEngines engines = new ParityEngines(model, threads)) {
            ParityEngines.Pair out = engines.run(Map.of("x", Tensor.ofFloats(UNARY_SWEEP, UNARY_SWEEP.length)), "y");
            parity.add(out.ort(), out.octet(), i -> String.format(Locale.ROOT, "input %s (0x%08x)", UNARY_SWEEP[i],
                Float.floatToRawIntBits(UNARY_SWEEP[i])), OrtOperatorParityTest::sweepPart);
        }
        parity.assertExact();
    }

    /**
     * The sweep's parts, for the per-part counts: the specials, the dense sweep, and the strided sweep by magnitude
     * (subnormal, below 2^-12, below 1, below 10, up to 100).
     */
    private static String sweepPart(int i) {
        if (i < SPECIALS) {
            return "specials";
        }
        if (i >= SPECIALS + STRIDED) {
            return "dense-minus10-to-10";
        }
        float a = Math.abs(UNARY_SWEEP[i]);
        return a < Float.MIN_NORMAL ? "strided-subnormal" : a < 0x1p-12f ? "strided-below-2^-12"
            : a < 1 ? "strided-below-1" : a < 10 ? "strided-1-to-10" : "strided-10-to-100";
    }

    private static float[] unarySweep() {
        List<Float> special = new ArrayList<>(List.of(0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.NaN, Float.MIN_VALUE, Float.intBitsToFloat(0x007fffff), Float.MIN_NORMAL, Float.MAX_VALUE, 1e4f,
            // erf's branch and clamp; sigmoid's clamp and where ORT's result reaches 0; exp's clamp and overflow
            0.921875f, 3.925f, 18f, 15.8f, 103.97f, 88.72f, 9f, 1f, 0.5f));
        List<Float> withNeighbours = new ArrayList<>();
        for (float s : special) {
            for (float v : new float[] {s, Math.nextUp(s), Math.nextDown(s)}) {
                withNeighbours.add(v);
                withNeighbours.add(-v);
            }
        }
        int upTo100 = Float.floatToIntBits(100f);
        int strided = upTo100 / 997 + 1;
        int dense = 20 * 4096 + 1;
        float[] x = new float[withNeighbours.size() + 2 * strided + dense];
        int k = 0;
        for (float v : withNeighbours) {
            x[k++] = v;
        }
        for (int bits = 0; bits <= upTo100; bits += 997) {
            x[k++] = Float.intBitsToFloat(bits);
            x[k++] = -Float.intBitsToFloat(bits);
        }
        for (int i = 0; i < dense; i++) {
            x[k++] = -10f + i / 4096f;
        }
        if (withNeighbours.size() != SPECIALS || k != x.length) {
            throw new IllegalStateException("the sweep's regions moved: " + withNeighbours.size() + " specials");
        }
        return x;
    }
}
