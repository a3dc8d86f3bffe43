package dev.octet.testmodels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.onnx.OnnxImporter;
import dev.octet.testmodels.QuantizedCnns.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generator itself; the generated models are compared with ONNX Runtime in kernels-bench. */
class QuantizedCnnsTest {
    @Test
    void theSameSeedGivesTheSameBytesAndAnotherSeedOtherWeights() {
        for (Kind kind : Kind.values()) {
            byte[] a = QuantizedCnns.generate(kind, 32, 1);
            assertArrayEquals(a, QuantizedCnns.generate(kind, 32, 1), kind.modelName());
            assertFalse(Arrays.equals(a, QuantizedCnns.generate(kind, 32, 2)), kind.modelName());
        }
    }

    @Test
    void eachModelHoldsItsDialect() {
        assertOps(Kind.UNET_DYNAMIC, List.of("DynamicQuantizeLinear", "ConvInteger", "Cast", "Mul", "Add", "Reshape",
            "Relu", "MaxPool", "Resize", "Concat", "Sigmoid"));
        assertOps(Kind.VITIS_DETECTOR, List.of("QuantizeLinear", "DequantizeLinear", "Conv", "LeakyRelu", "Resize",
            "Concat", "Shape", "Gather", "Reshape", "Softmax"));
        assertOps(Kind.RESNET_QDQ, List.of("QuantizeLinear", "DequantizeLinear", "Conv", "Relu", "Add",
            "GlobalAveragePool", "Flatten", "Gemm"));
        assertOps(Kind.RESNET_QOP, List.of("QuantizeLinear", "QLinearConv", "QLinearAdd", "QLinearGlobalAveragePool",
            "Flatten", "QGemm"));
    }

    private static void assertOps(Kind kind, List<String> ops) {
        Graph g = OnnxImporter.load(QuantizedCnns.generate(kind, 16, QuantizedCnns.DEFAULT_SEED));
        List<String> present = g.nodes().stream().map(Node::opType).distinct().sorted().toList();
        assertEquals(ops.stream().sorted().toList(), present, kind.modelName());
        assertEquals(List.of(1L, 3L, 16L, 16L), g.runtimeInputs().getFirst().shape().stream().map(Dim::value).toList(),
            kind.modelName());
    }

    @Test
    void sidesTheArchitectureCannotTakeAreRefusedWithATypedError() {
        OctetException small = assertThrows(OctetException.class, () -> QuantizedCnns.generate(Kind.UNET_DYNAMIC, 7, 1));
        assertEquals(ErrorCode.INVALID_INPUT, small.code());
        assertTrue(small.getMessage().contains("unet-dynamic") && small.getMessage().contains("7"), small.getMessage());
        OctetException odd = assertThrows(OctetException.class, () -> QuantizedCnns.generate(Kind.VITIS_DETECTOR, 30, 1));
        assertTrue(odd.getMessage().contains("multiple of 4"), odd.getMessage());
    }

    @Test
    void writeNamesTheFileByModelAndSide(@TempDir Path dir) throws Exception {
        Path file = QuantizedCnns.write(Kind.RESNET_QDQ, 24, 5, dir);
        assertEquals("resnet-qdq-24.onnx", file.getFileName().toString());
        assertArrayEquals(QuantizedCnns.generate(Kind.RESNET_QDQ, 24, 5), Files.readAllBytes(file));
        assertEquals(Kind.RESNET_QDQ, Kind.byName("resnet-qdq").orElseThrow());
        assertTrue(Kind.byName("resnet").isEmpty());
    }
}
