package dev.octet.api;

import dev.octet.compile.Compiler;
import dev.octet.exec.ExecutionPlan;
import dev.octet.exec.Executor;
import dev.octet.ir.Graph;
import dev.octet.ir.ValueInfo;
import java.util.List;
import java.util.Map;

/**
 * A compiled model, ready to run. Compilation (validation, rewrites, op construction, constant folding)
 * happens once in the constructor; {@link #run} may be called from several threads at once.
 */
public final class InferenceSession {
    private final Graph graph;
    private final ExecutionPlan plan;

    public InferenceSession(Graph graph) {
        this(graph, SessionOptions.DEFAULTS);
    }

    public InferenceSession(Graph graph, SessionOptions options) {
        this.graph = graph;
        this.plan = Compiler.forOptions(options).compile(graph);
    }

    /** The inputs a caller feeds, in declaration order (initializer-backed inputs are optional). */
    public List<ValueInfo> inputs() {
        return plan.inputs();
    }

    public List<ValueInfo> outputs() {
        return plan.outputs();
    }

    public Graph graph() {
        return graph;
    }

    /** The operators the compiled plan runs, in order (after fusion and constant folding), for inspection. */
    public List<String> executionSteps() {
        return java.util.Arrays.stream(plan.steps()).map(dev.octet.exec.ExecutionPlan.Step::description).toList();
    }

    /** Runs the model; the result maps output names to tensors in declaration order. */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        return Executor.run(plan, inputs);
    }
}
