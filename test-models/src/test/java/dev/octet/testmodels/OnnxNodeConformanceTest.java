package dev.octet.testmodels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.octet.onnx.conformance.OnnxTestRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every ONNX backend node test in ../shared/testdata/onnx-node, one dynamic test per directory. */
class OnnxNodeConformanceTest {
    @TestFactory
    Stream<DynamicTest> onnxNodeTests() throws IOException {
        List<Path> dirs = OnnxTestRunner.discover(List.of(TestData.onnxNodeTests()));
        assertEquals(398, dirs.size(), "the shared suite holds 398 tests");
        return dirs.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            OnnxTestRunner.Result r = OnnxTestRunner.run(dir);
            if (r.status() != OnnxTestRunner.Status.PASS) {
                fail(r.line());
            }
        }));
    }
}
