package dev.octet.kernel;

import java.util.function.IntConsumer;

/**
 * Runs an int8 GEMM with its epilogue: prepares A, multiplies in column blocks (in parallel when asked),
 * and converts each block while it is in cache. Outputs are row-major M x N.
 *
 * <p>Exactness: the kernel gives exact canonical dot products; the zero-point algebra of
 * {@link QGemmEpilogue} makes them exact {@code sum (a - za)(b - zb)}; the requantizing epilogue is ORT's
 * float formula ({@link Quantization#requantize}).
 */
public final class QGemm {
    /** Columns per task at most. */
    private static final int BLOCK_N = 128;
    /** Rows per task at most. */
    private static final int BLOCK_M = 96;
    /**
     * Bytes of prepared A per task at most when the tiles requantize as they go (no int32 block to keep in cache):
     * shallow layers then take far more rows per task, and each task's per-call work (its exactness checks, widening
     * its weight panels) is paid far less often.
     */
    private static final int FUSED_BLOCK_BYTES = 128 * 1024;
    /** Elements of A below which one thread prepares it alone (splitting costs more than it saves). */
    private static final long PARALLEL_PREPARE_MIN = 32 * 1024;
    /** Elements of A below which several threads take a slice of rows each (see {@link #run}). */
    private static final long SLICED_MAX = 256 * 1024;
    /** Column blocks are multiples of this: a multiple of every kernel's NR (8, 16, 32). */
    private static final int COLUMN_UNIT = 32;
    /**
     * The calling thread's buffers, reused across calls (workers only use them during the caller's call). So
     * {@link #run} must not be called from inside one of its own tasks: the inner call would reuse them.
     */
    private static final ThreadLocal<Call> CALLS = ThreadLocal.withInitial(Call::new);

    private QGemm() {}

    /** How to turn exact int32 sums into outputs. */
    public sealed interface Output {
        /** int32 outputs (MatMulInteger, ConvInteger). */
        record Int32(int[] out) implements Output {}

        /** Requantized 8-bit outputs: per-column (length N) or per-tensor (length 1) scales. */
        record Requantized(byte[] out, float[] scales, int zeroPoint, int qmin, int qmax) implements Output {}

        /**
         * Float outputs {@code (float) acc * scale[j]} (plus bias[j] when given), for dynamic quantization; with
         * {@code relu}, then {@code v < 0 ? 0 : v} (the Relu op's arithmetic: NaN and -0 pass through).
         */
        record Scaled(float[] out, float[] scales, float[] bias, boolean relu) implements Output {
            public Scaled(float[] out, float[] scales, float[] bias) {
                this(out, scales, bias, false);
            }
        }
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
        if (m == 0 || n == 0) {
            return; // no output element
        }
        Call call = CALLS.get();
        int[] zbCanonical = call.zb = grow(call.zb, zb.length);
        for (int j = 0; j < zb.length; j++) {
            zbCanonical[j] = zb[j] - (bUnsigned ? 128 : 0);
        }
        int zaCanonical = za - (aUnsigned ? 128 : 0);
        boolean rowSums = QGemmEpilogue.needsRowSums(zbCanonical, zb.length);
        // Without row sums the column terms are the whole correction, so the kernel may requantize in its tiles: A then
        // in the layout they read best for b.
        call.fusedScales = null;
        if (output instanceof Output.Requantized o && !rowSums) {
            call.fusedScales = o.scales().length == n ? o.scales() : call.columnScales(o.scales()[0], n);
            kernel.resetA(m, b, false, call.a);
        } else {
            kernel.resetA(m, b.k(), rowSums, call.a);
        }
        int mr = kernel.rowTile();
        int threads = parallel.threads();
        long size = (long) m * b.k();
        // A small product over several threads: one fork-join, each thread preparing and multiplying a slice of rows
        // (two, preparation then tiles, cost the small layers of a CNN a quarter of their time at two threads).
        int rowTiles = (m + mr - 1) / mr;
        call.slices = threads > 1 && size >= PARALLEL_PREPARE_MIN && size < SLICED_MAX && rowTiles >= threads;
        if (threads == 1 || size < PARALLEL_PREPARE_MIN) {
            kernel.prepareRows(0, m, a, aOffset, lda, aUnsigned, call.a);
        } else if (!call.slices) {
            // Before the blocks that read all of it: split by rows, or the caller alone would hold the others up.
            int rowsPerPart = (m + threads - 1) / threads;
            PreparedA prepared = call.a;
            parallel.forEach(threads, t -> kernel.prepareRows(Math.min(m, t * rowsPerPart),
                Math.min(m, (t + 1) * rowsPerPart), a, aOffset, lda, aUnsigned, prepared));
        }
        call.colTerms = QGemmEpilogue.columnTerms(b, zaCanonical, zbCanonical, zb.length, bias, call.colTerms);
        boolean intOut = output instanceof Output.Int32;
        if (!intOut) {
            call.accBuffer = grow(call.accBuffer, m * n);
        }
        call.acc = intOut ? ((Output.Int32) output).out() : call.accBuffer;
        call.accOffset = intOut ? outOffset : 0;
        // Tasks own disjoint output blocks and compute them the same way whatever the thread count.
        if (call.slices) {
            call.rowsPerBlock = (rowTiles + threads - 1) / threads * mr;
            call.columnsPerBlock = Math.min(n + COLUMN_UNIT - 1, BLOCK_N) / COLUMN_UNIT * COLUMN_UNIT;
        } else {
            int maxTiles = BLOCK_M / mr;
            if (call.fusedScales != null) {
                maxTiles = Math.max(maxTiles, FUSED_BLOCK_BYTES / (Float.BYTES * Math.max(1, b.k()) * mr));
            }
            long blocks = blocks(rowTiles, maxTiles, (n + COLUMN_UNIT - 1) / COLUMN_UNIT, threads);
            call.rowsPerBlock = (int) (blocks >>> 32) * mr;
            call.columnsPerBlock = (int) blocks * COLUMN_UNIT;
        }
        int nBlocks = (n + call.columnsPerBlock - 1) / call.columnsPerBlock;
        int rowBlocks = (m + call.rowsPerBlock - 1) / call.rowsPerBlock;
        call.rowTerms = grow(call.rowTerms, rowBlocks * nBlocks * call.columnsPerBlock);
        call.set(kernel, m, n, nBlocks, b, zb.length, output, outOffset);
        call.setA(a, aOffset, lda, aUnsigned);
        try {
            parallel.forEach(call.slices ? rowBlocks : rowBlocks * nBlocks, call);
        } finally {
            call.clear();
        }
    }

