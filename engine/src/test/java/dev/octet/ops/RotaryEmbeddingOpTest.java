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

/** RotaryEmbedding: a quarter turn on known angles, and the bad positions, dims and head counts. */
class RotaryEmbeddingOpTest {
    /** One batch, one head, one position, head size 4: features (1, 2, 3, 4). */
    private static final Tensor X = Tensor.ofFloats(new float[] {1, 2, 3, 4}, 1, 1, 1, 4);
    /** Position 0 turns by 0, position 1 by a quarter turn (cos 0, sin 1), for both angle pairs. */
    private static final Tensor COS = Tensor.ofFloats(new float[] {1, 1, 0, 0}, 2, 2);
    private static final Tensor SIN = Tensor.ofFloats(new float[] {0, 0, 1, 1}, 2, 2);

    private static Tensor position(long p) {
        return Tensor.ofLongs(new long[] {p}, 1, 1);
    }

    @Test
    void aQuarterTurnMapsX1X2ToMinusX2X1() {
        assertArrayEquals(new float[] {1, 2, 3, 4}, run("RotaryEmbedding", 23, Map.of(), X, COS, SIN, position(0))
            .floats());
        // Halves: x1 = (1, 2), x2 = (3, 4) -> (-3, -4, 1, 2).
        assertArrayEquals(new float[] {-3, -4, 1, 2}, run("RotaryEmbedding", 23, Map.of(), X, COS, SIN, position(1))
            .floats());
        // Interleaved: pairs (1, 2) and (3, 4) -> (-2, 1, -4, 3).
        assertArrayEquals(new float[] {-2, 1, -4, 3}, run("RotaryEmbedding", 23, attr("interleaved", 1), X, COS,
            SIN, position(1)).floats());
        // Only the first two features rotate: pair (1, 2) -> (-2, 1).
        assertArrayEquals(new float[] {-2, 1, 3, 4}, run("RotaryEmbedding", 23, attr("rotary_embedding_dim", 2), X,
            COS, SIN, position(1)).floats());
    }

    @Test
    void refusesPositionsOutsideTheCachesAndBadDims() {
        OctetException pos = assertThrows(OctetException.class,
            () -> run("RotaryEmbedding", 23, Map.of(), X, COS, SIN, position(2)));
        assertEquals(ErrorCode.INVALID_INPUT, pos.code());
        OctetException odd = assertThrows(OctetException.class,
            () -> run("RotaryEmbedding", 23, attr("rotary_embedding_dim", 3), X, COS, SIN, position(0)));
        assertEquals(ErrorCode.INVALID_GRAPH, odd.code());
        OctetException heads = assertThrows(OctetException.class, () -> run("RotaryEmbedding", 23, Map.of(),
            X.reshape(1, 1, 4), COS, SIN, position(0)));
        assertEquals(ErrorCode.INVALID_INPUT, heads.code());
        OctetException wide = assertThrows(OctetException.class, () -> run("RotaryEmbedding", 23,
            Map.of("rotary_embedding_dim", new Attribute.IntAttr(6)), X, COS, SIN, position(0)));
        assertEquals(ErrorCode.INVALID_INPUT, wide.code());
    }
}
