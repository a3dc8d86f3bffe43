package dev.octet.bench;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import java.util.Locale;

/**
 * One model output from either engine. {@code values} widens every element to double for arithmetic;
 * {@code bits} keeps each element's exact bit pattern in its own type (a float's raw IEEE bits, an integer's
 * value, a float16's or bfloat16's 16-bit pattern), for exact comparison: doubles lose int64 values beyond 2^53 and NaN payloads. {@code type} is the
 * ONNX element type in lower case ({@code float}, {@code int64}, ...), the same spelling from both engines.
 */
record Output(String type, int[] shape, double[] values, long[] bits) {
    static Output of(Tensor t) {
        int n = t.size();
        double[] v = new double[n];
        long[] bits = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = t.getDouble(i);
            bits[i] = switch (t.type()) {
                case FLOAT -> Float.floatToRawIntBits(t.floats()[i]);
                case DOUBLE -> Double.doubleToRawLongBits(t.doubles()[i]);
                case FLOAT16, BFLOAT16 -> ((short[]) t.data())[i] & 0xFFFF;
                default -> t.getLong(i);
            };
        }
        return new Output(t.type().name().toLowerCase(Locale.ROOT), t.shape(), v, bits);
    }
}
