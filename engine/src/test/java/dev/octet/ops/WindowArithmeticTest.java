package dev.octet.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Attribute;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Convolution and pooling output sizes are computed in long: attributes near 2^31 (fuzzer recipes) give a typed
 * error at load (INVALID_GRAPH, as shape inference reports) instead of an int overflow's wrong shape, or a pool looping over 2^31 padded positions.
 */
class WindowArithmeticTest {
    private static final int MAX = Integer.MAX_VALUE;

    private static Graph graph(Node node, Map<String, Tensor> initializers) {
        List<Dim> x = List.of(Dim.of(1), Dim.of(1), Dim.of(5), Dim.of(5));
        return new Graph("g", List.of(new ValueInfo("x", DataType.FLOAT, DataType.FLOAT.onnxCode(), x)),
            List.of(new ValueInfo("y", DataType.FLOAT, DataType.FLOAT.onnxCode(), null)), initializers, List.of(node),
            Map.of("", 17), Map.of());
    }

    private static Attribute.IntsAttr ints(long... v) {
        return new Attribute.IntsAttr(v);
    }

    private static OctetException loadFails(Graph g) {
        return assertThrows(OctetException.class, () -> {
            try (CompiledSession s = new CompiledSession(g)) {
                s.run(Map.of("x", Tensor.ofFloats(new float[25], 1, 1, 5, 5)));
            }
        });
    }

    @Test
    void aConvDilationNearTwoToThe31IsAShapeErrorNotAWrongShape() {
        Node conv = new Node("conv", "Conv", "", List.of("x", "w"), List.of("y"),
            Map.of("dilations", ints(MAX, 1)));
        OctetException e = loadFails(graph(conv, Map.of("w", Tensor.ofFloats(new float[9], 1, 1, 3, 3))));
        // Shape inference finds it at load: the graph's attributes contradict its declared shapes.
        assertEquals(ErrorCode.INVALID_GRAPH, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("does not fit input [5, 5]"), e.getMessage());
    }

    @Test
    void aMaxPoolWhosePaddedInputExceedsAnIntIsRejectedBeforeLooping() {
        Node pool = new Node("pool", "MaxPool", "", List.of("x"), List.of("y"),
            Map.of("kernel_shape", ints(MAX, 1), "pads", ints(1 << 30, 0, 1 << 30, 0)));
        OctetException e = loadFails(graph(pool, Map.of()));
        assertEquals(ErrorCode.INVALID_GRAPH, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("the padded input along a dimension is 2147483653"), e.getMessage());
    }

    @Test
    void sameAutoPaddingWithAHugeStrideStaysExact() {
        // ceil(5 / s) = 1 for any stride >= 5; (5 + s - 1) overflowed int for s near 2^31.
        Node pool = new Node("pool", "MaxPool", "", List.of("x"), List.of("y"),
            Map.of("kernel_shape", ints(2, 2), "strides", ints(MAX, MAX), "auto_pad", new Attribute.StringAttr("SAME_UPPER")));
        try (CompiledSession s = new CompiledSession(graph(pool, Map.of()))) {
            float[] x = new float[25];
            for (int i = 0; i < x.length; i++) {
                x[i] = i;
            }
            Tensor y = s.run(Map.of("x", Tensor.ofFloats(x, 1, 1, 5, 5))).get("y");
            assertEquals(List.of(1, 1, 1, 1), java.util.Arrays.stream(y.shapeView()).boxed().toList());
            assertEquals(6f, y.floats()[0]); // the max of x[0..1][0..1]
        }
    }

    @Test
    void poolsVisitOnlyTheTapsInsideTheInput() {
        // 2^30 taps per window, almost all in padding: 36 outputs used to visit 3.9e10 positions.
        float[] x = new float[25];
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            x[i] = (i * 7 % 25) - 3.5f;
            sum += x[i];
        }
        Map<String, Attribute> attrs = Map.of("kernel_shape", ints(1 << 15, 1 << 15),
            "pads", ints(1 << 14, 1 << 14, 1 << 14, 1 << 14));
        for (String op : List.of("MaxPool", "AveragePool")) {
            Node pool = new Node("pool", op, "", List.of("x"), List.of("y"), attrs);
            try (CompiledSession s = new CompiledSession(graph(pool, Map.of()))) {
                Tensor y = s.run(Map.of("x", Tensor.ofFloats(x, 1, 1, 5, 5))).get("y");
                assertEquals(List.of(1, 1, 6, 6), java.util.Arrays.stream(y.shapeView()).boxed().toList(), op);
                // Every window covers the whole 5 x 5 input.
                float expected = op.equals("MaxPool") ? 20.5f : (float) (sum / 25);
                for (float v : y.floats()) {
                    assertEquals(expected, v, 1e-5f, op);
                }
            }
        }
    }
}
