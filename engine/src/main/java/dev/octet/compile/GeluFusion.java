package dev.octet.compile;

import dev.octet.api.DataType;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ops.OpRegistry;
import java.util.List;
import java.util.Map;

/**
 * Fuses the exact (erf) GELU as BERT exports it, {@code x * (Erf(x / sqrt(2)) + 1) * 0.5} (also with
 * {@code x * 1/sqrt(2)}, and with {@code 0.5} applied to x first), into com.microsoft {@code Gelu}, computed
 * by {@code FloatKernels.gelu}. The constants must be exactly the float values of sqrt(2) (or 1/sqrt(2)),
 * 1 and 0.5. The kernel computes in the order of ONNX Runtime's fused Gelu, which ORT's default optimizations run
 * for this pattern, so the result may differ from the unfused graph's by one rounding of the erf argument
 * ({@code x / sqrt2} against {@code x * (1/sqrt2)}).
 */
public final class GeluFusion implements GraphPass {
    private static final float SQRT2 = (float) Math.sqrt(2);
    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));

    @Override
    public Graph apply(Graph g, PassContext context) {
        FusionRewriter rw = new FusionRewriter(g, context);
        for (Node n : rw.nodes()) {
            if (FusionRewriter.isOnnx(n, "Erf")) {
                fuse(rw, n);
            }
        }
        return rw.result();
    }

    private static void fuse(FusionRewriter rw, Node erf) {
        Node scale = rw.producer(erf.inputs().get(0));
        String x = scale == null || scale.inputs().size() != 2 ? null : scale.inputs().get(0);
        boolean scaled = x != null && (FusionRewriter.isOnnx(scale, "Div") && rw.isScalar(scale.inputs().get(1), SQRT2)
            || FusionRewriter.isOnnx(scale, "Mul") && rw.isScalar(scale.inputs().get(1), INV_SQRT2));
        if (!scaled || rw.type(x) != DataType.FLOAT || rw.shape(x) == null || rw.shape(x).isEmpty()) {
            return;
        }
        Node addOne = rw.soleConsumer(erf, "Add");
        if (addOne == null || !rw.isScalar(FusionRewriter.other(addOne, erf.outputs().get(0)), 1f)) {
            return;
        }
        Node mul = rw.soleConsumer(addOne, "Mul");
        String factor = mul == null ? null : FusionRewriter.other(mul, addOne.outputs().get(0));
        if (factor == null) {
            return;
        }
        Node half;
        Node last;
        if (factor.equals(x)) {
            // (x * (erf + 1)) * 0.5
            half = rw.soleConsumer(mul, "Mul");
            last = half;
            if (half == null || !rw.isScalar(FusionRewriter.other(half, mul.outputs().get(0)), 0.5f)) {
                return;
            }
        } else {
            // (x * 0.5) * (erf + 1)
            half = rw.producer(factor, "Mul");
            last = mul;
            if (half == null || !rw.isScalar(FusionRewriter.other(half, x), 0.5f)) {
                return;
            }
        }
        rw.replace(List.of(scale, erf, addOne, mul, half), new Node(last.name(), "Gelu", OpRegistry.MICROSOFT_DOMAIN,
            List.of(x), last.outputs(), Map.of()));
    }
}
