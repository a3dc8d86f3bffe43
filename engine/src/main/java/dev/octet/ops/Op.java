package dev.octet.ops;

import dev.octet.api.Tensor;

/**
 * A ready-to-run operator: attributes were read and checked when it was created, so {@code run} only
 * computes. Omitted optional inputs arrive as null. Implementations hold no per-run state, so one Op may
 * serve concurrent runs.
 */
@FunctionalInterface
public interface Op {
    Tensor[] run(Tensor[] inputs);
}
