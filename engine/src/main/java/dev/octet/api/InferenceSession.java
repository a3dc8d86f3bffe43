package dev.octet.api;

import java.util.List;
import java.util.Map;

/**
 * A compiled model, ready to run: get one from {@code dev.octet.Octet.load} (module {@code dev.octet.onnx}).
 * Compilation (validation, rewrites, shape inference, weight packing, constant folding) happened when the
 * session was made; {@link #run} may be called from several threads at once.
 *
 * <p>Close the session to stop its worker threads. They are daemons, so a forgotten session does not keep the
 * JVM alive, and they are stopped once the session is unreachable. A run started after {@link #close} fails
 * with {@link ErrorCode#SESSION_CLOSED}; so does a run in flight that needs the worker threads after it.
 *
 * <p>Every problem with the model or the inputs is an {@link OctetException} whose {@link ErrorCode} says
 * which kind.
 */
public interface InferenceSession extends AutoCloseable {
    /** The inputs a caller feeds, in declaration order (inputs the model gives defaults for are optional). */
    List<TensorInfo> inputs();

    /** The outputs every run returns, in declaration order, with their inferred types and shapes. */
    List<TensorInfo> outputs();

    /** The options the session was compiled with. */
    SessionOptions options();

    /** The kernels the session runs, e.g. "vector-512" or "scalar". */
    String kernelDescription();

    /**
     * Whether some of the session's kernels still run their scalar arithmetic while the background warm-up (see
     * {@link SessionOptions#warmup}) has the JIT compile their vector code. Results are the same bits either way;
     * only the speed is not yet the steady one, so a benchmark or a readiness check waits for false.
     */
    boolean kernelsWarming();

    /** Runs the model; the result maps output names to tensors in declaration order. */
    Map<String, Tensor> run(Map<String, Tensor> inputs);

    /** Runs the model, reporting every step's time to {@code listener} (for profiling). */
    Map<String, Tensor> run(Map<String, Tensor> inputs, StepListener listener);

    /** Stops the session's worker threads; idempotent. Runs after this fail with {@link ErrorCode#SESSION_CLOSED}. */
    @Override
    void close();
}
