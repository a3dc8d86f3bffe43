package dev.octet.testmodels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.QuantizationStyle;
import dev.octet.onnx.OnnxImporter;
import dev.octet.onnx.TensorProtos;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The real static-QDQ CNN: Octet's integer path must reproduce ONNX Runtime's output exactly. */
class MobileNetV2QdqTest {
    @Test
    void reproducesOnnxRuntimeOutputBitForBit() {
        Path dir = TestData.mobileNetV2Qdq();
        var graph = OnnxImporter.load(dir.resolve("model.onnx"));
        assertEquals(QuantizationStyle.QDQ, QuantizationStyle.detect(graph));
        CompiledSession session = new CompiledSession(graph);
        Tensor input = TensorProtos.read(dir.resolve("test_data_set_0/input_0.pb"));
        Tensor expected = TensorProtos.read(dir.resolve("test_data_set_0/output_0.pb"));
        Tensor actual = session.run(Map.of("image", input)).get("scores");
        assertArrayEquals(expected.shapeView(), actual.shapeView());
        // ORT 1.23.2 reproduces these values exactly; the QDQ fusion must too (every value is
        // (q - zp) * scale of an int8 result, so any integer difference shows as >= one step).
        assertArrayEquals(expected.floats(), actual.floats());
        assertEquals(446, argmax(actual.floats()));
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
