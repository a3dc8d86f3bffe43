package dev.octet.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
 * Tensors larger than the heap can hold fail with RESOURCE_LIMIT, naming the node and the shape, before anything
 * is allocated: the fuzzer's ConstantOfShape (at load) and Resize (at run time) used to run out of memory.
 */
class ResourceLimitTest {
    /** One more element than the limit, in a shape a Java array could still index. */
    private static int overLimit() {
        assumeTrue(Tensor.HEAP_ELEMENTS < Tensor.MAX_ELEMENTS, "the heap holds every indexable tensor");
        return (int) Tensor.HEAP_ELEMENTS + 1;
    }

    private static void assertOverLimit(OctetException e, String node) {
        assertEquals(ErrorCode.RESOURCE_LIMIT, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(node) && e.getMessage().contains(overLimit() + " elements"), e.getMessage());
    }

    @Test
    void constantOfShapeLargerThanTheHeapFailsAtLoad() {
        Graph g = new Graph("g", List.of(), List.of(new ValueInfo("y", DataType.FLOAT, 1, null)),
            Map.of("shape", Tensor.ofLongs(new long[] {1, overLimit()}, 2)),
            List.of(new Node("fill", "ConstantOfShape", "", List.of("shape"), List.of("y"), Map.of())),
            Map.of("", 17), Map.of());
        assertOverLimit(assertThrows(OctetException.class, () -> new CompiledSession(g).close()), "node 'fill'");
    }

    @Test
    void resizeLargerThanTheHeapFailsBeforeAllocating() {
        List<Dim> one = List.of(Dim.of(1), Dim.of(1), Dim.of(1), Dim.of(1));
        Graph g = new Graph("g", List.of(new ValueInfo("x", DataType.FLOAT, 1, one)),
            List.of(new ValueInfo("y", DataType.FLOAT, 1, null)),
            Map.of("sizes", Tensor.ofLongs(new long[] {1, 1, overLimit(), 1}, 4)),
            List.of(new Node("resize", "Resize", "", List.of("x", "", "", "sizes"), List.of("y"),
                Map.of("mode", new Attribute.StringAttr("nearest")))),
            Map.of("", 13), Map.of());
        try (CompiledSession s = new CompiledSession(g)) {
            assertOverLimit(assertThrows(OctetException.class,
                () -> s.run(Map.of("x", Tensor.ofFloats(new float[] {1}, 1, 1, 1, 1)))), "node 'resize'");
        }
    }

    /** The 200,000-case fuzz run's one escape: a shape input declared 2^31-1 long asked for a shape of that rank. */
    @Test
    void shapeInputLongerThanAnyRankFailsTypedAtLoad() {
        Graph g = new Graph("g", List.of(new ValueInfo("shape", DataType.INT64, 1, List.of(Dim.of(Integer.MAX_VALUE)))),
            List.of(new ValueInfo("y", DataType.FLOAT, 1, null)), Map.of(),
            List.of(new Node("fill", "ConstantOfShape", "", List.of("shape"), List.of("y"), Map.of())),
            Map.of("", 17), Map.of());
        OctetException e = assertThrows(OctetException.class, () -> new CompiledSession(g).close());
        assertTrue(e.getMessage().contains("fill") && e.getMessage().contains("rank " + Integer.MAX_VALUE), e.getMessage());
    }

    /**
     * A 3-D convolution (1-D and 2-D windows need no table) whose im2col tap table (output positions x kernel taps)
     * has more entries than an int counts: a 16x16x16 kernel over a padded 128^3 volume. Refused before the table is
     * allocated, not an int product that wraps into an index error.
     */
    @Test
    void aTapTableLargerThanAnArrayIsRefusedBeforeAllocating() {
        List<Dim> volume = List.of(Dim.of(1), Dim.of(1), Dim.of(128), Dim.of(128), Dim.of(128));
        Graph g = new Graph("g", List.of(new ValueInfo("x", DataType.UINT8, 2, volume)),
            List.of(new ValueInfo("y", DataType.INT32, 6, null)),
            Map.of("w", Tensor.of(DataType.UINT8, new int[] {32, 1, 16, 16, 16}, new byte[32 * 16 * 16 * 16])),
            List.of(new Node("wide", "ConvInteger", "", List.of("x", "w"), List.of("y"),
                Map.of("pads", new Attribute.IntsAttr(new long[] {8, 8, 8, 8, 8, 8})))),
            Map.of("", 13), Map.of());
        try (CompiledSession s = new CompiledSession(g)) {
            OctetException e = assertThrows(OctetException.class,
                () -> s.run(Map.of("x", Tensor.of(DataType.UINT8, new int[] {1, 1, 128, 128, 128}, new byte[1 << 21]))));
            assertEquals(ErrorCode.RESOURCE_LIMIT, e.code(), e.getMessage());
            assertTrue(e.getMessage().contains("node 'wide'") && e.getMessage().contains("tap table"), e.getMessage());
        }
    }
}
