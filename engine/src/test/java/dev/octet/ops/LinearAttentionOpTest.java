package dev.octet.ops;

import static dev.octet.ops.OpRunner.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** LinearAttention with one head of size 1: the state's recurrence by hand, and the refused input sets. */
class LinearAttentionOpTest {
    /** Two tokens: q = 1, k = 1, v = 2 then 3. */
    private static final Tensor Q = Tensor.ofFloats(new float[] {1, 1}, 1, 2, 1);
    private static final Tensor K = Tensor.ofFloats(new float[] {1, 1}, 1, 2, 1);
    private static final Tensor V = Tensor.ofFloats(new float[] {2, 3}, 1, 2, 1);

    private static Map<String, Attribute> rule(String rule) {
        return Map.of("update_rule", new Attribute.StringAttr(rule), "q_num_heads", new Attribute.IntAttr(1),
            "kv_num_heads", new Attribute.IntAttr(1));
    }

    @Test
    void theStateAccumulatesDecaysAndCorrects() {
        // linear: S = 2, then 5.
        Tensor[] linear = run("LinearAttention", 27, 2, rule("linear"), Q, K, V);
        assertArrayEquals(new float[] {2, 5}, linear[0].floats());
        assertArrayEquals(new float[] {5}, linear[1].floats());
        // delta with beta 1: S = 0 + (2 - 0) = 2, then 2 + (3 - 2) = 3: the state tracks the last value.
        Tensor beta = Tensor.ofFloats(new float[] {1, 1}, 1, 2, 1);
        assertArrayEquals(new float[] {2, 3}, run("LinearAttention", 27, 2, rule("delta"), Q, K, V, null, null, beta)[0]
            .floats());
        // gated with decay ln(1/2): S = 2, then 2 / 2 + 3 = 4.
        float half = (float) Math.log(0.5);
        Tensor decay = Tensor.ofFloats(new float[] {half, half}, 1, 2, 1);
        assertArrayEquals(new float[] {2, 4}, run("LinearAttention", 27, 2, rule("gated"), Q, K, V, null, decay)[0]
            .floats(), 1e-6f);
    }

    @Test
    void eachRuleTakesExactlyItsInputs() {
        assertEquals(ErrorCode.INVALID_GRAPH, assertThrows(OctetException.class,
            () -> run("LinearAttention", 27, 2, rule("gated_delta"), Q, K, V)).code());
        assertEquals(ErrorCode.INVALID_GRAPH, assertThrows(OctetException.class, () -> run("LinearAttention", 27, 2,
            rule("linear"), Q, K, V, null, Tensor.ofFloats(new float[2], 1, 2, 1))).code());
        assertEquals(ErrorCode.INVALID_INPUT, assertThrows(OctetException.class, () -> run("LinearAttention", 27, 2,
            rule("linear"), Q, K, V, Tensor.ofFloats(new float[2], 1, 1, 2, 1))).code());
    }
}
