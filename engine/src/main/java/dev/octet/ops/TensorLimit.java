package dev.octet.ops;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;

/**
 * The most elements one tensor (or scratch buffer) may have while a session loads, compiles or runs on this
 * thread: the session's {@code maxTensorElements}, or {@code maxFoldedElements} while constant folding, never more
 * than {@link Tensor#HEAP_ELEMENTS}. Inputs, outputs and the buffers ops size from shapes are checked against it
 * before anything is allocated. The limit is a scoped value bound by the session around its work; code outside a
 * session sees the heap's limit, and so do worker threads, whose per-thread working buffers (im2col rows, Winograd
 * tiles) are bounded by the kernels' chunk sizes rather than by the model.
 */
public final class TensorLimit {
    private static final ScopedValue<Long> MAX_ELEMENTS = ScopedValue.newInstance();
    /** The heap's limit, boxed once: checks run on every tensor an op creates. */
    private static final Long HEAP_LIMIT = Tensor.HEAP_ELEMENTS;

    private TensorLimit() {}

    /** The limit in force on this thread. */
    public static long maxElements() {
        return MAX_ELEMENTS.orElse(HEAP_LIMIT);
    }

    /** Runs {@code op} with at most {@code maxElements} per tensor (capped by the heap's limit). */
    public static <R, X extends Throwable> R with(long maxElements, ScopedValue.CallableOp<R, X> op) throws X {
        return ScopedValue.where(MAX_ELEMENTS, Math.min(maxElements, Tensor.HEAP_ELEMENTS)).call(op);
    }

    /** Whether {@code n} elements are more than the limit in force on this thread. */
    public static boolean exceeds(long n) {
        return n > maxElements();
    }

    /**
     * The {@link ErrorCode#RESOURCE_LIMIT} refusal of {@code n} elements, more than the limit; {@code what} names the
     * allocation (a shape, an op's buffer). Callers build the name only once {@link #exceeds} said so: checks run on
     * every tensor an op creates.
     */
    public static OctetException refusal(long n, String what) {
        long max = maxElements();
        assert n > max : n + " elements are within the limit of " + max;
        String reason = max < Tensor.HEAP_ELEMENTS
            ? "the session's limit of " + max + " elements per tensor (SessionOptions.maxTensorElements, or "
                + "maxFoldedElements while folding constants)"
            : "the " + max + " floats the JVM's maximum heap of " + Runtime.getRuntime().maxMemory() / (1 << 20)
                + " MiB can hold";
        return new OctetException(ErrorCode.RESOURCE_LIMIT, what + " has " + n + " elements, more than " + reason);
    }
}
