package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * The window generators of opset 17: HannWindow, HammingWindow and BlackmanWindow, each a sum of cosines of
 * {@code 2 pi n / N} (N = size when periodic, size - 1 when symmetric), evaluated in double and rounded once.
 */
final class WindowOps {
    private WindowOps() {}

    private static final AttributeSpec<Long> PERIODIC =
        AttributeSpec.intAttr("periodic", 1).requiring(v -> v == 0 || v == 1, "0 or 1");
    private static final AttributeSpec<Long> OUTPUT_TYPE =
        AttributeSpec.intAttr("output_datatype", DataType.FLOAT.onnxCode());
    /** Hamming's coefficients as ONNX defines them: 25/46 and 21/46. */
    private static final double HAMMING_A0 = 25.0 / 46;

    static void register(OpRegistry.Builder r) {
        window(r, "HannWindow", t -> 0.5 - 0.5 * Math.cos(t));
        window(r, "HammingWindow", t -> HAMMING_A0 - (1 - HAMMING_A0) * Math.cos(t));
        window(r, "BlackmanWindow", t -> 0.42 - 0.5 * Math.cos(t) + 0.08 * Math.cos(2 * t));
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
                    throw ctx.unsupportedType(name + " output_datatype " + DataType.onnxName((int) type)
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
        int n = (int) size[0];
        // A symmetric window of one sample divides by zero: NaN, as ONNX's reference computes it.
        double period = periodic ? n : n - 1;
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) f.applyAsDouble(2 * Math.PI * i / period);
        }
        return Tensor.ofFloats(w, n);
    }
}
