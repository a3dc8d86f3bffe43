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
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GridSample on a 1 x 2 image, and the mode names each opset accepts. */
class GridSampleOpTest {
    /** One row of two pixels, 10 and 20. */
    private static final Tensor X = Tensor.ofFloats(new float[] {10, 20}, 1, 1, 1, 2);

    /** Points given as (x, y) pairs, y = 0 (the row's center). */
    private static Tensor points(float... xs) {
        float[] g = new float[2 * xs.length];
        for (int i = 0; i < xs.length; i++) {
            g[2 * i] = xs[i];
        }
        return Tensor.ofFloats(g, 1, 1, xs.length, 2);
    }

    @Test
    void linearInterpolatesBetweenPixelCentersAndPadsAsAsked() {
        Map<String, Attribute> aligned = attr("align_corners", 1);
        // Aligned corners: -1 and 1 are the two pixel centers, 0 halfway.
        assertArrayEquals(new float[] {10, 15, 20}, run("GridSample", 22, aligned, X, points(-1, 0, 1)).floats());
        // Not aligned: x = -1 is the left edge, half a pixel outside the first center: zeros padding halves it.
        assertArrayEquals(new float[] {5}, run("GridSample", 22, Map.of(), X, points(-1)).floats());
        assertArrayEquals(new float[] {10}, run("GridSample", 22, attr("padding_mode", "border"), X, points(-1))
            .floats());
        assertArrayEquals(new float[] {20}, run("GridSample", 22, attr("mode", "nearest"), X, points(0.6f))
            .floats());
    }

    @Test
    void modeNamesFollowTheOpsetAndRanksAreChecked() {
        OctetException oldName = assertThrows(OctetException.class,
            () -> run("GridSample", 22, attr("mode", "bilinear"), X, points(0)));
        assertEquals(ErrorCode.INVALID_GRAPH, oldName.code());
        assertArrayEquals(new float[] {15}, run("GridSample", 16, attr("mode", "bilinear"), X, points(0)).floats());
        Tensor volume = Tensor.ofFloats(new float[2], 1, 1, 1, 1, 2);
        OctetException rank = assertThrows(OctetException.class, () -> run("GridSample", 16, Map.of(), volume,
            Tensor.ofFloats(new float[3], 1, 1, 1, 1, 3)));
        assertEquals(ErrorCode.INVALID_INPUT, rank.code());
        OctetException padding = assertThrows(OctetException.class,
            () -> run("GridSample", 22, attr("padding_mode", "wrap"), X, points(0)));
        assertEquals(ErrorCode.INVALID_GRAPH, padding.code());
    }

    @Test
    void anEmptyImageSamplesToZerosOrIsRefused() {
        // X (1, 1, 0, 2): no pixel. Zeros padding puts every point outside; border and reflection have nothing to take.
        Tensor empty = Tensor.ofFloats(new float[0], 1, 1, 0, 2);
        Tensor grid = Tensor.ofFloats(new float[] {0, 0, 0.5f, -0.5f}, 1, 1, 2, 2);
        for (String mode : new String[] {"linear", "nearest", "cubic"}) {
            Tensor y = run("GridSample", 22, attr("mode", mode), empty, grid);
            assertArrayEquals(new int[] {1, 1, 1, 2}, y.shape());
            assertArrayEquals(new float[] {0, 0}, y.floats());
        }
        for (String padding : new String[] {"border", "reflection"}) {
            OctetException e = assertThrows(OctetException.class,
                () -> run("GridSample", 22, attr("padding_mode", padding), empty, grid));
            assertEquals(ErrorCode.INVALID_INPUT, e.code());
        }
    }

    @Test
    void affineGridOfTheIdentityIsTheBaseGrid() {
        Tensor identity = Tensor.ofFloats(new float[] {1, 0, 0, 0, 1, 0}, 1, 2, 3);
        Tensor size = Tensor.ofLongs(new long[] {1, 1, 1, 2}, 4);
        // Pixel centers of a row of two: x = -1/2 and 1/2, y = 0 (one row); corners with align_corners: -1 and 1.
        assertArrayEquals(new float[] {-0.5f, 0, 0.5f, 0}, run("AffineGrid", 20, Map.of(), identity, size).floats());
        assertArrayEquals(new float[] {-1, -1, 1, -1}, run("AffineGrid", 20, attr("align_corners", 1), identity, size)
            .floats());
        OctetException theta = assertThrows(OctetException.class, () -> run("AffineGrid", 20, Map.of(),
            Tensor.ofFloats(new float[6], 1, 3, 2), size));
        assertEquals(ErrorCode.INVALID_INPUT, theta.code());
    }
}
