package dev.octet.kernel.panama;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Java ceiling on this CPU: an 8 x 32 float FMA register tile at 512 bits (16 independent accumulators,
 * operands from L1), the same tile shape as the int8 GEMM kernels, so the GEMMs' GOPS can be quoted as a
 * fraction of what the JVM's vector code can reach here at all. One FMA lane = 2 ops.
 */
public final class FmaCeilingProbe {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final int NR = 32;
    private static final int MR = 8;

    private FmaCeilingProbe() {}

    /** Floating-point ops one {@link #run} call performs for {@code kSteps}. */
    public static long ops(int kSteps) {
        return 2L * MR * NR * kSteps;
    }

    /** Runs {@code kSteps} tile steps over A (MR x kSteps) and B (kSteps x NR) and returns a checksum. */
    public static float run(float[] a, float[] b, int kSteps) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F), c10 = FloatVector.zero(F);
        FloatVector c11 = FloatVector.zero(F), c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F), c40 = FloatVector.zero(F);
        FloatVector c41 = FloatVector.zero(F), c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        FloatVector c60 = FloatVector.zero(F), c61 = FloatVector.zero(F), c70 = FloatVector.zero(F);
        FloatVector c71 = FloatVector.zero(F);
        for (int p = 0; p < kSteps; p++) {
            FloatVector b0 = FloatVector.fromArray(F, b, p * NR);
            FloatVector b1 = FloatVector.fromArray(F, b, p * NR + 16);
            int ai = p * MR;
            FloatVector a0 = FloatVector.broadcast(F, a[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(F, a[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(F, a[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(F, a[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(F, a[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(F, a[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(F, a[ai + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(F, a[ai + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        return c00.add(c01).add(c10).add(c11).add(c20).add(c21).add(c30).add(c31).add(c40).add(c41).add(c50)
            .add(c51).add(c60).add(c61).add(c70).add(c71).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
