package dev.octet.ops;

import dev.octet.kernel.KernelProvider;
import dev.octet.kernel.KernelProviders;
import dev.octet.kernel.Parallel;

/**
 * What a session gives its operators: the kernels to build with, the threads to run on, and the weights its
 * plans have packed.
 */
public record OpEnvironment(KernelProvider kernels, Parallel parallel, PackedWeights packedWeights) {
    public OpEnvironment(KernelProvider kernels, Parallel parallel) {
        this(kernels, parallel, new PackedWeights());
    }

    /** The default kernels on the calling thread only. */
    public static OpEnvironment serial() {
        return new OpEnvironment(KernelProviders.get(), Parallel.SERIAL);
    }
}
