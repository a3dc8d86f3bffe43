package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import java.util.Arrays;

/**
 * DFT and STFT: direct discrete Fourier transforms in double (O(n^2) per signal: a reference, not an FFT),
 * rounded once. Signals carry a last axis of 1 (real) or 2 (real, imaginary) values.
 */
final class SpectralOps {
    private SpectralOps() {}

    private static final AttributeSpec<Long> INVERSE = AttributeSpec.flag("inverse", 0);
    private static final AttributeSpec<Long> ONESIDED = AttributeSpec.flag("onesided", 0);
    private static final AttributeSpec<Long> STFT_ONESIDED = AttributeSpec.flag("onesided", 1);

    static void register(OpRegistry.Builder r) {
        // DFT-20 moved the axis from an attribute (default 1) to an optional input (default -2).
        r.onnx("DFT", 17).inputs("ro").inputsFrom(20, "roo").outputs("r").attribute(INVERSE).attribute(ONESIDED)
            .shape(c -> Shapes.one(DataType.FLOAT, c.rank(0) < 0 ? null : ShapeDims.unknown(c.rank(0))))
            .factory(ctx -> {
                boolean inverse = ctx.get(INVERSE) == 1;
                boolean onesided = ctx.get(ONESIDED) == 1;
                boolean axisInput = ctx.opset() >= 20;
                long axisAttr = axisInput ? -2 : ctx.getInt("axis", 1);
                return in -> {
                    Tensor axisT = axisInput ? ShapeKernels.optional(in, 2) : null;
                    long axis = axisT == null ? axisAttr : ShapeKernels.oneInteger(axisT, "DFT axis");
                    Tensor lengthT = ShapeKernels.optional(in, 1);
                    Long length = lengthT == null ? null : ShapeKernels.oneInteger(lengthT, "DFT dft_length");
                    return new Tensor[] {dft(in[0], length, axis, inverse, onesided)};
                };
            });
        r.onnx("STFT", 17).inputs("rroo").outputs("r").attribute(STFT_ONESIDED)
            .shape(c -> Shapes.one(DataType.FLOAT, ShapeDims.unknown(4))).factory(ctx -> {
                boolean onesided = ctx.get(STFT_ONESIDED) == 1;
                return in -> new Tensor[] {stft(in[0], in[1], ShapeKernels.optional(in, 2),
                    ShapeKernels.optional(in, 3), onesided)};
            });
    }

    private static float[] signal(Tensor x, String op) {
        if (x.type() != DataType.FLOAT) {
            throw ElementwiseBinary.unsupportedType(op, x.type());
        }
        int last = x.rank() == 0 ? 0 : x.dim(x.rank() - 1);
        if (x.rank() < 2 || last != 1 && last != 2) {
            throw new OctetException(ErrorCode.INVALID_INPUT, op + " needs a last axis of 1 (real) or 2 (complex) "
                + "values, got " + x);
        }
        return x.floats();
    }

