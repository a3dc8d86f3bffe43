package dev.octet.ops;

/**
 * The output type and shape rule of one operator: one {@link ShapeValue} per output (missing trailing ones
 * are unknown). A rule may return less than it could, never more; constant outputs need not be computed, as
 * shape inference runs the real op when all inputs are known. A definite contradiction is a
 * {@link ShapeDims.Incompatible} (via {@link ShapeContext#fail}).
 */
@FunctionalInterface
public interface ShapeRule {
    ShapeValue[] infer(ShapeContext c);

    /** One output of the input's type and shape: elementwise unary operators. */
    ShapeRule SAME_AS_INPUT = c -> new ShapeValue[] {ShapeValue.of(c.type(0), c.shape(0))};
}
