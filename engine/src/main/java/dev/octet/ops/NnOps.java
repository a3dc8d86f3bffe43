package dev.octet.ops;

/** TODO placeholder, filled in by its owner. */
final class NnOps {
    private NnOps() {}

    static void register(OpRegistry.Builder r) {
    }
}
