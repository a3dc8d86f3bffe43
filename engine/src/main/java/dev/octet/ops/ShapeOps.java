package dev.octet.ops;

/** TODO placeholder, filled in by its owner. */
final class ShapeOps {
    private ShapeOps() {}

    static void register(OpRegistry.Builder r) {
    }
}
