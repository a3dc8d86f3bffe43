package dev.octet.compile;

import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.Subgraphs;
import dev.octet.ir.ValueInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Drops nodes none of whose outputs reach a graph output (values a subgraph captures count as read). Expects
 * nodes in topological order.
 */
public final class DeadNodeElimination implements GraphPass {
    @Override
    public Graph apply(Graph g, PassContext context) {
        Set<String> live = new HashSet<>();
        for (ValueInfo v : g.outputs()) {
            live.add(v.name());
        }
        List<Node> kept = new ArrayList<>();
        List<Node> nodes = g.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (n.outputs().stream().anyMatch(live::contains)) {
                kept.add(0, n);
                live.addAll(Subgraphs.uses(n));
            }
        }
        return kept.size() == nodes.size() ? g : g.withNodes(kept, g.initializers());
    }
}
