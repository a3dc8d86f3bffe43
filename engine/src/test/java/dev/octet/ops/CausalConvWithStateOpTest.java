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

/** CausalConvWithState: a difference filter with and without carried state, and the refused shapes. */
class CausalConvWithStateOpTest {
    private static final Tensor X = Tensor.ofFloats(new float[] {1, 4, 9}, 1, 1, 3);
    /** y[t] = x[t] - x[t - 1]. */
    private static final Tensor DIFF = Tensor.ofFloats(new float[] {-1, 1}, 1, 1, 2);

    @Test
    void theStateCarriesThePreviousPositions() {
        Tensor[] first = run("CausalConvWithState", 27, 2, Map.of(), X, DIFF);
        assertArrayEquals(new float[] {1, 3, 5}, first[0].floats());
        assertArrayEquals(new float[] {9}, first[1].floats());
        Tensor[] next = run("CausalConvWithState", 27, 2, Map.of(), Tensor.ofFloats(new float[] {16}, 1, 1, 1), DIFF,
            null, first[1]);
        assertArrayEquals(new float[] {7}, next[0].floats());
        assertArrayEquals(new float[] {16}, next[1].floats());
        float[] silu = run("CausalConvWithState", 27, 2, attr("activation", "silu"), X, DIFF)[0].floats();
        assertEquals((float) (3 / (1 + Math.exp(-3))), silu[1], 1e-6f);
    }

    @Test
    void refusesBadShapesAndActivations() {
        assertEquals(ErrorCode.INVALID_INPUT, assertThrows(OctetException.class, () -> run("CausalConvWithState", 27, 2,
            Map.of(), X, Tensor.ofFloats(new float[] {1, 1}, 2, 1, 1))).code());
        assertEquals(ErrorCode.INVALID_INPUT, assertThrows(OctetException.class, () -> run("CausalConvWithState", 27, 2,
            Map.of(), X, DIFF, null, Tensor.ofFloats(new float[2], 1, 1, 2))).code());
        assertEquals(ErrorCode.INVALID_GRAPH, assertThrows(OctetException.class, () -> run("CausalConvWithState", 27, 2,
            attr("activation", "gelu"), X, DIFF)).code());
    }
}
