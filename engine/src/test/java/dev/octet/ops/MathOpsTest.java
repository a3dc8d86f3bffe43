package dev.octet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Node;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The cases of MathOps and the new elementwise ops the ONNX backend tests do not reach. */
class MathOpsTest {
    private static Tensor run(String op, Map<String, Attribute> attrs, Tensor... in) {
        List<String> names = IntStream.range(0, in.length).mapToObj(i -> "x" + i).toList();
        Node node = new Node("n", op, "", names, List.of("y"), attrs);
        return OpRegistry.defaults().create(node, 18, new Tensor[in.length]).run(in)[0];
    }

    private static Tensor run(String op, Tensor... in) {
        return run(op, Map.of(), in);
    }

    private static Map<String, Attribute> flag(String name, long value) {
        return Map.of(name, new Attribute.IntAttr(value));
    }

    private static Tensor scalar(long v) {
        return Tensor.ofLongs(new long[] {v});
    }

    @Test
    void integerModTakesTheDivisorsSignUnlessFmod() {
        Tensor a = Tensor.ofInts(new int[] {7, -7, 7, -7, Integer.MIN_VALUE}, 5);
        Tensor b = Tensor.ofInts(new int[] {3, 3, -3, -3, -1}, 5);
        // Python: 7 % 3 = 1, -7 % 3 = 2, 7 % -3 = -2, -7 % -3 = -1.
        assertArrayEquals(new int[] {1, 2, -2, -1, 0}, run("Mod", a, b).ints());
        // C fmod: the dividend's sign.
        assertArrayEquals(new int[] {1, -1, 1, -1, 0}, run("Mod", flag("fmod", 1), a, b).ints());
        // uint8 operands are unsigned: 200 % 7 = 4.
        Tensor u = run("Mod", Tensor.ofUint8(new byte[] {(byte) 200}, 1), Tensor.ofUint8(new byte[] {7}, 1));
        assertEquals(4, u.bytes()[0]);
    }

    @Test
    void floatModNeedsFmodAndIntegerModRejectsZero() {
        Tensor x = Tensor.ofFloats(new float[] {-4.5f, 5.5f}, 2);
        Tensor y = Tensor.ofFloats(new float[] {2f, -2f}, 2);
        assertArrayEquals(new float[] {-0.5f, 1.5f}, run("Mod", flag("fmod", 1), x, y).floats());
        OctetException e = assertThrows(OctetException.class, () -> run("Mod", x, y));
        assertEquals(ErrorCode.INVALID_GRAPH, e.code());
        OctetException zero = assertThrows(OctetException.class, () -> run("Mod", scalar(5), scalar(0)));
        assertEquals(ErrorCode.INVALID_INPUT, zero.code());
        OctetException badFlag = assertThrows(OctetException.class, () -> run("Mod", flag("fmod", 2), x, y));
        assertEquals(ErrorCode.INVALID_GRAPH, badFlag.code());
    }

    @Test
    void rangeCountsExactlyInEitherDirection() {
        assertArrayEquals(new long[] {10, 7, 4, 1}, run("Range", scalar(10), scalar(0), scalar(-3)).longs());
        // ceil(-9 / -3) = 3: the limit itself is excluded.
        assertArrayEquals(new long[] {10, 7, 4}, run("Range", scalar(10), scalar(1), scalar(-3)).longs());
        // A delta pointing away from the limit gives an empty range.
        Tensor empty = run("Range", scalar(0), scalar(5), scalar(-1));
        assertArrayEquals(new int[] {0}, empty.shape());
        // The span (2^64 - 1) overflows a long; the count, ceil(span / (2^63 - 1)) = 3, does not.
        Tensor wide = run("Range", scalar(Long.MIN_VALUE), scalar(Long.MAX_VALUE), scalar(Long.MAX_VALUE));
        assertArrayEquals(new long[] {Long.MIN_VALUE, -1, Long.MAX_VALUE - 1}, wide.longs());
        Tensor floats = run("Range", Tensor.ofFloats(new float[] {1f}), Tensor.ofFloats(new float[] {-0.5f}),
            Tensor.ofFloats(new float[] {-0.5f}));
        assertArrayEquals(new float[] {1f, 0.5f, 0f}, floats.floats());
    }

