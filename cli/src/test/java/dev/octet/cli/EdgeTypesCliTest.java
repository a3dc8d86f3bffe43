package dev.octet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.ir.ValueInfo;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Generated inputs and terminal summaries of float16, bfloat16 and double tensors. */
class EdgeTypesCliTest {
    @Test
    void generatedInputsOfEdgeTypesAreUniformInTheUnitInterval() {
        for (DataType type : new DataType[] {DataType.FLOAT16, DataType.BFLOAT16, DataType.DOUBLE}) {
            Tensor t = GeneratedInputs.randomTensor(ValueInfo.of("x", type, 64), Map.of(), new SplittableRandom(1));
            assertEquals(type, t.type());
            double sum = 0;
            for (int i = 0; i < t.size(); i++) {
                assertTrue(t.getDouble(i) >= 0 && t.getDouble(i) < 1, type + " " + t.getDouble(i));
                sum += t.getDouble(i);
            }
            assertTrue(sum > 10, type + ": the values are not all zero (sum " + sum + ")");
        }
    }

    @Test
    void summariesPrintEdgeTypesAsRealNumbers() {
        assertTrue(Summaries.describe(Tensor.ofDoubles(new double[] {0.25}, 1)).contains("first=[0.250000]"));
        assertTrue(Summaries.describe(Tensor.ofFloat16(new short[] {0x3800}, 1)).contains("first=[0.500000]"));
    }
}
