package dev.octet.exec;

import dev.octet.api.Tensor;
import dev.octet.ir.ValueInfo;
import dev.octet.ops.Op;
import java.util.List;

/**
 * The compiled, immutable form of a graph: steps in execution order over numbered value slots.
 * Constants (initializers and folded values) are pre-filled slots; {@code release} lists the slots a step
 * is the last reader of, so the executor drops intermediate tensors as soon as they are dead.
 */
public record ExecutionPlan(List<ValueInfo> inputs, int[] inputSlots, List<ValueInfo> outputs, int[] outputSlots,
                            Step[] steps, Tensor[] constants, int slotCount) {

    /** One op application: where its inputs come from (-1 = omitted), where its outputs go (-1 = unused). */
    public record Step(String description, Op op, int[] inputSlots, int[] outputSlots, int[] release) {}
}
