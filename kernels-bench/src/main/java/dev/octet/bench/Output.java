package dev.octet.bench;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import java.util.Locale;

/**
 * One model output from either engine. {@code values} widens every element to double for arithmetic;
 * {@code bits} keeps each element's exact bit pattern in its own type (a float's raw IEEE bits, an integer's
 * value), for exact comparison: doubles lose int64 values beyond 2^53 and NaN payloads. {@code type} is the
 * ONNX element type in lower case ({@code float}, {@code int64}, ...), the same spelling from both engines.
 */
record Output(String type, int[] shape, double[] values, long[] bits) {
    static Output of(Tensor t) {
        int n = t.size();
        double[] v = new double[n];
        long[] bits = new long[n];
        float[] floats = t.type() == DataType.FLOAT ? t.floats() : null;
        for (int i = 0; i < n; i++) {
            v[i] = t.getDouble(i);
            bits[i] = floats != null ? Float.floatToRawIntBits(floats[i]) : t.getLong(i);
        }
        return new Output(t.type().name().toLowerCase(Locale.ROOT), t.shape(), v, bits);
    }
}
