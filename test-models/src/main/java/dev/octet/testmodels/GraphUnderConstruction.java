package dev.octet.testmodels;

import dev.octet.api.Tensor;
import dev.octet.onnx.OnnxModelBuilder;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/** A generated graph under construction: a builder, a seeded stream for its weights, and unique value names. */
abstract class GraphUnderConstruction {
    final OnnxModelBuilder b;
    final SplittableRandom random;
    private int counter;

    GraphUnderConstruction(int opset, long seed) {
        b = new OnnxModelBuilder(opset);
        random = new SplittableRandom(seed);
    }

    String fresh(String prefix) {
        return prefix + "_" + counter++;
    }

    /** An initializer under a fresh name. */
    String constant(String prefix, Tensor t) {
        String name = fresh(prefix);
        b.initializer(name, t);
        return name;
    }

    /** A one-output node; its output is named after the operator. */
    String node(String op, List<String> inputs, Object... attrs) {
        String out = fresh(op.toLowerCase(Locale.ROOT));
        b.node(op, inputs, List.of(out), attrs);
        return out;
    }
}
