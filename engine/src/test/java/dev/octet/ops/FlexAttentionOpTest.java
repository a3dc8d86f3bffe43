package dev.octet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Attribute;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * FlexAttention on a case small enough to work out by hand: two query heads sharing one key/value head, one query,
 * two keys, head size 1, scale 1. Head 0 (q = 1) scores [1, 0], head 1 (q = 2) scores [2, 0]; V = [10, 20].
 */
class FlexAttentionOpTest {
    private static final Map<String, Integer> OPSETS = Map.of("", 26, OpRegistry.PREVIEW_DOMAIN, 1);

    private static Graph graph(Map<String, Attribute> attrs) {
        return new Graph("g", List.of(ValueInfo.of("q", DataType.FLOAT, 1, 2, 1, 1), ValueInfo.of("k", DataType.FLOAT, 1, 1, 2, 1),
                ValueInfo.of("v", DataType.FLOAT, 1, 1, 2, 1), ValueInfo.of("shift", DataType.FLOAT, 2)),
            List.of(new ValueInfo("y", null, 0, null)), Map.of(),
            List.of(new Node("flex", "FlexAttention", OpRegistry.PREVIEW_DOMAIN, List.of("q", "k", "v"), List.of("y"), attrs)),
            OPSETS, Map.of());
    }

    private static float[] run(Graph g) {
        Map<String, Tensor> in = new HashMap<>();
        in.put("q", Tensor.ofFloats(new float[] {1, 2}, 1, 2, 1, 1));
        in.put("k", Tensor.ofFloats(new float[] {1, 0}, 1, 1, 2, 1));
        in.put("v", Tensor.ofFloats(new float[] {10, 20}, 1, 1, 2, 1));
        in.put("shift", Tensor.ofFloats(new float[] {0, 1}, 2));
        try (CompiledSession s = new CompiledSession(g)) {
            return s.run(in).get("y").floats();
        }
    }

    private static double attend(double s0, double s1) {
        double p0 = Math.exp(s0) / (Math.exp(s0) + Math.exp(s1));
        return 10 * p0 + 20 * (1 - p0);
    }

    @Test
    void groupedHeadsShareTheirKeysAndValues() {
        float[] y = run(graph(Map.of("scale", new Attribute.FloatAttr(1f))));
        assertEquals(attend(1, 0), y[0], 1e-5);
        assertEquals(attend(2, 0), y[1], 1e-5);
    }

    @Test
    void scoreModReadsAnOuterValue() {
        // score_mod adds the graph input shift = [0, 1] to every row of scores.
        Graph mod = new Graph("shifted", List.of(new ValueInfo("scores", DataType.FLOAT, DataType.FLOAT.onnxCode(), null)),
            List.of(new ValueInfo("out", DataType.FLOAT, DataType.FLOAT.onnxCode(), null)), Map.of(),
            List.of(new Node("add", "Add", "", List.of("scores", "shift"), List.of("out"), Map.of())), OPSETS, Map.of());
        float[] y = run(graph(Map.of("scale", new Attribute.FloatAttr(1f), "score_mod", new Attribute.GraphAttr(mod))));
        assertEquals(attend(1, 1), y[0], 1e-5);
        assertEquals(attend(2, 1), y[1], 1e-5);
    }

    @Test
    void theDefaultScaleIsOneOverTheRootOfTheHeadSize() {
        // Head size 1: the default scale is 1, as set explicitly above.
        assertArrayEquals(run(graph(Map.of("scale", new Attribute.FloatAttr(1f)))), run(graph(Map.of())));
    }

    @Test
    void refusesWhatItDoesNotImplementOrCannotFit() {
        Graph mask = graph(Map.of("mask_mod", new Attribute.IntAttr(1)));
        OctetException e = assertThrows(OctetException.class, () -> new CompiledSession(mask).close());
        assertEquals(ErrorCode.UNSUPPORTED_OP, e.code(), e.getMessage());
        // K's head size 2 does not match Q's 1: refused at run time (the inputs declare no shapes).
        Graph declared = graph(Map.of());
        Graph loose = new Graph("g", declared.inputs().stream().map(v -> new ValueInfo(v.name(), v.type(), v.onnxType(), null))
            .toList(), declared.outputs(), Map.of(), declared.nodes(), OPSETS, Map.of());
        Map<String, Tensor> in = Map.of("q", Tensor.ofFloats(new float[] {1, 2}, 1, 2, 1, 1),
            "k", Tensor.ofFloats(new float[] {1, 0, 1, 0}, 1, 1, 2, 2), "v", Tensor.ofFloats(new float[] {10, 20}, 1, 1, 2, 1),
            "shift", Tensor.ofFloats(new float[] {0, 1}, 2));
        try (CompiledSession s = new CompiledSession(loose)) {
            OctetException bad = assertThrows(OctetException.class, () -> s.run(in));
            assertEquals(ErrorCode.INVALID_INPUT, bad.code(), bad.getMessage());
        }
    }
}
