package dev.octet.kernel;

/**
 * Runs an int8 GEMM with its epilogue: prepares A, multiplies in column blocks (in parallel when asked),
 * and converts each block while it is in cache. Outputs are row-major M x N.
 *
 * <p>Exactness: the kernel gives exact canonical dot products; the zero-point algebra of
 * {@link QGemmEpilogue} makes them exact {@code sum (a - za)(b - zb)}; the requantizing epilogue is ORT's
 * float formula ({@link Quantization#requantize}).
 */
public final class QGemm {
    /** Columns per task: a multiple of every kernel's NR (8, 16, 32). */
    private static final int BLOCK_N = 128;
    /** Rows per task at most; blocks are evened out so threads get equal shares. */
    private static final int BLOCK_M = 96;
    /** The calling thread's A scratch, reused across calls (workers only read it during a call). */
    private static final ThreadLocal<PreparedA> SCRATCH = ThreadLocal.withInitial(PreparedA::new);

    private QGemm() {}

    /** How to turn exact int32 sums into outputs. */
    public sealed interface Output {
        /** int32 outputs (MatMulInteger, ConvInteger). */
        record Int32(int[] out) implements Output {}

        /** Requantized 8-bit outputs: per-column (length N) or per-tensor (length 1) scales. */
        record Requantized(byte[] out, float[] scales, int zeroPoint, int qmin, int qmax) implements Output {}

        /** Float outputs {@code (float) acc * scale[j]} (plus bias[j] when given), for dynamic quantization. */
        record Scaled(float[] out, float[] scales, float[] bias) implements Output {}
    }

    /**
     * out[outOffset + i*N + j] = f(sum_k (A[i][k] - za) (B[k][j] - zb[j]) + bias[j]) for i < m, j < N.
     *
     * @param za   the activation zero point, in A's own type (0..255 for unsigned)
     * @param zb   weight zero points (length 1 or N), in B's own type
     * @param bias int32 bias per column, or null
     */
    public static void run(QGemmKernel kernel, Parallel parallel, int m, byte[] a, int aOffset, int lda,
                           boolean aUnsigned, int za, PackedB b, boolean bUnsigned, int[] zb, int[] bias, Output output,
                           int outOffset) {
        int n = b.n();
        int[] zbCanonical = new int[zb.length];
        for (int j = 0; j < zb.length; j++) {
            zbCanonical[j] = zb[j] - (bUnsigned ? 128 : 0);
        }
        int zaCanonical = za - (aUnsigned ? 128 : 0);
        boolean rowSums = QGemmEpilogue.needsRowSums(zbCanonical);
        PreparedA pa = SCRATCH.get();
        kernel.prepareA(m, b.k(), a, aOffset, lda, aUnsigned, rowSums, pa);
        int[] colTerms = QGemmEpilogue.columnTerms(b, zaCanonical, zbCanonical, bias);
        boolean intOut = output instanceof Output.Int32;
        int[] acc = intOut ? ((Output.Int32) output).out() : new int[m * n];
        int accOffset = intOut ? outOffset : 0;
        // Tasks own disjoint output blocks and compute them the same way whatever the thread count.
        int nBlocks = (n + BLOCK_N - 1) / BLOCK_N;
        int mBlocks = (m + BLOCK_M - 1) / BLOCK_M;
        if (parallel.threads() > 1 && mBlocks * nBlocks < 4 * parallel.threads()) {
            // Too few tasks to share evenly: cut rows finer (never below one 8-row tile).
            mBlocks = Math.max(1, Math.min((m + 7) / 8, (4 * parallel.threads() + nBlocks - 1) / nBlocks));
        }
        int rowsPerBlock = ((m + mBlocks - 1) / mBlocks + 7) / 8 * 8;
        int taskCount = ((m + rowsPerBlock - 1) / rowsPerBlock) * nBlocks;
        parallel.forEach(taskCount, task -> {
            int m0 = (task / nBlocks) * rowsPerBlock;
            int m1 = Math.min(m, m0 + rowsPerBlock);
            int n0 = (task % nBlocks) * BLOCK_N;
            int n1 = Math.min(n, n0 + BLOCK_N);
            kernel.multiply(pa, m0, m1, b, n0, n1, acc, accOffset, n);
            epilogue(kernel.epilogue(), m0, m1, n, n0, n1, acc, accOffset, colTerms, zbCanonical, pa.rowSums(), output,
                outOffset);
        });
    }

    /** One loop per output kind and row, simple enough for C2 to vectorize the common cases. */
    private static void epilogue(QuantizeKernels epilogue, int m0, int m1, int n, int n0, int n1, int[] acc,
                                 int accOffset, int[] colTerms, int[] zb, int[] rowSums, Output output, int outOffset) {
        int[] rowTerm = new int[n1 - n0];
        for (int i = m0; i < m1; i++) {
            int row = outOffset + i * n;
            int accRow = accOffset + i * n;
            // The exact sum is acc + colTerms[j] - zb[j] * rowSum[i]; fold the row part into one array.
            for (int j = n0; j < n1; j++) {
                rowTerm[j - n0] = colTerms[j] - (rowSums == null ? 0 : (zb.length == 1 ? zb[0] : zb[j]) * rowSums[i]);
            }
            switch (output) {
                case Output.Int32 o -> {
                    int[] out = o.out();
                    for (int j = n0; j < n1; j++) {
                        out[row + j] = acc[accRow + j] + rowTerm[j - n0];
                    }
                }
                case Output.Requantized o -> {
                    boolean perColumn = o.scales().length > 1;
                    epilogue.requantize(acc, accRow + n0, rowTerm, 0, o.scales(), perColumn ? n0 : 0, perColumn,
                        o.zeroPoint(), o.qmin(), o.qmax(), o.out(), row + n0, n1 - n0);
                }
                case Output.Scaled o -> {
                    float[] out = o.out();
                    float[] sc = o.scales();
                    float[] bias = o.bias();
                    if (sc.length == 1) {
                        float s0 = sc[0];
                        for (int j = n0; j < n1; j++) {
                            out[row + j] = (float) (acc[accRow + j] + rowTerm[j - n0]) * s0;
                        }
                    } else {
                        for (int j = n0; j < n1; j++) {
                            out[row + j] = (float) (acc[accRow + j] + rowTerm[j - n0]) * sc[j];
                        }
                    }
                    if (bias != null) {
                        for (int j = n0; j < n1; j++) {
                            out[row + j] += bias[j];
                        }
                    }
                }
            }
        }
    }
}
