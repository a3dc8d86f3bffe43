package dev.octet.compile;

import dev.octet.ir.Graph;
import java.util.List;

/** A graph-to-graph rewrite that keeps the model's results; each pass is named and tested on its own. */
public interface GraphPass {
    Graph apply(Graph graph);

    static List<GraphPass> defaults() {
        return List.of();
    }
}
