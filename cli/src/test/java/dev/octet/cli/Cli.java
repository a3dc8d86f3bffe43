package dev.octet.cli;

import dev.octet.api.DataType;
import dev.octet.onnx.OnnxModelBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Runs the command line in-process, as the tests of the commands do. */
final class Cli {
    private Cli() {}

    record Outcome(int status, String out, String err) {
        String lastLine() {
            List<String> lines = out.strip().lines().toList();
            return lines.get(lines.size() - 1);
        }
    }

    /** z = x + y on float[batch, 3] inputs, written to DIR/add.onnx: the smallest model with two inputs and a symbol. */
    static Path addModel(Path dir) throws IOException {
        return new OnnxModelBuilder(17)
            .input("x", DataType.FLOAT, "batch", 3)
            .input("y", DataType.FLOAT, "batch", 3)
            .output("z", DataType.FLOAT, "batch", 3)
            .node("Add", List.of("x", "y"), List.of("z"))
            .write(dir.resolve("add.onnx"));
    }

    static Outcome octet(String... args) {
        return octetWithStdin(new byte[0], args);
    }

    static Outcome octetWithStdin(byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new ByteArrayInputStream(stdin), new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
