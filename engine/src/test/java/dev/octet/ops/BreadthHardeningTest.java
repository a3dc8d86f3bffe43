package dev.octet.ops;

import static dev.octet.ops.OpRunner.attr;
import static dev.octet.ops.OpRunner.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Inputs a review of the breadth operators found to end in OutOfMemoryError, a plain Java exception, a hang or
 * a wrong answer: each must now be a typed error (or the right answer). Sizes are chosen beyond what a Java
 * array holds, so the outcome does not depend on the test JVM's heap.
 */
class BreadthHardeningTest {
    private static OctetException fails(ErrorCode code, Executable run) {
        OctetException e = assertThrows(OctetException.class, run);
        assertEquals(code, e.code(), e.getMessage());
        return e;
    }

    private static Tensor longs(long... v) {
        return Tensor.ofLongs(v, v.length);
    }

    private static Tensor scalar(long v) {
        return Tensor.ofLongs(new long[] {v});
    }

    private static Map<String, Attribute> ints(String name, long... v) {
        return Map.of(name, new Attribute.IntsAttr(v));
    }

    @Test
    void tileRefusesRepeatsThatWrapOrOverflowBeforeAllocating() {
        Tensor x = Tensor.ofFloats(new float[] {1, 2, 3, 4}, 4);
        // 4 * (2^62 + 1) wraps to 4: it used to return x unchanged.
        fails(ErrorCode.INVALID_SHAPE, () -> run("Tile", 13, Map.of(), x, longs((1L << 62) + 1)));
        Tensor one = Tensor.ofFloats(new float[] {1}, 1, 1);
        fails(ErrorCode.INVALID_SHAPE, () -> run("Tile", 13, Map.of(), one, longs(2_000_000_000L, 2_000_000_000L)));
    }

    @Test
    void centerCropPadAndUpsampleCheckTheirOutputBeforeBuildingOffsets() {
        Tensor one = Tensor.ofFloats(new float[] {1}, 1, 1);
        fails(ErrorCode.INVALID_SHAPE,
            () -> run("CenterCropPad", 18, Map.of(), one, longs(2_000_000_000L, 2_000_000_000L)));
        fails(ErrorCode.INVALID_SHAPE,
            () -> run("Upsample", 9, Map.of(), one, Tensor.ofFloats(new float[] {2e9f, 2e9f}, 2)));
    }

    @Test
    void maxUnpoolChecksSizesAndIndices() {
        Tensor x = Tensor.ofFloats(new float[] {1, 2, 3, 4, 5}, 1, 1, 5);
        Tensor zeros = Tensor.ofLongs(new long[5], 1, 1, 5);
        Map<String, Attribute> hugeStride = Map.of("kernel_shape", new Attribute.IntsAttr(new long[] {1}),
            "strides", new Attribute.IntsAttr(new long[] {1 << 30}));
        // (5 - 1) * 2^30 + 1 used to wrap to 1: a silently wrong [1, 1, 1] output.
        fails(ErrorCode.INVALID_SHAPE, () -> run("MaxUnpool", 11, hugeStride, x, zeros));
        Map<String, Attribute> k1 = ints("kernel_shape", 1);
        Tensor x2 = Tensor.ofFloats(new float[] {1, 2}, 1, 1, 2);
        fails(ErrorCode.INVALID_SHAPE, () -> run("MaxUnpool", 11, k1, x2, Tensor.ofLongs(new long[] {-1, 0}, 1, 1, 2)));
        Tensor one = Tensor.ofFloats(new float[] {1}, 1, 1, 1, 1);
        Tensor at0 = Tensor.ofLongs(new long[] {0}, 1, 1, 1, 1);
        fails(ErrorCode.INVALID_SHAPE, () -> run("MaxUnpool", 11, ints("kernel_shape", 1, 1), one, at0,
            longs(1, 1, 50_000, 50_000)));
    }

    @Test
    void windowsAndMelMatricesSizeTheirOutputInLongArithmetic() {
        // (Long.MAX_VALUE / 2 + 1) * 4 bins wrapped to 0, then indexed out of bounds.
        fails(ErrorCode.INVALID_SHAPE, () -> run("MelWeightMatrix", 17, Map.of(), scalar(4), scalar(Long.MAX_VALUE),
            scalar(16000), Tensor.ofFloats(new float[] {0}), Tensor.ofFloats(new float[] {0})));
    }