    /**
     * The DFT of length L along the axis (input truncated or zero-padded to L); inverse divides by L; onesided
     * keeps the first L / 2 + 1 bins, or, inverse, takes them as the half spectrum of a real signal of length L
     * (the imaginary parts of bin 0 and, for even L, bin L / 2 ignored).
     */
    static Tensor dft(Tensor x, Long lengthAttr, long axisAttr, boolean inverse, boolean onesided) {
        float[] v = signal(x, "DFT");
        int[] s = x.shapeView();
        int rank = s.length;
        // The last axis holds the real and imaginary parts: the signal axis is one of the others.
        if (axisAttr < -rank || axisAttr > rank - 2 || axisAttr == -1) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "DFT axis " + axisAttr + " must be in [" + -rank
                + ", -2] or [0, " + (rank - 2) + "] for " + x);
        }
        int a = (int) (axisAttr < 0 ? axisAttr + rank : axisAttr);
        int complex = s[rank - 1];
        int n = s[a];
        long len = lengthAttr != null ? lengthAttr : inverse && onesided ? 2L * (n - 1) : n;
        if (len < 1 || len > Tensor.MAX_ELEMENTS) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "DFT length " + len + " must be positive");
        }
        int length = (int) len;
        int bins = !inverse && onesided ? length / 2 + 1 : length;
        int outComplex = inverse && onesided ? 1 : 2;
        int outer = ShapeKernels.product(s, 0, a);
        int inner = ShapeKernels.product(s, a + 1, rank - 1);
        int[] outShape = s.clone();
        outShape[a] = bins;
        outShape[rank - 1] = outComplex;
        float[] y = new float[Tensor.checkedSize(outShape)];
        // A direct transform: bins x length steps per signal, each a complex multiply-add (four real ones).
        ShapeKernels.checkWork("DFT", outer, inner, bins, length, 4);
        double[] re = new double[ShapeKernels.checkedCount("DFT signal", length)];
        double[] im = new double[length];
        // cos and sin of 2 pi j / length for every j: a step's angle is sign * 2 pi ((k t) mod length) / length, so
        // the table gives the same values (cos is even, sin odd, negation exact) without two trigonometric calls per
        // step (a 46,000-point transform took half a minute).
        double[] cosTable = new double[length];
        double[] sinTable = new double[length];
        for (int j = 0; j < length; j++) {
            double angle = 2 * Math.PI * j / length;
            cosTable[j] = StrictMath.cos(angle);
            sinTable[j] = StrictMath.sin(angle);
        }
        for (int o = 0; o < outer; o++) {
            for (int e = 0; e < inner; e++) {
                Arrays.fill(re, 0);
                Arrays.fill(im, 0);
                // The half spectrum of a real signal is completed by conjugate symmetry.
                int taken = inverse && onesided ? Math.min(n, length / 2 + 1) : Math.min(n, length);
                for (int k = 0; k < taken; k++) {
                    int at = ((o * n + k) * inner + e) * complex;
                    re[k] = v[at];
                    im[k] = complex == 2 ? v[at + 1] : 0;
                }
                if (inverse && onesided) {
                    im[0] = 0;
                    if (length % 2 == 0 && length / 2 < taken) {
                        im[length / 2] = 0;
                    }
                    for (int k = length / 2 + 1; k < length; k++) {
                        re[k] = re[length - k];
                        im[k] = -im[length - k];
                    }
                }
                double sign = inverse ? 1 : -1;
                for (int k = 0; k < bins; k++) {
                    double sr = 0;
                    double si = 0;
                    int step = k % length;
                    for (int t = 0, j = 0; t < length; t++) {
                        // j = (k t) mod length
                        double c = cosTable[j];
                        double sn = sign * sinTable[j];
                        sr += re[t] * c - im[t] * sn;
                        si += re[t] * sn + im[t] * c;
                        j = j >= length - step ? j - (length - step) : j + step;
                    }
                    if (inverse) {
                        sr /= length;
                        si /= length;
                    }
                    int at = ((o * bins + k) * inner + e) * outComplex;
                    y[at] = (float) sr;
                    if (outComplex == 2) {
                        y[at + 1] = (float) si;
                    }
                }
            }
        }
        return Tensor.ofFloats(y, outShape);
    }

    /**
     * Frames of frame_length samples every frame_step, each multiplied by the window (ones when absent) and
     * transformed: (batch, frames, bins, 2), bins = frame_length / 2 + 1 when onesided.
     */
    static Tensor stft(Tensor x, Tensor stepT, Tensor windowT, Tensor lengthT, boolean onesided) {
        float[] v = signal(x, "STFT");
        int[] s = x.shapeView();
        if (s.length != 3) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "STFT needs a (batch, length, 1 or 2) signal, got " + x);
        }
        long step = ShapeKernels.oneInteger(stepT, "STFT frame_step");
        float[] window = null;
        if (windowT != null) {
            if (windowT.type() != DataType.FLOAT || windowT.rank() != 1) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "STFT window must be 1-D FLOAT, got " + windowT);
            }
            window = windowT.floats();
        }
        long frameLength = lengthT != null ? ShapeKernels.oneInteger(lengthT, "STFT frame_length") : window != null
            ? window.length : -1;
        if (frameLength < 1 || window != null && window.length != frameLength || step < 1 || frameLength > s[1]) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "STFT frame_length " + frameLength + ", window "
                + windowT + " and frame_step " + step + " do not fit a signal of " + s[1]);
        }
        int len = (int) frameLength;
        int frames = (int) ((s[1] - len) / step + 1);
        ShapeKernels.checkWork("STFT", s[0], frames, len, len);
        int complex = s[2];
        float[] framed = new float[ShapeKernels.checkedCount("STFT frames", s[0], frames, len, complex)];
        for (int b = 0; b < s[0]; b++) {
            for (int f = 0; f < frames; f++) {
                for (int t = 0; t < len; t++) {
                    float w = window == null ? 1f : window[t];
                    for (int c = 0; c < complex; c++) {
                        framed[((b * frames + f) * len + t) * complex + c] =
                            v[(int) (((long) b * s[1] + f * step + t) * complex + c)] * w;
                    }
                }
            }
        }
        return dft(Tensor.ofFloats(framed, s[0], frames, len, complex), (long) len, 2, false, onesided);
    }
}
