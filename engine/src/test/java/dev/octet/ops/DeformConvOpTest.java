package dev.octet.ops;

import static dev.octet.ops.OpRunner.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DeformConv with a 1x1 kernel: zero offsets copy X, half-pixel offsets interpolate, a mask scales. */
class DeformConvOpTest {
    /** One 1 x 3 image: 0, 10, 20. */
    private static final Tensor X = Tensor.ofFloats(new float[] {0, 10, 20}, 1, 1, 1, 3);
    private static final Tensor W = Tensor.ofFloats(new float[] {1}, 1, 1, 1, 1);

    private static Tensor offsets(float dy, float dx) {
        float[] o = new float[6];
        for (int j = 0; j < 3; j++) {
            o[j] = dy;
            o[3 + j] = dx;
        }
        return Tensor.ofFloats(o, 1, 2, 1, 3);
    }

    @Test
    void offsetsMoveEachTapAndTheMaskWeighsIt() {
        assertArrayEquals(new float[] {0, 10, 20}, run("DeformConv", 19, Map.of(), X, W, offsets(0, 0)).floats());
        // Half a pixel right: 5, 15, and half of 20 (the right neighbour is outside: zero).
        assertArrayEquals(new float[] {5, 15, 10}, run("DeformConv", 19, Map.of(), X, W, offsets(0, 0.5f)).floats());
        Tensor mask = Tensor.ofFloats(new float[] {1, 0.5f, 0}, 1, 1, 1, 3);
        assertArrayEquals(new float[] {0, 5, 0}, run("DeformConv", 19, Map.of(), X, W, offsets(0, 0), null, mask)
            .floats());
    }

    @Test
    void refusesOffsetsOfTheWrongShape() {
        OctetException e = assertThrows(OctetException.class, () -> run("DeformConv", 19, Map.of(), X, W,
            Tensor.ofFloats(new float[4], 1, 2, 1, 2)));
        assertEquals(ErrorCode.INVALID_INPUT, e.code());
    }
}
