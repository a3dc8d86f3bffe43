package dev.octet.cli;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;

/** One-line descriptions of tensors for the terminal. */
final class Summaries {
    private Summaries() {}

    static String describe(Tensor t) {
        StringBuilder sb = new StringBuilder(t.toString());
        int n = t.size();
        if (n == 0) {
            return sb.append(" (empty)").toString();
        }
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
        int argmax = 0;
        for (int i = 0; i < n; i++) {
            double v = t.getDouble(i);
            if (v > max) {
                max = v;
                argmax = i;
            }
            min = Math.min(min, v);
            sum += v;
        }
        sb.append(String.format(" min=%.6g max=%.6g mean=%.6g argmax=%d", min, max, sum / n, argmax));
        sb.append(" first=[");
        for (int i = 0; i < Math.min(5, n); i++) {
            sb.append(i == 0 ? "" : ", ");
            boolean real = t.type() == DataType.FLOAT || t.type().isEdgeOnly(); // the edge-only types are all floating
            sb.append(real ? String.format("%.6g", t.getDouble(i)) : Long.toString(t.getLong(i)));
        }
        return sb.append(n > 5 ? ", ...]" : "]").toString();
    }
}
