package dev.octet.kernel;

/**
 * One implementation of every kernel family: the scalar reference, or the Vector API kernels at a given
 * vector width. Chosen once per session (see {@link KernelProviders}); operators ask it for kernels when
 * they are built, so the choice and the weight packing happen at load.
 */
public interface KernelProvider {
    /** "scalar" or "vector". */
    String name();

    /** The vector width the kernels use, 0 for scalar. */
    int vectorBits();

    QGemmKernel qgemm();

    /**
     * The int8 GEMM for products with few columns (a convolution with a handful of output channels): dot products
     * along K, which use every vector lane where {@link #qgemm}'s column panels would use one per column. Same
     * results as {@link #qgemm}; by default it is {@link #qgemm}.
     */
    default QGemmKernel qdot() {
        return qgemm();
    }

    FloatKernels floats();

    QuantizeKernels quantize();

    DepthwiseKernels depthwise();

    PoolKernels pool();

    /** The transforms of Winograd convolutions. */
    WinogradKernels winograd();

    /** The sums of convolutions with few channels on one side, read from a float band ({@link DirectConv}). */
    DirectConvKernels directConv();

    default String describe() {
        return vectorBits() == 0 ? name() : name() + "-" + vectorBits();
    }

    /**
     * Whether some kernels still run their scalar arithmetic while a background warm-up has their vector code
     * compiled: the same results, not yet the steady speed. False for providers without a warm-up.
     */
    default boolean warming() {
        return false;
    }

    /** A session finished a run with these kernels (a provider that warms up in the background starts then). */
    default void runFinished() {
    }
}
