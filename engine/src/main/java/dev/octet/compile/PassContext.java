package dev.octet.compile;

import dev.octet.ir.Graph;
import dev.octet.ops.OpEnvironment;
import dev.octet.ops.OpRegistry;
import java.util.Map;

/**
 * What a pass may consult: the operator definitions (for their traits and shape rules) and the session's
 * environment, whose kernels shape inference evaluates constant subgraphs with.
 */
public record PassContext(OpRegistry registry, OpEnvironment env) {
    /** The default operators and kernels, for passes run outside a session. */
    public static PassContext defaults() {
        return new PassContext(OpRegistry.defaults(), OpEnvironment.serial());
    }

    /** Shape inference of {@code g} with the declared input shapes. */
    ShapeInference.Result infer(Graph g) {
        return ShapeInference.infer(g, Map.of(), registry, env);
    }
}
