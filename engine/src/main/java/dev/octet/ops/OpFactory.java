package dev.octet.ops;

/** Creates an {@link Op} for one node, reading and validating its attributes (at load time). */
@FunctionalInterface
public interface OpFactory {
    Op create(OpContext ctx);
}
