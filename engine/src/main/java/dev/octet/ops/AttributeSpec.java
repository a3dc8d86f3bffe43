package dev.octet.ops;

import java.util.function.Predicate;

/**
 * One attribute an operator declares: its name, kind, default and the check its value must pass. The registry
 * reads every declared attribute when it builds the op, so a wrong kind or value fails at load naming the
 * node; the op's factory reads the checked value with {@link OpContext#get}.
 */
public record AttributeSpec<T>(String name, Kind kind, T defaultValue, Predicate<? super T> check, String requirement) {
    /** The ONNX attribute kinds Octet's declared attributes use. */
    public enum Kind { INT, FLOAT, STRING, GRAPH }

    public static AttributeSpec<Float> floatAttr(String name, float defaultValue) {
        return new AttributeSpec<>(name, Kind.FLOAT, defaultValue, v -> true, null);
    }

    public static AttributeSpec<Long> intAttr(String name, long defaultValue) {
        return new AttributeSpec<>(name, Kind.INT, defaultValue, v -> true, null);
    }

    /** A 0/1 switch (keepdims, inverse, align_corners...): any other value is refused at load. */
    public static AttributeSpec<Long> flag(String name, long defaultValue) {
        return intAttr(name, defaultValue).requiring(v -> v == 0 || v == 1, "0 or 1");
    }

    public static AttributeSpec<String> stringAttr(String name, String defaultValue) {
        return new AttributeSpec<>(name, Kind.STRING, defaultValue, v -> true, null);
    }

    /**
     * A subgraph (If's branches, a Loop or Scan body, FlexAttention's modifiers): only operators declaring one may
     * hold a graph. Absent, it reads as null; an op requiring it says so when it reads it.
     */
    public static AttributeSpec<dev.octet.ir.Graph> graphAttr(String name) {
        return new AttributeSpec<>(name, Kind.GRAPH, null, v -> true, null);
    }

    /** This attribute, whose value must also pass {@code check}; {@code requirement} says what it must be. */
    public AttributeSpec<T> requiring(Predicate<? super T> check, String requirement) {
        return new AttributeSpec<>(name, kind, defaultValue, check, requirement);
    }

    /** The node's value (or the default), checked; a bad one is an INVALID_GRAPH error naming the node. */
    T read(OpContext ctx) {
        @SuppressWarnings("unchecked")
        T value = (T) switch (kind) {
            case INT -> (Object) ctx.getInt(name, (Long) defaultValue);
            case FLOAT -> (Object) ctx.getFloat(name, (Float) defaultValue);
            case STRING -> ctx.getString(name, (String) defaultValue);
            case GRAPH -> ctx.has(name) ? ctx.requireGraph(name) : null;
        };
        if (!check.test(value)) {
            throw ctx.fail("attribute '" + name + "' must be " + requirement + ", got " + value);
        }
        return value;
    }
}
