package dev.octet.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.QuantizationStyle;
import dev.octet.ir.ValueInfo;
import dev.octet.onnx.OnnxImporter;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

@Parameters(commandNames = "inspect", commandDescription = "Describe a model: inputs, outputs, opsets, ops, parameters, "
    + "quantization style, the operators Octet does not support, and the compiled plan")
final class InspectCommand extends Main.Command {
    @Parameter(description = "MODEL (a path, or minilm for the bundled MiniLM)", required = true, arity = 1)
    List<String> model;

    @Override
    int call(PrintStream out) {
        Path path = dev.octet.models.BundledModels.resolve(model.get(0));
        Graph g = OnnxImporter.load(path);
        String name = dev.octet.models.BundledModels.isBundled(model.get(0))
            ? "bundled " + model.get(0) + " (" + path.getFileName() + ")" : path.toString();
        out.println("model: " + SafeText.clean(name));
        out.println("opsets: " + SafeText.clean(new TreeMap<>(g.opsets()).entrySet().stream()
            .map(e -> (e.getKey().isEmpty() ? "ai.onnx" : e.getKey()) + ":" + e.getValue()).toList().toString()));
        out.println("inputs:");
        for (ValueInfo v : g.runtimeInputs()) {
            out.println("  " + SafeText.clean(v.describe()));
        }
        out.println("outputs:");
        for (ValueInfo v : g.outputs()) {
            out.println("  " + SafeText.clean(v.describe()));
        }
        long params = 0;
        for (Tensor t : g.initializers().values()) {
            params += t.size();
        }
        out.println("initializers: " + g.initializers().size() + " tensors, " + params + " parameters");
        Map<String, Integer> histogram = new TreeMap<>();
        for (Node n : g.nodes()) {
            String key = (n.domain().isEmpty() ? "" : n.domain() + ".") + n.opType();
            histogram.merge(key, 1, Integer::sum);
        }
        out.println("nodes: " + g.nodes().size());
        histogram.forEach((op, count) -> out.printf("  %-28s %d%n", SafeText.clean(op), count));
        out.println("quantization: " + QuantizationStyle.detect(g).name().toLowerCase(java.util.Locale.ROOT));
        reportUnsupported(g, out);

        CompiledSession session = new CompiledSession(g); // compiling rejects bad graphs and attributes
        out.println("inferred outputs:");
        for (ValueInfo v : session.outputTypes()) {
            out.println("  " + SafeText.clean(v.describe()));
        }
        Map<String, Integer> planned = new TreeMap<>();
        for (String step : session.executionSteps()) {
            planned.merge(step.substring(step.lastIndexOf("(op ") + 4, step.length() - 1), 1, Integer::sum);
        }
        out.println("compiled plan: " + session.executionSteps().size() + " steps");
        planned.forEach((op, count) -> out.printf("  %-28s %d%n", SafeText.clean(op), count));
        return 0;
    }

    /**
     * Lists every operator type and opset Octet does not support, then fails with one error summing them up;
     * prints {@code unsupported: none} otherwise.
     */
    private static void reportUnsupported(Graph g, PrintStream out) {
        List<OperatorSupport.Unsupported> ops = OperatorSupport.unsupportedOps(g);
        List<String> opsets = OperatorSupport.unsupportedOpsets(g);
        if (ops.isEmpty() && opsets.isEmpty()) {
            out.println("unsupported: none");
            return;
        }
        int nodes = ops.stream().mapToInt(OperatorSupport.Unsupported::nodes).sum();
        out.println("unsupported: " + ops.size() + " operator types (" + nodes + " nodes), " + opsets.size() + " opsets");
        for (OperatorSupport.Unsupported u : ops) {
            out.printf("  %-28s %d nodes, opset %s %d%n", SafeText.clean(u.qualifiedName()), u.nodes(),
                u.domain().isEmpty() ? "ai.onnx" : SafeText.clean(u.domain()), u.opset());
        }
        opsets.forEach(p -> out.println("  " + SafeText.oneLine(p)));
        if (!ops.isEmpty()) {
            throw new OctetException(ErrorCode.UNSUPPORTED_OP, "the model uses " + ops.size()
                + " operator types Octet does not support: " + ops.stream()
                    .map(u -> u.qualifiedName() + " (" + u.nodes() + (u.nodes() == 1 ? " node)" : " nodes)"))
                    .collect(Collectors.joining(", ")));
        }
        throw new OctetException(ErrorCode.UNSUPPORTED_OPSET, opsets.get(0)
            + (opsets.size() > 1 ? " (and " + (opsets.size() - 1) + " more)" : ""));
    }
}
