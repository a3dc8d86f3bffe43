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
import dev.octet.ir.Attribute;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The index operators: exact integer results and the bad indices and attributes the backend tests skip. */
class IndexOpsTest {
    private static final Tensor X = Tensor.ofLongs(new long[] {10, 20, 30, 40, 50, 60}, 2, 3);

    private static OctetException fails(ErrorCode code, Executable run) {
        OctetException e = assertThrows(OctetException.class, run);
        assertEquals(code, e.code(), e.getMessage());
        return e;
    }

    @Test
    void scatterElementsAddsExactlyAndChecksItsIndices() {
        Tensor big = Tensor.ofLongs(new long[] {Long.MAX_VALUE - 1, 0}, 2);
        Tensor idx = Tensor.ofLongs(new long[] {0, -2}, 2);
        Tensor upd = Tensor.ofLongs(new long[] {1, 0}, 2);
        assertArrayEquals(new long[] {Long.MAX_VALUE, 0},
            run("ScatterElements", 18, attr("reduction", "add"), big, idx, upd).longs());
        fails(ErrorCode.INVALID_SHAPE, () -> run("ScatterElements", 18, Map.of(), big,
            Tensor.ofLongs(new long[] {2}, 1), Tensor.ofLongs(new long[] {5}, 1)));
        // max and min came with opset 18: refused at load before it, naming the attribute.
        OctetException e = fails(ErrorCode.INVALID_GRAPH,
            () -> run("ScatterElements", 16, attr("reduction", "max"), big, idx, upd));
        assertTrue(e.getMessage().contains("reduction"), e.getMessage());
        fails(ErrorCode.INVALID_GRAPH, () -> run("ScatterElements", 18, attr("reduction", "sum"), big, idx, upd));
    }

    @Test
    void scatterNdWritesSlicesAndRejectsOutOfRangeTuples() {
        Tensor rows = Tensor.ofLongs(new long[] {1}, 1, 1);
        Tensor upd = Tensor.ofLongs(new long[] {7, 8, 9}, 1, 3);
        assertArrayEquals(new long[] {10, 20, 30, 7, 8, 9}, run("ScatterND", 18, Map.of(), X, rows, upd).longs());
        fails(ErrorCode.INVALID_SHAPE,
            () -> run("ScatterND", 18, Map.of(), X, Tensor.ofLongs(new long[] {2}, 1, 1), upd));
        fails(ErrorCode.INVALID_SHAPE,
            () -> run("ScatterND", 18, Map.of(), X, rows, Tensor.ofLongs(new long[] {7, 8}, 1, 2)));
    }

    @Test
    void topKOrdersTiesByIndexAndChecksK() {
        Tensor x = Tensor.ofInts(new int[] {5, 9, 5, 9}, 4);
        Tensor[] out = run("TopK", 11, 2, Map.of(), x, Tensor.ofLongs(new long[] {3}, 1));
        assertArrayEquals(new int[] {9, 9, 5}, out[0].ints());
        assertArrayEquals(new long[] {1, 3, 0}, out[1].longs());
        Tensor[] smallest = run("TopK", 11, 2, attr("largest", 0), x, Tensor.ofLongs(new long[] {1}, 1));
        assertArrayEquals(new long[] {0}, smallest[1].longs());
        fails(ErrorCode.INVALID_SHAPE, () -> run("TopK", 11, 2, Map.of(), x, Tensor.ofLongs(new long[] {5}, 1)));
        fails(ErrorCode.INVALID_GRAPH, () -> run("TopK", 11, 2, attr("sorted", 3), x,
            Tensor.ofLongs(new long[] {1}, 1)));
    }

    @Test
    void oneHotIgnoresIndicesOutsideDepthAndRejectsABadDepth() {
        Tensor values = Tensor.ofLongs(new long[] {-1, 1}, 2);
        Tensor idx = Tensor.ofLongs(new long[] {-1, 3}, 2);
        Tensor depth = Tensor.ofLongs(new long[] {3});
        assertArrayEquals(new long[] {-1, -1, 1, -1, -1, -1}, run("OneHot", 11, Map.of(), idx, depth, values).longs());
        // Before opset 11 a negative index matches nothing.
        assertArrayEquals(new long[] {-1, -1, -1, -1, -1, -1}, run("OneHot", 9, Map.of(), idx, depth, values).longs());
        fails(ErrorCode.INVALID_INPUT, () -> run("OneHot", 11, Map.of(), idx, Tensor.ofLongs(new long[] {0}), values));
    }