    @Test
    void rangeRejectsZeroDeltaAndHugeCounts() {
        assertEquals(ErrorCode.INVALID_INPUT, assertThrows(OctetException.class,
            () -> run("Range", scalar(0), scalar(5), scalar(0))).code());
        assertEquals(ErrorCode.RESOURCE_LIMIT, assertThrows(OctetException.class,
            () -> run("Range", scalar(0), scalar(Long.MAX_VALUE), scalar(1))).code());
        assertEquals(ErrorCode.INVALID_INPUT, assertThrows(OctetException.class, () -> run("Range",
            Tensor.ofFloats(new float[] {0}), Tensor.ofFloats(new float[] {Float.POSITIVE_INFINITY}),
            Tensor.ofFloats(new float[] {1}))).code());
        assertEquals(ErrorCode.INVALID_INPUT, assertThrows(OctetException.class,
            () -> run("Range", scalar(0), Tensor.ofInts(new int[] {5}), scalar(1))).code());
    }

    @Test
    void isInfHonoursItsFlags() {
        Tensor x = Tensor.ofFloats(new float[] {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, 1f}, 4);
        boolean[] both = run("IsInf", x).bools();
        boolean[] negative = run("IsInf", flag("detect_positive", 0), x).bools();
        boolean[] positive = run("IsInf", flag("detect_negative", 0), x).bools();
        assertArrayEquals(new boolean[] {true, true, false, false}, both);
        assertArrayEquals(new boolean[] {true, false, false, false}, negative);
        assertArrayEquals(new boolean[] {false, true, false, false}, positive);
        assertArrayEquals(new boolean[] {false, false, true, false}, run("IsNaN", x).bools());
    }

