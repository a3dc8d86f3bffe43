package dev.octet.kernel.scalar;

import dev.octet.kernel.DepthwiseKernels;
import dev.octet.kernel.DirectConvKernels;
import dev.octet.kernel.FloatKernels;
import dev.octet.kernel.KernelProvider;
import dev.octet.kernel.PoolKernels;
import dev.octet.kernel.QuantizeKernels;
import dev.octet.kernel.QGemmKernel;
import dev.octet.kernel.WinogradKernels;

/** The reference kernels: plain loops, present on every JVM, the oracle for every vector kernel. */
public final class ScalarKernelProvider implements KernelProvider {
    public static final ScalarKernelProvider INSTANCE = new ScalarKernelProvider();
    private final QGemmKernel qgemm = new ScalarQGemm();
    private final FloatKernels floats = new ScalarFloatKernels();
    private final QuantizeKernels quantize = new ScalarQuantizeKernels();
    private final DepthwiseKernels depthwise = new ScalarDepthwiseKernels();
    private final PoolKernels pool = new ScalarPoolKernels();
    private final WinogradKernels winograd = new ScalarWinogradKernels();
    private final DirectConvKernels directConv = new ScalarDirectConvKernels();

    private ScalarKernelProvider() {}

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public int vectorBits() {
        return 0;
    }

    @Override
    public QGemmKernel qgemm() {
        return qgemm;
    }

    @Override
    public FloatKernels floats() {
        return floats;
    }

    @Override
    public QuantizeKernels quantize() {
        return quantize;
    }

    @Override
    public DepthwiseKernels depthwise() {
        return depthwise;
    }

    @Override
    public PoolKernels pool() {
        return pool;
    }

    @Override
    public WinogradKernels winograd() {
        return winograd;
    }

    @Override
    public DirectConvKernels directConv() {
        return directConv;
    }
}
