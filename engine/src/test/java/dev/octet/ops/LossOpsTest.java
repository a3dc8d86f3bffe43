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
import java.util.Map;
import org.junit.jupiter.api.Test;

/** LogSoftmax and the losses: the edges the ONNX backend tests do not reach. */
class LossOpsTest {
    private static final Tensor SCORES = Tensor.ofFloats(new float[] {-1f, -2f, -3f, -0.5f, -0.25f, -4f}, 2, 3);

    @Test
    void nllPicksTheTargetsLogProbabilityAndWeighsTheMean() {
        Tensor target = Tensor.ofLongs(new long[] {2, 0}, 2);
        Tensor weight = Tensor.ofFloats(new float[] {1f, 10f, 3f}, 3);
        assertArrayEquals(new float[] {3f, 0.5f},
            run("NegativeLogLikelihoodLoss", 13, attr("reduction", "none"), SCORES, target).floats());
        // (3 * 3 + 0.5 * 1) / (3 + 1)
        Tensor mean = run("NegativeLogLikelihoodLoss", 13, Map.of(), SCORES, target, weight);
        assertEquals(0, mean.rank());
        assertEquals(9.5f / 4, mean.floats()[0]);
    }

    @Test
    void anIgnoredTargetMayLieOutsideTheClasses() {
        Tensor target = Tensor.ofLongs(new long[] {-100, 1}, 2);
        Tensor loss = run("NegativeLogLikelihoodLoss", 13, attr("ignore_index", -100), SCORES, target);
        assertEquals(0.25f, loss.floats()[0]);
        OctetException e = assertThrows(OctetException.class,
            () -> run("NegativeLogLikelihoodLoss", 13, Map.of(), SCORES, target));
        assertEquals(ErrorCode.INVALID_INPUT, e.code());
        assertTrue(e.getMessage().contains("target -100"), e.getMessage());
    }

    @Test
    void badReductionIsRefusedAtLoadNamingTheAttribute() {
        OctetException e = assertThrows(OctetException.class, () -> run("SoftmaxCrossEntropyLoss", 13,
            attr("reduction", "avg"), SCORES, Tensor.ofLongs(new long[] {0, 1}, 2)));
        assertEquals(ErrorCode.INVALID_GRAPH, e.code());
        assertTrue(e.getMessage().contains("reduction"), e.getMessage());
    }

    @Test
    void targetsMustBeIntegersOfTheRightShape() {
        OctetException type = assertThrows(OctetException.class, () -> run("NegativeLogLikelihoodLoss", 13,
            Map.of(), SCORES, Tensor.ofFloats(new float[] {0f, 1f}, 2)));
        assertEquals(ErrorCode.UNSUPPORTED_TYPE, type.code());
        OctetException shape = assertThrows(OctetException.class, () -> run("NegativeLogLikelihoodLoss", 13,
            Map.of(), SCORES, Tensor.ofLongs(new long[] {0, 1, 2}, 3)));
        assertEquals(ErrorCode.INVALID_INPUT, shape.code());
    }

    @Test
    void softmaxCrossEntropyIsTheNllOfLogSoftmax() {
        Tensor target = Tensor.ofLongs(new long[] {1, 2}, 2);
        Tensor[] out = run("SoftmaxCrossEntropyLoss", 13, 2, attr("reduction", "none"), SCORES, target);
        float[] logProb = run("LogSoftmax", 13, attr("axis", 1), SCORES).floats();
        assertArrayEquals(logProb, out[1].floats());
        assertArrayEquals(new float[] {-logProb[1], -logProb[5]}, out[0].floats());
        // Each row of exp(log-softmax) sums to 1 (the reference is the definition, in double).
        for (int r = 0; r < 2; r++) {
            double sum = 0;
            for (int c = 0; c < 3; c++) {
                sum += Math.exp(logProb[r * 3 + c]);
            }
            assertEquals(1.0, sum, 1e-6);
        }
    }
}
