package dev.octet.cli;

import dev.octet.api.OctetException;
import dev.octet.ir.Graph;
import dev.octet.ops.OpRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
        Map<String, Unsupported> byName = new TreeMap<>();
        for (OpRegistry.Unsupported u : OpRegistry.defaults().unsupported(g)) {
            if (u.reason() == OpRegistry.Support.UNSUPPORTED_OP) {
                Unsupported op = new Unsupported(u.domain(), u.opType(), u.nodes(), u.opset());
                byName.put(op.qualifiedName(), op);
            }
        }
        return new ArrayList<>(byName.values());
    }

    /**
     * Why each opset the model imports is not supported, one message per domain, then each operator whose version
     * at the imported opset Octet does not implement; empty when all are.
     */
    static List<String> unsupportedOpsets(Graph g) {
        List<String> problems = new ArrayList<>();
        Set<String> rejectedDomains = new HashSet<>();
        new TreeMap<>(g.opsets()).forEach((domain, version) -> {
            try {
                OpRegistry.checkOpset(domain, version);
            } catch (OctetException e) {
                problems.add(e.getMessage());
                rejectedDomains.add(OpRegistry.normalizeDomain(domain));
            }
        });
        // Operators of a rejected opset are not listed again one by one.
        for (OpRegistry.Unsupported u : OpRegistry.defaults().unsupported(g)) {
            if (u.reason() == OpRegistry.Support.UNSUPPORTED_VERSION && !rejectedDomains.contains(u.domain())) {
                problems.add((u.domain().isEmpty() ? "ai.onnx" : u.domain()) + ":" + u.opType() + " at opset " + u.opset()
                    + " is not implemented (" + u.nodes() + (u.nodes() == 1 ? " node)" : " nodes)"));
            }
        }
        return problems;
    }
}
