package dev.octet.ops;

import dev.octet.kernel.KernelProvider;
import dev.octet.kernel.KernelProviders;
import dev.octet.kernel.Parallel;

/** What a session gives its operators: the kernels to build with and the threads to run on. */
public record OpEnvironment(KernelProvider kernels, Parallel parallel) {
    /** The default kernels on the calling thread only. */
    public static OpEnvironment serial() {
        return new OpEnvironment(KernelProviders.get(), Parallel.SERIAL);
    }
}
