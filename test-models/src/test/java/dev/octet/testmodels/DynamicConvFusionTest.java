package dev.octet.testmodels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.SessionOptions;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Graph;
import dev.octet.onnx.OnnxImporter;
import dev.octet.testmodels.QuantizedCnns.Kind;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The generated dynamically quantized U-Net: its 12 DynamicQuantizeLinear -> ConvInteger -> Cast -> Mul -> Add
 * [-> Relu] chains run as ConvIntegerToFloat, in NHWC from the first convolution to the last (MaxPool, Resize,
 * Concat and DynamicQuantizeLinear between them included), with the bits of the graph run node by node.
 */
class DynamicConvFusionTest {
    private static final int SIDE = 64;

    static Map<String, Tensor> input(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[3 * SIDE * SIDE];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        return Map.of("input", Tensor.ofFloats(x, 1, 3, SIDE, SIDE));
    }

    private static Graph unet() {
        return OnnxImporter.load(QuantizedCnns.generate(Kind.UNET_DYNAMIC, SIDE, QuantizedCnns.DEFAULT_SEED));
    }

    private static long count(List<String> steps, String op) {
        return steps.stream().filter(s -> s.endsWith("(op " + op + ")")).count();
    }

    @Test
    void theUnetRunsEveryConvolutionFusedInNhwc() {
        Graph g = unet();
        // Every ConvInteger of the model (the generator writes 12: 2 per encoder level and in the middle, 1 per
        // decoder level, the head) becomes one fused op.
        assertEquals(12, g.nodes().stream().filter(n -> n.opType().equals("ConvInteger")).count());
        try (CompiledSession s = new CompiledSession(g, SessionOptions.DEFAULTS)) {
            List<String> steps = s.executionSteps();
            assertEquals(12, count(steps, "dev.octet.ConvIntegerToFloat"), steps.toString());
            for (String unfused : List.of("ConvInteger", "Cast", "Mul", "Add", "Relu")) {
                assertEquals(0, count(steps, unfused), unfused + " in " + steps);
            }
            assertEquals(3, count(steps, "dev.octet.MaxPool"), steps.toString());
            // Into NHWC after the first quantization, back to NCHW before the Sigmoid head: nothing in between.
            assertEquals(2, count(steps, "Transpose"), steps.toString());
            assertTrue(steps.get(0).endsWith("(op DynamicQuantizeLinear)") && steps.get(1).endsWith("(op Transpose)"),
                steps.toString());
            assertTrue(steps.get(steps.size() - 2).endsWith("(op Transpose)")
                && steps.getLast().endsWith("(op Sigmoid)"), steps.toString());
        }
    }

    @Test
    void fusedAndUnfusedGiveTheSameBits() {
        Graph g = unet();
        Map<String, Tensor> in = input(3);
        float[] expected;
        try (CompiledSession plain = new CompiledSession(g, SessionOptions.builder().graphOptimizations(false)
            .threads(1).build())) {
            expected = plain.run(in).get("mask").floats();
        }
        for (int threads = 1; threads <= 2; threads++) {
            try (CompiledSession fused = new CompiledSession(g, SessionOptions.builder().threads(threads).build())) {
                assertArrayEquals(expected, fused.run(in).get("mask").floats(), threads + " threads");
            }
        }
    }
}
