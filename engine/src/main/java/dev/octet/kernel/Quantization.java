package dev.octet.kernel;

/**
 * Scalar reference arithmetic for int8 quantization, bit-exact with ONNX Runtime's CPU kernels
 * (MlasQuantizeLinear, MlasRequantizeOutput, GetQuantizationParameter):
 * <ul>
 *   <li>quantize: {@code x / scale} as a true float division (never a reciprocal multiply), rounded half
 *       to even, plus the zero point, saturated; NaN goes to qmin as on x86.</li>
 *   <li>requantize: {@code (float)(acc) * scale}, clamped in float to {@code [qmin - zp, qmax - zp]},
 *       rounded half to even, plus the zero point. Java float arithmetic is IEEE binary32 (JEP 306), so
 *       this is the same computation ORT's SSE/AVX code does.</li>
 * </ul>
 */
public final class Quantization {
    private Quantization() {}

    /** One value: saturate(RNE(x / scale) + zp). */
    public static int quantize(float x, float scale, int zp, int qmin, int qmax) {
        float v = x / scale;
        if (Float.isNaN(v)) {
            return qmin;
        }
        float lo = qmin - zp;
        float hi = qmax - zp;
        v = v < lo ? lo : Math.min(v, hi);
        return (int) Math.rint(v) + zp;
    }

    /** One value: clamp((float) acc * scale) rounded half to even, plus zp. */
    public static int requantize(int acc, float scale, int zp, int qmin, int qmax) {
        float v = (float) acc * scale;
        float lo = qmin - zp;
        float hi = qmax - zp;
        v = v < lo ? lo : Math.min(v, hi);
        return (int) Math.rint(v) + zp;
    }


    /**
     * DynamicQuantizeLinear's uint8 parameters {scale, zeroPoint} from the data's range extended to include 0
     * (ORT's GetQuantizationParameter: scale 1 for an all-zero input, where the ONNX reference has 1/255).
     */
    public static float[] dynamicUint8Params(float min, float max) {
        float scale = max == min ? 1.0f : (max - min) / 255f;
        float zpF = 0f - min / scale;
        zpF = zpF < 0f ? 0f : Math.min(zpF, 255f);
        return new float[] {scale, (float) Math.rint(zpF)};
    }
}
