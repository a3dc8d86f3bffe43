package dev.octet.cli;

import static dev.octet.cli.Cli.octet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.cli.Cli.Outcome;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Graph;
import dev.octet.onnx.OnnxImporter;
import dev.octet.onnx.OnnxModelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code octet inspect} lists every operator of a model that Octet does not support, with node counts and opset. */
class UnsupportedOpsTest {
    @TempDir
    Path tmp;

    @Test
    void inspectListsEveryUnsupportedOperatorThenFails() throws Exception {
        Path model = new OnnxModelBuilder(17)
            .opset("com.example", 3)
            .input("x", DataType.FLOAT, 2)
            .output("y", DataType.FLOAT, 2)
            .node("FrobnicateLinear", List.of("x"), List.of("a"))
            .node("com.example", "Zap", List.of("a"), List.of("b"))
            .node("FrobnicateLinear", List.of("b"), List.of("c"))
            .node("Relu", List.of("c"), List.of("y"))
            .write(tmp.resolve("unsupported.onnx"));
        Outcome o = octet("inspect", model.toString());
        assertEquals(Main.FAILED, o.status());
        assertEquals("octet: error: the model uses 2 operator types Octet does not support: FrobnicateLinear (2 nodes), "
            + "com.example.Zap (1 node) [UNSUPPORTED_OP]", o.err().strip());
        List<String> lines = o.out().lines().toList();
        int at = lines.indexOf("unsupported: 2 operator types (3 nodes), 0 opsets");
        assertTrue(at > 0, o.out());
        assertEquals(List.of("FrobnicateLinear 2 nodes, opset ai.onnx 17", "com.example.Zap 1 nodes, opset com.example 3"),
            lines.subList(at + 1, at + 3).stream().map(l -> l.strip().replaceAll("\\s+", " ")).toList());
        assertTrue(o.out().contains("nodes: 4"), o.out());
    }

    @Test
    void inspectListsUnsupportedOpsets() throws Exception {
        Path model = new OnnxModelBuilder(99).input("x", DataType.FLOAT, 2).output("y", DataType.FLOAT, 2)
            .node("Relu", List.of("x"), List.of("y")).write(tmp.resolve("future.onnx"));
        Outcome o = octet("inspect", model.toString());
        assertEquals(Main.FAILED, o.status());
        assertTrue(o.out().contains("unsupported: 0 operator types (0 nodes), 1 opsets\n  ai.onnx opset 99 is not supported"),
            o.out());
        assertTrue(o.err().startsWith("octet: error: ai.onnx opset 99 is not supported")
            && o.err().strip().endsWith("[UNSUPPORTED_OPSET]"), o.err());
    }

    @Test
    void supportedModelSaysNoneAndShowsThePlan() throws Exception {
        Path model = new OnnxModelBuilder(17).input("x", DataType.FLOAT, 2).output("y", DataType.FLOAT, 2)
            .node("Relu", List.of("x"), List.of("y")).write(tmp.resolve("relu.onnx"));
        Outcome o = octet("inspect", model.toString());
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("unsupported: none\n"), o.out());
        assertTrue(o.out().contains("compiled plan: 1 steps"), o.out());
    }

    /**
     * Against the engine itself on the ONNX backend tests: a model inspect finds fully supported never fails to
     * compile with UNSUPPORTED_OP, and one where it lists operators does.
     */
    @Test
    void agreesWithTheCompilerOnTheOnnxNodeSuite() throws Exception {
        String prop = System.getProperty("octet.shared.dir");
        Path suite = (prop != null ? Path.of(prop) : Path.of("..", "..", "shared")).resolve("testdata/onnx-node-full");
        assertTrue(Files.isDirectory(suite), "shared test data not found at " + suite.toAbsolutePath());
        List<Path> models;
        try (Stream<Path> dirs = Files.list(suite)) {
            models = dirs.map(d -> d.resolve("model.onnx")).filter(Files::isRegularFile).sorted().toList();
        }
        assertTrue(models.size() > 1000, "models: " + models.size());
        int unsupportedModels = 0;
        List<String> disagreements = new ArrayList<>();
        for (Path m : models) {
            Graph g;
            try {
                g = OnnxImporter.load(m);
            } catch (OctetException e) {
                continue; // not importable: inspect fails before listing anything
            }
            List<OperatorSupport.Unsupported> listed = OperatorSupport.unsupportedOps(g);
            boolean opsetsOk = OperatorSupport.unsupportedOpsets(g).isEmpty();
            ErrorCode code = null;
            String message = "";
            try (CompiledSession s = new CompiledSession(g)) {
                // compiled
            } catch (OctetException e) {
                code = e.code();
                message = e.getMessage();
            }
            if (!listed.isEmpty()) {
                unsupportedModels++;
                // The compiler stops at the first node it cannot build, which may be an earlier, unsupported
                // variant of a registered op (a type, an attribute): any UNSUPPORTED_OP agrees.
                if (opsetsOk && code != ErrorCode.UNSUPPORTED_OP) {
                    disagreements.add(m.getParent().getFileName() + ": listed " + listed + ", compiler " + code + " " + message);
                }
            } else if (code == ErrorCode.UNSUPPORTED_OP) {
                disagreements.add(m.getParent().getFileName() + ": none listed, compiler " + message);
            }
        }
        assertTrue(disagreements.isEmpty(), disagreements.size() + " disagreements:\n" + String.join("\n", disagreements));
        // Octet implements every operator of the suite, so only the second direction runs here (the first is
        // inspectListsEveryUnsupportedOperatorThenFails's); an operator the suite gains shows up in this count.
        assertEquals(0, unsupportedModels, "the suite has operators Octet lacks: check them above");
    }
}
