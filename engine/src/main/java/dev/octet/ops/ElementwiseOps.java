package dev.octet.ops;

/** TODO placeholder, filled in by its owner. */
final class ElementwiseOps {
    private ElementwiseOps() {}

    static void register(OpRegistry.Builder r) {
    }
}
