package dev.octet.api;

/**
 * Observes a run step by step, for profiling: see {@link InferenceSession#run(java.util.Map, StepListener)}.
 * Called on the thread that runs the model, after every step; a slow listener slows the run down.
 */
@FunctionalInterface
public interface StepListener {
    void stepDone(StepTiming step);
}
