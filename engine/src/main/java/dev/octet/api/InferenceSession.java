package dev.octet.api;

import dev.octet.compile.Compiler;
import dev.octet.exec.ExecutionPlan;
import dev.octet.exec.Executor;
import dev.octet.ir.Graph;
import dev.octet.ir.ValueInfo;
import java.util.List;
import java.util.Map;

/**
 * A compiled model, ready to run. Compilation (validation, rewrites, op construction and weight packing,
 * constant folding) happens once in the constructor; {@link #run} may be called from several threads at
 * once. Close the session to stop its worker threads (they are daemons, so a forgotten session does not
 * keep the JVM alive).
 */
public final class InferenceSession implements AutoCloseable {
    private final Graph graph;
    private final ExecutionPlan plan;
    private final SessionOptions options;
    private final dev.octet.kernel.KernelProvider kernels;
    private final dev.octet.kernel.Parallel parallel;

    public InferenceSession(Graph graph) {
        this(graph, SessionOptions.DEFAULTS);
    }

    public InferenceSession(Graph graph, SessionOptions options) {
        this.graph = graph;
        this.options = options;
        this.kernels = dev.octet.kernel.KernelProviders.choose(options.provider(), options.vectorBits()).provider();
        this.parallel = options.threads() == 1 ? dev.octet.kernel.Parallel.SERIAL
            : new dev.octet.kernel.Parallel(options.threads());
        try {
            this.plan = Compiler.forOptions(options, new dev.octet.ops.OpEnvironment(kernels, parallel)).compile(graph);
        } catch (RuntimeException e) {
            parallel.close();
            throw e;
        }
    }

    public SessionOptions options() {
        return options;
    }

    /** The kernels this session runs, e.g. "vector-512" or "scalar". */
    public String kernelDescription() {
        return kernels.describe();
    }

    @Override
    public void close() {
        if (parallel != dev.octet.kernel.Parallel.SERIAL) {
            parallel.close();
        }
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
