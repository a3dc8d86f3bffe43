package dev.octet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Node;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReduceOpsTest {
    private static Tensor run(String op, int opset, Map<String, Attribute> attrs, Tensor... in) {
        List<String> names = IntStream.range(0, in.length).mapToObj(i -> in[i] == null ? "" : "x" + i).toList();
        Node node = new Node("n", op, "", names, List.of("y"), attrs);
        return OpRegistry.defaults().create(node, opset, new Tensor[in.length]).run(in)[0];
    }

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
}
