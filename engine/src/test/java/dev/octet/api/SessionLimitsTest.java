package dev.octet.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.exec.CompiledSession;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The session's configurable size limits: {@code maxTensorElements} refuses any larger tensor at load and at run
 * time with RESOURCE_LIMIT, before allocating; {@code maxFoldedElements} leaves larger constant results to run time.
 */
class SessionLimitsTest {
    private static SessionOptions limits(long tensor, long folded) {
        return SessionOptions.builder().maxTensorElements(tensor).maxFoldedElements(folded).build();
    }

    /** y = Expand(x, shape): the output size comes from an input, so only the run can check it. */
    private static Graph expand() {
        return new Graph("g", List.of(new ValueInfo("x", DataType.FLOAT, 1, List.of(Dim.of(1))),
            new ValueInfo("shape", DataType.INT64, 1, List.of(Dim.of(2)))),
            List.of(new ValueInfo("y", DataType.FLOAT, 1, null)), Map.of(),
            List.of(new Node("grow", "Expand", "", List.of("x", "shape"), List.of("y"), Map.of())),
            Map.of("", 13), Map.of());
    }

    private static Map<String, Tensor> expandTo(long rows, long cols) {
        return Map.of("x", Tensor.ofFloats(new float[] {2.5f}, 1), "shape", Tensor.ofLongs(new long[] {rows, cols}, 2));
    }

    @Test
    void aRunFailsBeforeAllocatingATensorOverTheSessionsLimit() {
        try (CompiledSession s = new CompiledSession(expand(), limits(10_000, Long.MAX_VALUE))) {
            assertEquals(10_000, s.run(expandTo(100, 100)).get("y").size());
            OctetException e = assertThrows(OctetException.class, () -> s.run(expandTo(100, 101)));
            assertEquals(ErrorCode.RESOURCE_LIMIT, e.code(), e.getMessage());
            assertTrue(e.getMessage().contains("node 'grow'") && e.getMessage().contains("10100 elements")
                && e.getMessage().contains("maxTensorElements"), e.getMessage());
            // The limit holds for this session only, and for every run: the next one in bounds still works.
            assertEquals(10_000, s.run(expandTo(100, 100)).get("y").size());
        }
        try (CompiledSession unlimited = new CompiledSession(expand())) {
            assertEquals(10_100, unlimited.run(expandTo(100, 101)).get("y").size());
        }
    }

    /** y = ConstantOfShape([rows, cols]) + x: the fill is constant, so it folds at load unless it is too large. */
    private static Graph constantFill(long rows, long cols) {
        return new Graph("g", List.of(new ValueInfo("x", DataType.FLOAT, 1, List.of(Dim.of(1)))),
            List.of(new ValueInfo("y", DataType.FLOAT, 1, null)),
            Map.of("shape", Tensor.ofLongs(new long[] {rows, cols}, 2)),
            List.of(new Node("fill", "ConstantOfShape", "", List.of("shape"), List.of("filled"), Map.of()),
                new Node("sum", "Add", "", List.of("filled", "x"), List.of("y"), Map.of())),
            Map.of("", 17), Map.of());
    }

    @Test
    void aConstantOverTheFoldingLimitRunsAtRunTimeWithTheSameResult() {
        Map<String, Tensor> in = Map.of("x", Tensor.ofFloats(new float[] {1.5f}, 1));
        try (CompiledSession folded = new CompiledSession(constantFill(30, 40));
             CompiledSession unfolded = new CompiledSession(constantFill(30, 40), limits(Long.MAX_VALUE, 1_000))) {
            assertEquals(1, folded.executionSteps().size(), folded.executionSteps().toString());
            assertEquals(2, unfolded.executionSteps().size(), unfolded.executionSteps().toString());
            assertTrue(unfolded.executionSteps().getFirst().contains("ConstantOfShape"), unfolded.executionSteps().toString());
            Tensor a = folded.run(in).get("y");
            Tensor b = unfolded.run(in).get("y");
            assertArrayEquals(new int[] {30, 40}, b.shape());
            assertArrayEquals(a.floats(), b.floats());
        }
        // At the limit it still folds.
        try (CompiledSession s = new CompiledSession(constantFill(25, 40), limits(Long.MAX_VALUE, 1_000))) {
            assertEquals(1, s.executionSteps().size(), s.executionSteps().toString());
        }
    }

    @Test
    void aConstantOverTheTensorLimitFailsAtLoad() {
        OctetException e = assertThrows(OctetException.class,
            () -> new CompiledSession(constantFill(30, 40), limits(1_000, Long.MAX_VALUE)).close());
        assertEquals(ErrorCode.RESOURCE_LIMIT, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("node 'fill'") && e.getMessage().contains("1200 elements"), e.getMessage());
        // Not folded (its own limit), it fails at run time under the tensor limit instead.
        try (CompiledSession s = new CompiledSession(constantFill(30, 40), limits(1_000, 100))) {
            OctetException run = assertThrows(OctetException.class,
                () -> s.run(Map.of("x", Tensor.ofFloats(new float[] {1}, 1))));
            assertEquals(ErrorCode.RESOURCE_LIMIT, run.code(), run.getMessage());
        }
    }

    @Test
    void anInputOverTheLimitIsRefusedBeforeTheRunNamingIt() {
        try (CompiledSession s = new CompiledSession(expand(), limits(4, Long.MAX_VALUE))) {
            Map<String, Tensor> in = Map.of("x", Tensor.ofFloats(new float[5], 5), "shape", Tensor.ofLongs(new long[] {1, 1}, 2));
            OctetException e = assertThrows(OctetException.class, () -> s.run(in));
            assertEquals(ErrorCode.RESOURCE_LIMIT, e.code(), e.getMessage());
            assertTrue(e.getMessage().contains("input 'x'") && e.getMessage().contains("5 elements"), e.getMessage());
        }
    }

    /** Im2col's tap table is an index table (output positions x taps), not a tensor: the tensor limit does not cap it. */
    @Test
    void aConvolutionWhoseTensorsFitRunsWhateverItsTapTable() {
        List<Dim> image = List.of(Dim.of(1), Dim.of(1), Dim.of(64), Dim.of(64));
        Graph g = new Graph("g", List.of(new ValueInfo("x", DataType.UINT8, 2, image)),
            List.of(new ValueInfo("y", DataType.INT32, 6, null)),
            Map.of("w", Tensor.of(DataType.UINT8, new int[] {1, 1, 5, 5}, new byte[25])),
            List.of(new Node("conv", "ConvInteger", "", List.of("x", "w"), List.of("y"),
                Map.of("pads", new dev.octet.ir.Attribute.IntsAttr(new long[] {2, 2, 2, 2})))),
            Map.of("", 13), Map.of());
        // Every tensor has 4,096 elements; the tap table has 4,096 x 25.
        try (CompiledSession s = new CompiledSession(g, limits(4_096, Long.MAX_VALUE))) {
            assertEquals(4_096, s.run(Map.of("x", Tensor.of(DataType.UINT8, new int[] {1, 1, 64, 64}, new byte[4_096])))
                .get("y").size());
        }
    }

    @Test
    void limitsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> limits(0, 1));
        assertThrows(IllegalArgumentException.class, () -> limits(1, 0));
        assertEquals(Long.MAX_VALUE, SessionOptions.DEFAULTS.maxTensorElements());
        assertEquals(Long.MAX_VALUE, SessionOptions.DEFAULTS.maxFoldedElements());
    }
}
