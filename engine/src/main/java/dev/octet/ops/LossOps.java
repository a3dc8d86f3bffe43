package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import dev.octet.kernel.FloatKernels;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss over float scores of shape (N, C, d1, ..., dk) and
 * integer targets of shape (N, d1, ..., dk). SoftmaxCrossEntropyLoss is the negative log-likelihood of the
 * log-softmax along C, which {@link FloatKernels#logSoftmax} computes (ONNX Runtime's arithmetic).
 */
final class LossOps {
    private LossOps() {}

    private static final AttributeSpec<String> REDUCTION = AttributeSpec.stringAttr("reduction", "mean")
        .requiring(Set.of("none", "sum", "mean")::contains, "one of none, sum, mean");

    static void register(OpRegistry.Builder r) {
        // Versions 13 and 22 only added types (double, then bfloat16/float16).
        r.onnx("NegativeLogLikelihoodLoss", 12).inputs("rro").outputs("r").attribute(REDUCTION)
            .shape(c -> inferLoss(c, false)).factory(ctx -> {
                String reduction = ctx.get(REDUCTION);
                Long ignore = ignoreIndex(ctx);
                return in -> new Tensor[] {nll(scores("NegativeLogLikelihoodLoss", in[0]), in[1],
                    in.length > 2 ? in[2] : null, reduction, ignore, "NegativeLogLikelihoodLoss")};
            });
        r.onnx("SoftmaxCrossEntropyLoss", 12).inputs("rro").outputs("ro").attribute(REDUCTION)
            .shape(c -> inferLoss(c, true)).factory(ctx -> {
                String reduction = ctx.get(REDUCTION);
                Long ignore = ignoreIndex(ctx);
                FloatKernels kernels = ctx.kernels().floats();
                return in -> {
                    Tensor logProb = ReduceNormalization.softmax(kernels, dev.octet.kernel.Parallel.SERIAL,
                        scores("SoftmaxCrossEntropyLoss", in[0]), 1, false, true, Buffers.FRESH);
                    Tensor loss = nll(logProb, in[1], in.length > 2 ? in[2] : null, reduction, ignore,
                        "SoftmaxCrossEntropyLoss");
                    return new Tensor[] {loss, logProb};
                };
            });
    }

    /** The optional ignore_index attribute: a target equal to it contributes nothing, not even weight. */
    private static Long ignoreIndex(OpContext ctx) {
        return ctx.has("ignore_index") ? ctx.getInt("ignore_index", 0) : null;
    }

    private static Tensor scores(String op, Tensor x) {
        if (x.type() != DataType.FLOAT) {
            throw ElementwiseBinary.unsupportedType(op, x.type());
        }
        if (x.rank() < 2) {
            throw new OctetException(ErrorCode.INVALID_INPUT, op + ": scores must have shape (N, C, ...), got "
                + Arrays.toString(x.shapeView()));
        }
        return x;
    }

    /**
     * loss[n, d] = -logProb[n, target[n, d], d] * weight[target[n, d]] (0 where the target is ignore_index);
     * "mean" divides the sum by the sum of the weights taken (by their count without weights). Sums in double.
     */
    static Tensor nll(Tensor logProb, Tensor target, Tensor weight, String reduction, Long ignore, String op) {
        int[] shape = logProb.shapeView();
        int n = shape[0];
        int classes = shape[1];
        int inner = ShapeKernels.product(shape, 2, shape.length);
        int[] targetShape = new int[shape.length - 1];
        targetShape[0] = n;
        System.arraycopy(shape, 2, targetShape, 1, shape.length - 2);
        if (target.type() != DataType.INT64 && target.type() != DataType.INT32) {
            throw ElementwiseBinary.unsupportedType(op + " target", target.type());
        }
        if (!Arrays.equals(target.shapeView(), targetShape)) {
            throw new OctetException(ErrorCode.INVALID_INPUT, op + ": target must have shape "
                + Arrays.toString(targetShape) + " for scores " + Arrays.toString(shape) + ", got "
                + Arrays.toString(target.shapeView()));
        }
        float[] w = null;
        if (weight != null) {
            if (weight.type() != DataType.FLOAT || weight.rank() != 1 || weight.size() != classes) {
                throw new OctetException(ErrorCode.INVALID_INPUT, op + ": weight must be FLOAT[" + classes + "], got "
                    + weight);
            }
            w = weight.floats();
        }
        long[] t = ElementwiseCast.longs(target);
        float[] lp = logProb.floats();
        float[] loss = new float[t.length];
        double sum = 0;
        double weightSum = 0;
        for (int b = 0; b < n; b++) {
            for (int d = 0; d < inner; d++) {
                int i = b * inner + d;
                long c = t[i];
                if (ignore != null && c == ignore) {
                    continue;
                }
                if (c < 0 || c >= classes) {
                    throw new OctetException(ErrorCode.INVALID_INPUT, op + ": target " + c + " at " + i
                        + " is outside [0, " + classes + ")" + (ignore == null ? "" : " and is not ignore_index"));
                }
                float wc = w == null ? 1f : w[(int) c];
                loss[i] = -lp[(b * classes + (int) c) * inner + d] * wc;
                sum += loss[i];
                weightSum += wc;
            }
        }
        return switch (reduction) {
            case "none" -> Tensor.ofFloats(loss, targetShape);
            case "sum" -> Tensor.ofFloats(new float[] {(float) sum});
            default -> Tensor.ofFloats(new float[] {(float) (sum / weightSum)});
        };
    }

    /** The loss: target's shape for "none", a scalar otherwise; SoftmaxCrossEntropyLoss's log_prob: the scores'. */
    private static ShapeValue[] inferLoss(ShapeContext c, boolean withLogProb) {
        List<Dim> scores = c.shape(0);
        String reduction = c.attrs().get(REDUCTION);
        List<Dim> loss = reduction.equals("none") ? c.shape(1) : List.of();
        if (scores != null && scores.size() < 2) {
            throw c.fail("scores must have shape (N, C, ...), got " + scores);
        }
        ShapeValue out = ShapeValue.of(DataType.FLOAT, loss);
        return withLogProb ? new ShapeValue[] {out, ShapeValue.of(DataType.FLOAT, scores)} : new ShapeValue[] {out};
    }
}
