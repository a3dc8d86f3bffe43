package dev.octet.onnx.conformance;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import java.util.Arrays;

/**
 * Compares an actual tensor with an expected one the way ONNX's backend test runner does: types and shapes
 * equal, integers and bools exact, floats within {@code |a - e| <= atol + rtol * |e|} (NaN matches NaN).
 */
public final class TensorComparison {
    /** ONNX's backend-test defaults. */
    public static final double DEFAULT_RTOL = 1e-3;
    public static final double DEFAULT_ATOL = 1e-7;

    private TensorComparison() {}

    /** Null when the tensors agree, else a one-line description of the worst mismatch. */
    public static String mismatch(Tensor actual, Tensor expected, double rtol, double atol) {
        if (actual.type() != expected.type()) {
            return "type " + actual.type() + ", expected " + expected.type();
        }
        if (!Arrays.equals(actual.shapeView(), expected.shapeView())) {
            return "shape " + Arrays.toString(actual.shapeView()) + ", expected " + Arrays.toString(expected.shapeView());
        }
        int worst = -1;
        double worstExcess = 0;
        double worstDiff = 0;
        int bad = 0;
        boolean isFloat = expected.type() == DataType.FLOAT;
        for (int i = 0; i < expected.size(); i++) {
            double a = actual.getDouble(i);
            double e = expected.getDouble(i);
            if (isFloat && Double.isNaN(a) && Double.isNaN(e)) {
                continue;
            }
            if (isFloat && Double.isInfinite(e) && a == e) {
                continue;
            }
            double diff = Math.abs(a - e);
            double allowed = isFloat ? atol + rtol * Math.abs(e) : 0;
            if (!(diff <= allowed)) {
                bad++;
                double excess = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff - allowed;
                if (worst < 0 || excess > worstExcess) {
                    worst = i;
                    worstExcess = excess;
                    worstDiff = diff;
                }
            }
        }
        if (worst < 0) {
            return null;
        }
        return bad + " of " + expected.size() + " elements differ; worst at index " + worst + ": got "
            + format(actual, worst) + ", expected " + format(expected, worst) + " (abs diff " + worstDiff + ")";
    }

    private static String format(Tensor t, int i) {
        return t.type() == DataType.FLOAT ? Float.toString((float) t.getDouble(i)) : Long.toString(t.getLong(i));
    }
}