    @Test
    void rearrangementsRefuseBadAttributesAndShapes() {
        Tensor x = Tensor.ofFloats(new float[8], 1, 2, 2, 2);
        fails(ErrorCode.INVALID_GRAPH, () -> run("DepthToSpace", 13, attr("blocksize", 0), x));
        fails(ErrorCode.INVALID_GRAPH, () -> run("DepthToSpace", 13,
            Map.of("blocksize", new Attribute.IntAttr(2), "mode", new Attribute.StringAttr("RDC")), x));
        fails(ErrorCode.INVALID_SHAPE, () -> run("DepthToSpace", 13, attr("blocksize", 2), x));
        fails(ErrorCode.INVALID_SHAPE, () -> run("SpaceToDepth", 13, attr("blocksize", 3), x));
        fails(ErrorCode.INVALID_SHAPE, () -> run("Tile", 13, Map.of(), X, Tensor.ofLongs(new long[] {1, -1}, 2)));
        fails(ErrorCode.INVALID_GRAPH, () -> run("ReverseSequence", 10,
            Map.of("time_axis", new Attribute.IntAttr(1), "batch_axis", new Attribute.IntAttr(1)), X,
            Tensor.ofLongs(new long[] {1, 1}, 2)));
        fails(ErrorCode.INVALID_SHAPE, () -> run("ReverseSequence", 10, Map.of(), X,
            Tensor.ofLongs(new long[] {1, 1, 3}, 3)));
        fails(ErrorCode.INVALID_SHAPE, () -> run("Compress", 11, attr("axis", 1), X,
            Tensor.ofBools(new boolean[] {false, false, false, true}, 4)));
    }

    @Test
    void smallExactCases() {
        Tensor tiled = run("Tile", 13, Map.of(), X, Tensor.ofLongs(new long[] {1, 2}, 2));
        assertArrayEquals(new int[] {2, 6}, tiled.shape());
        assertArrayEquals(new long[] {10, 20, 30, 10, 20, 30, 40, 50, 60, 40, 50, 60}, tiled.longs());
        Tensor nz = run("NonZero", 13, Map.of(), Tensor.ofInts(new int[] {0, 3, 0, -1}, 2, 2));
        assertArrayEquals(new int[] {2, 2}, nz.shape());
        assertArrayEquals(new long[] {0, 1, 1, 1}, nz.longs());
        Tensor eye = run("EyeLike", 9, attr("k", -1), Tensor.ofFloats(new float[6], 3, 2));
        assertArrayEquals(new float[] {0, 0, 1, 0, 0, 1}, eye.floats());
        Tensor reversed = run("ReverseSequence", 10, Map.of("time_axis", new Attribute.IntAttr(1),
            "batch_axis", new Attribute.IntAttr(0)), X, Tensor.ofLongs(new long[] {2, 3}, 2));
        assertArrayEquals(new long[] {20, 10, 30, 60, 50, 40}, reversed.longs());
    }

