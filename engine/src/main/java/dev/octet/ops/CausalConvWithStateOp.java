package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import java.util.Arrays;

/**
 * CausalConvWithState (opset 27): a depthwise 1-D convolution over (batch, channels, length) that sees each
 * position and the k - 1 before it, the first ones from past_state (zeros without it); present_state is the
 * last k - 1 positions of that padded sequence. Optionally followed by SiLU. Sums in double, rounded once.
 */
final class CausalConvWithStateOp {
    private CausalConvWithStateOp() {}

    private static final AttributeSpec<String> ACTIVATION = AttributeSpec.stringAttr("activation", "none")
        .requiring(a -> a.equals("none") || a.equals("silu") || a.equals("swish"), "none, silu or swish");

    static void register(OpRegistry.Builder r) {
        r.onnx("CausalConvWithState", 27).inputs("rroo").outputs("ro").attribute(ACTIVATION)
            .shape(c -> new ShapeValue[] {ShapeValue.of(DataType.FLOAT, c.shape(0)),
                ShapeValue.of(DataType.FLOAT, ShapeDims.unknown(3))}).factory(ctx -> {
                boolean silu = !ctx.get(ACTIVATION).equals("none");
                return in -> convolve(in[0], in[1], ShapeKernels.optional(in, 2), ShapeKernels.optional(in, 3), silu);
            });
    }

    private static OctetException bad(String message) {
        return new OctetException(ErrorCode.INVALID_INPUT, "CausalConvWithState: " + message);
    }

    static Tensor[] convolve(Tensor x, Tensor w, Tensor biasT, Tensor pastT, boolean silu) {
        for (Tensor t : new Tensor[] {x, w, biasT, pastT}) {
            if (t != null && t.type() != DataType.FLOAT) {
                throw ElementwiseBinary.unsupportedType("CausalConvWithState", t.type());
            }
        }
        int[] s = x.shapeView();
        int[] ws = w.shapeView();
        if (s.length != 3 || ws.length != 3 || ws[0] != s[1] || ws[1] != 1 || ws[2] < 1) {
            throw bad("needs input (batch, channels, length) and weight (channels, 1, k), got "
                + Arrays.toString(s) + " and " + Arrays.toString(ws));
        }
        int batch = s[0];
        int channels = s[1];
        int length = s[2];
        int k = ws[2];
        int keep = k - 1;
        if (biasT != null && (biasT.rank() != 1 || biasT.size() != channels)) {
            throw bad("bias must be (" + channels + "), got " + biasT);
        }
        if (pastT != null && !Arrays.equals(pastT.shapeView(), new int[] {batch, channels, keep})) {
            throw bad("past_state must be (" + batch + ", " + channels + ", " + keep + "), got " + pastT);
        }
        float[] in = x.floats();
        float[] wd = w.floats();
        float[] past = pastT == null ? null : pastT.floats();
        float[] y = new float[in.length];
        float[] state =
            new float[ShapeKernels.checkedCount("CausalConvWithState present_state", batch, channels, keep)];
        int padded = keep + length;
        // Rows only matter when they hold samples: (batch * channels) may exceed an int when both lengths are 0.
        int rows = y.length == 0 && state.length == 0 ? 0 : batch * channels;
        for (int bc = 0; bc < rows; bc++) {
            int c = bc % channels;
            for (int t = 0; t < length; t++) {
                double sum = biasT == null ? 0 : biasT.floats()[c];
                for (int j = 0; j < k; j++) {
                    sum += padded(in, past, bc, length, keep, t + j) * wd[c * k + j];
                }
                float v = (float) sum;
                y[bc * length + t] = silu ? (float) (v / (1 + StrictMath.exp(-v))) : v;
            }
            for (int j = 0; j < keep; j++) {
                state[bc * keep + j] = padded(in, past, bc, length, keep, padded - keep + j);
            }
        }
        return new Tensor[] {Tensor.ofFloats(y, s), Tensor.ofFloats(state, batch, channels, keep)};
    }

    /** Position p of row bc's padded sequence: past_state (or 0) below keep, the input from there on. */
    private static float padded(float[] in, float[] past, int bc, int length, int keep, int p) {
        return p >= keep ? in[bc * length + p - keep] : past == null ? 0 : past[bc * keep + p];
    }
}
