package dev.octet.ops;

/** TODO placeholder, filled in by its owner. */
final class QuantOps {
    private QuantOps() {}

    static void register(OpRegistry.Builder r) {
    }
}
