package dev.octet.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import dev.octet.api.InferenceSession;
import dev.octet.api.Tensor;
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

@Parameters(commandNames = "inspect", commandDescription = "Describe a model: inputs, outputs, opsets, ops, parameters, quantization style")
final class InspectCommand extends Main.Command {
    @Parameter(description = "MODEL (a path, or minilm for the bundled MiniLM)", required = true, arity = 1)
    List<String> model;

    @Override
    int call(PrintStream out) {
        Path path = dev.octet.models.BundledModels.resolve(model.get(0));
        Graph g = OnnxImporter.load(path);
        InferenceSession session = new InferenceSession(g); // compiling rejects unsupported ops and bad graphs
        out.println("model: " + SafeText.clean(path.toString()));
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
        out.println("inferred outputs:");
        for (ValueInfo v : session.outputTypes()) {
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
        Map<String, Integer> planned = new TreeMap<>();
        for (String step : session.executionSteps()) {
            planned.merge(step.substring(step.lastIndexOf("(op ") + 4, step.length() - 1), 1, Integer::sum);
        }
        out.println("compiled plan: " + session.executionSteps().size() + " steps");
        planned.forEach((op, count) -> out.printf("  %-28s %d%n", SafeText.clean(op), count));
        return 0;
    }
}
