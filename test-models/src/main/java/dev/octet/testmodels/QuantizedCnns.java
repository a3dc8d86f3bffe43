package dev.octet.testmodels;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Generates quantized CNNs in the dialects real exporters write, so tests can compare engines on small inputs and
 * benchmarks on large ones without committing model files. Weights, biases and scales come from a seeded stream
 * (He-scaled, so activations stay near unit range: neither saturated nor all zero); the input is 1x3xSIZExSIZE float.
 *
 * <ul>
 *   <li>{@code unet-dynamic}: a U-Net as ONNX Runtime's {@code quantize_dynamic} writes it. Every convolution is
 *       DynamicQuantizeLinear -> ConvInteger (u8 activations and weights, as ONNX Runtime's
 *       CPU ConvInteger requires) -> Cast ->
 *       Mul(activation scale x weight scale) -> Add(bias reshaped to [1,C,1,1]) [-> Relu]; 3x3 with dilations
 *       1/2/4/8 (padding = dilation), MaxPool 2x2 ceil_mode, bilinear Resize to the skip's size (half_pixel and
 *       asymmetric; non-integer scales when SIZE is not a multiple of 8), Concat skips, a Sigmoid head.</li>
 *   <li>{@code vitis-detector}: a Vitis-AI-style QDQ detector: float weights wrapped in QuantizeLinear ->
 *       DequantizeLinear (int8, power-of-two scales, zero point 0), activations through Q/DQ pairs, LeakyRelu(0.1)
 *       between DQ and Q, a nearest Resize, and a Softmax head over a Shape -> Gather -> Concat -> Reshape
 *       subgraph.</li>
 *   <li>{@code resnet-qdq}: a ResNet-style static QDQ classifier as {@code quantize_static} writes it: per-channel
 *       s8 weights and int32 biases behind DequantizeLinear, u8 activations, residual Adds between Q/DQ,
 *       GlobalAveragePool and a Gemm head.</li>
 *   <li>{@code resnet-qop}: the same classifier in the QOperator format (QLinearConv, com.microsoft QLinearAdd,
 *       QLinearGlobalAveragePool and QGemm).</li>
 * </ul>
 */
public final class QuantizedCnns {
    /** The seed the benchmarks and tests use unless they choose another. */
    public static final long DEFAULT_SEED = 20261205L;

    public enum Kind {
        UNET_DYNAMIC("unet-dynamic"), VITIS_DETECTOR("vitis-detector"), RESNET_QDQ("resnet-qdq"),
        RESNET_QOP("resnet-qop");

        private final String modelName;

        Kind(String modelName) {
            this.modelName = modelName;
        }

        public String modelName() {
            return modelName;
        }

        /** The kind with this model name, or empty. */
        public static java.util.Optional<Kind> byName(String name) {
            return Arrays.stream(values()).filter(k -> k.modelName.equals(name)).findFirst();
        }

        /**
         * Whether the architecture takes this input side: the U-Net and the classifier any from 8 up (the U-Net's
         * ceil-mode pools and sized Resizes handle odd sides); the detector's x2 upsampling must land on its
         * stride-2 skip, so its side is a multiple of 4.
         */
        public boolean accepts(int size) {
            return size >= 8 && (this != VITIS_DETECTOR || size % 4 == 0);
        }
    }

    private QuantizedCnns() {}

    /** The model as ONNX bytes for a 1x3xSIZExSIZE input. */
    public static byte[] generate(Kind kind, int size, long seed) {
        if (!kind.accepts(size)) {
            throw new OctetException(ErrorCode.INVALID_INPUT, kind.modelName() + " does not take an input side of "
                + size + " (at least 8" + (kind == Kind.VITIS_DETECTOR ? ", a multiple of 4)" : ")"));
        }
        Net net = new Net(seed);
        switch (kind) {
            case UNET_DYNAMIC -> net.unetDynamic(size);
            case VITIS_DETECTOR -> net.vitisDetector(size);
            case RESNET_QDQ -> net.resnetQdq(size);
            case RESNET_QOP -> net.resnetQop(size);
        }
        return net.b.toBytes();
    }

    /** Writes the model to {@code dir/NAME-SIZE.onnx} and returns the path. */
    public static Path write(Kind kind, int size, long seed, Path dir) throws IOException {
        Path file = dir.resolve(String.format(Locale.ROOT, "%s-%d.onnx", kind.modelName(), size));
        java.nio.file.Files.write(file, generate(kind, size, seed));
        return file;
    }

