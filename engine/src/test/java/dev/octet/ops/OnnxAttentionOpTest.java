package dev.octet.ops;

import static dev.octet.ops.OpRunner.attr;
import static dev.octet.ops.OpRunner.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** ai.onnx Attention: hand-computed cases and the refusals the backend tests do not reach. */
class OnnxAttentionOpTest {
    /** One batch, one head, two queries and keys of size 1. */
    private static final Tensor Q = Tensor.ofFloats(new float[] {1, 1}, 1, 1, 2, 1);
    private static final Tensor K = Tensor.ofFloats(new float[] {0, 0}, 1, 1, 2, 1);
    private static final Tensor V = Tensor.ofFloats(new float[] {2, 4}, 1, 1, 2, 1);

    private static void fails(ErrorCode code, Executable run) {
        OctetException e = assertThrows(OctetException.class, run);
        assertEquals(code, e.code(), e.getMessage());
    }

    @Test
    void equalScoresAverageAndCausalMaskingHidesLaterKeys() {
        // All scores are 0: each query averages V; causally query 0 sees only key 0.
        assertArrayEquals(new float[] {3, 3}, run("Attention", 23, Map.of(), Q, K, V).floats());
        assertArrayEquals(new float[] {2, 3}, run("Attention", 23, attr("is_causal", 1), Q, K, V).floats());
        // A boolean mask that hides every key of query 1 gives it no output, not NaN.
        Tensor mask = Tensor.ofBools(new boolean[] {true, false, false, false}, 2, 2);
        assertArrayEquals(new float[] {2, 0}, run("Attention", 23, Map.of(), Q, K, V, mask).floats());
        // A short mask leaves the keys beyond it masked.
        Tensor shortMask = Tensor.ofFloats(new float[] {0f}, 1);
        assertArrayEquals(new float[] {2, 2}, run("Attention", 23, Map.of(), Q, K, V, shortMask).floats());
    }

    @Test
    void theCacheIsConcatenatedAndValidLengthsMaskPadding() {
        Tensor pastK = Tensor.ofFloats(new float[] {0}, 1, 1, 1, 1);
        Tensor pastV = Tensor.ofFloats(new float[] {9}, 1, 1, 1, 1);
        Tensor[] out = run("Attention", 23, 3, Map.of(), Q, K, V, null, pastK, pastV);
        assertArrayEquals(new float[] {0, 0, 0}, out[1].floats());
        assertArrayEquals(new float[] {9, 2, 4}, out[2].floats());
        assertArrayEquals(new float[] {5, 5}, out[0].floats());
        Tensor valid = Tensor.ofLongs(new long[] {1}, 1);
        assertArrayEquals(new float[] {2, 2}, run("Attention", 24, Map.of(), Q, K, V, null, null, null, valid)
            .floats());
    }

    @Test
    void refusesBadHeadsMasksCachesAndAttributes() {
        Tensor q3 = Tensor.ofFloats(new float[6], 1, 2, 3);
        fails(ErrorCode.INVALID_INPUT, () -> run("Attention", 23, Map.of(), q3, q3, q3));
        Tensor twoHeads = Tensor.ofFloats(new float[4], 1, 2, 2, 1);
        Tensor threeHeads = Tensor.ofFloats(new float[6], 1, 3, 2, 1);
        fails(ErrorCode.INVALID_INPUT, () -> run("Attention", 23, Map.of(), threeHeads, twoHeads, twoHeads));
        fails(ErrorCode.INVALID_INPUT, () -> run("Attention", 23, Map.of(), Q, K, V,
            Tensor.ofFloats(new float[3], 3, 1)));
        fails(ErrorCode.INVALID_INPUT, () -> run("Attention", 23, Map.of(), Q, K, V, null,
            Tensor.ofFloats(new float[1], 1, 1, 1, 1), null));
        fails(ErrorCode.INVALID_GRAPH, () -> run("Attention", 23, attr("qk_matmul_output_mode", 4), Q, K, V));
        fails(ErrorCode.INVALID_GRAPH, () -> run("Attention", 23, attr("softmax_precision", 7), Q, K, V));
    }
}