    /**
     * Block sizes in row tiles and column units (high and low 32 bits): at most maxTiles row tiles and
     * {@link #BLOCK_N} columns, so a block's A and B stay in cache; with several threads, the cut that
     * minimizes the busiest thread's work (tasks per thread x largest task), then the fewest tasks.
     */
    static long blocks(int rowTiles, int maxTiles, int columnUnits, int threads) {
        int maxUnits = BLOCK_N / COLUMN_UNIT;
        int mbMin = (rowTiles + maxTiles - 1) / maxTiles;
        int nbMin = (columnUnits + maxUnits - 1) / maxUnits;
        long best = ((long) ((rowTiles + mbMin - 1) / mbMin) << 32) | ((columnUnits + nbMin - 1) / nbMin);
        if (threads == 1) {
            return best;
        }
        long bestSpan = Long.MAX_VALUE;
        int bestTasks = Integer.MAX_VALUE;
        for (int mb = mbMin; mb <= Math.min(rowTiles, mbMin + 2 * threads); mb++) {
            int tiles = (rowTiles + mb - 1) / mb;
            int rowBlocks = (rowTiles + tiles - 1) / tiles;
            for (int nb = nbMin; nb <= Math.min(columnUnits, nbMin + 2 * threads); nb++) {
                int units = (columnUnits + nb - 1) / nb;
                int tasks = rowBlocks * ((columnUnits + units - 1) / units);
                long span = (long) ((tasks + threads - 1) / threads) * tiles * units;
                if (span < bestSpan || (span == bestSpan && tasks < bestTasks)) {
                    bestSpan = span;
                    bestTasks = tasks;
                    best = ((long) tiles << 32) | units;
                }
            }
        }
        return best;
    }

    private static int[] grow(int[] buffer, int size) {
        return buffer.length >= size ? buffer : new int[size];
    }

    /** One call's state and its task body; a field per argument so that tasks need no capturing lambda. */
    private static final class Call implements IntConsumer {
        final PreparedA a = new PreparedA();
        int[] zb = new int[0];
        int[] colTerms = new int[0];
        int[] accBuffer = new int[0];
        int[] acc;
        int[] rowTerms = new int[0];
        /** A per-tensor scale repeated for every column. */
        private float[] repeatedScale = new float[0];
        /** Per-column scales when the kernel's fused requantizing tiles may run, else null. */
        float[] fusedScales;
        int accOffset;
        int rowsPerBlock;
        int columnsPerBlock;
        /** Whether a task is a slice of rows that it prepares and then multiplies over every column block. */
        boolean slices;
        private byte[] aBytes;
        private int aOffset;
        private int lda;
        private boolean aUnsigned;
        private QGemmKernel kernel;
        private int m;
        private int n;
        private int nBlocks;
        private PackedB b;
        private int zbLength;
        private Output output;
        private int outOffset;

        void set(QGemmKernel kernel, int m, int n, int nBlocks, PackedB b, int zbLength, Output output, int outOffset) {
            this.kernel = kernel;
            this.m = m;
            this.n = n;
            this.nBlocks = nBlocks;
            this.b = b;
            this.zbLength = zbLength;
            this.output = output;
            this.outOffset = outOffset;
        }

        void setA(byte[] a, int aOffset, int lda, boolean aUnsigned) {
            this.aBytes = a;
            this.aOffset = aOffset;
            this.lda = lda;
            this.aUnsigned = aUnsigned;
        }

