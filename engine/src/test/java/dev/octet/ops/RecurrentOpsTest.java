package dev.octet.ops;

import static dev.octet.ops.OpRunner.attr;
import static dev.octet.ops.OpRunner.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** One-unit recurrences computed by hand, sequence lengths in both directions, and the refused attributes. */
class RecurrentOpsTest {
    /** Two steps, batch 2, one input feature: batch 0 sees (1, 2), batch 1 sees (3, 4). */
    private static final Tensor X = Tensor.ofFloats(new float[] {1, 3, 2, 4}, 2, 2, 1);
    private static final Tensor W = Tensor.ofFloats(new float[] {0.5f}, 1, 1, 1);
    private static final Tensor R = Tensor.ofFloats(new float[] {0.25f}, 1, 1, 1);

    private static void fails(ErrorCode code, Executable run) {
        OctetException e = assertThrows(OctetException.class, run);
        assertEquals(code, e.code(), e.getMessage());
    }

    @Test
    void rnnCarriesTheStateAndStopsAtEachSequenceLength() {
        Tensor lens = Tensor.ofInts(new int[] {2, 1}, 2);
        Tensor[] out = run("RNN", 22, 2, attr("hidden_size", 1), X, W, R, null, lens);
        float h00 = (float) Math.tanh(0.5);
        float h01 = (float) Math.tanh(0.5 * 2 + 0.25 * h00);
        float h10 = (float) Math.tanh(1.5);
        // Y is (seq, dirs, batch, hidden); batch 1 stops after one step: its second output is 0.
        assertArrayEquals(new float[] {h00, h10, h01, 0}, out[0].floats(), 1e-6f);
        assertArrayEquals(new float[] {h01, h10}, out[1].floats(), 1e-6f);
    }

    @Test
    void reverseDirectionStartsAtTheLastValidStep() {
        Tensor lens = Tensor.ofInts(new int[] {2, 1}, 2);
        Tensor[] out = run("RNN", 22, 2, Map.of("hidden_size", new Attribute.IntAttr(1),
            "direction", new Attribute.StringAttr("reverse")), X, W, R, null, lens);
        float h01 = (float) Math.tanh(0.5 * 2);
        float h00 = (float) Math.tanh(0.5 + 0.25 * h01);
        assertArrayEquals(new float[] {h00, (float) Math.tanh(1.5)}, out[1].floats(), 1e-6f);
    }

    @Test
    void lstmWithCoupledGatesAndGruResetOrder() {
        Tensor w4 = Tensor.ofFloats(new float[4], 1, 4, 1);
        Tensor r4 = Tensor.ofFloats(new float[4], 1, 4, 1);
        // All pre-activations 0: i = o = 1/2, f = 1 - i = 1/2, candidate tanh(0) = 0: the state stays 0.
        Tensor[] lstm = run("LSTM", 22, 3, Map.of("hidden_size", new Attribute.IntAttr(1),
            "input_forget", new Attribute.IntAttr(1)), X, w4, r4);
        assertArrayEquals(new float[] {0, 0}, lstm[2].floats());
        Tensor x1 = Tensor.ofFloats(new float[] {0}, 1, 1, 1);
        Tensor w3 = Tensor.ofFloats(new float[3], 1, 3, 1);
        Tensor r3 = Tensor.ofFloats(new float[] {0, 0, 1}, 1, 3, 1);
        Tensor h0 = Tensor.ofFloats(new float[] {1}, 1, 1, 1);
        // z = r = 1/2; the candidate is tanh((r * h) * 1), or tanh(r * (h * 1)) with linear_before_reset: equal.
        float expected = (float) (0.5 * Math.tanh(0.5) + 0.5);
        Tensor[] gru = run("GRU", 22, 2, attr("hidden_size", 1), x1, w3, r3, null, null, h0);
        assertEquals(expected, gru[1].floats()[0], 1e-6f);
    }

    @Test
    void refusesBadAttributesAndShapes() {
        fails(ErrorCode.INVALID_GRAPH, () -> run("RNN", 22, 2, Map.of(), X, W, R));
        fails(ErrorCode.INVALID_GRAPH, () -> run("RNN", 22, 2, Map.of("hidden_size", new Attribute.IntAttr(1),
            "direction", new Attribute.StringAttr("sideways")), X, W, R));
        fails(ErrorCode.INVALID_GRAPH, () -> run("RNN", 22, 2, Map.of("hidden_size", new Attribute.IntAttr(1),
            "activations", new Attribute.StringsAttr(List.of("Tanh", "Tanh"))), X, W, R));
        fails(ErrorCode.UNSUPPORTED_OP, () -> run("RNN", 22, 2, Map.of("hidden_size", new Attribute.IntAttr(1),
            "activations", new Attribute.StringsAttr(List.of("Gelu"))), X, W, R));
        fails(ErrorCode.INVALID_INPUT, () -> run("RNN", 22, 2, attr("hidden_size", 2), X, W, R));
        fails(ErrorCode.INVALID_INPUT, () -> run("RNN", 22, 2, attr("hidden_size", 1), X, W, R, null,
            Tensor.ofInts(new int[] {3, 1}, 2)));
    }
}
