package dev.octet.compile;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ops.OpRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuses the dynamic-quantization convolution that ONNX Runtime's quantizer emits,
 * {@code ConvInteger(X, W, x_zp, w_zp) -> Cast(float) -> Mul(·, x_scale * w_scale) [-> Add(bias)] [-> Relu]},
 * into Octet's {@code ConvIntegerToFloat(X, W, x_scale, w_scale, x_zp, w_zp, bias)} with {@code relu}, the
 * convolution analogue of {@link MatMulIntegerToFloatFusion}.
 *
 * <p>Bit-exact: the op computes {@code (float) sum * (x_scale * w_scale[c]) + bias[c]}, then Relu's
 * {@code v < 0 ? 0 : v}, the float operations the unfused graph does (multiplication and addition are
 * commutative). W must be a constant 8-bit tensor (packed once at load) and w_zp absent or constant; x_scale
 * and x_zp must hold one value; w_scale (constant) and bias (constant) must broadcast along the output channel
 * axis only (one value, or C values on that axis and 1 on every other): a bias of shape [C] broadcasts along
 * the last spatial axis of an NCHW output, so it is not a per-channel bias and stays unfused. The
 * DynamicQuantizeLinear that feeds the convolution stays a node (it may feed several).
 */
public final class ConvIntegerToFloatFusion implements GraphPass {
    @Override
    public Graph apply(Graph g, PassContext context) {
        FusionRewriter rw = new FusionRewriter(g, context);
        for (Node conv : rw.nodes()) {
            if (FusionRewriter.isOnnx(conv, "ConvInteger")) {
                fuse(rw, conv);
            }
        }
        return rw.result();
    }

    private static void fuse(FusionRewriter rw, Node conv) {
        Tensor w = rw.constant(conv.inputs().get(1));
        if (w == null || w.rank() < 3 || !w.type().isQuantized()) {
            return;
        }
        int rank = w.rank();
        int cout = w.dim(0);
        String xZp = FusionRewriter.input(conv, 2), wZp = FusionRewriter.input(conv, 3);
        if (!xZp.isEmpty() && !isPerChannel(rw, xZp, 1, 1)) {
            return;
        }
        Tensor wZpValue = wZp.isEmpty() ? null : rw.constant(wZp);
        if (!wZp.isEmpty() && (wZpValue == null || wZpValue.rank() > 1
            || (wZpValue.size() != 1 && wZpValue.size() != cout))) {
            return;
        }
        Node[] tail = rw.scaledCast(conv);
        if (tail == null) {
            return;
        }
        Node cast = tail[0], mul = tail[1], scaleMul = tail[2];
        // x_scale is the run-time scalar, w_scale the constant; when both are constant scalars either order fits.
        String s0 = scaleMul.inputs().get(0), s1 = scaleMul.inputs().get(1);
        boolean firstIsWeights = rw.constant(s0) != null && isPerChannel(rw, s1, rank, 1);
        String xScale = firstIsWeights ? s1 : s0;
        String wScale = firstIsWeights ? s0 : s1;
        if (rw.constant(wScale) == null || !isPerChannel(rw, xScale, 1, 1) || !isPerChannel(rw, wScale, rank, cout)
            || rw.type(xScale) != DataType.FLOAT || rw.type(wScale) != DataType.FLOAT) {
            return;
        }
        List<Node> pattern = new ArrayList<>(List.of(conv, cast, mul));
        String bias = "";
        Node add = rw.soleConsumer(mul, "Add");
        if (add != null) {
            String other = FusionRewriter.other(add, mul.outputs().get(0));
            Tensor b = other == null ? null : rw.constant(other);
            if (b != null && b.type() == DataType.FLOAT && isPerChannel(rw, other, rank, cout)) {
                bias = other;
                pattern.add(add);
            }
        }
        Node relu = rw.soleConsumer(pattern.get(pattern.size() - 1), "Relu");
        if (relu != null) {
            pattern.add(relu);
        }
        Map<String, Attribute> attrs = new HashMap<>(conv.attributes());
        if (relu != null) {
            attrs.put("relu", new Attribute.IntAttr(1));
        }
        Node last = pattern.get(pattern.size() - 1);
        rw.replace(pattern, new Node(conv.name(), "ConvIntegerToFloat", OpRegistry.OCTET_DOMAIN,
            List.of(conv.inputs().get(0), conv.inputs().get(1), xScale, wScale, xZp, wZp, bias), last.outputs(),
            attrs));
    }

    /**
     * True when the value's shape is fixed and, broadcast against a [N, C, spatial...] output of rank
     * {@code outRank}, varies along C only: at most {@code outRank} dims, all 1 except the one aligned with C,
     * which is 1 or {@code channels}. {@code outRank} 1 asks for one value (rank 0 or [1]).
     */
    private static boolean isPerChannel(FusionRewriter rw, String value, int outRank, int channels) {
        List<Dim> s = rw.shape(value);
        if (s == null || s.size() > outRank) {
            return false;
        }
        int channelAxis = s.size() - outRank + 1; // index in s of the dim aligned with the output's axis 1
        for (int i = 0; i < s.size(); i++) {
            Dim d = s.get(i);
            if (!d.isFixed() || (d.value() != 1 && (i != channelAxis || d.value() != channels))) {
                return false;
            }
        }
        return true;
    }
}
