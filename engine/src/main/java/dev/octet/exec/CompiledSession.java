package dev.octet.exec;

import dev.octet.api.Dimension;
import dev.octet.api.ErrorCode;
import dev.octet.api.InferenceSession;
import dev.octet.api.OctetException;
import dev.octet.api.SessionOptions;
import dev.octet.api.StepTiming;
import dev.octet.api.Tensor;
import dev.octet.api.TensorInfo;
import dev.octet.compile.Compiler;
import dev.octet.ir.Graph;
import dev.octet.ir.ValueInfo;
import java.lang.ref.Cleaner;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The engine's {@link InferenceSession}: a graph compiled into an {@link ExecutionPlan}. Octet's own modules
 * and tools construct it from an IR graph and use its internal accessors (the graph, the plan's steps, value
 * types); library users see only the interface.
 *
 * <p>Compilation (validation, rewrites, shape inference, op construction and weight packing, constant folding)
 * happens once in the constructor; {@link #run} may be called from several threads at once. Close the session to stop its worker threads (they are daemons, so a forgotten session
 * does not keep the JVM alive, and a {@link Cleaner} stops them once the session is unreachable). A run started
 * after {@link #close} fails with {@link ErrorCode#SESSION_CLOSED}; so does a run in flight that needs the
 * worker threads after it.
 *
 * <p>Runs use a plan specialized for their input shapes when shape specialization is on: it is compiled on
 * the first run with those shapes and kept in a small LRU cache, and gives the same results as the generic
 * plan with the shape computations folded away.
 */
public final class CompiledSession implements InferenceSession {
    /** How many specialized plans a session keeps. */
    static final int SPECIALIZED_PLANS = 8;

    /** Stops the worker threads of sessions that become unreachable without being closed. */
    private static final Cleaner CLEANER = Cleaner.create();

    private final Graph graph;
    private final Compiler compiler;
    private final ExecutionPlan plan;
    private final SessionOptions options;
    private final dev.octet.kernel.KernelProvider kernels;
    private final dev.octet.kernel.Parallel parallel;
    private final boolean specialize;
    private final Cleaner.Cleanable releaseThreads;
    private volatile boolean closed;
    /** Output arrays reused from run to run (one pool per concurrent run). */
    private final BufferPools buffers = new BufferPools();
    private final Map<String, ExecutionPlan> specialized = Collections.synchronizedMap(
        new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ExecutionPlan> eldest) {
                return size() > SPECIALIZED_PLANS;
            }
        });

    public CompiledSession(Graph graph) {
        this(graph, SessionOptions.DEFAULTS);
    }

    public CompiledSession(Graph graph, SessionOptions options) {
        this.graph = graph;
        this.options = options;
        this.kernels = dev.octet.kernel.KernelProviders.choose(options.provider(), options.vectorBits(),
            options.warmup(), options.requireVectorKernels()).provider();
        this.parallel = options.threads() == 1 ? dev.octet.kernel.Parallel.SERIAL
            : new dev.octet.kernel.Parallel(options.threads());
        this.specialize = options.shapeSpecialization();
        try {
            var controlFlow = new dev.octet.ops.ControlFlow(dev.octet.ops.ControlFlow.DEFAULTS.compiler(),
                options.maxLoopIterations(), () -> closed);
            this.compiler = Compiler.forOptions(options,
                new dev.octet.ops.OpEnvironment(kernels, parallel).withControlFlow(controlFlow));
            this.plan = dev.octet.ops.TensorLimit.with(options.maxTensorElements(), () -> compiler.compile(graph));
        } catch (RuntimeException | Error e) {
            if (parallel != dev.octet.kernel.Parallel.SERIAL) {
                parallel.close();
            }
            throw e;
        }
        // The action holds the threads, never the session, so the session can become unreachable.
        dev.octet.kernel.Parallel threads = parallel;
        this.releaseThreads = CLEANER.register(this, threads == dev.octet.kernel.Parallel.SERIAL ? () -> { } : threads::close);
    }

    @Override
    public SessionOptions options() {
        return options;
    }

    @Override
    public String kernelDescription() {
        return kernels.describe();
    }

    @Override
    public boolean kernelsWarming() {
        return kernels.warming();
    }

    @Override
    public void close() {
        closed = true;
        releaseThreads.clean();
    }

    @Override
    public List<TensorInfo> inputs() {
        return plan.inputs().stream().map(CompiledSession::tensorInfo).toList();
    }

    @Override
    public List<TensorInfo> outputs() {
        return outputTypes().stream().map(CompiledSession::tensorInfo).toList();
    }

    private static TensorInfo tensorInfo(ValueInfo v) {
        return new TensorInfo(v.name(), v.type(), v.shape() == null ? null : v.shape().stream()
            .map(d -> d.isFixed() ? Dimension.fixed(d.value()) : d.symbol() != null ? Dimension.symbolic(d.symbol())
                : Dimension.UNKNOWN)
            .toList());
    }

    /** The inputs as the IR declares them, in declaration order (initializer-backed inputs are optional). */
    public List<ValueInfo> inputValues() {
        return plan.inputs();
    }

    public Graph graph() {
        return graph;
    }

    /** The inferred type and shape of a value (symbolic dims as declared by the inputs), or null if there is none. */
    public ValueInfo valueInfo(String name) {
        return plan.valueTypes().get(name);
    }

    /** The inferred types and shapes of the graph outputs, in declaration order. */
    public List<ValueInfo> outputTypes() {
        return plan.outputs().stream().map(v -> plan.valueTypes().getOrDefault(v.name(), v)).toList();
    }

    /** The operators the compiled plan runs, in order (after fusion and constant folding), for inspection. */
    public List<String> executionSteps() {
        return steps(plan);
    }

    /** The operators the plan specialized for these input shapes runs, for inspection. */
    public List<String> executionSteps(Map<String, int[]> inputShapes) {
        return steps(dev.octet.ops.TensorLimit.with(options.maxTensorElements(),
            () -> compiler.specialize(plan, inputShapes)));
    }

    private static List<String> steps(ExecutionPlan p) {
        return java.util.Arrays.stream(p.steps()).map(ExecutionPlan.Step::description).toList();
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        return execute(inputs, StepListener.NONE);
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs, dev.octet.api.StepListener listener) {
        if (listener == null) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "the step listener is null");
        }
        int[] index = {0};
        return execute(inputs, (step, nanos) ->
            listener.stepDone(new StepTiming(index[0]++, step.description(), step.opType(), nanos)));
    }

    private Map<String, Tensor> execute(Map<String, Tensor> inputs, StepListener listener) {
        if (closed) {
            throw new OctetException(ErrorCode.SESSION_CLOSED, "the session is closed");
        }
        if (inputs == null) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "the inputs map is null");
        }
        try {
            Map<String, Tensor> outputs = dev.octet.ops.TensorLimit.with(options.maxTensorElements(), () -> {
                for (var e : inputs.entrySet()) {
                    if (e.getValue() != null && dev.octet.ops.TensorLimit.exceeds(e.getValue().size())) {
                        throw dev.octet.ops.TensorLimit.refusal(e.getValue().size(), "input '" + e.getKey() + "'");
                    }
                }
                return Executor.run(specialize ? planFor(inputs) : plan, inputs, listener, buffers);
            });
            kernels.runFinished();
            return outputs;
        } finally {
            // Nothing else keeps the session reachable while its plan runs: without the fence the Cleaner could
            // stop the worker threads of a session the caller never closed in the middle of its run.
            java.lang.ref.Reference.reachabilityFence(this);
        }
    }

    /** The cached plan for these input shapes, specialized on first use. */
    private ExecutionPlan planFor(Map<String, Tensor> inputs) {
        Map<String, int[]> shapes = new TreeMap<>();
        for (var e : inputs.entrySet()) {
            if (e.getValue() == null) {
                return plan; // the executor reports it
            }
            shapes.put(e.getKey(), e.getValue().shapeView());
        }
        StringBuilder key = new StringBuilder();
        shapes.forEach((name, shape) -> key.append(name).append(java.util.Arrays.toString(shape)).append(';'));
        String signature = key.toString();
        ExecutionPlan p = specialized.get(signature);
        if (p != null) {
            return p;
        }
        try {
            p = compiler.specialize(plan, shapes);
        } catch (OctetException e) {
            // Shapes that contradict the model: the generic plan reports them with its own input checks.
            p = plan;
        }
        ExecutionPlan raced = specialized.putIfAbsent(signature, p);
        return raced != null ? raced : p;
    }
}
