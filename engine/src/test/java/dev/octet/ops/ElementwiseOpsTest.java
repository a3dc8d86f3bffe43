package dev.octet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Node;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ElementwiseOpsTest {
    private static Tensor run(String op, Map<String, Attribute> attrs, Tensor... in) {
        List<String> names = IntStream.range(0, in.length).mapToObj(i -> "x" + i).toList();
        Node node = new Node("n", op, "", names, List.of("y"), attrs);
        return OpRegistry.defaults().create(node, 17, new Tensor[in.length]).run(in)[0];
    }

    private static Tensor run(String op, Tensor... in) {
        return run(op, Map.of(), in);
    }

    @Test
    void broadcastsBothOperandsAcrossDifferentRanks() {
        // [2,1,3] + [4,1] -> [2,4,3]: out[i][j][k] = a[i][0][k] + b[j][0]
        Tensor a = Tensor.ofFloats(new float[] {0, 1, 2, 10, 11, 12}, 2, 1, 3);
        Tensor b = Tensor.ofFloats(new float[] {100, 200, 300, 400}, 4, 1);
        Tensor y = run("Add", a, b);
        assertArrayEquals(new int[] {2, 4, 3}, y.shape());
        float[] z = y.floats();
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 4; j++) {
                for (int k = 0; k < 3; k++) {
                    assertEquals(a.floats()[i * 3 + k] + b.floats()[j], z[(i * 4 + j) * 3 + k]);
                }
            }
        }
    }

    @Test
    void scalarOperandsAndEmptyDimensions() {
        Tensor s = run("Sub", Tensor.ofInts(new int[] {7}), Tensor.ofInts(new int[] {10, 20}, 2));
        assertArrayEquals(new int[] {2}, s.shape());
        assertArrayEquals(new int[] {-3, -13}, s.ints());

        Tensor rank0 = run("Mul", Tensor.ofFloats(new float[] {3}), Tensor.ofFloats(new float[] {4}));
        assertEquals(0, rank0.rank());
        assertEquals(12f, rank0.floats()[0]);

        // A zero-sized dimension broadcasts against 1 and yields an empty result.
        Tensor empty = run("Add", Tensor.ofFloats(new float[0], 0, 3), Tensor.ofFloats(new float[] {1, 2, 3}, 1, 3));
        assertArrayEquals(new int[] {0, 3}, empty.shape());
    }

    @Test
    void incompatibleShapesAreRejected() {
        OctetException e = assertThrows(OctetException.class,
            () -> run("Add", Tensor.ofFloats(new float[6], 2, 3), Tensor.ofFloats(new float[2], 2)));
        assertEquals(ErrorCode.INVALID_SHAPE, e.code());
    }

    @Test
    void eightBitArithmeticWrapsLikeC() {
        byte[] u = {(byte) 250, 3, (byte) 200};
        byte[] v = {10, 5, 3};
        assertArrayEquals(new byte[] {4, 8, (byte) 203},
            run("Add", Tensor.ofUint8(u, 3), Tensor.ofUint8(v, 3)).bytes());
        assertArrayEquals(new byte[] {(byte) 240, (byte) 254, (byte) 197},
            run("Sub", Tensor.ofUint8(u, 3), Tensor.ofUint8(v, 3)).bytes());
        // 200 / 3 is unsigned division: 66, not -56 / 3.
        assertEquals(66, run("Div", Tensor.ofUint8(u, 3), Tensor.ofUint8(v, 3)).bytes()[2] & 0xFF);

        Tensor i8 = run("Add", Tensor.ofInt8(new byte[] {127, -128}, 2), Tensor.ofInt8(new byte[] {1, -1}, 2));
        assertArrayEquals(new byte[] {-128, 127}, i8.bytes());
        assertArrayEquals(new byte[] {-128},
            run("Div", Tensor.ofInt8(new byte[] {-128}, 1), Tensor.ofInt8(new byte[] {-1}, 1)).bytes());
        assertArrayEquals(new byte[] {0, 64},
            run("Mul", Tensor.ofInt8(new byte[] {16, 64}, 2), Tensor.ofInt8(new byte[] {16, 1}, 2)).bytes());
    }

    @Test
    void integerDivisionTruncatesTowardZeroAndInt32Wraps() {
        assertArrayEquals(new int[] {-3, 3, -3},
            run("Div", Tensor.ofInts(new int[] {-7, 7, 7}, 3), Tensor.ofInts(new int[] {2, 2, -2}, 3)).ints());
        assertArrayEquals(new int[] {Integer.MIN_VALUE},
            run("Add", Tensor.ofInts(new int[] {Integer.MAX_VALUE}, 1), Tensor.ofInts(new int[] {1}, 1)).ints());
        assertArrayEquals(new long[] {Long.MIN_VALUE},
            run("Mul", Tensor.ofLongs(new long[] {1L << 62}, 1), Tensor.ofLongs(new long[] {2}, 1)).longs());
    }

    @Test
    void variadicMaxBroadcastsAllInputs() {
        Tensor y = run("Max", Tensor.ofFloats(new float[] {1, 5}, 2, 1), Tensor.ofFloats(new float[] {3, 0, 4}, 3),
            Tensor.ofFloats(new float[] {2}));
        assertArrayEquals(new int[] {2, 3}, y.shape());
        assertArrayEquals(new float[] {3, 2, 4, 5, 5, 5}, y.floats());
    }

    @Test
    void castTruncatesAndRoundHalvesToEven() {
        Map<String, Attribute> toInt32 = Map.of("to", new Attribute.IntAttr(DataType.INT32.onnxCode()));
        assertArrayEquals(new int[] {-1, 1, 0},
            run("Cast", toInt32, Tensor.ofFloats(new float[] {-1.7f, 1.9f, -0.5f}, 3)).ints());
        Map<String, Attribute> toUint8 = Map.of("to", new Attribute.IntAttr(DataType.UINT8.onnxCode()));
        assertArrayEquals(new byte[] {(byte) 255, 44},
            run("Cast", toUint8, Tensor.ofInts(new int[] {-1, 300}, 2)).bytes());
        assertArrayEquals(new float[] {0, 2, 2, -2, 3},
            run("Round", Tensor.ofFloats(new float[] {0.5f, 1.5f, 2.5f, -2.5f, 2.6f}, 5)).floats());
    }

    @Test
    void erfMatchesReferenceValues() {
        float[] x = {0f, 0.5f, 1f, -2f, 3.5f, 5f};
        double[] expected = {0, 0.5204998778130465, 0.8427007929497149, -0.9953222650189527, 0.9999992569016276, 1};
        float[] y = run("Erf", Tensor.ofFloats(x, x.length)).floats();
        for (int i = 0; i < x.length; i++) {
            // Octet's erf is within 1 ulp (FloatMathAccuracyTest), not correctly rounded.
            assertEquals((float) expected[i], y[i], Math.ulp((float) expected[i]), "erf(" + x[i] + ")");
        }
    }
}
