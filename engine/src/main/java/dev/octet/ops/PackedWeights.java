package dev.octet.ops;

import dev.octet.api.Tensor;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Supplier;

/**
 * Weights packed at load, shared by every plan of a session. A session compiles a plan per input shape, and each
 * plan builds its operators again: without this, each would pack (and keep) its own copy of every weight matrix
 * (MiniLM: ~64 MB and up to 0.4 s more per new sequence length). Keyed by the constant tensor itself (tensors
 * compare by identity; plans share their initializers) and a description of what was packed from it; weak, so a
 * constant that only an evicted plan held is dropped with it.
 */
public final class PackedWeights {
    private final Map<Tensor, Map<String, Object>> packed = new WeakHashMap<>();

    /**
     * The value {@code pack} makes from {@code weights}, made once per {@code what}; {@code what} names everything
     * else the packing depends on (kernel, layout, other constant inputs read). Packs run under the session's
     * lock and must not call back into this cache.
     */
    @SuppressWarnings("unchecked")
    public synchronized <T> T get(Tensor weights, String what, Supplier<T> pack) {
        return (T) packed.computeIfAbsent(weights, w -> new HashMap<>()).computeIfAbsent(what, k -> pack.get());
    }
}
