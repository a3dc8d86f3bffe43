package dev.octet.compile;

import dev.octet.ir.Graph;
import java.util.List;

/**
 * A graph-to-graph rewrite that keeps the model's results; each pass is named and tested on its own.
 * The compiler re-sorts the graph after every pass, so a pass may append nodes in any order.
 */
public interface GraphPass {
    Graph apply(Graph graph, PassContext context);

    /** Applies the pass with the default operators and kernels. */
    default Graph apply(Graph graph) {
        return apply(graph, PassContext.defaults());
    }

    static List<GraphPass> defaults() {
        return List.of(new AliasElimination(), new QdqFusion(), new MatMulIntegerToFloatFusion(),
            new ConvIntegerToFloatFusion(), new LayerNormFusion(), new GeluFusion(), new AttentionFusion(), new ChannelsLastLayout(), new ConcatQuantizeFusion(),
            new DeadNodeElimination());
    }
}
