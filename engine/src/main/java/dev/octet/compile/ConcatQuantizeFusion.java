package dev.octet.compile;

import dev.octet.api.DataType;
import dev.octet.ir.Attribute;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ops.OpRegistry;
import java.util.List;
import java.util.Map;

/**
 * DynamicQuantizeLinear of a float Concat that nothing else reads (a U-Net's skip join: upsampled and encoder
 * features, quantized for the next convolution) becomes Octet's DynamicQuantizeLinear over the Concat's inputs, each
 * quantized straight into its place: the float concatenation is neither written nor read again. The same bits: the
 * range is the min and max over all the inputs, and quantizing is element-wise.
 */
public final class ConcatQuantizeFusion implements GraphPass {
    @Override
    public Graph apply(Graph g, PassContext context) {
        FusionRewriter rw = new FusionRewriter(g, context);
        for (Node n : rw.nodes()) {
            if (FusionRewriter.isOnnx(n, "DynamicQuantizeLinear") && n.inputs().size() == 1) {
                fuse(rw, n);
            }
        }
        return rw.result();
    }

    private static void fuse(FusionRewriter rw, Node quantize) {
        Node concat = rw.producer(quantize.inputs().get(0), "Concat");
        if (concat == null || concat.inputs().isEmpty()
            || !(concat.attributes().get("axis") instanceof Attribute.IntAttr axis)) {
            return;
        }
        for (String in : concat.inputs()) {
            if (in.isEmpty() || rw.type(in) != DataType.FLOAT) {
                return;
            }
        }
        rw.replace(List.of(concat, quantize), new Node(quantize.name(), "DynamicQuantizeLinear",
            OpRegistry.OCTET_DOMAIN, concat.inputs(), quantize.outputs(), Map.of("axis", axis)));
    }
}
