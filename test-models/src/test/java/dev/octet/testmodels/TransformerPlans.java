package dev.octet.testmodels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

/** What Octet's execution plan holds for a BERT-style dynamic-int8 export in MiniLM's dialect. */
final class TransformerPlans {
    private TransformerPlans() {}

    /**
     * Every block became one operator: per layer six quantized MatMuls, two LayerNorms, one Gelu, one Attention and
     * four DynamicQuantizeLinear (query, key and value share one), plus the embeddings' LayerNorm; nothing of the
     * decomposed forms is left.
     */
    static void assertFused(List<String> steps, int layers) {
        assertEquals(6L * layers, count(steps, "com.microsoft.MatMulIntegerToFloat"), steps.toString());
        assertEquals(2L * layers + 1, count(steps, "dev.octet.LayerNormalization"), steps.toString());
        assertEquals(layers, count(steps, "com.microsoft.Gelu"), steps.toString());
        assertEquals(layers, count(steps, "dev.octet.Attention"), steps.toString());
        assertEquals(4L * layers, count(steps, "DynamicQuantizeLinear"), steps.toString());
        for (String op : List.of("Erf", "Pow", "Sqrt", "ReduceMean", "Softmax", "MatMul", "MatMulInteger", "Transpose")) {
            assertEquals(0, count(steps, op), op + " left in " + steps);
        }
    }

    private static long count(List<String> steps, String op) {
        return steps.stream().filter(s -> s.endsWith("(op " + op + ")")).count();
    }
}