    @Test
    void triluClampsFarDiagonals() {
        Tensor x = Tensor.ofInts(new int[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new int[] {1, 2, 3, 0, 5, 6}, run("Trilu", x).ints());
        assertArrayEquals(new int[] {1, 0, 0, 4, 5, 0}, run("Trilu", flag("upper", 0), x).ints());
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6}, run("Trilu", flag("upper", 0), x, scalar(Long.MAX_VALUE)).ints());
        assertArrayEquals(new int[6], run("Trilu", x, scalar(Long.MAX_VALUE)).ints());
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6}, run("Trilu", x, scalar(Long.MIN_VALUE)).ints());
        assertEquals(ErrorCode.INVALID_INPUT, assertThrows(OctetException.class,
            () -> run("Trilu", Tensor.ofInts(new int[] {1, 2}, 2))).code());
    }

    @Test
    void integerAbsAndSignAndLogicalOps() {
        // abs(-128) wraps to -128 in int8, as numpy's does.
        assertArrayEquals(new byte[] {(byte) -128, 5, 0}, run("Abs", Tensor.ofInt8(new byte[] {-128, -5, 0}, 3)).bytes());
        assertArrayEquals(new long[] {-1, 0, 1}, run("Sign", Tensor.ofLongs(new long[] {-9, 0, 4}, 3)).longs());
        Tensor a = Tensor.ofBools(new boolean[] {true, false}, 2, 1);
        Tensor b = Tensor.ofBools(new boolean[] {true, false}, 2);
        assertArrayEquals(new boolean[] {true, true, true, false}, run("Or", a, b).bools());
        assertArrayEquals(new boolean[] {false, true, true, false}, run("Xor", a, b).bools());
        assertArrayEquals(new boolean[] {false, true}, run("Not", b).bools());
        assertEquals(ErrorCode.UNSUPPORTED_TYPE, assertThrows(OctetException.class,
            () -> run("And", Tensor.ofInts(new int[] {1}), Tensor.ofInts(new int[] {1}))).code());
    }

    @Test
    void bitwiseOpsKeepTheTypeAndRejectFloats() {
        assertArrayEquals(new byte[] {(byte) 0xF0, 0x0F}, run("BitwiseNot", Tensor.ofUint8(new byte[] {0x0F, (byte) 0xF0}, 2)).bytes());
        assertArrayEquals(new long[] {-1, 0}, run("BitwiseNot", Tensor.ofLongs(new long[] {0, -1}, 2)).longs());
        Tensor a = Tensor.ofInts(new int[] {0b1100, -1}, 2);
        Tensor b = Tensor.ofInts(new int[] {0b1010}, 1);
        assertArrayEquals(new int[] {0b1000, 0b1010}, run("BitwiseAnd", a, b).ints());
        assertArrayEquals(new int[] {0b1110, -1}, run("BitwiseOr", a, b).ints());
        assertArrayEquals(new int[] {0b0110, ~0b1010}, run("BitwiseXor", a, b).ints());
        Tensor f = Tensor.ofFloats(new float[] {1f}, 1);
        assertEquals(ErrorCode.UNSUPPORTED_TYPE, assertThrows(OctetException.class, () -> run("BitwiseAnd", f, f)).code());
        assertEquals(ErrorCode.UNSUPPORTED_TYPE, assertThrows(OctetException.class, () -> run("BitwiseNot", f)).code());
    }

    @Test
    void inverseHyperbolicsKeepSmallArgumentsAndDomains() {
        float tiny = 1e-20f;
        assertEquals(tiny, run("Asinh", Tensor.ofFloats(new float[] {tiny})).floats()[0]);
        assertEquals(-tiny, run("Asinh", Tensor.ofFloats(new float[] {-tiny})).floats()[0]);
        assertEquals(tiny, run("Atanh", Tensor.ofFloats(new float[] {tiny})).floats()[0]);
        float[] atanh = run("Atanh", Tensor.ofFloats(new float[] {1f, -1f, 2f}, 3)).floats();
        assertEquals(Float.POSITIVE_INFINITY, atanh[0]);
        assertEquals(Float.NEGATIVE_INFINITY, atanh[1]);
        assertTrue(Float.isNaN(atanh[2]));
        float[] acosh = run("Acosh", Tensor.ofFloats(new float[] {1f, 0.5f}, 2)).floats();
        assertEquals(0f, acosh[0]);
        assertTrue(Float.isNaN(acosh[1]));
        // Against the definitions, computed independently: asinh(3) = ln(3 + sqrt(10)), atanh(0.5) = ln(3) / 2.
        assertEquals((float) Math.log(3 + Math.sqrt(10)), run("Asinh", Tensor.ofFloats(new float[] {3f})).floats()[0],
            1e-6f);
        assertEquals((float) (Math.log(3) / 2), run("Atanh", Tensor.ofFloats(new float[] {0.5f})).floats()[0], 1e-7f);
    }

    @Test
    void meanBroadcastsAndRejectsIntegers() {
        Tensor m = run("Mean", Tensor.ofFloats(new float[] {1, 2}, 2), Tensor.ofFloats(new float[] {3}, 1),
            Tensor.ofFloats(new float[] {2, 4}, 2, 1));
        assertArrayEquals(new int[] {2, 2}, m.shape());
        assertArrayEquals(new float[] {2, 7f / 3, 8f / 3, 3}, m.floats());
        assertEquals(ErrorCode.UNSUPPORTED_TYPE, assertThrows(OctetException.class,
            () -> run("Mean", Tensor.ofInts(new int[] {1}))).code());
    }

    @Test
    void bitShiftClearsEveryBitFromEightOnAndTakesOnlyUint8() {
        Tensor x = Tensor.ofUint8(new byte[] {(byte) 0x81, (byte) 0x81, (byte) 0x81}, 3);
        Tensor by = Tensor.ofUint8(new byte[] {1, 8, (byte) 200}, 3);
        Map<String, Attribute> left = Map.of("direction", new Attribute.StringAttr("LEFT"));
        Map<String, Attribute> right = Map.of("direction", new Attribute.StringAttr("RIGHT"));
        assertArrayEquals(new byte[] {2, 0, 0}, run("BitShift", left, x, by).bytes());
        assertArrayEquals(new byte[] {0x40, 0, 0}, run("BitShift", right, x, by).bytes());
        OctetException type = assertThrows(OctetException.class,
            () -> run("BitShift", left, Tensor.ofInts(new int[] {1}, 1), Tensor.ofInts(new int[] {1}, 1)));
        assertEquals(ErrorCode.UNSUPPORTED_TYPE, type.code());
        OctetException direction = assertThrows(OctetException.class, () -> run("BitShift", Map.of(), x, by));
        assertEquals(ErrorCode.INVALID_GRAPH, direction.code());
    }

    @Test
    void detPivotsAndTakesTheSignOfEachRowSwap() {
        // [[0, 2], [3, 4]] needs a row swap: det = 0 * 4 - 2 * 3 = -6.
        Tensor x = Tensor.ofFloats(new float[] {0, 2, 3, 4, 1, 2, 2, 4}, 2, 2, 2);
        Tensor det = run("Det", x);
        assertArrayEquals(new int[] {2}, det.shape());
        assertArrayEquals(new float[] {-6f, 0f}, det.floats());
        OctetException square = assertThrows(OctetException.class,
            () -> run("Det", Tensor.ofFloats(new float[6], 2, 3)));
        assertEquals(ErrorCode.INVALID_SHAPE, square.code());
    }

    @Test
    void windowsAreSymmetricOrPeriodicAndFloatOnly() {
        Tensor four = Tensor.ofLongs(new long[] {4});
        assertArrayEquals(new float[] {0f, 0.5f, 1f, 0.5f}, OpRunner.run("HannWindow", 17, Map.of(), four).floats(),
            1e-7f);
        float[] symmetric = OpRunner.run("HannWindow", 17, flag("periodic", 0), four).floats();
        assertArrayEquals(new float[] {0f, 0.75f, 0.75f, 0f}, symmetric, 1e-7f);
        OctetException type = assertThrows(OctetException.class,
            () -> OpRunner.run("BlackmanWindow", 17, flag("output_datatype", 7), four));
        assertEquals(ErrorCode.UNSUPPORTED_TYPE, type.code());
        OctetException size = assertThrows(OctetException.class,
            () -> OpRunner.run("HammingWindow", 17, Map.of(), Tensor.ofLongs(new long[] {-1})));
        assertEquals(ErrorCode.INVALID_INPUT, size.code());
    }

    @Test
    void melFiltersAreTrianglesPeakingAtOne() {
        Tensor[] in = {Tensor.ofLongs(new long[] {4}), Tensor.ofLongs(new long[] {64}), Tensor.ofLongs(new long[] {8000}),
            Tensor.ofFloats(new float[] {0f}), Tensor.ofFloats(new float[] {4000f})};
        Tensor w = OpRunner.run("MelWeightMatrix", 17, Map.of(), in);
        assertArrayEquals(new int[] {33, 4}, w.shape());
        for (int mel = 0; mel < 4; mel++) {
            float peak = 0;
            for (int bin = 0; bin < 33; bin++) {
                float v = w.floats()[bin * 4 + mel];
                assertTrue(v >= 0 && v <= 1, "weight " + v);
                peak = Math.max(peak, v);
            }
            assertEquals(1f, peak);
        }
        in[2] = Tensor.ofLongs(new long[] {0});
        OctetException rate = assertThrows(OctetException.class, () -> OpRunner.run("MelWeightMatrix", 17, Map.of(), in));
        assertEquals(ErrorCode.INVALID_INPUT, rate.code());
    }
}
