package dev.octet.api;

/**
 * How long one step of a run took. A step is one operator of the compiled plan, after fusion and constant
 * folding, so a run has fewer steps than the model has nodes; a run's steps come in execution order.
 *
 * @param index       the step's position in the run, from 0
 * @param description what the step runs, e.g. {@code node 'attn/MatMul' (op MatMulInteger)}
 * @param opType      the operator, with its domain unless it is the default one, e.g. {@code com.microsoft.QGemm}
 * @param nanos       the step's wall time
 */
public record StepTiming(int index, String description, String opType, long nanos) {}
