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

    /** Columns up to which a product takes {@link #qgemmNarrow}. */
    int NARROW_COLUMNS = 16;

    /**
     * The int8 GEMM for products of at most {@link #NARROW_COLUMNS} columns (Winograd's, for a 16-channel
     * convolution): the same results as {@link #qgemm}; by default it is {@link #qgemm}. At 512 bits it is the 256-bit GEMM, whose tiles of
     * two 8-lane vectors cover 16 columns with one broadcast per two FMAs, where the 512-bit one-vector tiles need
     * one per FMA (Zen 4: 44 against 34 GMAC/s at K = 48).
     */
    default QGemmKernel qgemmNarrow() {
        return qgemm();
    }

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

    /** A session finished a run with these kernels (a provider that warms up in the background starts then). */
    default void runFinished() {
    }
}
