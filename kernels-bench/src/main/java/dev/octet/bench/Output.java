package dev.octet.bench;

import dev.octet.api.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * One model output from either engine, widened to double so outputs of any type compare the same way, and the
 * two comparisons the benchmark reports.
 */
record Output(int[] shape, double[] values) {
    static Output of(Tensor t) {
        double[] v = new double[t.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.getDouble(i);
        }
        return new Output(t.shape(), v);
    }

    /** The largest absolute difference between corresponding elements over all outputs. */
    static double maxAbsDiff(Map<String, Output> a, Map<String, Output> b) {
        double max = 0;
        for (var e : a.entrySet()) {
            double[] x = e.getValue().values;
            double[] y = counterpart(e.getKey(), e.getValue(), b).values;
            for (int i = 0; i < x.length; i++) {
                max = Math.max(max, Math.abs(x[i] - y[i]));
            }
        }
        return max;
    }

    /**
     * The smallest cosine similarity between corresponding rows (vectors along the last dimension) over all
     * outputs: a per-token or per-class view that an average would hide. Two zero rows count as identical.
     */
    static double minRowCosine(Map<String, Output> a, Map<String, Output> b) {
        double min = 1;
        for (var e : a.entrySet()) {
            Output x = e.getValue();
            Output y = counterpart(e.getKey(), x, b);
            int row = x.shape.length == 0 ? 1 : x.shape[x.shape.length - 1];
            for (int start = 0; row > 0 && start < x.values.length; start += row) {
                min = Math.min(min, cosine(x.values, y.values, start, row));
            }
        }
        return min;
    }

    private static double cosine(double[] x, double[] y, int start, int n) {
        double dot = 0, xx = 0, yy = 0;
        for (int i = start; i < start + n; i++) {
            dot += x[i] * y[i];
            xx += x[i] * x[i];
            yy += y[i] * y[i];
        }
        if (xx == 0 || yy == 0) {
            return xx == yy ? 1 : 0;
        }
        return dot / Math.sqrt(xx * yy);
    }

    private static Output counterpart(String name, Output x, Map<String, Output> others) {
        Output y = others.get(name);
        if (y == null) {
            throw new IllegalStateException("output '" + name + "' is missing from the other engine's results");
        }
        if (!Arrays.equals(x.shape, y.shape)) {
            throw new IllegalStateException("output '" + name + "' has shape " + Arrays.toString(x.shape)
                + " in one engine and " + Arrays.toString(y.shape) + " in the other");
        }
        return y;
    }
}
