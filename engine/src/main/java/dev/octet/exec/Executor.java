package dev.octet.exec;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import dev.octet.ir.ValueInfo;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs an {@link ExecutionPlan}. All per-run state lives in the slot array of one call. */
public final class Executor {
    private Executor() {}

    public static Map<String, Tensor> run(ExecutionPlan plan, Map<String, Tensor> inputs) {
        return run(plan, inputs, StepListener.NONE, new BufferPools());
    }

    /** Runs with output arrays reused from {@code pools}, which should live as long as the plan's session. */
    public static Map<String, Tensor> run(ExecutionPlan plan, Map<String, Tensor> inputs, StepListener listener,
                                          BufferPools pools) {
        if (inputs == null) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "the inputs map is null");
        }
        BufferPool pool = pools.take();
        pool.begin(plan);
        Tensor[] outputs = NO_TENSORS;
        try {
            Tensor[] slots = pool.slots(plan);
            bindInputs(plan, inputs, slots);
            // Two clock reads a step only for a listener: at ~50 ns each (kvm-clock) they were 7 us of a
            // MobileNetV2 run's 69 steps.
            boolean timed = listener != StepListener.NONE;
            for (ExecutionPlan.Step step : plan.steps()) {
                Tensor[] in = pool.arguments(step.inputSlots().length);
                for (int i = 0; i < in.length; i++) {
                    int s = step.inputSlots()[i];
                    in[i] = s < 0 ? null : slots[s];
                }
                long t0 = timed ? System.nanoTime() : 0;
                Tensor[] out = runStep(step, in, pool);
                if (timed) {
                    listener.stepDone(step, System.nanoTime() - t0);
                }
                Arrays.fill(in, null);
                int[] outSlots = step.outputSlots();
                for (int i = 0; i < outSlots.length; i++) {
                    if (outSlots[i] >= 0) {
                        if (i >= out.length || out[i] == null) {
                            throw new OctetException(ErrorCode.INTERNAL, step.description() + " produced no output " + i
                                + " (the compiler checks every node's outputs against its operator)");
                        }
                        slots[outSlots[i]] = out[i];
                        pool.retain(out[i]);
                    }
                }
                for (int s : step.release()) {
                    if (slots[s] != null) {
                        pool.release(slots[s]);
                        slots[s] = null;
                    }
                }
            }
            outputs = new Tensor[plan.outputs().size()];
            Map<String, Tensor> result = new LinkedHashMap<>();
            for (int i = 0; i < outputs.length; i++) {
                outputs[i] = slots[plan.outputSlots()[i]];
                result.put(plan.outputs().get(i).name(), outputs[i]);
            }
            return result;
        } finally {
            pool.end(outputs);
            pools.put(pool);
        }
    }

    private static final Tensor[] NO_TENSORS = new Tensor[0];

    private static Tensor[] runStep(ExecutionPlan.Step step, Tensor[] in, BufferPool pool) {
        try {
            return step.op().run(in, pool);
        } catch (OctetException e) {
            throw new OctetException(e.code(), step.description() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // Ops report bad models and inputs as OctetException; anything else is Octet's own bug.
            throw new OctetException(ErrorCode.INTERNAL, step.description() + " failed on inputs "
                + Arrays.toString(in) + ": " + e, e);
        } catch (OutOfMemoryError e) {
            // Every tensor passed its size check, but together they outgrew the heap. The failed allocation is
            // abandoned with the step, so the heap has room again for the caller.
            throw new OctetException(ErrorCode.RESOURCE_LIMIT, step.description() + ": the run's tensors do not fit in "
                + "the Java heap (at most " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB; " + e.getMessage()
                + "): start the JVM with a larger -Xmx, or bound tensors with SessionOptions.maxTensorElements", e);
        }
    }

    private static void bindInputs(ExecutionPlan plan, Map<String, Tensor> inputs, Tensor[] slots) {
        List<ValueInfo> declared = plan.inputs();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < declared.size(); i++) {
            index.put(declared.get(i).name(), i);
        }
        for (String name : inputs.keySet()) {
            if (!index.containsKey(name)) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "unknown input name '" + name + "', expected one of "
                    + declared.stream().map(ValueInfo::name).toList());
            }
        }
        Map<String, Integer> symbols = new HashMap<>();
        for (int i = 0; i < declared.size(); i++) {
            ValueInfo v = declared.get(i);
            Tensor t = inputs.get(v.name());
            if (t == null) {
                if (plan.constants()[plan.inputSlots()[i]] != null) {
                    continue; // an initializer-backed input keeps its default
                }
                throw new OctetException(ErrorCode.INVALID_INPUT, "missing input '" + v.name() + "' (" + v.describe() + ")");
            }
            checkInput(v, t, symbols);
            slots[plan.inputSlots()[i]] = t;
        }
    }

    private static void checkInput(ValueInfo v, Tensor t, Map<String, Integer> symbols) {
        DataType want = v.type();
        if (want != null && t.type() != want) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "input '" + v.name() + "' must be " + want
                + ", got " + t.type());
        }
        List<Dim> shape = v.shape();
        if (shape == null) {
            return;
        }
        int[] actual = t.shapeView();
        if (actual.length != shape.size()) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "input '" + v.name() + "' must have rank " + shape.size()
                + " " + shape + ", got shape " + Arrays.toString(actual));
        }
        for (int d = 0; d < actual.length; d++) {
            Dim dim = shape.get(d);
            if (dim.isFixed() && dim.value() != actual[d]) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "input '" + v.name() + "' must have shape " + shape
                    + ", got " + Arrays.toString(actual) + " (dimension " + d + ")");
            }
            if (dim.symbol() != null) {
                Integer prev = symbols.putIfAbsent(dim.symbol(), actual[d]);
                if (prev != null && prev != actual[d]) {
                    throw new OctetException(ErrorCode.INVALID_INPUT, "dimension '" + dim.symbol() + "' of input '"
                        + v.name() + "' is " + actual[d] + " but another input has it as " + prev);
                }
            }
        }
    }
}
