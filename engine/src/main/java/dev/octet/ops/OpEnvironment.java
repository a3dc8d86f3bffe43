package dev.octet.ops;

import dev.octet.kernel.KernelProvider;
import dev.octet.kernel.KernelProviders;
import dev.octet.kernel.Parallel;

/**
 * What a session gives its operators: the kernels to build with, the threads to run on, the weights its
 * plans have packed, and what control-flow operators need (a compiler for their subgraphs, the iteration
 * limit, whether the session is still open).
 */
public record OpEnvironment(KernelProvider kernels, Parallel parallel, PackedWeights packedWeights,
                            ControlFlow controlFlow) {
    public OpEnvironment(KernelProvider kernels, Parallel parallel) {
        this(kernels, parallel, new PackedWeights(), ControlFlow.DEFAULTS);
    }

    /** The default kernels on the calling thread only. */
    public static OpEnvironment serial() {
        return new OpEnvironment(KernelProviders.get(), Parallel.SERIAL);
    }

    /** The same kernels and control flow on the calling thread, packing into a cache of its own. */
    public OpEnvironment serialWithFreshCache() {
        return new OpEnvironment(kernels, Parallel.SERIAL, new PackedWeights(), controlFlow);
    }

    public OpEnvironment withControlFlow(ControlFlow c) {
        return new OpEnvironment(kernels, parallel, packedWeights, c);
    }
}
