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
     * com.microsoft QLinearAdd's constant term, as ONNX Runtime's x86 kernel (MLAS, AVX2) computes it: with
     * {@code ra = sa / sc} and {@code rb = sb / sc}, {@code (float) zc - fma(ra, za, rb * zb)} (the compiler fuses the
     * first product; measured against ORT 1.23 on every pair of codes).
     */
    public static float qlinearAddConstant(float ra, int za, float rb, int zb, int zc) {
        return (float) zc - Math.fma(ra, (float) za, rb * (float) zb);
    }

    /**
     * One QLinearAdd element, ORT's x86 arithmetic: {@code fma(a, ra, fma(b, rb, c))} on the raw codes, c from
     * {@link #qlinearAddConstant}, then {@link #saturate}. Not symmetric: ORT's kernel takes an operand that is
     * constant over its span (the first one when both are) as b, so callers exchange the operands there, c included.
     */
    public static int qlinearAdd(int a, float ra, int b, float rb, float c, int qmin, int qmax) {
        return saturate(Math.fma((float) a, ra, Math.fma((float) b, rb, c)), qmin, qmax);
    }

    /**
     * x86's conversion of a float sum to an 8-bit code: round half to even to int32 (cvtps2dq: NaN and values beyond
     * int32 become its minimum), then saturation to [qmin, qmax].
     */
    public static int saturate(float v, int qmin, int qmax) {
        if (!(Math.abs(v) < 0x1p31f)) {
            return qmin;
        }
        return (int) Math.max(qmin, Math.min(qmax, Math.rint(v)));
    }

    /**
     * com.microsoft QLinearMul on one pair, ORT's x86 (SSE2) arithmetic: the exact integer product
     * {@code (a - za) * (b - zb)} as a float, times {@code ratio = (sa * sb) / sc}, plus {@code (float) zc},
     * rounded half to even, saturated to [qmin, qmax]. A NaN gives 0, clamped.
     */
    public static int qlinearMul(int a, int za, int b, int zb, float ratio, int zc, int qmin, int qmax) {
        float v = (float) ((a - za) * (b - zb)) * ratio + (float) zc;
        int r = (int) Math.rint(v);
        return Math.max(qmin, Math.min(qmax, r));
    }

    /** QLinearMul's multiplier: {@code (sa * sb) / sc} in float, in this order. */
    public static float qlinearMulRatio(float sa, float sb, float sc) {
        return sa * sb / sc;
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