    @Test
    void dftAndStftRefuseUnboundedWorkAndOutOfRangeAxes() {
        Tensor x = Tensor.ofFloats(new float[] {1, 2, 3, 4}, 1, 4, 1);
        fails(ErrorCode.RESOURCE_LIMIT, () -> run("DFT", 17, Map.of(), x, scalar(3_000_000)));
        // 10^10 complex steps (4 x 10^10 real multiply-adds) ran for seconds to minutes: refused before any.
        fails(ErrorCode.RESOURCE_LIMIT, () -> run("DFT", 17, Map.of(), x, scalar(100_000)));
        // Axis 7 on rank 3 used to wrap to axis 1.
        fails(ErrorCode.INVALID_INPUT, () -> run("DFT", 17, attr("axis", 7), x));
        fails(ErrorCode.INVALID_INPUT, () -> run("DFT", 17, attr("axis", -1), x));
        Tensor signal = Tensor.ofFloats(new float[65536], 1, 65536, 1);
        fails(ErrorCode.RESOURCE_LIMIT, () -> run("STFT", 17, Map.of(), signal, scalar(1), null, scalar(32768)));
    }

    @Test
    void roiAlignCapsTheAdaptiveSamplingGrid() {
        Tensor x = Tensor.ofFloats(new float[4], 1, 1, 2, 2);
        Tensor roi = Tensor.ofFloats(new float[] {0, 0, 1e6f, 1e6f}, 1, 4);
        fails(ErrorCode.RESOURCE_LIMIT, () -> run("RoiAlign", 16, Map.of(), x, roi, longs(0)));
    }

