package dev.octet.compile;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.Subgraphs;
import dev.octet.ir.ValueInfo;
import dev.octet.ops.OpDefinition;
import dev.octet.ops.OpEnvironment;
import dev.octet.ops.OpRegistry;
import dev.octet.ops.OpTrait;
import dev.octet.ops.ShapeContext;
import dev.octet.ops.ShapeDims;
import dev.octet.ops.ShapeValue;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Static type and shape inference over a topologically sorted graph. For every value it infers the
 * element type and the shape (fixed, symbolic or unknown dims) by the {@link dev.octet.ops.ShapeRule} of its
 * operator's definition, and for small values that are a function of shapes and constants only (the Shape →
 * Gather → Concat → Reshape subgraphs of transformers) the value itself, by running the real operator, built
 * with the session's kernels, on the known inputs.
 *
 * <p>Unknown is always a valid answer; a definite contradiction (shapes no input can make valid) is an
 * {@link ErrorCode#INVALID_GRAPH} error naming the node.
 */
public final class ShapeInference {
    /** The largest constant (in elements) evaluated or produced during inference; shape tensors are tiny. */
    static final int MAX_CONSTANT_ELEMENTS = 4096;

    /**
     * The inference of one graph. {@code types} holds every value's type and shape (type null = unknown,
     * shape null = unknown rank); {@code constants} the values computed by nodes that are known at load.
     */
    public record Result(Map<String, ValueInfo> types, Map<String, Tensor> constants) {
        public Result {
            types = Collections.unmodifiableMap(types);
            constants = Collections.unmodifiableMap(constants);
        }
    }

    private final Graph graph;
    private final OpRegistry registry;
    private final OpEnvironment env;
    private final Map<String, ShapeValue> values = new HashMap<>();

    private ShapeInference(Graph graph, OpRegistry registry, OpEnvironment env) {
        this.graph = graph;
        this.registry = registry;
        // The session's kernels on the calling thread; what evaluation packs is not kept in the session's cache.
        this.env = env.serialWithFreshCache();
    }

    /**
     * Infers with the given shapes for some inputs (by name) and the declared shapes for the others, building
     * the ops it evaluates from {@code registry} with the session's kernels in {@code env}.
     */
    public static Result infer(Graph graph, Map<String, List<Dim>> inputShapes, OpRegistry registry,
                               OpEnvironment env) {
        return new ShapeInference(graph, registry, env).run(inputShapes);
    }

    private Result run(Map<String, List<Dim>> inputShapes) {
        for (var e : graph.initializers().entrySet()) {
            values.put(e.getKey(), ShapeValue.ofConstant(e.getValue()));
        }
        // Declared inputs, including initializer-backed ones: those can be overridden at run time.
        for (ValueInfo v : graph.inputs()) {
            values.put(v.name(), ShapeValue.of(v.type(), inputShapes.getOrDefault(v.name(), v.shape())));
        }
        Map<String, Tensor> constants = new LinkedHashMap<>();
        for (Node node : graph.nodes()) {
            ShapeValue[] out = inferNode(node);
            for (int i = 0; i < node.outputs().size(); i++) {
                String name = node.outputs().get(i);
                if (!name.isEmpty()) {
                    values.put(name, out[i]);
                    if (out[i].constant() != null) {
                        constants.put(name, out[i].constant());
                    }
                }
            }
        }
        Map<String, ValueInfo> types = new LinkedHashMap<>();
        values.forEach((name, v) -> types.put(name, v.toValueInfo(name)));
        return new Result(types, constants);
    }

    private ShapeValue[] inferNode(Node node) {
        List<String> uses = Subgraphs.uses(node); // inputs, then the values subgraphs capture
        ShapeValue[] in = new ShapeValue[uses.size()];
        for (int i = 0; i < in.length; i++) {
            String name = uses.get(i);
            in[i] = name.isEmpty() ? ShapeValue.UNKNOWN : values.getOrDefault(name, ShapeValue.UNKNOWN);
        }
        int opset = OpRegistry.opsetOf(graph, node);
        OpDefinition definition = registry.find(node.domain(), node.opType(), opset).orElse(null);
        ShapeValue[] inferred = new ShapeValue[0];
        if (definition != null) {
            for (int i = 0; i < node.inputs().size(); i++) {
                checkElementType(node, definition, in[i].type(), "input " + i);
            }
            try {
                inferred = definition.shapeRule().infer(new ShapeContext(node, opset, in, env));
            } catch (ShapeDims.Incompatible e) {
                throw new OctetException(ErrorCode.INVALID_GRAPH, node.describe() + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                // A bad attribute or an unexpected input: building the op reports it; here it is just unknown.
                inferred = new ShapeValue[0];
            }
        }
        ShapeValue[] out = new ShapeValue[node.outputs().size()];
        for (int i = 0; i < out.length; i++) {
            ShapeValue v = i < inferred.length && inferred[i] != null ? inferred[i] : ShapeValue.UNKNOWN;
            Tensor fromElements = v.constant() == null ? v.elementsAsConstant() : null;
            out[i] = fromElements != null ? ShapeValue.ofConstant(fromElements) : v;
            if (definition != null) {
                checkElementType(node, definition, out[i].type(), "output " + i);
            }
        }
        if (evaluable(node, uses, in, out)) {
            evaluate(node, opset, in, out);
        }
        return out;
    }

    /** Types Octet only carries (float16, bfloat16, double) reach only operators that never compute with them. */
    private static void checkElementType(Node node, OpDefinition definition, DataType type, String what) {
        if (type != null && type.isEdgeOnly() && !definition.has(OpTrait.ANY_ELEMENT_TYPE)) {
            throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, node.describe() + ": " + what + " is " + type
                + ", which Octet only passes through (Cast, Constant and operators that move elements); "
                + definition.qualifiedName() + " does not compute in it");
        }
    }

    /**
     * True when every input is a small known constant and every output is small (Constant nodes, which have
     * no inputs, always are evaluated: they only return their attribute).
     */
    private static boolean evaluable(Node node, List<String> uses, ShapeValue[] in, ShapeValue[] out) {
        for (int i = 0; i < in.length; i++) {
            if (uses.get(i).isEmpty()) {
                continue;
            }
            Tensor c = in[i].constant();
            if (c == null || c.size() > MAX_CONSTANT_ELEMENTS) {
                return false;
            }
        }
        if (Subgraphs.hasSubgraphs(node)) {
            return false; // control flow runs when the plan folds it or at run time, never twice at load
        }
        if (uses.stream().allMatch(String::isEmpty)) {
            return true;
        }
        for (int i = 0; i < out.length; i++) {
            if (node.outputs().get(i).isEmpty()) {
                continue;
            }
            if (out[i].constant() == null && !isSmall(out[i].shape())) {
                return false;
            }
        }
        return true;
    }

    /** True for a fixed shape of at most {@link #MAX_CONSTANT_ELEMENTS} elements (no overflow on huge ones). */
    private static boolean isSmall(List<Dim> shape) {
        if (!ShapeDims.allFixed(shape)) {
            return false;
        }
        long n = 1;
        for (Dim d : shape) {
            n *= d.value();
            if (n > MAX_CONSTANT_ELEMENTS) {
                return false;
            }
        }
        return true;
    }

    /** Runs the real op on the constant inputs; its results replace the inferred facts. */
    private void evaluate(Node node, int opset, ShapeValue[] in, ShapeValue[] out) {
        Tensor[] constants = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) {
            constants[i] = in[i].constant();
        }
        Tensor[] result;
        try {
            result = registry.create(node, opset, constants, env).run(constants);
        } catch (RuntimeException e) {
            return; // it fails at run time too, or at load when the compiler builds the op
        }
        for (int i = 0; i < out.length && i < result.length; i++) {
            if (!node.outputs().get(i).isEmpty() && result[i] != null) {
                out[i] = ShapeValue.ofConstant(result[i]);
            }
        }
    }
}
