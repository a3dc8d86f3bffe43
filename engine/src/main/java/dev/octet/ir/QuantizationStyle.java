package dev.octet.ir;

import java.util.Set;

/** How a model expresses int8 arithmetic, as far as its operators tell. */
public enum QuantizationStyle {
    /** QLinearConv / QLinearMatMul and com.microsoft QLinear* operators. */
    QOPERATOR,
    /** DequantizeLinear → float op → QuantizeLinear patterns. */
    QDQ,
    /** DynamicQuantizeLinear with MatMulInteger / ConvInteger. */
    DYNAMIC,
    /** No quantization operators. */
    NONE;

    private static final Set<String> INTEGER_OPS = Set.of("MatMulInteger", "ConvInteger", "DynamicQuantizeLinear",
        "DynamicQuantizeMatMul", "MatMulIntegerToFloat");

    public static QuantizationStyle detect(Graph g) {
        boolean qop = false, dq = false, q = false, dyn = false;
        for (Node n : g.nodes()) {
            String op = n.opType();
            if (op.startsWith("QLinear") || op.equals("QGemm")) {
                qop = true;
            } else if (INTEGER_OPS.contains(op)) {
                dyn = true;
            } else if (op.equals("DequantizeLinear")) {
                dq = true;
            } else if (op.equals("QuantizeLinear")) {
                q = true;
            }
        }
        if (qop) {
            return QOPERATOR;
        }
        if (dyn) {
            return DYNAMIC;
        }
        return dq && q ? QDQ : NONE;
    }
}
