package dev.octet.ops;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

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
                           Set<OpTrait> traits, Ref integerVariant) {
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
                integerVariant);
            if (target != null) {
                target.add(d);
            }
            return d;
        }
    }
}
