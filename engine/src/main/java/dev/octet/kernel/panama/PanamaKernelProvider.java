package dev.octet.kernel.panama;

import dev.octet.kernel.DepthwiseKernels;
import dev.octet.kernel.DirectConvKernels;
import dev.octet.kernel.FloatKernels;
import dev.octet.kernel.KernelProvider;
import dev.octet.kernel.PoolKernels;
import dev.octet.kernel.QuantizeKernels;
import dev.octet.kernel.QGemmKernel;
import dev.octet.kernel.WinogradKernels;

/**
 * The Vector API kernels at one vector width (128, 256 or 512 bits). Any width runs on any CPU — the
 * Vector API emulates widths the hardware lacks, slowly — which is how every variant is tested everywhere.
 * This package is the only one that imports {@code jdk.incubator.vector}.
 */
public final class PanamaKernelProvider implements KernelProvider {
    private final int bits;
    private final QGemmKernel qgemm;
    private final QGemmKernel qdot;
    private final QuantizeKernels quantize;
    private final FloatKernels floats;
    private final DepthwiseKernels depthwise;
    private final PoolKernels pool;
    private final WinogradKernels winograd;
    private final DirectConvKernels directConv;

    public PanamaKernelProvider(int bits) {
        this.bits = bits;
        this.qgemm = switch (bits) {
            case 512 -> new QGemmF32Fma512();
            case 256 -> new QGemmF32Fma256();
            case 128 -> new QGemmF32Fma128();
            default -> throw new UnsupportedOperationException("no " + bits + "-bit kernels");
        };
        this.quantize = switch (bits) {
            case 512 -> new QuantizeKernels512();
            case 256 -> new QuantizeKernels256();
            default -> new QuantizeKernels128();
        };
        this.qdot = switch (bits) {
            case 512 -> new QDotF32Fma512(quantize);
            case 256 -> new QDotF32Fma256(quantize);
            default -> new QDotF32Fma128(quantize);
        };
        this.floats = switch (bits) {
            case 512 -> new PanamaFloatKernels512();
            case 256 -> new PanamaFloatKernels256();
            default -> new PanamaFloatKernels128();
        };
        this.depthwise = switch (bits) {
            case 512 -> new DepthwiseKernels512();
            case 256 -> new DepthwiseKernels256();
            default -> new DepthwiseKernels128();
        };
        this.pool = switch (bits) {
            case 512 -> new PoolKernels512();
            case 256 -> new PoolKernels256();
            default -> new PoolKernels128();
        };
        this.winograd = switch (bits) {
            case 512 -> new WinogradKernels512();
            case 256 -> new WinogradKernels256();
            default -> new WinogradKernels128();
        };
        this.directConv = switch (bits) {
            case 512 -> new DirectConvKernels512();
            case 256 -> new DirectConvKernels256();
            default -> new DirectConvKernels128();
        };
    }

    /**
     * The int8 GEMM kernel at 256 or 512 bits with its fused tiles over prepared A reading the weights as bytes or as
     * panels widened to floats first, whichever this CPU runs faster by default: for tests and benchmarks that must
     * cover both (they give the same bits).
     */
    public static QGemmKernel qgemm(int bits, boolean byteWeightTiles) {
        return switch (bits) {
            case 512 -> new QGemmF32Fma512(byteWeightTiles);
            case 256 -> new QGemmF32Fma256(byteWeightTiles);
            default -> throw new IllegalArgumentException("no " + bits + "-bit kernel with a choice of weight tiles");
        };
    }

    /** The widest vector the JVM runs natively here (C2's MaxVectorSize and the CPU's features). */
    public static int preferredBits() {
        return jdk.incubator.vector.IntVector.SPECIES_PREFERRED.vectorBitSize();
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public int vectorBits() {
        return bits;
    }

    @Override
    public QGemmKernel qgemm() {
        return qgemm;
    }

    @Override
    public QGemmKernel qdot() {
        return qdot;
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
