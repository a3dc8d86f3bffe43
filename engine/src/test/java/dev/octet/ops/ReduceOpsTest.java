package dev.octet.ops;

import static dev.octet.ops.OpRunner.attr;
import static dev.octet.ops.OpRunner.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReduceOpsTest {
    private static final Tensor X = Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);

    @Test
    void axesAttributeBeforeOpset18AndInputAfter() {
        Map<String, Attribute> attrs = Map.of("axes", new Attribute.IntsAttr(new long[] {-1}),
            "keepdims", new Attribute.IntAttr(0));
        Tensor old = run("ReduceMean", 13, attrs, X);
        assertArrayEquals(new int[] {2}, old.shape());
        assertArrayEquals(new float[] {2, 5}, old.floats());

        Tensor now = run("ReduceMax", 18, Map.of(), X, Tensor.ofLongs(new long[] {0}, 1));
        assertArrayEquals(new int[] {1, 3}, now.shape());
        assertArrayEquals(new float[] {4, 5, 6}, now.floats());
    }

    @Test
    void emptyAxesReduceAllOrNothing() {
        Tensor all = run("ReduceSum", 13, Map.of(), X, null);
        assertArrayEquals(new int[] {1, 1}, all.shape());
        assertEquals(21f, all.floats()[0]);
        Tensor noop = run("ReduceSum", 13, Map.of("noop_with_empty_axes", new Attribute.IntAttr(1)), X,
            Tensor.ofLongs(new long[0], 0));
        assertSame(X, noop);
    }

    @Test
    void integerSumWrapsAtItsWidth() {
        Tensor y = run("ReduceSum", 11, Map.of(), Tensor.ofUint8(new byte[] {(byte) 200, 100}, 2));
        assertEquals(44, y.bytes()[0] & 0xFF);
    }

    @Test
    void softmaxBeforeOpset13CoercesTo2D() {
        // axis=0 before opset 13 normalizes over all six elements, from 13 on over each column.
        Map<String, Attribute> axis0 = Map.of("axis", new Attribute.IntAttr(0));
        float[] legacy = run("Softmax", 11, axis0, X).floats();
        float[] modern = run("Softmax", 13, axis0, X).floats();
        double total = 0;
        for (int i = 0; i < 6; i++) {
            total += Math.exp(i + 1);
        }
        assertEquals(Math.exp(6) / total, legacy[5], 1e-6);
        assertEquals(Math.exp(6) / (Math.exp(3) + Math.exp(6)), modern[5], 1e-6);
    }

    @Test
    void argMaxBreaksTiesFirstOrLastAndNaNWins() {
        Tensor x = Tensor.ofFloats(new float[] {3, 1, 3, Float.NaN, 2, Float.NaN}, 2, 3);
        assertArrayEquals(new long[] {0, 0}, run("ArgMax", 13, attr("axis", 1), x).longs());
        Map<String, Attribute> last = Map.of("axis", new Attribute.IntAttr(1),
            "select_last_index", new Attribute.IntAttr(1));
        assertArrayEquals(new long[] {2, 2}, run("ArgMax", 13, last, x).longs());
        Tensor ints = Tensor.ofInts(new int[] {5, -7, -7, 5}, 4);
        Tensor min = run("ArgMin", 13, Map.of("keepdims", new Attribute.IntAttr(0)), ints);
        assertEquals(0, min.rank());
        assertArrayEquals(new long[] {1}, min.longs());
    }

    @Test
    void argMaxRefusesBadAttributesAndAnEmptyAxis() {
        OctetException flag = assertThrows(OctetException.class,
            () -> run("ArgMax", 13, attr("select_last_index", 2), X));
        assertEquals(ErrorCode.INVALID_GRAPH, flag.code());
        assertTrue(flag.getMessage().contains("select_last_index"), flag.getMessage());
        OctetException axis = assertThrows(OctetException.class, () -> run("ArgMin", 13, attr("axis", 2), X));
        assertEquals(ErrorCode.INVALID_SHAPE, axis.code());
        OctetException empty = assertThrows(OctetException.class,
            () -> run("ArgMax", 13, attr("axis", 1), Tensor.ofFloats(new float[0], 2, 0)));
        assertEquals(ErrorCode.INVALID_INPUT, empty.code());
    }

    @Test
    void integerProductsAndSquaresAreExact() {
        Tensor big = Tensor.ofLongs(new long[] {3_000_000_007L, 3, -2}, 3);
        assertArrayEquals(new long[] {-18_000_000_042L}, run("ReduceProd", 18, Map.of(), big).longs());
        assertArrayEquals(new long[] {3_000_000_007L * 3_000_000_007L + 13},
            run("ReduceSumSquare", 18, Map.of(), big).longs());
        assertArrayEquals(new long[] {3_000_000_012L}, run("ReduceL1", 18, Map.of(), big).longs());
        OctetException l2 = assertThrows(OctetException.class, () -> run("ReduceL2", 18, Map.of(), big));
        assertEquals(ErrorCode.UNSUPPORTED_TYPE, l2.code());
    }

    @Test
    void logSumExpDoesNotOverflowAndEmptySetsGiveIdentities() {
        Tensor large = Tensor.ofFloats(new float[] {1000f, 1000f}, 2);
        assertEquals(1000f + (float) Math.log(2), run("ReduceLogSumExp", 18, Map.of(), large).floats()[0]);
        Tensor minusInf = Tensor.ofFloats(new float[] {Float.NEGATIVE_INFINITY}, 1);
        assertEquals(Float.NEGATIVE_INFINITY, run("ReduceLogSumExp", 18, Map.of(), minusInf).floats()[0]);
        Tensor empty = Tensor.ofFloats(new float[0], 0, 2);
        Tensor axis0 = Tensor.ofLongs(new long[] {0}, 1);
        assertArrayEquals(new float[] {1, 1}, run("ReduceProd", 18, Map.of(), empty, axis0).floats());
        assertArrayEquals(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY},
            run("ReduceLogSum", 18, Map.of(), empty, axis0).floats());
    }

    @Test
    void cumulativeSumsAndProductsAreExactInEveryDirection() {
        Tensor x = Tensor.ofInts(new int[] {Integer.MAX_VALUE, 1, 2}, 3);
        Tensor axis = Tensor.ofLongs(new long[] {0});
        assertArrayEquals(new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE + 2},
            run("CumSum", 14, Map.of(), x, axis).ints());
        Map<String, Attribute> both = Map.of("exclusive", new Attribute.IntAttr(1), "reverse", new Attribute.IntAttr(1));
        assertArrayEquals(new int[] {3, 2, 0}, run("CumSum", 14, both, x, axis).ints());
        assertArrayEquals(new int[] {2, 2, 1}, run("CumProd", 26, both, x, axis).ints());
        OctetException flag = assertThrows(OctetException.class, () -> run("CumSum", 14, attr("reverse", 2), x, axis));
        assertEquals(ErrorCode.INVALID_GRAPH, flag.code());
        OctetException bool = assertThrows(OctetException.class,
            () -> run("CumSum", 14, Map.of(), Tensor.ofBools(new boolean[] {true}, 1), axis));
        assertEquals(ErrorCode.UNSUPPORTED_TYPE, bool.code());
    }
}