        /** Drops references to the caller's arrays so that a finished call does not keep them alive. */
        void clear() {
            kernel = null;
            b = null;
            output = null;
            acc = null;
            aBytes = null;
            fusedScales = null;
        }

        float[] columnScales(float scale, int n) {
            if (repeatedScale.length < n) {
                repeatedScale = new float[n];
            }
            java.util.Arrays.fill(repeatedScale, 0, n, scale);
            return repeatedScale;
        }

        @Override
        public void accept(int task) {
            if (!slices) {
                block(task);
                return;
            }
            int m0 = task * rowsPerBlock;
            kernel.prepareRows(m0, Math.min(m, m0 + rowsPerBlock), aBytes, aOffset, lda, aUnsigned, a);
            for (int nb = 0; nb < nBlocks; nb++) {
                block(task * nBlocks + nb);
            }
        }

        /** Output block {@code index}: row block index / nBlocks, column block index % nBlocks. */
        private void block(int index) {
            int m0 = (index / nBlocks) * rowsPerBlock;
            int m1 = Math.min(m, m0 + rowsPerBlock);
            int n0 = (index % nBlocks) * columnsPerBlock;
            int n1 = Math.min(n, n0 + columnsPerBlock);
            int fusedEnd = n0;
            if (fusedScales != null) {
                Output.Requantized o = (Output.Requantized) output;
                fusedEnd = kernel.multiplyRequantized(a, m0, m1, b, n0, n1, colTerms, fusedScales, o.zeroPoint(),
                    o.qmin(), o.qmax(), o.out(), outOffset, n);
            }
            if (fusedEnd < n1) {
                kernel.multiply(a, m0, m1, b, fusedEnd, n1, acc, accOffset, n);
                epilogue(kernel.epilogue(), m0, m1, n, fusedEnd, n1, acc, accOffset, colTerms, zb, zbLength,
                    a.rowSums(), rowTerms, index * columnsPerBlock, output, outOffset);
            }
        }
    }

    /**
     * Rows [m0, m1) of exact int32 sums {@code acc} (row stride n) plus {@code colTerms[j]} (and, with row sums,
     * {@code - zb[j] * rowSum[i]}) into the output over columns [n0, n1). {@link Winograd} shares it, so both
     * convolution paths convert sums with the same code. Float and requantized outputs go through the provider's
     * {@link QuantizeKernels}: a short row (a Winograd tile's pixel, 16 channels) is one vector there, where a Java
     * loop of unknown length ran scalar (a quarter of the 16-channel U-Net layers' time).
     */
    static void epilogue(QuantizeKernels epilogue, int m0, int m1, int n, int n0, int n1, int[] acc,
                                 int accOffset, int[] colTerms, int[] zb, int zbLength, int[] rowSums, int[] rowTerms,
                                 int rowTermOffset, Output output, int outOffset) {
        // The exact sum is acc + colTerms[j] - zb[j] * rowSum[i]; without row sums the column terms are all of it.
        if (output instanceof Output.Scaled o && rowSums == null && n0 == 0 && n1 == n) {
            // Whole rows, the same terms for each: one call for the block.
            epilogue.scale(acc, accOffset + m0 * n, colTerms, 0, o.scales(), 0, o.scales().length > 1, o.bias(), 0,
                o.relu(), o.out(), outOffset + m0 * n, n, m1 - m0);
            return;
        }
        int[] add = rowSums == null ? colTerms : rowTerms;
        int addBase = rowSums == null ? 0 : rowTermOffset - n0;
        for (int i = m0; i < m1; i++) {
            int row = outOffset + i * n;
            int accRow = accOffset + i * n;
            if (rowSums != null) {
                for (int j = n0; j < n1; j++) {
                    rowTerms[addBase + j] = colTerms[j] - (zbLength == 1 ? zb[0] : zb[j]) * rowSums[i];
                }
            }
            switch (output) {
                case Output.Int32 o -> {
                    // The kernel wrote the sums into the output itself (acc is out, accRow is row): add in place,
                    // a form C2 vectorizes without having to prove two arrays apart.
                    for (int j = n0; j < n1; j++) {
                        acc[accRow + j] += add[addBase + j];
                    }
                }
                case Output.Requantized o -> {
                    boolean perColumn = o.scales().length > 1;
                    epilogue.requantize(acc, accRow + n0, add, addBase + n0, o.scales(), perColumn ? n0 : 0, perColumn,
                        o.zeroPoint(), o.qmin(), o.qmax(), o.out(), row + n0, n1 - n0);
                }
                case Output.Scaled o -> {
                    boolean perColumn = o.scales().length > 1;
                    epilogue.scale(acc, accRow + n0, add, addBase + n0, o.scales(), perColumn ? n0 : 0, perColumn,
                        o.bias(), n0, o.relu(), o.out(), row + n0, n1 - n0, 1);
                }
            }
        }
    }
}
