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

/** NonMaxSuppression's edges: no limit, boxes of no area, bad shapes and attributes. */
class DetectionOpsTest {
    /** Boxes 0 and 1 are unit squares overlapping by half a square (IoU 1/3); box 2 has no area. */
    private static final Tensor BOXES = Tensor.ofFloats(new float[] {0, 0, 1, 1, 0, 0.5f, 1, 1.5f, 0, 0, 0, 1}, 1, 3, 4);
    private static final Tensor SCORES = Tensor.ofFloats(new float[] {0.9f, 0.8f, 0.95f}, 1, 1, 3);

    private static Tensor limit(long n) {
        return Tensor.ofLongs(new long[] {n}, 1);
    }

    private static Tensor value(float v) {
        return Tensor.ofFloats(new float[] {v}, 1);
    }

    @Test
    void keepsByScoreAndSuppressesAboveTheThreshold() {
        // IoU of boxes 0 and 1 is 1/3: kept at threshold 0.4, suppressed at 0.3; box 2 (no area) never suppresses.
        assertArrayEquals(new long[] {0, 0, 2, 0, 0, 0, 0, 0, 1},
            run("NonMaxSuppression", 11, Map.of(), BOXES, SCORES, limit(5), value(0.4f)).longs());
        assertArrayEquals(new long[] {0, 0, 2, 0, 0, 0},
            run("NonMaxSuppression", 11, Map.of(), BOXES, SCORES, limit(5), value(0.3f)).longs());
        // Scores must exceed the threshold strictly; without a limit nothing is selected.
        assertArrayEquals(new long[] {0, 0, 2},
            run("NonMaxSuppression", 11, Map.of(), BOXES, SCORES, limit(5), value(0.3f), value(0.9f)).longs());
        assertArrayEquals(new int[] {0, 3}, run("NonMaxSuppression", 11, Map.of(), BOXES, SCORES).shape());
    }

    @Test
    void refusesBadShapesAndAttributes() {
        OctetException shape = assertThrows(OctetException.class, () -> run("NonMaxSuppression", 11, Map.of(),
            BOXES, Tensor.ofFloats(new float[] {1, 2}, 1, 1, 2), limit(1)));
        assertEquals(ErrorCode.INVALID_INPUT, shape.code());
        OctetException attr = assertThrows(OctetException.class, () -> run("NonMaxSuppression", 11,
            attr("center_point_box", 2), BOXES, SCORES));
        assertEquals(ErrorCode.INVALID_GRAPH, attr.code());
        OctetException limitType = assertThrows(OctetException.class, () -> run("NonMaxSuppression", 11, Map.of(),
            BOXES, SCORES, value(1f)));
        assertEquals(ErrorCode.INVALID_INPUT, limitType.code());
    }
}
