package dev.octet.exec;

/** Observes a run step by step, e.g. to time operators. Called on the thread that runs the plan. */
public interface StepListener {
    StepListener NONE = (step, nanos) -> { };

    /** Step {@code step} of the plan took {@code nanos} nanoseconds. */
    void stepDone(ExecutionPlan.Step step, long nanos);
}
