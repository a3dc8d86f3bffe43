package dev.octet.kernel;

/**
 * The per-tile transforms of {@link Winograd} F(2x2, 3x3), vectorized over channels (NHWC keeps them contiguous).
 * Integer arithmetic: values stay within |512| (inputs) and wrap like int32 (outputs), so every implementation is
 * bit-exact with {@link dev.octet.kernel.scalar.ScalarWinogradKernels}.
 */
public interface WinogradKernels {
    /**
     * {@code V = B^T d B} of one 4 x 4 input tile for every channel c < channels: input (r, s) of channel c is
     * {@code src[offsets[4 r + s] + c] ^ flip} as a signed byte (flip 0x80 makes uint8 canonical);
     * {@code V[a][b]} goes to {@code v[4 a + b][at + (c / 16) * groupStride + c % 16]}: with a group stride of 16 a
     * plain row of channels, with a GEMM's (see {@link QGemmKernel#preparedRowTile}) that GEMM's prepared A.
     */
    void inputTile(byte[] src, int[] offsets, int flip, int channels, float[][] v, int at, int groupStride);

    /**
     * {@code Y = (A^T M A) / 4} of one tile for every output channel oc < cout, from
     * {@code M[a][b] = m[at + (4 a + b) * xiStride + oc]}, into {@code y[(2 i + j) * cout + oc]}, in int arithmetic
     * (exact when the true Y4 fits in an int, see {@link Winograd}).
     */
    void outputTile(int[] m, int at, int xiStride, int cout, int[] y);
}
