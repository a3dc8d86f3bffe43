package dev.octet.onnx.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The per-test tolerance table follows ONNX's own backend suite: only the listed DFT tests are widened. */
class OnnxTestRunnerTest {
    @Test
    void dftTestsGetOnnxsFftToleranceAndOthersTheDefault() {
        assertEquals(1e-6, OnnxTestRunner.absoluteTolerance("test_dft_inverse"));
        assertEquals(1e-6, OnnxTestRunner.absoluteTolerance("test_dft_opset19"));
        assertEquals(TensorComparison.DEFAULT_ATOL, OnnxTestRunner.absoluteTolerance("test_dft_rfft"));
        assertEquals(TensorComparison.DEFAULT_ATOL, OnnxTestRunner.absoluteTolerance("test_add"));
    }
}
