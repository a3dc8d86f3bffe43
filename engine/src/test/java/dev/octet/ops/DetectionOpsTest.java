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

    @Test
    void roiAlignAveragesBilinearSamplesOfItsBatchImage() {
        // Batch 1 is the ramp x + 10 y on a 4 x 4 image; a 2 x 2 box averages to the ramp at its center.
        float[] img = new float[32];
        for (int i = 0; i < 16; i++) {
            img[16 + i] = i % 4 + 10 * (i / 4);
        }
        Tensor x = Tensor.ofFloats(img, 2, 1, 4, 4);
        Tensor rois = Tensor.ofFloats(new float[] {1, 1, 3, 3}, 1, 4);
        Tensor batch = Tensor.ofLongs(new long[] {1}, 1);
        // half_pixel: the box spans pixel coordinates 0.5 to 2.5, its center 1.5: 1.5 + 15.
        assertEquals(16.5f, run("RoiAlign", 16, Map.of(), x, rois, batch).floats()[0], 1e-5f);
        OctetException index = assertThrows(OctetException.class,
            () -> run("RoiAlign", 16, Map.of(), x, rois, Tensor.ofLongs(new long[] {2}, 1)));
        assertEquals(ErrorCode.INVALID_SHAPE, index.code());
        OctetException mode = assertThrows(OctetException.class,
            () -> run("RoiAlign", 16, attr("mode", "median"), x, rois, batch));
        assertEquals(ErrorCode.INVALID_GRAPH, mode.code());
    }
}
