package dev.octet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Node;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The activations against values worked out by hand from the ONNX operator spec (the ONNX backend tests of
 * each, in ../shared/testdata/onnx-node-full, run through {@code octet validate}).
 */
class ActivationOpsTest {
    private static Tensor run(String op, int opset, Map<String, Attribute> attrs, Tensor x) {
        Node node = new Node("n", op, "", List.of("x"), List.of("y"), attrs);
        return OpRegistry.defaults().create(node, opset, new Tensor[1]).run(new Tensor[] {x})[0];
    }

    private static void assertBits(float[] expected, Tensor y) {
        float[] actual = y.floats();
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                "element " + i + ": expected " + expected[i] + ", got " + actual[i]);
        }
    }

    @Test
    void leakyReluScalesOnlyNegatives() {
        // The spec's example: alpha 0.1 on [-1, 0, 1] gives [-0.1, 0, 1]; -0.1f is the float nearest 0.1 * -1.
        Tensor x = Tensor.ofFloats(new float[] {-1f, 0f, 1f, -4f, 2.5f, -0f}, 2, 3);
        Tensor y = run("LeakyRelu", 16, Map.of("alpha", new Attribute.FloatAttr(0.1f)), x);
        assertArrayEquals(new int[] {2, 3}, y.shape());
        // -4 * 0.1f is exact (a power of two), and is -0.4f; -0 is not below 0, so it stays -0.
        assertBits(new float[] {-0.1f, 0f, 1f, -0.4f, 2.5f, -0f}, y);
    }

    @Test
    void leakyReluDefaultsAlphaToOneHundredth() {
        // 0.01f is 0.00999999977648258, so -100 * 0.01f = -0.999999977648258 rounds to -1.
        Tensor x = Tensor.ofFloats(new float[] {-100f, 3f, Float.NEGATIVE_INFINITY, Float.NaN}, 4);
        assertBits(new float[] {-1f, 3f, Float.NEGATIVE_INFINITY, Float.NaN}, run("LeakyRelu", 6, Map.of(), x));
    }

    @Test
    void leakyReluRejectsABadAlphaAtLoadAndNonFloatInputs() {
        Node stringAlpha = new Node("lr", "LeakyRelu", "", List.of("x"), List.of("y"),
            Map.of("alpha", new Attribute.StringAttr("0.1")));
        OctetException e = assertThrows(OctetException.class,
            () -> OpRegistry.defaults().create(stringAlpha, 17, new Tensor[1]));
        assertEquals(ErrorCode.INVALID_GRAPH, e.code());
        e = assertThrows(OctetException.class, () -> run("LeakyRelu", 17, Map.of(), Tensor.ofLongs(new long[] {-1}, 1)));
        assertEquals(ErrorCode.UNSUPPORTED_TYPE, e.code());
    }
}
