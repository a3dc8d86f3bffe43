package dev.octet.cli;

import dev.octet.api.OctetException;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ops.OpRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What of a model the engine cannot run, found without compiling it: the operators its registry does not
 * implement and the opset versions it rejects. The only place the command line asks the engine's operator
 * registry, so a change in the registry's API is adapted here.
 */
final class OperatorSupport {
    private OperatorSupport() {}

    /** An operator type Octet does not implement: how many nodes use it, and the opset the model imports for its domain. */
    record Unsupported(String domain, String opType, int nodes, int opset) {
        /** {@code OpType} for ai.onnx, {@code domain.OpType} otherwise, as inspect's histogram names ops. */
        String qualifiedName() {
            return (domain.isEmpty() ? "" : domain + ".") + opType;
        }
    }

    /** The unsupported operator types of {@code g}'s nodes, by name. */
    static List<Unsupported> unsupportedOps(Graph g) {
        OpRegistry registry = OpRegistry.defaults();
        Map<String, Unsupported> byName = new TreeMap<>();
        for (Node n : g.nodes()) {
            if (!registry.supports(n.domain(), n.opType())) {
                String domain = OpRegistry.normalizeDomain(n.domain());
                Unsupported u = new Unsupported(domain, n.opType(), 1, g.opset(domain));
                byName.merge(u.qualifiedName(), u, (a, b) -> new Unsupported(a.domain, a.opType, a.nodes + 1, a.opset));
            }
        }
        return new ArrayList<>(byName.values());
    }

    /** Why each opset the model imports is not supported, one message per domain; empty when all are. */
    static List<String> unsupportedOpsets(Graph g) {
        List<String> problems = new ArrayList<>();
        new TreeMap<>(g.opsets()).forEach((domain, version) -> {
            try {
                OpRegistry.checkOpset(domain, version);
            } catch (OctetException e) {
                problems.add(e.getMessage());
            }
        });
        return problems;
    }
}
