package dev.octet.ops;

/** TODO placeholder, filled in by its owner. */
final class ReduceOps {
    private ReduceOps() {}

    static void register(OpRegistry.Builder r) {
    }
}
