package dev.octet.ops;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.ir.Node;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * One operator as Octet implements it, declared in one place: its domain and name, the opset versions whose
 * semantics it implements ({@code sinceVersion} to {@code lastVersion}, both inclusive), its declared
 * attributes (checked at load), its type and shape rule, the factory of its runtime op, the traits graph
 * passes rely on, and its integer variant if it has one. Definitions are immutable; {@link OpRegistry} indexes
 * them by (domain, name, version).
 *
 * <p>{@code integerVariant} (or null) names the operator computing this one on quantized 8-bit tensors, with
 * the same attributes: its inputs are each of this op's inputs followed by its scale and zero point, then the
 * output's scale and zero point (com.microsoft QLinearAdd, QLinearLeakyRelu, ...). QdqFusion turns
 * {@code DequantizeLinear -> op -> QuantizeLinear} into it.
 */
public record OpDefinition(String domain, String name, int sinceVersion, int lastVersion,
                           List<AttributeSpec<?>> attributes, ShapeRule shapeRule, OpFactory factory,
                           Set<OpTrait> traits, Ref integerVariant, NavigableMap<Integer, Arity> inputs,
                           NavigableMap<Integer, Arity> outputs) {
    /** An operator named by domain and op type. */
    public record Ref(String domain, String name) {}

    /**
     * The last ai.onnx opset whose changes the definitions were checked against (ONNX's Changelog.md): an
     * operator whose semantics did not change through it implements every version up to it.
     */
    public static final int CHECKED_ONNX_OPSET = 28;

    public OpDefinition {
        Objects.requireNonNull(shapeRule, "shape rule of " + name);
        Objects.requireNonNull(factory, "factory of " + name);
        if (sinceVersion < 1 || lastVersion < sinceVersion) {
            throw new IllegalArgumentException(name + ": bad version range " + sinceVersion + ".." + lastVersion);
        }
        attributes = List.copyOf(attributes);
        traits = traits.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(traits));
        if (inputs.isEmpty() || inputs.firstKey() > sinceVersion || outputs.isEmpty() || outputs.firstKey() > sinceVersion) {
            throw new IllegalArgumentException(name + ": inputs and outputs must be declared from version " + sinceVersion);
        }
        inputs = Collections.unmodifiableNavigableMap(new TreeMap<>(inputs));
        outputs = Collections.unmodifiableNavigableMap(new TreeMap<>(outputs));
    }

    /** The inputs this operator takes at a version it implements. */
    public Arity inputsAt(int version) {
        return inputs.floorEntry(version).getValue();
    }

    /** The outputs this operator makes at a version it implements. */
    public Arity outputsAt(int version) {
        return outputs.floorEntry(version).getValue();
    }

    /**
     * Fails with {@link ErrorCode#INVALID_GRAPH}, naming the node, when it lists more or fewer inputs or outputs
     * than this operator takes at the version, or leaves a required input unnamed. Compilation checks every node
     * before any pass runs, so passes and ops may index the inputs and outputs their definition declares.
     */
    public void checkArity(Node node, int version) {
        check(node, "input", node.inputs(), inputsAt(version), version);
        check(node, "output", node.outputs(), outputsAt(version), version);
    }

    private void check(Node node, String what, List<String> names, Arity arity, int version) {
        String op = qualifiedName() + " at " + (domain.isEmpty() ? "opset " : "version ") + version;
        if (names.size() < arity.min() || names.size() > arity.max()) {
            throw new OctetException(ErrorCode.INVALID_GRAPH, node.describe() + " has " + names.size() + " " + what
                + (names.size() == 1 ? "" : "s") + "; " + op + " takes " + arity.describeCount());
        }
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).isEmpty() && arity.required(i)) {
                throw new OctetException(ErrorCode.INVALID_GRAPH, node.describe() + ": " + what + " " + i
                    + " is required by " + op + " but its name is empty");
            }
        }
    }

    /**
     * Fails with {@link ErrorCode#INVALID_GRAPH} when the node holds a graph in an attribute this operator does
     * not declare as one: the values such a graph reads would otherwise become extra inputs of the node.
     */
    public void checkGraphAttributes(Node node) {
        node.attributes().forEach((name, value) -> {
            boolean graph = value instanceof dev.octet.ir.Attribute.GraphAttr || value instanceof dev.octet.ir.Attribute.GraphsAttr;
            if (graph && attributes.stream().noneMatch(a -> a.kind() == AttributeSpec.Kind.GRAPH && a.name().equals(name))) {
                throw new OctetException(ErrorCode.INVALID_GRAPH, node.describe() + ": attribute '" + name
                    + "' holds a graph, but " + qualifiedName() + " takes no graph attribute of that name");
            }
        });
    }

    public boolean implementsVersion(int version) {
        return version >= sinceVersion && version <= lastVersion;
    }

    public boolean has(OpTrait trait) {
        return traits.contains(trait);
    }

    /** "ai.onnx:Relu" or "com.microsoft:QGemm". */
    public String qualifiedName() {
        return OpRegistry.displayDomain(domain) + ":" + name;
    }

    /** "opsets 6 to 28" or "version 1". */
    public String versionRange() {
        if (sinceVersion == lastVersion) {
            return (domain.isEmpty() ? "opset " : "version ") + sinceVersion;
        }
        return (domain.isEmpty() ? "opsets " : "versions ") + sinceVersion + " to " + lastVersion;
    }

    /** Builds the op for a node whose attributes this definition declares, checking them first. */
    Op create(OpContext ctx) {
        for (AttributeSpec<?> a : attributes) {
            a.read(ctx);
        }
        return factory.create(ctx);
    }

    /** Declares a definition: {@code OpDefinition.onnx("Relu", 6).shape(...).traits(...).factory(...)}. */
    public static Builder onnx(String name, int sinceVersion) {
        return new Builder(OpRegistry.ONNX_DOMAIN, name, sinceVersion, CHECKED_ONNX_OPSET);
    }

    /** A com.microsoft contrib operator (version 1, the only one Octet accepts). */
    public static Builder microsoft(String name) {
        return new Builder(OpRegistry.MICROSOFT_DOMAIN, name, 1, 1);
    }

    /** An ai.onnx.preview operator (version 1). */
    public static Builder preview(String name) {
        return new Builder(OpRegistry.PREVIEW_DOMAIN, name, 1, 1);
    }

    /** One of Octet's own fused operators, which only compiler passes create. */
    public static Builder octet(String name) {
        return new Builder(OpRegistry.OCTET_DOMAIN, name, 1, 1);
    }

    /** Collects one definition; {@link #factory} completes it. */
    public static final class Builder {
        private final String domain;
        private final String name;
        private final int since;
        private int last;
        private final List<AttributeSpec<?>> attributes = new ArrayList<>();
        private ShapeRule shapeRule;
        private final Set<OpTrait> traits = EnumSet.noneOf(OpTrait.class);
        private Ref integerVariant;
        private final NavigableMap<Integer, Arity> inputs = new TreeMap<>();
        private final NavigableMap<Integer, Arity> outputs = new TreeMap<>();
        private OpRegistry.Builder target;

        private Builder(String domain, String name, int since, int last) {
            this.domain = domain;
            this.name = name;
            this.since = since;
            this.last = last;
        }

        Builder registeringIn(OpRegistry.Builder registry) {
            this.target = registry;
            return this;
        }

        /** The last version implemented, when a later opset changed the operator's semantics. */
        public Builder until(int lastVersion) {
            this.last = lastVersion;
            return this;
        }

        /** The inputs, as an {@link Arity} pattern: {@code "rro"} for two required inputs and an optional one. */
        public Builder inputs(String pattern) {
            return inputsFrom(since, pattern);
        }

        /** The inputs from {@code version} on, when that opset changed them (an attribute became an input). */
        public Builder inputsFrom(int version, String pattern) {
            inputs.put(version, new Arity(pattern));
            return this;
        }

        /** The outputs Octet computes, as an {@link Arity} pattern. */
        public Builder outputs(String pattern) {
            return outputsFrom(since, pattern);
        }

        /** The outputs from {@code version} on, when that opset changed them. */
        public Builder outputsFrom(int version, String pattern) {
            outputs.put(version, new Arity(pattern));
            return this;
        }

        /** One required input and one output: the arity of most elementwise operators. */
        public Builder unary() {
            return inputs("r").outputs("r");
        }

        public Builder attribute(AttributeSpec<?> spec) {
            attributes.add(spec);
            return this;
        }

        public Builder shape(ShapeRule rule) {
            this.shapeRule = rule;
            return this;
        }

        public Builder traits(OpTrait... ts) {
            traits.addAll(List.of(ts));
            return this;
        }

        /** The operator computing this one on quantized tensors (see {@link OpDefinition}). */
        public Builder integerVariant(String variantDomain, String variantName) {
            this.integerVariant = new Ref(variantDomain, variantName);
            return this;
        }

        /** Completes the definition (and registers it, when it came from {@link OpRegistry.Builder}). */
        public OpDefinition factory(OpFactory factory) {
            OpDefinition d = new OpDefinition(domain, name, since, last, attributes, shapeRule, factory, traits,
                integerVariant, inputs, outputs);
            if (target != null) {
                target.add(d);
            }
            return d;
        }
    }
}
