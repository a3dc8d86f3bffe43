package dev.octet.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import dev.octet.ops.Arity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Nodes listing too few or too many inputs or outputs, or an empty name for a required input, fail at load with
 * INVALID_GRAPH naming the node, before graph passes or ops index them. Each graph here is a fuzzer escape
 * (ModelFuzzTest): it used to throw ArrayIndexOutOfBounds in a fusion pass, NullPointerException in an op, or
 * IllegalStateException in the executor.
 */
class ArityCheckTest {
    private static final Tensor X = Tensor.ofFloats(new float[] {-1, 0.5f, 2, 3}, 2, 2);

    private static Graph graph(int opset, Map<String, Tensor> initializers, Node... nodes) {
        // The last node's outputs are the graph's; earlier nodes feed it.
        List<ValueInfo> graphOutputs = nodes[nodes.length - 1].outputs().stream().filter(o -> !o.isEmpty())
            .map(o -> new ValueInfo(o, null, 0, null)).toList();
        return new Graph("g", List.of(new ValueInfo("x", DataType.FLOAT, DataType.FLOAT.onnxCode(),
            List.of(Dim.of(2), Dim.of(2)))), graphOutputs, initializers, List.of(nodes),
            Map.of("", opset, "com.microsoft", 1), Map.of());
    }

    private static Node node(String name, String op, List<String> inputs, List<String> outputs) {
        return new Node(name, op, "", inputs, outputs, Map.of());
    }

    /** Loading (and, should loading pass, running) must fail with INVALID_GRAPH naming the node and the fragments. */
    private static void assertInvalid(Graph g, String... fragments) {
        OctetException e = assertThrows(OctetException.class, () -> {
            try (CompiledSession s = new CompiledSession(g)) {
                s.run(Map.of("x", X));
            }
        });
        assertEquals(ErrorCode.INVALID_GRAPH, e.code(), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), e.getMessage() + " should contain " + f);
        }
    }

    @Test
    void softmaxWithoutInputsFailsBeforeTheAttentionFusion() {
        assertInvalid(graph(13, Map.of(), node("sm", "Softmax", List.of(), List.of("y"))),
            "node 'sm' (op Softmax) has 0 inputs", "ai.onnx:Softmax at opset 13 takes 1");
    }

    @Test
    void erfWithoutInputsFailsBeforeTheGeluFusion() {
        assertInvalid(graph(13, Map.of(), node("erf", "Erf", List.of(), List.of("y"))), "node 'erf'", "has 0 inputs");
    }

    @Test
    void reduceMeanWithoutInputsFailsBeforeTheLayerNormFusion() {
        assertInvalid(graph(18, Map.of(), node("mean", "ReduceMean", List.of(), List.of("y"))),
            "node 'mean'", "takes 1 to 2");
    }

    @Test
    void quantizeLinearWithOneInputAfterDequantizeLinearFailsBeforeTheQdqFusion() {
        Map<String, Tensor> init = Map.of("s", Tensor.ofFloats(new float[] {0.1f}, new int[0]), "zp", Tensor.ofUint8(new byte[] {0}));
        assertInvalid(graph(13, init,
                node("q0", "QuantizeLinear", List.of("x", "s", "zp"), List.of("q")),
                node("dq", "DequantizeLinear", List.of("q", "s", "zp"), List.of("d")),
                node("q1", "QuantizeLinear", List.of("d"), List.of("y"))),
            "node 'q1'", "has 1 input;", "takes 2 to 3");
    }

    @Test
    void matMulIntegerWithOneInputFailsBeforeTheMatMulIntegerToFloatFusion() {
        assertInvalid(graph(13, Map.of(), node("q", "DynamicQuantizeLinear", List.of("x"), List.of("q", "qs", "qzp")),
            node("mm", "MatMulInteger", List.of("q"), List.of("y"))), "node 'mm'", "takes 2 to 4");
    }

    @Test
    void anEmptyNameForARequiredInputFailsNamingThePosition() {
        assertInvalid(graph(13, Map.of(), node("mul", "Mul", List.of("", "x"), List.of("y"))),
            "node 'mul' (op Mul): input 0 is required by ai.onnx:Mul at opset 13 but its name is empty");
        assertInvalid(graph(13, Map.of(), node("clip", "Clip", List.of("", "x"), List.of("y"))), "node 'clip'", "input 0");
        assertInvalid(graph(13, Map.of(), node("un", "Unsqueeze", List.of("x", ""), List.of("y"))), "node 'un'",
            "input 1 is required");
        Map<String, Tensor> bias = Map.of("s", Tensor.ofFloats(new float[] {1f}));
        assertInvalid(graph(18, bias, node("ln", "LayerNormalization", List.of("x", ""), List.of("y"))), "node 'ln'",
            "input 1 is required");
    }

    @Test
    void moreOutputsThanTheOperatorMakesFailAtLoad() {
        Map<String, Tensor> scale = Map.of("s", Tensor.ofFloats(new float[] {1f, 1f}, 2));
        assertInvalid(graph(18, scale, node("ln", "LayerNormalization", List.of("x", "s"), List.of("y", "m", "v", "w"))),
            "node 'ln'", "has 4 outputs", "takes 1 to 3");
        assertInvalid(graph(13, Map.of(), node("r", "Relu", List.of("x"), List.of("y", "z"))), "node 'r'",
            "has 2 outputs", "takes 1");
    }

    @Test
    void anOptionalInputLeftEmptyIsAccepted() {
        Graph g = graph(13, Map.of("hi", Tensor.ofFloats(new float[] {1f}, new int[0])),
            node("clip", "Clip", List.of("x", "", "hi"), List.of("y")));
        try (CompiledSession s = new CompiledSession(g)) {
            assertEquals(List.of(-1f, 0.5f, 1f, 1f), floats(s.run(Map.of("x", X)).get("y")));
        }
    }

    @Test
    void versionsChangeTheArity() {
        // Before opset 11 Clip's bounds are attributes, so a second input is one too many.
        assertInvalid(graph(10, Map.of(), node("clip", "Clip", List.of("x", "x"), List.of("y"))), "has 2 inputs",
            "at opset 10 takes 1");
    }

    @Test
    void patternsCountRequiredAndOptionalPositions() {
        Arity conv = new Arity("rro");
        assertEquals(2, conv.min());
        assertEquals(3, conv.max());
        assertFalse(conv.required(2));
        Arity qlinearAdd = new Arity("rrorrorro");
        assertEquals(8, qlinearAdd.min());
        assertFalse(qlinearAdd.required(2));
        assertTrue(qlinearAdd.required(3));
        Arity concat = new Arity("r*");
        assertEquals(1, concat.min());
        assertEquals(Integer.MAX_VALUE, concat.max());
        assertTrue(concat.required(40));
        assertEquals("at least 1", concat.describeCount());
        assertThrows(IllegalArgumentException.class, () -> new Arity("rx"));
    }

    private static List<Float> floats(Tensor t) {
        List<Float> l = new ArrayList<>();
        for (float f : t.floats()) {
            l.add(f);
        }
        return l;
    }
}
