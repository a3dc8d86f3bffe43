package dev.octet.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Graph;
import dev.octet.onnx.OnnxImporter;
import dev.octet.onnx.proto.Onnx.ModelProto;
import dev.octet.onnx.proto.Onnx.NodeProto;
import dev.octet.onnx.proto.Onnx.TypeProto;
import dev.octet.onnx.proto.Onnx.ValueInfoProto;
import dev.octet.testmodels.QuantizedCnns;
import dev.octet.testmodels.QuantizedCnns.Kind;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The generated quantized CNNs, run by Octet and by ONNX Runtime 1.23.2 (default optimizations, one thread) on the
 * same seeded 1x3xSIZExSIZE input. Side 64 has integer Resize scales; side 60 gives the U-Net ceil-mode pools and a
 * non-integer Resize scale (8 to 15). Each model is compared twice: as generated (what a user runs), and with the
 * outputs of its convolutions, quantizations, Adds and Resizes exposed as graph outputs, to say where the engines
 * part. Exposed names are the generator's (operator in lower case, then a counter).
 */
class QuantizedCnnsVsOrtTest {
    private static final long INPUT_SEED = 7;

    @ParameterizedTest
    @ValueSource(ints = {64, 60})
    void unetDynamic(int size) throws Exception {
        Compared plain = compare(Kind.UNET_DYNAMIC, size, false);
        Output mask = plain.ort.get("mask");
        assertArrayEquals(new int[] {1, 1, size, size}, mask.shape());
        // The network is alive: the Sigmoid head spreads over a range, neither stuck at 0.5 nor saturated.
        assertSpread(mask, 0.1, 0.01, 0.99);
        // Resize computes ORT's float arithmetic, so the whole network is ORT's bit for bit: the mask and, with every
        // intermediate exposed as an output, each DynamicQuantizeLinear, ConvInteger, epilogue, MaxPool and Resize.
        assertEquals(0, plain.agreement.get("mask").differingElements(), plain.toString());
        Compared exposed = compare(Kind.UNET_DYNAMIC, size, true);
        for (var e : exposed.agreement.entrySet()) {
            assertEquals(0, e.getValue().differingElements(), e.getKey() + " " + e.getValue());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 60})
    void vitisDetector(int size) throws Exception {
        Compared plain = compare(Kind.VITIS_DETECTOR, size, false);
        Output scores = plain.ort.get("scores");
        int anchors = (size / 2) * (size / 2);
        assertArrayEquals(new int[] {1, 6, anchors}, scores.shape());
        // Softmax over 6 classes: not uniform (1/6) and not one-hot.
        assertSpread(scores, 0.3, 1e-4, 0.99);
        // Measured: 1.2e-7 (Softmax's exp and division rounding) on 38% of elements.
        assertTrue(plain.agreement.get("scores").maxAbsDiff() <= 1.2e-7, plain.toString());

        // Everything before the Softmax, the fake-quantized convolutions, the LeakyRelus between Q/DQ and the
        // nearest Resize included, is bit-exact.
        Compared exposed = compare(Kind.VITIS_DETECTOR, size, true);
        for (var e : exposed.agreement.entrySet()) {
            if (!e.getKey().equals("scores")) {
                assertEquals(0, e.getValue().differingElements(), e.getKey() + " " + e.getValue());
            }
        }
        // The int8 activations at scale 2^-4 hold [-8, 7.94]: the convolutions' float outputs must fall inside
        // nearly everywhere, or the detector would be saturated.
        for (var e : exposed.ort.entrySet()) {
            if (e.getKey().startsWith("conv_") && !e.getKey().equals(lastConv(exposed))) {
                assertTrue(fractionOutside(e.getValue(), -8, 7.94) < 0.01, e.getKey() + " saturates");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 60})
    void resnetQdq(int size) throws Exception {
        Compared plain = classifier(Kind.RESNET_QDQ, size);
        // ORT fuses the residual Adds into QLinearAdd, whose x86 kernel sums with FMAs (a step away from the unfused
        // float Add on some codes: ORT optimized against unoptimized 0.0129 at 64), and sums the float Gemm head of
        // dequantized weights with its one-row kernel; Octet does both ORT's way, so the logits are ORT's bits (they
        // were 0.0128 away with the unfused Add, then 4.8e-7 with another summation order in the head).
        Map<String, Output> unoptimized = OrtReference.run(plain.model, plain.inputs, OptLevel.NO_OPT);
        double ortSelf = Agreement.perOutput(unoptimized, plain.ort).get("logits").maxAbsDiff();
        System.out.printf("resnet-qdq %d: octet-vs-ort %s, ort-vs-ort-unoptimized %.3g%n", size,
            plain.agreement.get("logits"), ortSelf);
        assertEquals(0, plain.agreement.get("logits").differingElements(), plain.toString());

        // With the convolutions' float outputs exposed neither engine fuses them: the quantized residual Adds are
        // bit-exact, the float convolutions a few ulps apart (summation order), the logits within 1e-6.
        Compared exposed = compare(Kind.RESNET_QDQ, size, true);
        for (var e : exposed.agreement.entrySet()) {
            String name = e.getKey();
            if (name.startsWith("add_")) {
                assertEquals(0, e.getValue().differingElements(), name + " " + e.getValue());
            } else {
                // Measured: at most 1.7e-6 on the convolutions, 9.5e-7 on the logits.
                assertTrue(e.getValue().maxAbsDiff() <= 4e-6, name + " " + e.getValue());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 60})
    void resnetQop(int size) throws Exception {
        Compared plain = classifier(Kind.RESNET_QOP, size);
        // Integer arithmetic end to end, the QGemm head's int32 accumulation scaled once: bit-exact (measured).
        assertEquals(0, plain.agreement.get("logits").differingElements(), plain.toString());

        // Every u8 activation bit-exact, and alive: most of it inside the range rather than clamped at 255, and
        // not all zero (the Relus folded into zero point 0 zero about half).
        Compared exposed = compare(Kind.RESNET_QOP, size, true);
        for (var e : exposed.agreement.entrySet()) {
            assertEquals(0, e.getValue().differingElements(), e.getKey() + " " + e.getValue());
            if (!e.getKey().equals("logits")) {
                Output o = exposed.ort.get(e.getKey());
                assertTrue(fractionOutside(o, 0.5, 254.5) < 0.9 && fractionOutside(o, -1, 254.5) < 0.01,
                    e.getKey() + " is all zero or saturated: " + java.util.Arrays.toString(o.values()));
            }
        }
    }

    /** Compares a classifier as generated; its ten logits must spread over at least 1. */
    private static Compared classifier(Kind kind, int size) throws Exception {
        Compared plain = compare(kind, size, false);
        Output logits = plain.ort.get("logits");
        assertArrayEquals(new int[] {1, 10}, logits.shape());
        assertSpread(logits, 1.0, -100, 100);
        return plain;
    }

    private record Compared(byte[] model, Map<String, Tensor> inputs, Map<String, Output> ort,
                            Map<String, Agreement> agreement) {
        @Override
        public String toString() {
            return agreement.toString();
        }
    }

    private static Compared compare(Kind kind, int size, boolean exposeIntermediates) throws Exception {
        byte[] model = QuantizedCnns.generate(kind, size, QuantizedCnns.DEFAULT_SEED);
        if (exposeIntermediates) {
            model = withIntermediateOutputs(model);
        }
        Graph graph = OnnxImporter.load(model);
        Map<String, Tensor> inputs = BenchInputs.generate(graph.runtimeInputs(), 1, 1, INPUT_SEED);
        Map<String, Output> ours = new LinkedHashMap<>();
        try (CompiledSession octet = new CompiledSession(graph)) {
            octet.run(inputs).forEach((k, v) -> ours.put(k, Output.of(v)));
        }
        Map<String, Output> ort = OrtReference.run(model, inputs, OptLevel.ALL_OPT);
        Map<String, Agreement> agreement = Agreement.perOutput(ours, ort);
        agreement.forEach((name, g) -> System.out.printf("%s %d%s %s: max_abs_diff=%.3g differing=%d/%d%n",
            kind.modelName(), size, exposeIntermediates ? " exposed" : "", name, g.maxAbsDiff(),
            g.differingElements(), g.elements()));
        return new Compared(model, inputs, ort, agreement);
    }

    /** The model with every ConvInteger, DynamicQuantizeLinear, Conv, Add, MaxPool, LeakyRelu and Resize output exposed. */
    private static byte[] withIntermediateOutputs(byte[] bytes) throws Exception {
        ModelProto.Builder model = ModelProto.parseFrom(bytes).toBuilder();
        var graph = model.getGraphBuilder();
        for (NodeProto n : graph.getNodeList()) {
            DataType type = switch (n.getOpType()) {
                case "ConvInteger" -> DataType.INT32;
                case "DynamicQuantizeLinear", "QLinearConv", "QLinearAdd", "QLinearGlobalAveragePool" -> DataType.UINT8;
                case "Conv", "Add", "MaxPool", "LeakyRelu", "Resize" -> DataType.FLOAT;
                default -> null;
            };
            String name = n.getOutput(0);
            if (type != null && graph.getOutputList().stream().noneMatch(v -> v.getName().equals(name))) {
                graph.addOutput(ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                    .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.onnxCode()))));
            }
        }
        return model.build().toByteArray();
    }

    /** Values span at least {@code minRange}, all strictly inside (lo, hi). */
    private static void assertSpread(Output o, double minRange, double lo, double hi) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (double v : o.values()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertTrue(max - min >= minRange && min > lo && max < hi,
            "values in [" + min + ", " + max + "], expected a spread of " + minRange + " inside (" + lo + ", " + hi + ")");
    }

    private static double fractionOutside(Output o, double lo, double hi) {
        long outside = 0;
        for (double v : o.values()) {
            if (v < lo || v > hi) {
                outside++;
            }
        }
        return (double) outside / o.values().length;
    }

    /** The head's 1x1 convolution, quantized at 2^-3 rather than 2^-4. */
    private static String lastConv(Compared c) {
        String last = null;
        for (String name : c.ort.keySet()) {
            if (name.startsWith("conv_")) {
                last = name;
            }
        }
        return last;
    }
}
