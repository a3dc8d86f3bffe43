package dev.octet.compile;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ops.OpRegistry;
import java.util.List;
import java.util.Map;

/**
 * Fuses layer normalization as PyTorch exports it over the last axis,
 * {@code d = x - ReduceMean(x); y = d / Sqrt(ReduceMean(Pow(d, 2)) + eps) * gamma + beta}, into Octet's
 * {@code LayerNormalization(x, gamma, beta)} (axis -1, epsilon), computed by {@code FloatKernels.layerNorm} in
 * the arithmetic of ONNX Runtime's LayerNormalization kernel, which ORT's default optimizations also put in place
 * of this pattern: float {@code E[x^2] - mean^2} statistics, so results differ from the decomposed graph's
 * two-pass variance by more than ulps where the mean is large against the spread. It lives in the dev.octet
 * domain because ai.onnx LayerNormalization needs opset 17. eps, gamma and beta must be constants; gamma and
 * beta 1-D over the (known) last dimension.
 */
public final class LayerNormFusion implements GraphPass {
    @Override
    public Graph apply(Graph g, PassContext context) {
        FusionRewriter rw = new FusionRewriter(g, context);
        for (Node n : rw.nodes()) {
            if (FusionRewriter.isOnnx(n, "ReduceMean")) {
                fuse(rw, n);
            }
        }
        return rw.result();
    }

    private static void fuse(FusionRewriter rw, Node mean) {
        String x = mean.inputs().get(0);
        List<Dim> shape = rw.shape(x);
        if (rw.type(x) != DataType.FLOAT || shape == null || shape.isEmpty() || !lastAxisMean(rw, mean)) {
            return;
        }
        Dim last = shape.get(shape.size() - 1);
        Node sub = rw.soleConsumer(mean, "Sub");
        if (sub == null || !sub.inputs().equals(List.of(x, mean.outputs().get(0)))) {
            return;
        }
        String d = sub.outputs().get(0);
        Node pow = null, div = null;
        for (Node c : rw.consumers(d)) {
            if (FusionRewriter.isOnnx(c, "Pow") && c.inputs().get(0).equals(d) && rw.isScalar(c.inputs().get(1), 2f)) {
                pow = c;
            } else if (FusionRewriter.isOnnx(c, "Div") && c.inputs().get(0).equals(d)) {
                div = c;
            }
        }
        if (pow == null || div == null) {
            return;
        }
        Node variance = rw.soleConsumer(pow, "ReduceMean");
        Node addEps = variance == null || !lastAxisMean(rw, variance) ? null : rw.soleConsumer(variance, "Add");
        Float eps = addEps == null ? null : rw.scalar(FusionRewriter.other(addEps, variance.outputs().get(0)));
        Node sqrt = eps == null ? null : rw.soleConsumer(addEps, "Sqrt");
        if (sqrt == null || !div.inputs().get(1).equals(sqrt.outputs().get(0))) {
            return;
        }
        Node mulGamma = rw.soleConsumer(div, "Mul");
        String gamma = mulGamma == null ? null : FusionRewriter.other(mulGamma, div.outputs().get(0));
        Node addBeta = gamma == null || !isParameter(rw, gamma, last) ? null : rw.soleConsumer(mulGamma, "Add");
        String beta = addBeta == null ? null : FusionRewriter.other(addBeta, mulGamma.outputs().get(0));
        if (beta == null || !isParameter(rw, beta, last)) {
            return;
        }
        rw.replace(List.of(mean, sub, pow, variance, addEps, sqrt, div, mulGamma, addBeta),
            new Node(addBeta.name(), "LayerNormalization", OpRegistry.OCTET_DOMAIN, List.of(x, gamma, beta),
                addBeta.outputs(), Map.of("axis", new Attribute.IntAttr(-1), "epsilon", new Attribute.FloatAttr(eps))));
    }

    /** ReduceMean over exactly the last axis, keeping it: axes [-1] as attribute (opset < 18) or constant input. */
    private static boolean lastAxisMean(FusionRewriter rw, Node mean) {
        if (FusionRewriter.intAttr(mean, "keepdims", 1) != 1) {
            return false;
        }
        long[] axes = FusionRewriter.intsAttr(mean, "axes");
        if (axes == null && mean.inputs().size() > 1) {
            Tensor t = rw.constant(mean.inputs().get(1));
            axes = t == null || t.type() != DataType.INT64 ? null : t.longs();
        }
        return axes != null && axes.length == 1 && axes[0] == -1;
    }

    /** A constant float vector as long as the (fixed) normalized dimension. */
    private static boolean isParameter(FusionRewriter rw, String value, Dim last) {
        Tensor t = rw.constant(value);
        return t != null && t.type() == DataType.FLOAT && t.rank() == 1 && last.isFixed() && t.size() == last.value();
    }
}