    /** One CNN under construction. */
    private static final class Net extends GraphUnderConstruction {
        Net(long seed) {
            super(17, seed);
        }

        /** He-scaled uniform weights [cout, cin, k, k]: output variance about twice the input's over fan-in. */
        float[] heWeights(int cout, int cin, int k) {
            int fanIn = cin * k * k;
            double bound = Math.sqrt(6.0 / fanIn);
            float[] w = new float[cout * fanIn];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
            }
            return w;
        }

        float[] bias(int n, double spread) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) ((random.nextDouble() * 2 - 1) * spread);
            }
            return v;
        }

        // ---------------------------------------------------------------- unet-dynamic

        void unetDynamic(int size) {
            b.input("input", DataType.FLOAT, 1, 3, size, size);
            b.output("mask", DataType.FLOAT, 1, 1, size, size);
            int s1 = size, s2 = ceilHalf(s1), s3 = ceilHalf(s2);
            String e1 = dynConv(dynConv("input", 3, 16, 1, true), 16, 16, 1, true);
            String e2 = dynConv(dynConv(maxPool(e1), 16, 32, 1, true), 32, 32, 2, true);
            String e3 = dynConv(dynConv(maxPool(e2), 32, 48, 2, true), 48, 48, 4, true);
            String mid = dynConv(dynConv(maxPool(e3), 48, 64, 4, true), 64, 64, 8, true);
            String d3 = dynConv(concat(bilinear(mid, 64, s3, "half_pixel"), e3), 64 + 48, 48, 2, true);
            String d2 = dynConv(concat(bilinear(d3, 48, s2, "asymmetric"), e2), 48 + 32, 32, 1, true);
            String d1 = dynConv(concat(bilinear(d2, 32, s1, "half_pixel"), e1), 32 + 16, 16, 1, true);
            String logits = dynConv(d1, 16, 1, 1, false);
            b.node("Sigmoid", List.of(logits), List.of("mask"));
        }

        static int ceilHalf(int n) {
            return (n + 1) / 2;
        }

        /**
         * quantize_dynamic's convolution, with u8 weights (asymmetric, zero point from the range): ONNX Runtime's CPU
         * ConvInteger takes u8 x u8 only (1.23 has no kernel for s8 weights), so that is what its exports hold.
         */
        String dynConv(String x, int cin, int cout, int dilation, boolean relu) {
            float[] w = heWeights(cout, cin, 3);
            float lo = 0, hi = 0;
            for (float v : w) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            float wScale = (hi - lo) / 255f;
            int wZero = Math.clamp(Math.round(-lo / wScale), 0, 255);
            byte[] q = new byte[w.length];
            for (int i = 0; i < w.length; i++) {
                q[i] = (byte) Math.clamp(Math.round(w[i] / wScale) + wZero, 0, 255);
            }
            String xq = fresh("x_quantized"), xs = fresh("x_scale"), xz = fresh("x_zero_point");
            b.node("DynamicQuantizeLinear", List.of(x), List.of(xq, xs, xz));
            String conv = node("ConvInteger", List.of(xq, constant("w_quantized", Tensor.ofUint8(q, cout, cin, 3, 3)), xz,
                constant("w_zero_point", Tensor.ofUint8(new byte[] {(byte) wZero}))),
                "kernel_shape", new int[] {3, 3}, "dilations", new int[] {dilation, dilation},
                "pads", new int[] {dilation, dilation, dilation, dilation});
            String asFloat = node("Cast", List.of(conv), "to", DataType.FLOAT.onnxCode());
            String scale = node("Mul", List.of(xs, constant("w_scale", Tensor.ofFloats(new float[] {wScale}))));
            String scaled = node("Mul", List.of(asFloat, scale));
            String bias = node("Reshape", List.of(constant("bias", Tensor.ofFloats(bias(cout, 0.1), cout)),
                constant("bias_shape", Tensor.ofLongs(new long[] {1, -1, 1, 1}, 4))));
            String out = node("Add", List.of(scaled, bias));
            return relu ? node("Relu", List.of(out)) : out;
        }

        String maxPool(String x) {
            return node("MaxPool", List.of(x), "kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2},
                "ceil_mode", 1);
        }

        /** Linear Resize to size x size, given by sizes as exporters write for {@code interpolate(size=skip)}. */
        String bilinear(String x, int channels, int size, String coordinates) {
            return node("Resize", List.of(x, "", "", constant("sizes", Tensor.ofLongs(new long[] {1, channels, size, size}, 4))),
                "mode", "linear", "coordinate_transformation_mode", coordinates);
        }

        String concat(String a, String c) {
            return node("Concat", List.of(a, c), "axis", 1);
        }

        // ---------------------------------------------------------------- vitis-detector

        static final int DETECTOR_CLASSES = 6;

        void vitisDetector(int size) {
            b.input("input", DataType.FLOAT, 1, 3, size, size);
            b.output("scores", DataType.FLOAT, 1, DETECTOR_CLASSES, "anchors");
            // Input in [0, 1): 2^-7 covers it in int8 at full resolution.
            String x = qdq8("input", -7);
            String c1 = vitisConv(x, 3, 16, 3, 2);
            String c2 = vitisConv(c1, 16, 32, 3, 1);
            String c3 = vitisConv(c2, 32, 32, 3, 2);
            String c4 = vitisConv(c3, 32, 32, 3, 1);
            String up = qdq8(node("Resize", List.of(c4, "", constant("scales", Tensor.ofFloats(new float[] {1, 1, 2, 2}, 4))),
                "mode", "nearest", "coordinate_transformation_mode", "asymmetric", "nearest_mode", "floor"), -4);
            String merged = qdq8(concat(up, c2), -4);
            String head = qdq8(node("Conv", List.of(merged, fakeQuantWeights(DETECTOR_CLASSES, 64, 1), fakeQuantBias(DETECTOR_CLASSES)),
                "kernel_shape", new int[] {1, 1}), -3);
            // The shape subgraph exporters write for x.view(x.size(0), CLASSES, -1).
            String batch = node("Gather", List.of(node("Shape", List.of(head)), constant("index0", Tensor.ofLongs(new long[] {0}, 1))),
                "axis", 0);
            String target = node("Concat", List.of(batch, constant("classes_and_rest", Tensor.ofLongs(new long[] {DETECTOR_CLASSES, -1}, 2))),
                "axis", 0);
            String flat = node("Reshape", List.of(head, target));
            b.node("Softmax", List.of(flat), List.of("scores"), "axis", 1);
        }

        /** Conv -> Q/DQ -> LeakyRelu(0.1) -> Q/DQ with fake-quantized float weights; activations at 2^-4. */
        String vitisConv(String x, int cin, int cout, int k, int stride) {
            String conv = node("Conv", List.of(x, fakeQuantWeights(cout, cin, k), fakeQuantBias(cout)),
                "kernel_shape", new int[] {k, k}, "strides", new int[] {stride, stride},
                "pads", new int[] {k / 2, k / 2, k / 2, k / 2});
            return qdq8(node("LeakyRelu", List.of(qdq8(conv, -4)), "alpha", 0.1f), -4);
        }

        /** Float weights -> QuantizeLinear -> DequantizeLinear, int8 with the smallest power-of-two scale that fits. */
        String fakeQuantWeights(int cout, int cin, int k) {
            float[] w = heWeights(cout, cin, k);
            float max = 0;
            for (float v : w) {
                max = Math.max(max, Math.abs(v));
            }
            return qdq8(constant("weight", Tensor.ofFloats(w, cout, cin, k, k)), powerOfTwoExponent(max));
        }

        String fakeQuantBias(int n) {
            return qdq8(constant("bias", Tensor.ofFloats(bias(n, 0.25), n)), -5);
        }

        /** The exponent e of the smallest scale 2^e with max / 2^e <= 127. */
        static int powerOfTwoExponent(float max) {
            return (int) Math.ceil(Math.log(max / 127.0) / Math.log(2));
        }

        /** QuantizeLinear -> DequantizeLinear with int8 zero point 0 and scale 2^exponent. */
        String qdq8(String x, int exponent) {
            String scale = constant("scale", Tensor.ofFloats(new float[] {(float) Math.scalb(1.0, exponent)}));
            String zero = constant("zero_point", Tensor.ofInt8(new byte[] {0}));
            return node("DequantizeLinear", List.of(node("QuantizeLinear", List.of(x, scale, zero)), scale, zero));
        }

        // ---------------------------------------------------------------- resnet-qdq

        static final int RESNET_CLASSES = 10;

        /** An activation's quantization: u8 scale and zero point, as calibration over the range would give. */
        record Act(float scale, int zeroPoint) {
            static Act ofRange(float lo, float hi) {
                float scale = (hi - lo) / 255f;
                return new Act(scale, Math.clamp(Math.round(-lo / scale), 0, 255));
            }
        }

        static final Act INPUT = Act.ofRange(0, 1);
        static final Act RELU = Act.ofRange(0, 6);
        static final Act SIGNED = Act.ofRange(-6, 6);
        /** The channel means after the last block reach about 3. */
        static final Act POOLED = Act.ofRange(0, 5);

        void resnetQdq(int size) {
            b.input("input", DataType.FLOAT, 1, 3, size, size);
            b.output("logits", DataType.FLOAT, 1, RESNET_CLASSES);
            String x = qdqU8("input", INPUT);
            x = qdqU8(node("Relu", List.of(qConv(x, INPUT, 3, 16, 3, 2))), RELU);
            x = residualBlock(x, 16, 16, 1);
            x = residualBlock(x, 16, 32, 2);
            x = residualBlock(x, 32, 32, 1);
            x = qdqU8(node("GlobalAveragePool", List.of(x)), POOLED);
            x = node("Flatten", List.of(x), "axis", 1);
            float[] w = heWeights(RESNET_CLASSES, 32, 1);
            String[] wq = perChannelWeights(w, RESNET_CLASSES, new int[] {RESNET_CLASSES, 32}, POOLED);
            b.node("Gemm", List.of(x, wq[0], wq[1]), List.of("logits"), "transB", 1);
        }

        /** conv-relu-conv plus the identity (or a strided 1x1 projection), then Relu, all between Q/DQ. */
        String residualBlock(String x, int cin, int cout, int stride) {
            String h = qdqU8(node("Relu", List.of(qConv(x, RELU, cin, cout, 3, stride))), RELU);
            h = qdqU8(qConv(h, RELU, cout, cout, 3, 1), SIGNED);
            String skip = cin == cout && stride == 1 ? x : qdqU8(qConv(x, RELU, cin, cout, 1, stride), SIGNED);
            return qdqU8(node("Relu", List.of(qdqU8(node("Add", List.of(h, skip)), SIGNED))), RELU);
        }

        String qConv(String x, Act in, int cin, int cout, int k, int stride) {
            String[] wq = perChannelWeights(heWeights(cout, cin, k), cout, new int[] {cout, cin, k, k}, in);
            return node("Conv", List.of(x, wq[0], wq[1]), "kernel_shape", new int[] {k, k},
                "strides", new int[] {stride, stride}, "pads", new int[] {k / 2, k / 2, k / 2, k / 2});
        }

        /** Per-channel s8 weights (symmetric, zero point 0) and the int32 bias at input scale x weight scale. */
        record ChannelQuantized(Tensor weights, Tensor weightScales, Tensor weightZeros, Tensor bias, Tensor biasScales) {}

        ChannelQuantized quantizePerChannel(float[] w, int cout, int[] shape, Act in) {
            int per = w.length / cout;
            float[] scales = new float[cout];
            byte[] q = new byte[w.length];
            float[] biasScales = new float[cout];
            int[] biasQ = new int[cout];
            float[] bias = bias(cout, 0.2);
            for (int c = 0; c < cout; c++) {
                float max = 1e-8f;
                for (int i = 0; i < per; i++) {
                    max = Math.max(max, Math.abs(w[c * per + i]));
                }
                scales[c] = max / 127f;
                for (int i = 0; i < per; i++) {
                    q[c * per + i] = (byte) Math.clamp(Math.round(w[c * per + i] / scales[c]), -127, 127);
                }
                biasScales[c] = in.scale() * scales[c];
                biasQ[c] = Math.round(bias[c] / biasScales[c]);
            }
            return new ChannelQuantized(Tensor.ofInt8(q, shape), Tensor.ofFloats(scales, cout),
                Tensor.ofInt8(new byte[cout], cout), Tensor.ofInts(biasQ, cout), Tensor.ofFloats(biasScales, cout));
        }

        /** quantize_static's QDQ weights: the per-channel tensors behind DequantizeLinear(axis 0); weight and bias names. */
        String[] perChannelWeights(float[] w, int cout, int[] shape, Act in) {
            ChannelQuantized q = quantizePerChannel(w, cout, shape, in);
            String weight = node("DequantizeLinear", List.of(constant("weight_quantized", q.weights()),
                constant("weight_scale", q.weightScales()), constant("weight_zero_point", q.weightZeros())), "axis", 0);
            String biasDq = node("DequantizeLinear", List.of(constant("bias_quantized", q.bias()),
                constant("bias_scale", q.biasScales()),
                constant("bias_zero_point", Tensor.ofInts(new int[cout], cout))), "axis", 0);
            return new String[] {weight, biasDq};
        }

        // ---------------------------------------------------------------- resnet-qop

        /**
         * The same ResNet in the QOperator format: QLinearConv with each Relu folded into its output range (zero
         * point 0 clamps what Relu would), QLinearAdd and QLinearGlobalAveragePool (com.microsoft) with the block's
         * Relu folded the same way, and a QGemm head with float output.
         */
        void resnetQop(int size) {
            b.opset("com.microsoft", 1);
            b.input("input", DataType.FLOAT, 1, 3, size, size);
            b.output("logits", DataType.FLOAT, 1, RESNET_CLASSES);
            String x = node("QuantizeLinear", List.of("input", scaleOf(INPUT), zeroOf(INPUT)));
            x = qLinearConv(x, INPUT, 3, 16, 3, 2, RELU);
            x = qLinearResidualBlock(x, 16, 16, 1);
            x = qLinearResidualBlock(x, 16, 32, 2);
            x = qLinearResidualBlock(x, 32, 32, 1);
            x = msNode("QLinearGlobalAveragePool", List.of(x, scaleOf(RELU), zeroOf(RELU), scaleOf(POOLED), zeroOf(POOLED)),
                "channels_last", 0);
            x = node("Flatten", List.of(x), "axis", 1);
            ChannelQuantized head = quantizePerChannel(heWeights(RESNET_CLASSES, 32, 1), RESNET_CLASSES,
                new int[] {RESNET_CLASSES, 32}, POOLED);
            b.node("com.microsoft", "QGemm", List.of(x, scaleOf(POOLED), zeroOf(POOLED), constant("weight_quantized", head.weights()),
                constant("weight_scale", head.weightScales()), constant("weight_zero_point", head.weightZeros()),
                constant("bias_quantized", head.bias())), List.of("logits"), "transB", 1);
        }

        String qLinearResidualBlock(String x, int cin, int cout, int stride) {
            String h = qLinearConv(x, RELU, cin, cout, 3, stride, RELU);
            h = qLinearConv(h, RELU, cout, cout, 3, 1, SIGNED);
            String skip = cin == cout && stride == 1 ? x : qLinearConv(x, RELU, cin, cout, 1, stride, SIGNED);
            Act skipAct = skip.equals(x) ? RELU : SIGNED;
            return msNode("QLinearAdd", List.of(h, scaleOf(SIGNED), zeroOf(SIGNED), skip, scaleOf(skipAct), zeroOf(skipAct),
                scaleOf(RELU), zeroOf(RELU)));
        }

        String qLinearConv(String x, Act in, int cin, int cout, int k, int stride, Act out) {
            ChannelQuantized q = quantizePerChannel(heWeights(cout, cin, k), cout, new int[] {cout, cin, k, k}, in);
            return node("QLinearConv", List.of(x, scaleOf(in), zeroOf(in), constant("weight_quantized", q.weights()),
                    constant("weight_scale", q.weightScales()), constant("weight_zero_point", q.weightZeros()),
                    scaleOf(out), zeroOf(out), constant("bias_quantized", q.bias())),
                "kernel_shape", new int[] {k, k}, "strides", new int[] {stride, stride},
                "pads", new int[] {k / 2, k / 2, k / 2, k / 2});
        }

        String msNode(String op, List<String> inputs, Object... attrs) {
            String out = fresh(op.toLowerCase(Locale.ROOT));
            b.node("com.microsoft", op, inputs, List.of(out), attrs);
            return out;
        }

        String scaleOf(Act act) {
            return constant("scale", Tensor.ofFloats(new float[] {act.scale()}));
        }

        String zeroOf(Act act) {
            return constant("zero_point", Tensor.ofUint8(new byte[] {(byte) act.zeroPoint()}));
        }

        String qdqU8(String x, Act act) {
            String scale = scaleOf(act);
            String zero = zeroOf(act);
            return node("DequantizeLinear", List.of(node("QuantizeLinear", List.of(x, scale, zero)), scale, zero));
        }
    }
}
