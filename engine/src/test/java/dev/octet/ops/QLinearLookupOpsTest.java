package dev.octet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.octet.api.DataType;
import dev.octet.api.SessionOptions;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * com.microsoft QLinearSigmoid keeps its table from run to run and builds it again when the quantization it is fed
 * changes: each run equals a fresh session's run with the same inputs.
 */
class QLinearLookupOpsTest {
    private static Graph sigmoid() {
        List<ValueInfo> inputs = List.of(
            new ValueInfo("x", DataType.UINT8, DataType.UINT8.onnxCode(), List.of(Dim.of(256))),
            new ValueInfo("xs", DataType.FLOAT, DataType.FLOAT.onnxCode(), List.of()),
            new ValueInfo("ys", DataType.FLOAT, DataType.FLOAT.onnxCode(), List.of()));
        Node n = new Node("s", "QLinearSigmoid", OpRegistry.MICROSOFT_DOMAIN, List.of("x", "xs", "", "ys", "yz"),
            List.of("y"), Map.of());
        return new Graph("g", inputs, List.of(new ValueInfo("y", null, 0, null)),
            Map.of("yz", Tensor.ofUint8(new byte[] {0})), List.of(n),
            Map.of("", 19, OpRegistry.MICROSOFT_DOMAIN, 1), Map.of());
    }

    private static Map<String, Tensor> feed(float xs, float ys) {
        byte[] every = new byte[256];
        for (int i = 0; i < 256; i++) {
            every[i] = (byte) i;
        }
        return Map.of("x", Tensor.ofUint8(every, 256), "xs", Tensor.ofFloats(new float[] {xs}),
            "ys", Tensor.ofFloats(new float[] {ys}));
    }

    private static byte[] fresh(float xs, float ys) {
        try (CompiledSession s = new CompiledSession(sigmoid(), SessionOptions.DEFAULTS)) {
            return s.run(feed(xs, ys)).get("y").bytes().clone();
        }
    }

    @Test
    void aChangedQuantizationRebuildsTheTable() {
        try (CompiledSession s = new CompiledSession(sigmoid(), SessionOptions.DEFAULTS)) {
            byte[] first = s.run(feed(0.05f, 1 / 256f)).get("y").bytes().clone();
            byte[] second = s.run(feed(0.02f, 1 / 128f)).get("y").bytes().clone();
            byte[] third = s.run(feed(0.05f, 1 / 256f)).get("y").bytes().clone();
            assertArrayEquals(fresh(0.05f, 1 / 256f), first);
            assertArrayEquals(fresh(0.02f, 1 / 128f), second);
            assertArrayEquals(first, third);
            assertFalse(Arrays.equals(first, second), "the two quantizations give different bytes");
        }
    }
}
