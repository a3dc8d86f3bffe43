package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * The generators of opset 17: the windows HannWindow, HammingWindow and BlackmanWindow, each a sum of cosines of
 * {@code 2 pi n / N} (N = size when periodic, size - 1 when symmetric), evaluated in double and rounded once;
 * and MelWeightMatrix.
 */
final class WindowOps {
    private WindowOps() {}

    private static final AttributeSpec<Long> PERIODIC = AttributeSpec.flag("periodic", 1);
    private static final AttributeSpec<Long> OUTPUT_TYPE =
        AttributeSpec.intAttr("output_datatype", DataType.FLOAT.onnxCode());
    /** Hamming's coefficients as ONNX defines them: 25/46 and 21/46. */
    private static final double HAMMING_A0 = 25.0 / 46;

    static void register(OpRegistry.Builder r) {
        window(r, "HannWindow", t -> 0.5 - 0.5 * StrictMath.cos(t));
        window(r, "HammingWindow", t -> HAMMING_A0 - (1 - HAMMING_A0) * StrictMath.cos(t));
        window(r, "BlackmanWindow", t -> 0.42 - 0.5 * StrictMath.cos(t) + 0.08 * StrictMath.cos(2 * t));
        r.onnx("MelWeightMatrix", 17).inputs("rrrrr").outputs("r").attribute(OUTPUT_TYPE)
            .shape(c -> Shapes.one(DataType.FLOAT, ShapeDims.unknown(2))).factory(ctx -> {
                long type = ctx.get(OUTPUT_TYPE);
                if (type != DataType.FLOAT.onnxCode()) {
                    throw ctx.unsupportedType("MelWeightMatrix output_datatype " + DataType.onnxName(type)
                        + " is not supported; Octet makes float matrices");
                }
                return in -> new Tensor[] {melWeightMatrix(in)};
            });
    }

    /**
     * (dft_length / 2 + 1, num_mel_bins) triangular filters between num_mel_bins + 2 edges spaced evenly in mel
     * (2595 log10(1 + f / 700)) from lower to upper hertz, each edge taken to the spectrogram bin
     * floor((dft_length + 1) * f / sample_rate). As ONNX's reference: the mel bounds in float, the rest in double.
     */
    static Tensor melWeightMatrix(Tensor[] in) {
        long mels = ShapeKernels.oneInteger(in[0], "MelWeightMatrix num_mel_bins");
        long dft = ShapeKernels.oneInteger(in[1], "MelWeightMatrix dft_length");
        long rate = ShapeKernels.oneInteger(in[2], "MelWeightMatrix sample_rate");
        float lower = ShapeKernels.oneValue(in[3], "MelWeightMatrix lower_edge_hertz", DataType.FLOAT).floats()[0];
        float upper = ShapeKernels.oneValue(in[4], "MelWeightMatrix upper_edge_hertz", DataType.FLOAT).floats()[0];
        long bins = dft / 2 + 1;
        if (mels < 1 || dft < 1 || rate < 1 || !(lower >= 0 && lower <= upper)) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "MelWeightMatrix needs positive num_mel_bins, dft_length "
                + "and sample_rate and 0 <= lower <= upper hertz, got " + mels + ", " + dft + ", " + rate + ", "
                + lower + ", " + upper);
        }
        int size = ShapeKernels.checkedCount("MelWeightMatrix output", bins, mels);
        float lowMel = 2595f * (float) StrictMath.log10(1f + lower / 700f);
        float highMel = 2595f * (float) StrictMath.log10(1f + upper / 700f);
        float step = (highMel - lowMel) / (mels + 2);
        int[] edge = new int[(int) mels + 2];
        for (int i = 0; i < edge.length; i++) {
            double f = 700 * (StrictMath.pow(10, (i * (double) step + lowMel) / 2595) - 1);
            double bin = Math.floor((dft + 1) * f / rate);
            if (bin < 0 || bin >= bins) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "MelWeightMatrix edge " + f + " Hz falls outside the "
                    + bins + " spectrogram bins");
            }
            edge[i] = (int) bin;
        }
        int m = (int) mels;
        float[] w = new float[size];
        for (int i = 0; i < m; i++) {
            int left = edge[i], center = edge[i + 1], right = edge[i + 2];
            if (center == left) {
                w[center * m + i] = 1;
            } else {
                for (int j = left; j <= center; j++) {
                    w[j * m + i] = (float) ((double) (j - left) / (center - left));
                }
            }
            for (int j = center; j < right; j++) {
                w[j * m + i] = (float) ((double) (right - j) / (right - center));
            }
        }
        return Tensor.ofFloats(w, (int) bins, m);
    }

    /** A window as a function of {@code t = 2 pi n / N}. */
    private static void window(OpRegistry.Builder r, String name, DoubleUnaryOperator f) {
        r.onnx(name, 17).unary().attribute(PERIODIC).attribute(OUTPUT_TYPE)
            .shape(c -> {
                long[] size = c.longs(0);
                return Shapes.one(DataType.FLOAT, List.of(size != null && size.length == 1 && size[0] >= 0
                    ? Dim.of(size[0]) : Dim.UNKNOWN));
            })
            .factory(ctx -> {
                long type = ctx.get(OUTPUT_TYPE);
                if (type != DataType.FLOAT.onnxCode()) {
                    throw ctx.unsupportedType(name + " output_datatype " + DataType.onnxName(type)
                        + " is not supported; Octet makes float windows");
                }
                boolean periodic = ctx.get(PERIODIC) == 1;
                return in -> new Tensor[] {window(name, in[0], periodic, f)};
            });
    }

    static Tensor window(String name, Tensor sizeT, boolean periodic, DoubleUnaryOperator f) {
        long[] size = ShapeKernels.readLongs(sizeT, name + " size");
        if (size.length != 1 || size[0] < 0 || size[0] > Tensor.MAX_ELEMENTS) {
            throw new OctetException(ErrorCode.INVALID_INPUT, name + " size must be one non-negative length, got "
                + java.util.Arrays.toString(size));
        }
        int n = ShapeKernels.checkedCount(name + " output", size[0]);
        // A symmetric window of one sample divides by zero: NaN, as ONNX's reference computes it.
        double period = periodic ? n : n - 1;
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) f.applyAsDouble(2 * Math.PI * i / period);
        }
        return Tensor.ofFloats(w, n);
    }
}
