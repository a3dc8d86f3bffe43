package dev.octet.compile;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ops.OpRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fuses the dynamic-quantization matmul that ONNX Runtime's quantizer emits,
 * {@code MatMulInteger(A, B, a_zp, b_zp) -> Cast(float) -> Mul(·, a_scale * b_scale) [-> Add(bias)]},
 * into com.microsoft {@code MatMulIntegerToFloat(A, B, a_scale, b_scale, a_zp, b_zp, bias)}.
 *
 * <p>Bit-exact: the op computes {@code (float) acc * (a_scale * b_scale[j]) + bias[j]} in float, the
 * operations the unfused graph does (float multiplication and addition are commutative). B must be a
 * constant 2-D int8/uint8 matrix (packed once at load); a_scale and a_zp must be per-tensor, b_scale, b_zp and
 * bias per-tensor or per-column. The {@code a_scale * b_scale} Mul disappears when nothing else reads it; the
 * DynamicQuantizeLinear that feeds several fused matmuls stays one node.
 */
public final class MatMulIntegerToFloatFusion implements GraphPass {
    @Override
    public Graph apply(Graph g, PassContext context) {
        FusionRewriter rw = new FusionRewriter(g, context);
        for (Node mm : rw.nodes()) {
            if (FusionRewriter.isOnnx(mm, "MatMulInteger")) {
                fuse(rw, mm);
            }
        }
        return rw.result();
    }

    private static void fuse(FusionRewriter rw, Node mm) {
        Tensor b = rw.constant(mm.inputs().get(1));
        if (b == null || b.rank() != 2 || !b.type().isQuantized()) {
            return;
        }
        int n = b.dim(1);
        Node[] tail = rw.scaledCast(mm);
        if (tail == null) {
            return;
        }
        Node cast = tail[0], mul = tail[1], scaleMul = tail[2];
        // Either factor may be A's: the product is the same, but the op wants the per-tensor one first.
        String s0 = scaleMul.inputs().get(0), s1 = scaleMul.inputs().get(1);
        String aScale, bScale;
        if (isVector(rw, s0, 1)) {
            aScale = s0;
            bScale = s1;
        } else {
            aScale = s1;
            bScale = s0;
        }
        if (!isVector(rw, aScale, 1) || !(isVector(rw, bScale, 1) || isVector(rw, bScale, n))
            || rw.type(aScale) != DataType.FLOAT || rw.type(bScale) != DataType.FLOAT) {
            return;
        }
        String aZp = FusionRewriter.input(mm, 2), bZp = FusionRewriter.input(mm, 3);
        boolean bZpPerColumn = isVector(rw, bZp, 1) || isVector(rw, bZp, n);
        if ((!aZp.isEmpty() && !isVector(rw, aZp, 1)) || (!bZp.isEmpty() && !bZpPerColumn)) {
            return;
        }
        List<Node> pattern = new ArrayList<>(List.of(mm, cast, mul));
        String bias = "";
        Node add = rw.soleConsumer(mul, "Add");
        if (add != null) {
            String other = FusionRewriter.other(add, mul.outputs().get(0));
            Tensor c = other == null ? null : rw.constant(other);
            if (c != null && c.type() == DataType.FLOAT && c.rank() == 1 && c.size() == n) {
                bias = other;
                pattern.add(add);
            }
        }
        Node last = pattern.get(pattern.size() - 1);
        rw.replace(pattern, new Node(mm.name(), "MatMulIntegerToFloat", OpRegistry.MICROSOFT_DOMAIN,
            List.of(mm.inputs().get(0), mm.inputs().get(1), aScale, bScale, aZp, bZp, bias), last.outputs(), Map.of()));
    }

    /** True when the value is known to be a scalar or 1-D of {@code size} elements (rank 0 only for size 1). */
    private static boolean isVector(FusionRewriter rw, String value, int size) {
        List<Dim> s = rw.shape(value);
        if (s == null || s.size() > 1) {
            return false;
        }
        return s.isEmpty() ? size == 1 : s.get(0).isFixed() && s.get(0).value() == size;
    }
}
