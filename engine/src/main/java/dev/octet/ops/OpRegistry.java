package dev.octet.ops;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.Subgraphs;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Every operator Octet implements, as {@link OpDefinition}s keyed by (domain, op type, version). Lookups that
 * fail raise {@link ErrorCode#UNSUPPORTED_OP} or {@link ErrorCode#UNSUPPORTED_OPSET} naming the node.
 */
public final class OpRegistry {
    public static final String ONNX_DOMAIN = "";
    public static final String MICROSOFT_DOMAIN = "com.microsoft";
    /** ONNX's preview operators (FlexAttention), version 1. */
    public static final String PREVIEW_DOMAIN = "ai.onnx.preview";
    /** Octet's own fused operators, created by compiler passes; models cannot name this domain. */
    public static final String OCTET_DOMAIN = "dev.octet";
    /** Highest ai.onnx opset a model may import; each operator's definition says which versions it implements. */
    public static final int MAX_ONNX_OPSET = OpDefinition.CHECKED_ONNX_OPSET;
    /**
     * Lowest ai.onnx opset accepted. Every opset is: a node's operator resolves to the definition implementing the
     * model's opset, and each definition starts at the ONNX version whose semantics it implements, so an operator
     * that changed since (Add-6 broadcast with an axis attribute; Octet's Add starts at 7) refuses itself with
     * UNSUPPORTED_OPSET, while those unchanged since opset 1 (Not, Conv, MatMul, ...) run.
     */
    public static final int MIN_ONNX_OPSET = 1;
    public static final int MAX_MICROSOFT_OPSET = 1;

    /** Whether Octet can run an operator at a version: see {@link #support}. */
    public enum Support { SUPPORTED, UNSUPPORTED_OP, UNSUPPORTED_VERSION }

    /** An operator type a graph uses that Octet does not implement (at the imported version), with its node count. */
    public record Unsupported(String domain, String opType, int opset, Support reason, int nodes) {}

    private static final OpRegistry DEFAULT = createDefault();

    /** "domain:opType" -> its definitions, by ascending since-version, with disjoint version ranges. */
    private final Map<String, List<OpDefinition>> definitions;

    private OpRegistry(Map<String, List<OpDefinition>> definitions) {
        this.definitions = Map.copyOf(definitions);
    }

    public static OpRegistry defaults() {
        return DEFAULT;
    }

    /** Every definition, in no particular order. */
    public List<OpDefinition> all() {
        return definitions.values().stream().flatMap(List::stream).toList();
    }

    private static OpRegistry createDefault() {
        Builder b = new Builder();
        ElementwiseOps.register(b);
        MathOps.register(b);
        ActivationOps.register(b);
        ReduceOps.register(b);
        ShapeOps.register(b);
        NnOps.register(b);
        QuantOps.register(b);
        MatMulIntegerToFloatOp.register(b);
        TransformerOps.register(b);
        LossOps.register(b);
        IndexOps.register(b);
        WindowOps.register(b);
        DetectionOps.register(b);
        RotaryEmbeddingOp.register(b);
        OnnxAttentionOp.register(b);
        GridSampleOp.register(b);
        SpectralOps.register(b);
        RecurrentOps.register(b);
        CausalConvWithStateOp.register(b);
        LinearAttentionOp.register(b);
        TfIdfVectorizerOp.register(b);
        DeformConvOp.register(b);
        ControlFlowOps.register(b);
        OptionalOps.register(b);
        FlexAttentionOp.register(b);
        return b.build();
    }

    /** Collects definitions; one per (domain, op type, version). */
    public static final class Builder {
        private final Map<String, List<OpDefinition>> definitions = new HashMap<>();

        /** Starts an ai.onnx definition whose semantics hold from opset {@code since}; {@code factory} registers it. */
        public OpDefinition.Builder onnx(String opType, int since) {
            return OpDefinition.onnx(opType, since).registeringIn(this);
        }

        public OpDefinition.Builder preview(String opType) {
            return OpDefinition.preview(opType).registeringIn(this);
        }

        public OpDefinition.Builder microsoft(String opType) {
            return OpDefinition.microsoft(opType).registeringIn(this);
        }

        public OpDefinition.Builder octet(String opType) {
            return OpDefinition.octet(opType).registeringIn(this);
        }

        public void add(OpDefinition d) {
            List<OpDefinition> list = definitions.computeIfAbsent(key(d.domain(), d.name()), k -> new ArrayList<>());
            for (OpDefinition other : list) {
                if (d.sinceVersion() <= other.lastVersion() && other.sinceVersion() <= d.lastVersion()) {
                    throw new IllegalStateException("registered twice: " + d.qualifiedName() + " " + d.versionRange());
                }
            }
            list.add(d);
            list.sort(Comparator.comparingInt(OpDefinition::sinceVersion));
        }

        public OpRegistry build() {
            Map<String, List<OpDefinition>> copy = new HashMap<>();
            definitions.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            return new OpRegistry(copy);
        }
    }

    private static String key(String domain, String opType) {
        return normalizeDomain(domain) + ":" + opType;
    }

    /** "ai.onnx" and "" both name the default domain. */
    public static String normalizeDomain(String domain) {
        return domain == null || domain.equals("ai.onnx") ? ONNX_DOMAIN : domain;
    }

    /** The domain as messages show it: "ai.onnx" for the default one. */
    static String displayDomain(String domain) {
        String d = normalizeDomain(domain);
        return d.isEmpty() ? "ai.onnx" : d;
    }

    /**
     * The version of a node's domain in force for it: the imported ai.onnx opset; for other domains the imported
     * version, or 1 for the fused operators passes create in domains the model does not import.
     */
    public static int opsetOf(Graph graph, Node node) {
        String domain = normalizeDomain(node.domain());
        return domain.isEmpty() ? graph.opset(domain) : graph.opsets().getOrDefault(domain, 1);
    }

    /** Whether Octet implements an operator at a version: for tools that report what a model needs. */
    public Support support(String domain, String opType, int version) {
        List<OpDefinition> defs = definitions.get(key(domain, opType));
        if (defs == null) {
            return Support.UNSUPPORTED_OP;
        }
        return find(domain, opType, version).isPresent() ? Support.SUPPORTED : Support.UNSUPPORTED_VERSION;
    }

    /** The definition implementing an operator at a version, if any. */
    public Optional<OpDefinition> find(String domain, String opType, int version) {
        for (OpDefinition d : definitions.getOrDefault(key(domain, opType), List.of())) {
            if (d.implementsVersion(version)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /** The definition for a node at its domain's version; fails naming the node when there is none. */
    public OpDefinition definition(Node node, int version) {
        List<OpDefinition> defs = definitions.get(key(node.domain(), node.opType()));
        String op = displayDomain(node.domain()) + ":" + node.opType();
        if (defs == null) {
            throw new OctetException(ErrorCode.UNSUPPORTED_OP, node.describe() + ": operator " + op
                + " is not supported by Octet");
        }
        String at = (normalizeDomain(node.domain()).isEmpty() ? "opset " : "version ") + version;
        return find(node.domain(), node.opType(), version).orElseThrow(() -> new OctetException(
            ErrorCode.UNSUPPORTED_OPSET, node.describe() + ": " + op + " at " + at
                + " is not supported (Octet implements " + defs.stream().map(OpDefinition::versionRange).collect(Collectors.joining(", ")) + ")"));
    }

    /** True when the node's operator, at the graph's version for its domain, has the trait. */
    public boolean has(Graph graph, Node node, OpTrait trait) {
        return find(node.domain(), node.opType(), opsetOf(graph, node)).map(d -> d.has(trait)).orElse(false);
    }

    /**
     * The operator types of a graph, its subgraphs included, that Octet cannot run at the versions the graph
     * imports, in order of their first node, with the number of nodes of each.
     */
    public List<Unsupported> unsupported(Graph graph) {
        Map<String, Unsupported> found = new LinkedHashMap<>();
        for (Node n : Subgraphs.allNodes(graph)) {
            int version = opsetOf(graph, n);
            Support s = support(n.domain(), n.opType(), version);
            if (s != Support.SUPPORTED) {
                found.merge(key(n.domain(), n.opType()) + "@" + version,
                    new Unsupported(normalizeDomain(n.domain()), n.opType(), version, s, 1),
                    (a, b) -> new Unsupported(a.domain(), a.opType(), a.opset(), a.reason(), a.nodes() + 1));
            }
        }
        return List.copyOf(found.values());
    }

    /**
     * Fails when the graph has an operator Octet does not implement: the error names the first such node and
     * how many other operator types (with their node counts) are missing, so one load shows the whole gap.
     */
    public void checkOperators(Graph graph) {
        List<Unsupported> missing = unsupported(graph).stream()
            .filter(u -> u.reason() == Support.UNSUPPORTED_OP).toList();
        if (missing.isEmpty()) {
            return;
        }
        Unsupported first = missing.get(0);
        Node node = Subgraphs.allNodes(graph).stream()
            .filter(n -> n.opType().equals(first.opType()) && normalizeDomain(n.domain()).equals(first.domain()))
            .findFirst().orElseThrow();
        StringBuilder m = new StringBuilder(node.describe()).append(": operator ").append(displayDomain(first.domain()))
            .append(':').append(first.opType()).append(" is not supported by Octet");
        if (first.nodes() > 1) {
            m.append(" (").append(first.nodes()).append(" nodes)");
        }
        if (missing.size() > 1) {
            m.append("; and ").append(missing.size() - 1).append(" more unsupported operator")
                .append(missing.size() > 2 ? "s" : "").append(": ");
            m.append(missing.subList(1, missing.size()).stream()
                .map(u -> (u.domain().isEmpty() ? "" : u.domain() + ":") + u.opType()
                    + (u.nodes() > 1 ? " (" + u.nodes() + " nodes)" : ""))
                .collect(Collectors.joining(", ")));
        }
        throw new OctetException(ErrorCode.UNSUPPORTED_OP, m.toString());
    }

    /** Checks that a domain's imported opset version is one Octet implements. */
    public static void checkOpset(String domain, int version) {
        String d = normalizeDomain(domain);
        if (d.equals(ONNX_DOMAIN)) {
            if (version < MIN_ONNX_OPSET || version > MAX_ONNX_OPSET) {
                throw new OctetException(ErrorCode.UNSUPPORTED_OPSET, "ai.onnx opset " + version
                    + " is not supported (Octet implements opsets " + MIN_ONNX_OPSET + " to " + MAX_ONNX_OPSET + ")");
            }
        } else if (d.equals(OCTET_DOMAIN)) {
            throw new OctetException(ErrorCode.UNSUPPORTED_OPSET, "the model imports Octet's internal domain "
                + OCTET_DOMAIN + ", which models may not use");
        } else if (d.equals(MICROSOFT_DOMAIN)) {
            if (version < 1 || version > MAX_MICROSOFT_OPSET) {
                throw new OctetException(ErrorCode.UNSUPPORTED_OPSET, "com.microsoft opset " + version
                    + " is not supported (Octet implements version 1)");
            }
        }
    }

    /** Builds the op for a node with the default kernels on the calling thread; the opset is its domain's version. */
    public Op create(Node node, int opset, Tensor[] constantInputs) {
        return create(node, opset, constantInputs, OpEnvironment.serial());
    }

    public Op create(Node node, int opset, Tensor[] constantInputs, OpEnvironment env) {
        return create(node, opset, constantInputs, env, new dev.octet.ir.ValueInfo[0]);
    }

    /** With what inference knows of the inputs (and captures), which control-flow ops pass to their subgraphs. */
    public Op create(Node node, int opset, Tensor[] constantInputs, OpEnvironment env,
                     dev.octet.ir.ValueInfo[] inputTypes) {
        return create(node, opset, constantInputs, env, inputTypes, new boolean[0]);
    }

    /** Also with which inputs are the graph's initializers (see {@link OpContext#initializerInput}). */
    public Op create(Node node, int opset, Tensor[] constantInputs, OpEnvironment env,
                     dev.octet.ir.ValueInfo[] inputTypes, boolean[] initializers) {
        return definition(node, opset).create(new OpContext(node, opset, constantInputs, env, inputTypes,
            initializers));
    }
}