    @Test
    void centerCropPadCutsAndPadsAroundTheCenter() {
        Tensor row = Tensor.ofLongs(new long[] {1, 2, 3, 4, 5}, 5);
        assertArrayEquals(new long[] {2, 3}, run("CenterCropPad", 18, Map.of(), row,
            Tensor.ofLongs(new long[] {2}, 1)).longs());
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 0, 0}, run("CenterCropPad", 18, Map.of(), row,
            Tensor.ofLongs(new long[] {8}, 1)).longs());
        fails(ErrorCode.INVALID_SHAPE, () -> run("CenterCropPad", 18, Map.of(), row,
            Tensor.ofLongs(new long[] {2, 2}, 2)));
        fails(ErrorCode.INVALID_SHAPE, () -> run("CenterCropPad", 18, Map.of(), row,
            Tensor.ofLongs(new long[] {-1}, 1)));
    }

    @Test
    void uniqueKeepsFirstOccurrencesAndTreatsMinusZeroAsZero() {
        Tensor x = Tensor.ofFloats(new float[] {2f, -0f, 0f, 2f, -1f}, 5);
        Tensor[] sorted = run("Unique", 11, 4, Map.of(), x);
        assertArrayEquals(new float[] {-1f, -0f, 2f}, sorted[0].floats());
        assertArrayEquals(new long[] {4, 1, 0}, sorted[1].longs());
        assertArrayEquals(new long[] {2, 1, 1, 2, 0}, sorted[2].longs());
        assertArrayEquals(new long[] {1, 2, 2}, sorted[3].longs());
        Tensor[] firstSeen = run("Unique", 11, 4, attr("sorted", 0), x);
        assertArrayEquals(new float[] {2f, -0f, -1f}, firstSeen[0].floats());
        assertArrayEquals(new long[] {0, 1, 1, 0, 2}, firstSeen[2].longs());
        fails(ErrorCode.INVALID_SHAPE, () -> run("Unique", 11, 4, attr("axis", 1), x));
    }

    @Test
    void tensorScatterWritesAtEachBatchsIndexWrappingWhenCircular() {
        Tensor cache = Tensor.ofLongs(new long[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor update = Tensor.ofLongs(new long[] {7, 8, 9, 10}, 2, 2);
        Tensor at = Tensor.ofLongs(new long[] {1, 2}, 2);
        Map<String, Attribute> circular = Map.of("axis", new Attribute.IntAttr(1),
            "mode", new Attribute.StringAttr("circular"));
        assertArrayEquals(new long[] {1, 7, 8, 10, 5, 9}, run("TensorScatter", 24, circular, cache, update, at)
            .longs());
        fails(ErrorCode.INVALID_SHAPE, () -> run("TensorScatter", 24, attr("axis", 1), cache, update, at));
        fails(ErrorCode.INVALID_SHAPE, () -> run("TensorScatter", 24, attr("axis", 0), cache, update, at));
        fails(ErrorCode.INVALID_GRAPH, () -> run("TensorScatter", 24, attr("mode", "ring"), cache, update, at));
    }

    @Test
    void bitCastKeepsTheBitsOfTypesOfOneWidth() {
        Tensor x = Tensor.ofFloats(new float[] {1f, -0f}, 2);
        assertArrayEquals(new int[] {0x3f800000, 0x80000000}, run("BitCast", 26, attr("to", 6), x).ints());
        assertArrayEquals(new byte[] {(byte) 255, 1},
            run("BitCast", 26, attr("to", 2), Tensor.ofInt8(new byte[] {-1, 1}, 2)).bytes());
        fails(ErrorCode.INVALID_INPUT, () -> run("BitCast", 26, attr("to", 9), Tensor.ofUint8(new byte[] {2}, 1)));
        fails(ErrorCode.INVALID_INPUT, () -> run("BitCast", 26, attr("to", 7), x));
        fails(ErrorCode.UNSUPPORTED_TYPE, () -> run("BitCast", 26, attr("to", 11), x));
    }

    @Test
    void upsampleRepeatsByNearestAndRefusesLinear() {
        Tensor x = Tensor.ofLongs(new long[] {1, 2}, 1, 2);
        Tensor up = run("Upsample", 9, Map.of(), x, Tensor.ofFloats(new float[] {2f, 1.5f}, 2));
        assertArrayEquals(new int[] {2, 3}, up.shape());
        assertArrayEquals(new long[] {1, 1, 2, 1, 1, 2}, up.longs());
        fails(ErrorCode.UNSUPPORTED_OP, () -> run("Upsample", 9, attr("mode", "linear"), x,
            Tensor.ofFloats(new float[] {1f, 2f}, 2)));
        fails(ErrorCode.INVALID_SHAPE, () -> run("Upsample", 9, Map.of(), x, Tensor.ofFloats(new float[] {1f, 0.5f}, 2)));
        fails(ErrorCode.INVALID_GRAPH, () -> run("Upsample", 7, Map.of(), x));
    }
}
