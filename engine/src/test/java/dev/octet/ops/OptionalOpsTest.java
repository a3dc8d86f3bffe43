package dev.octet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** OptionalHasElement / OptionalGetElement on plain tensors (the ONNX tests cover the omitted input). */
class OptionalOpsTest {
    private static Graph graph(String op, int opset) {
        return new Graph("g", List.of(ValueInfo.of("x", DataType.FLOAT, 2)),
            List.of(new ValueInfo("y", null, 0, null)), Map.of(),
            List.of(new Node("n", op, "", List.of("x"), List.of("y"), Map.of())), Map.of("", opset), Map.of());
    }

    @Test
    void aPlainTensorHoldsItsElement() {
        Tensor x = Tensor.ofFloats(new float[] {1, 2}, 2);
        try (CompiledSession s = new CompiledSession(graph("OptionalHasElement", 18))) {
            Tensor has = s.run(Map.of("x", x)).get("y");
            assertEquals(0, has.rank());
            assertArrayEquals(new boolean[] {true}, has.bools());
        }
        try (CompiledSession s = new CompiledSession(graph("OptionalGetElement", 18))) {
            assertArrayEquals(new float[] {1, 2}, s.run(Map.of("x", x)).get("y").floats());
        }
    }

    @Test
    void opset15TookOnlyOptionalValuesAndIsRefused() {
        OctetException e = assertThrows(OctetException.class, () -> new CompiledSession(graph("OptionalHasElement", 15)));
        assertEquals(ErrorCode.UNSUPPORTED_OPSET, e.code(), e.getMessage());
    }
}