    @Test
    void gridSampleRefusesFourSpatialAxesAndPropagatesNan() {
        Tensor x4 = Tensor.ofFloats(new float[1], 1, 1, 1, 1, 1, 1);
        Tensor g4 = Tensor.ofFloats(new float[4], 1, 1, 1, 1, 1, 4);
        fails(ErrorCode.UNSUPPORTED_OP, () -> run("GridSample", 20, Map.of(), x4, g4));
        Tensor x = Tensor.ofFloats(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        Tensor grid = Tensor.ofFloats(new float[] {Float.NaN, 0}, 1, 1, 1, 2);
        // A cast of NaN to int is 0: nearest used to read pixel 0 (or 1 along the other axis).
        float y = run("GridSample", 20, attr("mode", "nearest"), x, grid).floats()[0];
        assertTrue(Float.isNaN(y), "got " + y);
    }

    @Test
    void tfIdfStopsSkippingOnceNoGramFitsAndBoundsItsOutput() {
        Map<String, Attribute> a = Map.of("mode", new Attribute.StringAttr("TF"),
            "min_gram_length", new Attribute.IntAttr(2), "max_gram_length", new Attribute.IntAttr(2),
            "max_skip_count", new Attribute.IntAttr(2_000_000_000L),
            "pool_int64s", new Attribute.IntsAttr(new long[] {5, 6}),
            "ngram_counts", new Attribute.IntsAttr(new long[] {0, 0}),
            "ngram_indexes", new Attribute.IntsAttr(new long[] {0}));
        // Used to try two billion skips per row.
        Tensor y = run("TfIdfVectorizer", 9, a, Tensor.ofLongs(new long[] {5, 6, 6, 5}, 2, 2));
        assertArrayEquals(new float[] {1, 0}, y.floats());
        Map<String, Attribute> huge = Map.of("mode", new Attribute.StringAttr("TF"),
            "min_gram_length", new Attribute.IntAttr(1), "max_gram_length", new Attribute.IntAttr(1),
            "pool_int64s", new Attribute.IntsAttr(new long[] {5}),
            "ngram_counts", new Attribute.IntsAttr(new long[] {0}),
            "ngram_indexes", new Attribute.IntsAttr(new long[] {Long.MAX_VALUE}));
        fails(ErrorCode.INVALID_GRAPH, () -> run("TfIdfVectorizer", 9, huge, longs(5, 5)));
    }

    @Test
    void recurrentAttentionAndConvolutionBuffersAreSizedInLongArithmetic() {
        int h = 1 << 30;
        // 4 * 2^30 wraps to 0 and matched the empty W.
        fails(ErrorCode.INVALID_SHAPE, () -> run("LSTM", 14, attr("hidden_size", h), Tensor.ofFloats(new float[1], 1, 1, 1),
            Tensor.ofFloats(new float[0], 1, 0, 1), Tensor.ofFloats(new float[0], 1, 0, h)));
        fails(ErrorCode.INVALID_SHAPE, () -> run("DeformConv", 19, Map.of(),
            Tensor.ofFloats(new float[0], 1, 0, 100, 100), Tensor.ofFloats(new float[0], 1_000_000, 0, 1, 1),
            Tensor.ofFloats(new float[20000], 1, 2, 100, 100)));
        fails(ErrorCode.INVALID_SHAPE, () -> run("CausalConvWithState", 27, 2, Map.of(),
            Tensor.ofFloats(new float[0], 100000, 100, 0), Tensor.ofFloats(new float[100000], 100, 1, 1000)));
        int d = 50000;
        Tensor qkv = Tensor.ofFloats(new float[d], 1, 1, d);
        fails(ErrorCode.INVALID_SHAPE, () -> run("LinearAttention", 27, Map.of("q_num_heads",
            new Attribute.IntAttr(1), "kv_num_heads", new Attribute.IntAttr(1),
            "update_rule", new Attribute.StringAttr("linear")), qkv, qkv, qkv));
        Tensor noHeads = Tensor.ofFloats(new float[0], 1, 0, 1, 4);
        fails(ErrorCode.INVALID_INPUT, () -> run("Attention", 23, Map.of(), noHeads, noHeads, noHeads));
    }

    @Test
    void windowAttributesAreCheckedAtLoad() {
        Tensor cols = Tensor.ofFloats(new float[] {1}, 1, 1, 1);
        fails(ErrorCode.INVALID_GRAPH, () -> run("Col2Im", 18, ints("strides", 0), cols, longs(1), longs(1)));
        Tensor x = Tensor.ofFloats(new float[4], 1, 1, 2, 2);
        fails(ErrorCode.INVALID_GRAPH, () -> run("DeformConv", 19, ints("strides", 0, 0), x,
            Tensor.ofFloats(new float[1], 1, 1, 1, 1), Tensor.ofFloats(new float[8], 1, 2, 2, 2)));
    }

    @Test
    void emptyTensorsWithHugeDimensionsNeitherWrapNorAllocate() {
        assertEquals(0, run("Det", 13, Map.of(), Tensor.ofFloats(new float[0], 0, 50000, 50000)).size());
        Tensor wide = Tensor.ofFloats(new float[0], 1, 0, 1 << 30, 1);
        fails(ErrorCode.INVALID_SHAPE, () -> run("DepthToSpace", 13, attr("blocksize", 4), wide));
        Tensor d2s = run("DepthToSpace", 13, attr("blocksize", 65536), Tensor.ofFloats(new float[0], 1, 0, 1, 1));
        assertArrayEquals(new int[] {1, 0, 65536, 65536}, d2s.shape());
        Tensor hollow = Tensor.ofFloats(new float[0], 1 << 30, 0, 1 << 30);
        fails(ErrorCode.INVALID_INPUT, () -> run("ArgMax", 13, attr("axis", 1), hollow));
    }

    @Test
    void tensorScatterNeverWrapsAWriteIndex() {
        Tensor cache = Tensor.ofFloats(new float[4], 1, 4);
        Tensor update = Tensor.ofFloats(new float[] {7, 8}, 1, 2);
        Tensor at = longs(Long.MAX_VALUE);
        fails(ErrorCode.INVALID_SHAPE, () -> run("TensorScatter", 24, attr("axis", 1), cache, update, at));
        // Circular: Long.MAX_VALUE % 4 = 3, so the update lands at 3 then wraps to 0.
        Map<String, Attribute> circular = Map.of("axis", new Attribute.IntAttr(1),
            "mode", new Attribute.StringAttr("circular"));
        assertArrayEquals(new float[] {8, 0, 0, 7}, run("TensorScatter", 24, circular, cache, update, at).floats());
    }

    @Test
    void oneHotRefusesNanIndicesAndTopKTreatsSignedZerosAsEqual() {
        fails(ErrorCode.INVALID_INPUT, () -> run("OneHot", 11, Map.of(), Tensor.ofFloats(new float[] {Float.NaN, 1}, 2),
            longs(3), Tensor.ofFloats(new float[] {0, 1}, 2)));
        Tensor[] top = run("TopK", 11, 2, Map.of(), Tensor.ofFloats(new float[] {-0.0f, 0.0f}, 2), longs(1));
        assertArrayEquals(new long[] {0}, top[1].longs(), "equal values keep index order, as ONNX Runtime");
        Tensor[] nan = run("TopK", 11, 2, Map.of(), Tensor.ofFloats(new float[] {1, Float.NaN, 2}, 3), longs(2));
        assertArrayEquals(new long[] {1, 2}, nan[1].longs(), "NaN is above every number");
    }

    @Test
    void convTransposeRefusesAnOutputShapeOfTheWrongRank() {
        // Fuzz case 13516 (seed 17): output_shape [8] for a 2-D convolution read past its end.
        Map<String, Attribute> a = Map.of("output_shape", new Attribute.IntsAttr(new long[] {8}),
            "strides", new Attribute.IntsAttr(new long[] {3, 2}));
        fails(ErrorCode.INVALID_GRAPH, () -> run("ConvTranspose", 11, a, Tensor.ofFloats(new float[9], 1, 1, 3, 3),
            Tensor.ofFloats(new float[18], 1, 2, 3, 3)));
    }

    @Test
    void attributesAreRefusedBeforeTheOpsetThatIntroducedThem() {
        Tensor x = Tensor.ofFloats(new float[] {1, 1, 1}, 3);
        // select_last_index came with ArgMax-12, largest and sorted with TopK-11.
        fails(ErrorCode.INVALID_GRAPH, () -> run("ArgMax", 11, attr("select_last_index", 1), x));
        assertArrayEquals(new long[] {2}, run("ArgMax", 12, attr("select_last_index", 1), x).longs());
        fails(ErrorCode.INVALID_GRAPH, () -> run("TopK", 10, 2, attr("largest", 0), x, longs(1)));
    }

    @Test
    void aTypeCodeBeyondIntIsNamedAsGiven() {
        // 2^32 + 1 cast to int is 1 (FLOAT): the message used to say "dtype FLOAT is not supported".
        OctetException e = fails(ErrorCode.UNSUPPORTED_TYPE, () -> run("EyeLike", 13, attr("dtype", (1L << 32) + 1),
            Tensor.ofFloats(new float[4], 2, 2)));
        assertTrue(e.getMessage().contains("4294967297"), e.getMessage());
    }

    @Test
    void lrnsSlidingWindowSumMatchesTheDefinition() {
        int channels = 7;
        int size = 4;
        int pixels = 3;
        float[] x = new float[channels * pixels];
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian() * (i % 3 == 0 ? 100 : 1);
        }
        float[] y = run("LRN", 13, Map.of("size", new Attribute.IntAttr(size)), Tensor.ofFloats(x, 1, channels, pixels))
            .floats();
        // The definition: channels c - floor((size-1)/2) .. c + ceil((size-1)/2), alpha 1e-4, beta 0.75, bias 1.
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < pixels; p++) {
                double sq = 0;
                for (int k = Math.max(0, c - 1); k <= Math.min(channels - 1, c + 2); k++) {
                    sq += (double) x[k * pixels + p] * x[k * pixels + p];
                }
                double expected = x[c * pixels + p] / Math.pow(1 + 1e-4f / size * sq, 0.75f);
                assertEquals(expected, y[c * pixels + p], 1e-6 * Math.abs(expected), "channel " + c + " pixel " + p);
            }
        }
    }

    @Test
    void attributeValuesAreCheckedAtLoadNotRun() {
        Tensor x = Tensor.ofFloats(new float[] {1, 2}, 2);
        // INVALID_SHAPE at run before: the model itself is wrong.
        fails(ErrorCode.INVALID_GRAPH,
            () -> run("Upsample", 7, Map.of("scales", new Attribute.FloatsAttr(new float[] {0.5f})), x));
        fails(ErrorCode.INVALID_GRAPH, () -> run("MeanVarianceNormalization", 13, ints("axes", 1, 1),
            Tensor.ofFloats(new float[4], 1, 2, 2)));
    }
}
