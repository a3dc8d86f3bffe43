package dev.octet.ops;

import dev.octet.api.Tensor;

/**
 * A ready-to-run operator: attributes were read and checked when it was created, so {@code run} only
 * computes. Omitted optional inputs arrive as null. Implementations hold no per-run state, so one Op may
 * serve concurrent runs.
 *
 * <p>Ops that fill large outputs take their arrays from the run's {@link Buffers} ({@link #withBuffers});
 * the others allocate.
 */
@FunctionalInterface
public interface Op {
    Tensor[] run(Tensor[] inputs);

    /** Runs with output arrays from {@code buffers} where the op supports it. */
    default Tensor[] run(Tensor[] inputs, Buffers buffers) {
        return run(inputs);
    }

    /** An op whose outputs come from the run's buffers. */
    static Op withBuffers(Buffered body) {
        return new Op() {
            @Override
            public Tensor[] run(Tensor[] inputs) {
                return body.run(inputs, Buffers.FRESH);
            }

            @Override
            public Tensor[] run(Tensor[] inputs, Buffers buffers) {
                return body.run(inputs, buffers);
            }
        };
    }

    /** The body of an op that takes its output arrays from {@link Buffers}. */
    @FunctionalInterface
    interface Buffered {
        Tensor[] run(Tensor[] inputs, Buffers buffers);
    }
}
