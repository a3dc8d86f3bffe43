package dev.octet.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ExecutionPlanStepTest {
    private static ExecutionPlan.Step step(String description) {
        return new ExecutionPlan.Step(description, null, new int[0], new int[0], new int[0]);
    }

    @Test
    void opTypeComesFromTheLastOpTailOfTheDescription() {
        assertEquals("com.microsoft.QGemm", step("node 'odd (op name)' (op com.microsoft.QGemm)").opType());
        assertEquals("MatMulInteger", step("node 'mm' (op MatMulInteger)").opType());
    }

    @Test
    void aDescriptionWithoutTheTailHasNoOpTypeToReadWithoutAnOp() {
        assertEquals("?", step("fused attention").opType());
        assertEquals("?", step("node 'x' (op )").opType());
    }
}
