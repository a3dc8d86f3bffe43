package dev.octet.exec;

import dev.octet.api.Tensor;
import dev.octet.ir.Graph;
import dev.octet.ir.ValueInfo;
import dev.octet.ops.Op;
import java.util.List;
import java.util.Map;

/**
 * The compiled, immutable form of a graph: steps in execution order over numbered value slots.
 * Constants (initializers and folded values) are pre-filled slots; {@code release} lists the slots a step
 * is the last reader of, so the executor drops intermediate tensors as soon as they are dead.
 *
 * <p>{@code graph} is the rewritten graph the plan was built from, {@code folded} the node outputs computed
 * at load (by name), both kept so the plan can be specialized for concrete input shapes without redoing
 * that work; {@code valueTypes} holds every value's inferred type and shape; {@code modelWeights} are the model's own
 * initializers (by identity: not those that passes or folding made), which ops following ONNX Runtime's packed
 * kernels need to tell apart.
 */
public record ExecutionPlan(List<ValueInfo> inputs, int[] inputSlots, List<ValueInfo> outputs, int[] outputSlots,
                            Step[] steps, Tensor[] constants, int slotCount, Graph graph,
                            Map<String, Tensor> folded, Map<String, ValueInfo> valueTypes,
                            java.util.Set<Tensor> modelWeights) {

    /** One op application: where its inputs come from (-1 = omitted), where its outputs go (-1 = unused). */
    public record Step(String description, Op op, int[] inputSlots, int[] outputSlots, int[] release) {
        /**
         * The operator, as {@code inspect} names it: the compiler describes steps as {@code node 'NAME' (op
         * DOMAIN.OP_TYPE)}; a description without that tail falls back to the operator's class.
         */
        public String opType() {
            int at = description.lastIndexOf("(op ");
            if (at >= 0 && description.endsWith(")") && at + 4 < description.length() - 1) {
                return description.substring(at + 4, description.length() - 1);
            }
            return op == null ? "?" : op.getClass().getSimpleName();
        }
    }
}
