package dev.octet.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import dev.octet.onnx.conformance.OnnxTestRunner;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

@Parameters(commandNames = "validate", commandDescription = "Run ONNX backend-test directories (model.onnx + test_data_set_*)")
final class ValidateCommand extends Main.Command {
    @Parameter(description = "DIR... (a test directory, or a directory of them)", required = true)
    List<String> dirs;

    @Parameter(names = "--allow-failures", description = "Exit 0 even when tests fail or error")
    boolean allowFailures;

    @Override
    int call(PrintStream out) throws Exception {
        List<Path> tests = OnnxTestRunner.discover(dirs.stream().map(Path::of).toList());
        int passed = 0, failed = 0, errors = 0;
        for (Path dir : tests) {
            OnnxTestRunner.Result r = OnnxTestRunner.run(dir);
            out.println(SafeText.oneLine(r.line()));
            switch (r.status()) {
                case PASS -> passed++;
                case FAIL -> failed++;
                case ERROR -> errors++;
            }
            String counts = (passed + failed + errors) + " of " + tests.size() + " tests: " + passed + " passed, "
                + failed + " failed, " + errors + " errors";
            progress.update(() -> counts);
        }
        out.println("onnx-tests: " + passed + " passed, " + failed + " failed, " + errors + " errors");
        return failed + errors == 0 || allowFailures ? 0 : 1;
    }
}
