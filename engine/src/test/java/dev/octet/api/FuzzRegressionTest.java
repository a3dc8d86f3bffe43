package dev.octet.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.exec.CompiledSession;
import dev.octet.ir.Attribute;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Escapes the 200,000-case fuzz run found after the first round of fixes, each as it was found. */
class FuzzRegressionTest {
    private static List<Dim> dims(int... d) {
        return java.util.Arrays.stream(d).mapToObj(Dim::of).toList();
    }

    /** An axis of 2^32 was cast to int (0) and indexed a blocked scale with the wrong axis. */
    @Test
    void dequantizeAxisBeyondIntIsTypedAtLoad() {
        Graph g = new Graph("g", List.of(new ValueInfo("x", DataType.UINT8, 2, dims(1, 4))),
            List.of(new ValueInfo("y", DataType.FLOAT, 1, null)),
            Map.of("s", Tensor.ofFloats(new float[] {1, 2}, 1, 2)),
            List.of(new Node("dq", "DequantizeLinear", "", List.of("x", "s"), List.of("y"),
                Map.of("axis", new Attribute.IntAttr(1L << 32), "block_size", new Attribute.IntAttr(2)))),
            Map.of("", 21), Map.of());
        OctetException e = assertThrows(OctetException.class, () -> new CompiledSession(g).close());
        assertEquals(ErrorCode.INVALID_GRAPH, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("axis 4294967296"), e.getMessage());
    }

    /** A group of 2^32 + 1 was cast to int (1): a silently different convolution. */
    @Test
    void convGroupBeyondIntIsTypedAtLoad() {
        Graph g = new Graph("g", List.of(new ValueInfo("x", DataType.FLOAT, 1, dims(1, 1, 3, 3))),
            List.of(new ValueInfo("y", DataType.FLOAT, 1, null)),
            Map.of("w", Tensor.ofFloats(new float[] {1}, 1, 1, 1, 1)),
            List.of(new Node("conv", "Conv", "", List.of("x", "w"), List.of("y"),
                Map.of("group", new Attribute.IntAttr((1L << 32) + 1)))),
            Map.of("", 17), Map.of());
        OctetException e = assertThrows(OctetException.class, () -> new CompiledSession(g).close());
        assertTrue(e.getMessage().contains("group"), e.getMessage());
    }

    /** Resizing an empty tensor read past its (empty) data; to an empty output it is empty, else typed. */
    @Test
    void resizeOfAnEmptyTensor() {
        Graph g = new Graph("g", List.of(new ValueInfo("x", DataType.FLOAT, 1, null), new ValueInfo("sizes",
            DataType.INT64, 7, dims(4))), List.of(new ValueInfo("y", DataType.FLOAT, 1, null)), Map.of(),
            List.of(new Node("resize", "Resize", "", List.of("x", "", "", "sizes"), List.of("y"),
                Map.of("mode", new Attribute.StringAttr("cubic")))),
            Map.of("", 13), Map.of());
        try (CompiledSession s = new CompiledSession(g)) {
            Tensor empty = Tensor.ofFloats(new float[0], 0, 1, 4, 4);
            Tensor y = s.run(Map.of("x", empty, "sizes", Tensor.ofLongs(new long[] {0, 1, 8, 8}, 4))).get("y");
            assertArrayEquals(new int[] {0, 1, 8, 8}, y.shape());
            OctetException e = assertThrows(OctetException.class,
                () -> s.run(Map.of("x", empty, "sizes", Tensor.ofLongs(new long[] {1, 1, 8, 8}, 4))));
            assertTrue(e.getMessage().contains("empty"), e.getMessage());
        }
    }

    /** A blocked scale whose other dims differ from the data's was indexed out of bounds. */
    @Test
    void blockedScaleWithOtherDimsUnlikeTheDataIsTyped() {
        Graph g = new Graph("g", List.of(new ValueInfo("x", DataType.UINT8, 2, dims(1, 4, 3, 2))),
            List.of(new ValueInfo("y", DataType.FLOAT, 1, null)),
            Map.of("s", Tensor.ofFloats(new float[12], 1, 2, 3, 2)),
            List.of(new Node("dq", "DequantizeLinear", "", List.of("x", "s"), List.of("y"),
                Map.of("axis", new Attribute.IntAttr(0), "block_size", new Attribute.IntAttr(2)))),
            Map.of("", 21), Map.of());
        try (CompiledSession s = new CompiledSession(g)) {
            OctetException e = assertThrows(OctetException.class,
                () -> s.run(Map.of("x", Tensor.of(DataType.UINT8, new int[] {1, 4, 3, 2}, new byte[24]))));
            assertEquals(ErrorCode.INVALID_SHAPE, e.code(), e.getMessage());
            assertTrue(e.getMessage().contains("blocked scale shape"), e.getMessage());
        }
    }

    /** A bool y_zero_point made QLinearMatMul ask DataType for 8-bit bounds of BOOL: IllegalStateException. */
    @Test
    void qlinearMatMulWithANon8BitZeroPointIsTyped() {
        Graph g = new Graph("g", List.of(new ValueInfo("a", DataType.UINT8, 2, dims(2, 4))),
            List.of(new ValueInfo("y", DataType.BOOL, 9, null)),
            Map.of("sa", Tensor.ofFloats(new float[] {0.5f}, 1), "za", Tensor.of(DataType.UINT8, new int[] {1}, new byte[1]),
                "b", Tensor.of(DataType.UINT8, new int[] {4, 3}, new byte[12]), "sb", Tensor.ofFloats(new float[] {0.5f}, 1),
                "zb", Tensor.of(DataType.UINT8, new int[] {1}, new byte[1]), "sy", Tensor.ofFloats(new float[] {1f}, 1),
                "zy", Tensor.ofBools(new boolean[1], 1)),
            List.of(new Node("mm", "QLinearMatMul", "", List.of("a", "sa", "za", "b", "sb", "zb", "sy", "zy"),
                List.of("y"), Map.of())),
            Map.of("", 13), Map.of());
        OctetException e = assertThrows(OctetException.class, () -> {
            try (CompiledSession s = new CompiledSession(g)) {
                s.run(Map.of("a", Tensor.of(DataType.UINT8, new int[] {2, 4}, new byte[8])));
            }
        });
        assertEquals(ErrorCode.UNSUPPORTED_TYPE, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("BOOL"), e.getMessage());
    }
}
