package dev.octet.kernel.panama;

import dev.octet.kernel.Activation;
import dev.octet.kernel.DepthwiseKernels;
import dev.octet.kernel.DepthwiseWeights;
import dev.octet.kernel.DirectConvKernels;
import dev.octet.kernel.FloatKernels;
import dev.octet.kernel.KernelProvider;
import dev.octet.kernel.PackedB;
import dev.octet.kernel.PoolKernels;
import dev.octet.kernel.PreparedA;
import dev.octet.kernel.QGemm;
import dev.octet.kernel.QGemmKernel;
import dev.octet.kernel.QuantizeKernels;
import dev.octet.kernel.WinogradKernels;
import dev.octet.kernel.scalar.ChannelLoopDepthwiseKernels;
import dev.octet.kernel.scalar.ScalarKernelProvider;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The vector kernels behind a gate: until a kernel's vector code has been compiled by C2 (see {@link KernelWarmup}),
 * it runs scalar arithmetic over the same data layouts, so a fresh JVM is fast from its first inference instead of
 * running boxed vectors for seconds. Every kernel gives the same bits either way, so the switch may happen at any
 * moment, even between the threads of one operator. Before the first call, the warm-up thread runs the same batches
 * on the scalar paths so that C2 compiles them while the model loads (see {@link KernelWarmup#COLD_ROUNDS}), and
 * the first inference does not run them interpreted. Weights are packed once, in the vector layout. One instance
 * (and one warm-up) per process and width; {@link PanamaKernelProvider} itself stays ungated for tests and
 * benchmarks.
 */
public final class WarmingKernelProvider implements KernelProvider {
    private static final ConcurrentHashMap<Integer, WarmingKernelProvider> BY_WIDTH = new ConcurrentHashMap<>();

    private final PanamaKernelProvider vector;
    private final KernelWarmup warmup;
    private final QGemmKernel qgemm;
    private final QGemmKernel qdot;
    private final FloatKernels floats;
    private final QuantizeKernels quantize;
    private final WinogradKernels winograd;
    private final DirectConvKernels directConv;
    private final DepthwiseKernels depthwise;
    private final PoolKernels pool;

    /** The process's gated provider of this width. */
    public static WarmingKernelProvider of(int bits) {
        return BY_WIDTH.computeIfAbsent(bits, WarmingKernelProvider::new);
    }

    /** A provider with its own gates and warm-up thread (tests; sessions share {@link #of}). */
    WarmingKernelProvider(int bits) {
        this.vector = new PanamaKernelProvider(bits);
        this.warmup = new KernelWarmup("vector-" + bits);
        this.quantize = new GatedQuantize(vector.quantize(), ScalarKernelProvider.INSTANCE.quantize());
        this.qgemm = new GatedQGemm(vector.qgemm(), panelWidth(bits));
        this.qdot = new GatedQDot(vector.qdot(), bits / 32);
        this.floats = new GatedFloats(vector.floats(), ScalarKernelProvider.INSTANCE.floats());
        this.winograd = new GatedWinograd(vector.winograd());
        this.directConv = new GatedDirectConv(vector.directConv());
        this.depthwise = new GatedDepthwise(vector.depthwise());
        this.pool = new GatedPool(vector.pool(), ScalarKernelProvider.INSTANCE.pool());
        // The provider is made as the first session that uses it compiles: its cold paths warm from here.
        warmup.start();
    }

    /** Columns per B panel of the width's float-FMA GEMM (its NR). */
    private static int panelWidth(int bits) {
        return bits / 16;
    }

    KernelWarmup warmup() {
        return warmup;
    }

    /** Bit h set: the int8 GEMM's cold path ran a tile of h rows (tests). */
    int recordedGemmHeights() {
        return ((GatedQGemm) qgemm).heights.get();
    }

    @Override
    public String name() {
        return vector.name();
    }

    @Override
    public int vectorBits() {
        return vector.vectorBits();
    }

    @Override
    public String describe() {
        return vector.describe() + (warming() ? " (warming)" : "");
    }

    @Override
    public boolean warming() {
        return warmup.warming();
    }

    @Override
    public void runFinished() {
        warmup.runFinished();
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

    /** Deterministic warm-up data: values that reach every sign and the clamps. */
    private static float[] floats(int n, float range, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (r.nextFloat() * 2 - 1) * range;
        }
        return x;
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** {@link #bytes} as floats: integer values of 8-bit range. */
    private static float[] byteValues(int n, long seed) {
        byte[] b = bytes(n, seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = b[i];
        }
        return x;
    }

    /**
     * Elementwise warm-up lengths: whole vectors (two or more at every width and of the 16-lane reductions) plus a
     * tail, and a tail alone. Short calls keep the Vector API's own methods, which the calls make hot while the
     * kernels run interpreted or C1-compiled, from crowding C2's queue: with 37 instead of 197 every MiniLM gate was
     * open 1.96-2.21 s after the warm-up started instead of 2.24-2.47 s (three fresh JVMs each, alternated).
     */
    private static final int[] LENGTHS = {37, 7};

    /**
     * A GEMM behind its warm-up gate: the vector kernel once the gate is open, before that {@link #coldPrepareRows}
     * and {@link #coldMultiply}, plain Java over the kernel's own layouts. Packing weights requests the warm-up.
     */
    private abstract class GatedGemm implements QGemmKernel {
        final QGemmKernel v;

        GatedGemm(QGemmKernel v) {
            this.v = v;
        }

        abstract KernelWarmup.Gate gate();

        abstract void coldPrepareRows(int i0, int i1, byte[] a, int aOffset, int lda, boolean unsigned, PreparedA out);

        abstract void coldPrepareRows(int i0, int i1, float[] a, int aOffset, int lda, PreparedA out);

        /** The product with B's layout already checked, in plain Java. */
        abstract void scalarMultiply(PreparedA a, int m0, int m1, PackedB b, int n0, int n1, int[] c, int cOffset,
                                     int ldc, int flush);

        /** A real call's cold product: {@link #scalarMultiply}, noting what the vector warm-up should cover. */
        void coldMultiply(PreparedA a, int m0, int m1, PackedB b, int n0, int n1, int[] c, int cOffset, int ldc,
                          int flush) {
            scalarMultiply(a, m0, m1, b, n0, n1, c, cOffset, ldc, flush);
        }

        /** A of a warm-up batch, prepared by the vector kernel or by the cold path. */
        void prepareA(boolean cold, int m, int k, byte[] a, int aOffset, boolean unsigned, boolean rowSums,
                      PreparedA out) {
            if (cold) {
                v.resetA(m, k, rowSums, out);
                coldPrepareRows(0, m, a, aOffset, k, unsigned, out);
            } else {
                v.prepareA(m, k, a, aOffset, k, unsigned, rowSums, out);
            }
        }

        /**
         * A warm-up batch's product, by the vector kernel or by the cold path (without noting its shape: the cold
         * warm-up's tile heights are not the model's).
         */
        void multiply(boolean cold, PreparedA a, int m, PackedB b, int n0, int n1, int[] c, int ldc, int flush) {
            if (cold) {
                scalarMultiply(a, 0, m, b, n0, n1, c, 0, ldc, flush);
            } else {
                v.multiply(a, 0, m, b, n0, n1, c, 0, ldc, flush);
            }
        }

        @Override
        public String id() {
            return v.id();
        }

        @Override
        public int rowTile() {
            return v.rowTile();
        }

        @Override
        public QuantizeKernels epilogue() {
            return quantize;
        }

        @Override
        public PackedB packB(byte[] b, int offset, int k, int n, boolean unsigned, boolean transposed) {
            // Weights are packed at load: the warm-up is queued then (it starts after the first run).
            gate().request();
            return v.packB(b, offset, k, n, unsigned, transposed);
        }

        @Override
        public PackedB packWideB(int[] b, int k, int n) {
            gate().request();
            return v.packWideB(b, k, n);
        }

        @Override
        public void resetA(int m, int k, boolean rowSums, PreparedA out) {
            v.resetA(m, k, rowSums, out);
        }

        @Override
        public int preparedRowTile() {
            return v.preparedRowTile();
        }

        @Override
        public void prepareRows(int i0, int i1, byte[] a, int aOffset, int lda, boolean unsigned, PreparedA out) {
            if (gate().open()) {
                v.prepareRows(i0, i1, a, aOffset, lda, unsigned, out);
            } else {
                coldPrepareRows(i0, i1, a, aOffset, lda, unsigned, out);
            }
        }

        @Override
        public void prepareRows(int i0, int i1, float[] a, int aOffset, int lda, PreparedA out) {
            if (gate().open()) {
                v.prepareRows(i0, i1, a, aOffset, lda, out);
            } else {
                coldPrepareRows(i0, i1, a, aOffset, lda, out);
            }
        }

        @Override
        public void multiply(PreparedA a, int m0, int m1, PackedB b, int n0, int n1, int[] c, int cOffset, int ldc,
                             int flush) {
            if (gate().open()) {
                v.multiply(a, m0, m1, b, n0, n1, c, cOffset, ldc, flush);
            } else {
                b.requireLayout(v.id());
                coldMultiply(a, m0, m1, b, n0, n1, c, cOffset, ldc, flush);
            }
        }
    }

    private final class GatedQGemm extends GatedGemm {
        /** Batches per call past one float block (see {@link #warmBatch}). */
        private static final int DEEP_EVERY = 16;
        private final int mr;
        private final int nr;
        private final KernelWarmup.Gate gate;
        /**
         * The fused requantizing tiles behind a gate of their own: compiling them too held the int32 tiles' gate
         * closed (on scalar code) for seconds longer; until it opens the int32 path runs instead.
         */
        private final KernelWarmup.Gate fused;
        /** Bit h set: the model ran a tile of h rows. */
        private final AtomicInteger heights;
        /** Whether the model multiplied a panel whose columns end within its first vector (16 or 48 channels). */
        private volatile boolean halfPanels;
        /** Whether the model packed wide (Winograd) weights, whose float panels run tiles of their own. */
        private volatile boolean wide;
        /**
         * Whether the model multiplied more than two row tiles of byte weights at once: the kernel widens such a
         * panel to floats once and runs the float tiles over it.
         */
        private volatile boolean widened;
        /**
         * Whether the model asked for A prepared for a product of 16 or 24 columns alone (at 512 bits A as pairs, and
         * their own tiles): only then does the fused warm-up compile those too.
         */
        private volatile boolean narrowProducts;
        /** Bit h set: the model convolved a few-channel image with a tile of h rows (image tiles of their own). */
        private final AtomicInteger imageHeights = new AtomicInteger();

        GatedQGemm(QGemmKernel v, int nr) {
            super(v);
            this.mr = v.rowTile();
            this.nr = nr;
            this.heights = new AtomicInteger(1 << mr);
            this.gate = warmup.gate(v.id(), true, warmBatch(false));
            this.fused = warmup.gate(v.id() + " requantized", fusedBatch());
            warmup.coldPath(warmBatch(true));
        }

        /**
         * The row-tile heights and depths the model's calls use (recorded by the cold path; the whole tile always),
         * each over a whole and a cut panel, signed and unsigned A with and without row sums, a block starting
         * inside a panel; and a K past one float block (the int32 flush), rotating over the heights: from the
         * first batch, since a branch C2 compiled as never taken costs a deoptimization when a real call takes it.
         * Tiles the model never calls are left for C2 to compile if it ever does. Calls are short (K = 20) and the
         * deep one comes every {@link #DEEP_EVERY} batches, so a tile loops about 30 times per call: HotSpot then
         * queues its normal C2 compilation before an on-stack-replacement one (at K = 40 with a deep call every
         * fourth batch it compiled the 8-row tile twice, OSR first: 0.2-0.36 s more of the one C2 thread).
         * {@code cold}: the same calls on the cold path, before the first call, at every height (none recorded yet).
         */
        private KernelWarmup.Batch warmBatch(boolean cold) {
            // Columns: a whole panel and one cut past its first vector (the full tiles), or, once the model has
            // multiplied such panels, a whole one and a half one (at 512 bits the one-vector tiles).
            int half = nr + nr / 2;
            int n = half + 6;
            int smallK = 20;
            int bigK = FloatPacking.KC + 6;
            byte[] a = bytes(mr * bigK, 1);
            byte[] b = bytes(bigK * n, 2);
            float[] floatRows = floats(mr * smallK + 1, 500f, 12);
            PackedB small = v.packB(b, 0, smallK, n, false, false);
            PackedB smallT = v.packB(b, 0, smallK, n, true, true);
            PackedB big = v.packB(b, 0, bigK, n, false, false);
            int[] wideValues = new int[smallK * n];
            for (int i = 0; i < wideValues.length; i++) {
                wideValues[i] = b[i] * 9; // Winograd's weights: up to 9 times an 8-bit value
            }
            PackedB wideB = v.packWideB(wideValues, smallK, n);
            PreparedA pa = new PreparedA();
            int[] c = new int[3 * mr * n];
            int[] round = {0};
            int[] depthRound = {0};
            return () -> {
                int calls = 0;
                int used = cold ? -1 : heights.get();
                int cols = halfPanels ? half : n;
                int flush = QGemmKernel.INT8_FLUSH;
                for (int m = 1; m <= mr; m++) {
                    if ((used & (1 << m)) != 0) {
                        // Both values of every flag: a branch C2 saw only one way deoptimizes real calls.
                        prepareA(cold, m, smallK, a, 0, true, true, pa);
                        multiply(cold, pa, m, small, 0, cols, c, cols, flush);
                        prepareA(cold, m, smallK, a, 0, false, false, pa);
                        multiply(cold, pa, m, smallT, 3, cols - 1, c, cols, flush);
                        calls += 4;
                        if (wide) {
                            // Winograd's float rows, wide weights and short flush interval (several flushes per tile).
                            v.resetA(m, smallK, false, pa);
                            if (cold) {
                                coldPrepareRows(0, m, floatRows, 1, smallK, pa);
                            } else {
                                v.prepareRows(0, m, floatRows, 1, smallK, pa);
                            }
                            multiply(cold, pa, m, wideB, 0, cols, c, cols, smallK / 3);
                            calls += 2;
                        }
                        if (widened) {
                            // Two whole row tiles, then one of m rows: the byte panels widened to floats.
                            prepareA(cold, 2 * mr + m, smallK, a, 0, true, false, pa);
                            multiply(cold, pa, 2 * mr + m, small, 0, cols, c, cols, flush);
                            calls += 2;
                        }
                    }
                }
                // Rows across two row tiles from inside the first, A's rows further apart than K: the blocks and
                // thread slices of a model's calls (compiled from one-tile calls only, the preparation deoptimized
                // at the first real call and ran interpreted until C2 had compiled it again).
                int rows = mr + 3;
                v.resetA(rows, smallK, true, pa);
                if (cold) {
                    coldPrepareRows(0, 2, a, 0, smallK + 5, true, pa);
                    coldPrepareRows(2, rows, a, 0, smallK + 5, true, pa);
                } else {
                    v.prepareRows(0, 2, a, 0, smallK + 5, true, pa);
                    v.prepareRows(2, rows, a, 0, smallK + 5, true, pa);
                }
                calls += 2;
                // Every DEEP_EVERY-th batch, starting with the first.
                if (round[0]++ % DEEP_EVERY == 0) {
                    int m;
                    do {
                        m = 1 + depthRound[0]++ % mr;
                    } while ((used & (1 << m)) == 0);
                    prepareA(cold, m, bigK, a, 0, (depthRound[0] & 1) == 0, true, pa);
                    multiply(cold, pa, m, big, 0, cols, c, cols, flush);
                    calls += 2;
                }
                return calls;
            };
        }

        /**
         * The fused requantizing multiply at the row-tile heights the model's calls use, over whole panels and (512
         * bits) the columns past them: 16 (the one-vector tiles) and 24 (the pair tile), and, once the model has asked
         * for them, 24 and 16 columns alone (at 512 bits, A prepared as pairs for them), a few times each: called once
         * a batch, C2 compiled them late; the image tiles too once the model has asked for them. The column terms
         * reach the clamps.
         */
        private KernelWarmup.Batch fusedBatch() {
            int k = 40;
            int[] widths = {nr + nr / 2, nr + 24, 24, 16};
            // widths[narrow...]: the products of 16 and 24 columns alone.
            int narrow = 2;
            int widest = nr + 24;
            byte[] a = bytes(mr * k, 15);
            PackedB[] packed = new PackedB[widths.length];
            for (int s = 0; s < widths.length; s++) {
                packed[s] = v.packB(bytes(k * widths[s], 16 + s), 0, k, widths[s], false, false);
            }
            int[] colTerms = new int[widest];
            for (int j = 0; j < widest; j++) {
                colTerms[j] = (j - widest / 2) * 4099;
            }
            float[] scales = floats(widest, 0.01f, 14);
            byte[] out = new byte[mr * widest];
            PreparedA pa = new PreparedA();
            // An image one run of mr pixels whose k taps are consecutive floats.
            float[] image = floats(mr * QGemmKernel.IMAGE_PIXEL + k, 127f, 17);
            for (int i = 0; i < image.length; i++) {
                image[i] = Math.round(image[i]);
            }
            int[] taps = new int[k];
            for (int p = 0; p < k; p++) {
                taps[p] = p;
            }
            return () -> {
                int calls = 0;
                int used = heights.get();
                int imageUsed = imageHeights.get();
                for (int m = 1; m <= mr; m++) {
                    if ((used & (1 << m)) != 0) {
                        for (int s = 0; s < (narrowProducts ? widths.length : narrow); s++) {
                            // Prepared for each product, as QGemm does (the layout may depend on it).
                            v.resetA(m, packed[s], false, pa);
                            v.prepareRows(0, m, a, 0, k, (m & 1) == 0, pa);
                            calls++;
                            for (int rep = 0; rep < 4; rep++) {
                                v.multiplyRequantized(pa, 0, m, packed[s], 0, widths[s], colTerms, scales, 3, -128, 127,
                                    out, 0, widths[s]);
                            }
                            calls += 4;
                        }
                    }
                    if ((imageUsed & (1 << m)) != 0) {
                        for (int rep = 0; rep < 4; rep++) {
                            v.multiplyRequantized(image, 0, taps, m, 0, 0, m, packed[0], 0, widths[0], colTerms, scales,
                                3, -128, 127, out, 0, widths[0]);
                        }
                        calls += 4;
                    }
                }
                return calls;
            };
        }

        /** Notes the tile heights a block of rows runs, as the vector kernel splits it into runs of runLength. */
        private void record(AtomicInteger heights, int runLength, int m0, int m1) {
            int used = 0;
            for (int i = m0, rows; i < m1; i += rows) {
                int x = i % runLength;
                rows = Math.min(Math.min(mr, runLength - x), m1 - i);
                used |= 1 << rows;
            }
            if ((heights.get() | used) != heights.get()) {
                int add = used;
                heights.getAndUpdate(h -> h | add);
            }
        }

        @Override
        KernelWarmup.Gate gate() {
            return gate;
        }

        /**
         * A layout chosen for b (the 512-bit kernel's pairs) once both gates are open: the cold path and the scalar
         * multiply read floats, and both gates only ever open.
         */
        @Override
        public void resetA(int m, PackedB b, boolean rowSums, PreparedA out) {
            if (gate.isOpen() && fused.isOpen()) {
                v.resetA(m, b, rowSums, out);
            } else {
                if ((b.n() == 16 || b.n() == 24) && !narrowProducts) {
                    narrowProducts = true;
                }
                v.resetA(m, b.k(), rowSums, out);
            }
        }

        @Override
        public int multiplyRequantized(PreparedA a, int m0, int m1, PackedB b, int n0, int n1, int[] colTerms,
                                       float[] scales, int zp, int qmin, int qmax, byte[] out, int outOffset,
                                       int ldo) {
            // Closed, nothing is fused: the caller's multiply (gated itself) converts every column.
            return fused.open() ? v.multiplyRequantized(a, m0, m1, b, n0, n1, colTerms, scales, zp, qmin, qmax, out,
                outOffset, ldo) : n0;
        }

        @Override
        public int multiplyRequantized(float[] image, int base, int[] taps, int runLength, int runPitch, int m0,
                                       int m1, PackedB b, int n0, int n1, int[] colTerms, float[] scales, int zp,
                                       int qmin, int qmax, byte[] out, int outOffset, int ldo) {
            if (fused.open()) {
                return v.multiplyRequantized(image, base, taps, runLength, runPitch, m0, m1, b, n0, n1, colTerms,
                    scales, zp, qmin, qmax, out, outOffset, ldo);
            }
            // The caller takes the GEMM path this time; the warm-up covers the tile heights of these runs too.
            record(imageHeights, runLength, m0, m1);
            return n0;
        }

        @Override
        public PackedB packWideB(int[] b, int k, int n) {
            wide = true;
            return super.packWideB(b, k, n);
        }

        @Override
        void coldPrepareRows(int i0, int i1, byte[] a, int aOffset, int lda, boolean unsigned, PreparedA out) {
            FloatPacking.prepareRowsScalar(mr, i0, i1, a, aOffset, lda, unsigned, out);
        }

        @Override
        void coldPrepareRows(int i0, int i1, float[] a, int aOffset, int lda, PreparedA out) {
            FloatPacking.prepareFloatRowsScalar(mr, i0, i1, a, aOffset, lda, out);
        }

        @Override
        void coldMultiply(PreparedA a, int m0, int m1, PackedB b, int n0, int n1, int[] c, int cOffset, int ldc,
                          int flush) {
            record(heights, mr, m0, m1);
            if (m1 - m0 > 2 * mr && b.bytes() != null && !widened) {
                widened = true;
            }
            int last = n1 - (n1 - 1) / nr * nr;
            if (n1 > n0 && last <= nr / 2 && !halfPanels) {
                halfPanels = true;
            }
            super.coldMultiply(a, m0, m1, b, n0, n1, c, cOffset, ldc, flush);
        }

        @Override
        void scalarMultiply(PreparedA a, int m0, int m1, PackedB b, int n0, int n1, int[] c, int cOffset, int ldc,
                            int flush) {
            FloatPacking.multiplyScalar(mr, nr, a, m0, m1, b, n0, n1, c, cOffset, ldc, flush);
        }
    }

    /** The dot-product GEMM behind one gate; its cold path is plain Java over the same layout. */
    private final class GatedQDot extends GatedGemm {
        private final int lanes;
        private final KernelWarmup.Gate gate;

        GatedQDot(QGemmKernel v, int lanes) {
            super(v);
            this.lanes = lanes;
            // Four rows and a remainder row, signed and unsigned A with and without row sums, a K with a tail,
            // whole and cut column ranges.
            int k = 3 * lanes + 5;
            int n = 3;
            byte[] a = bytes(7 * k, 21);
            PackedB b = v.packB(bytes(k * n, 22), 0, k, n, true, false);
            this.gate = warmup.gate(v.id(), batch(false, k, n, a, b));
            warmup.coldPath(batch(true, k, n, a, b));
        }

        private KernelWarmup.Batch batch(boolean cold, int k, int n, byte[] a, PackedB b) {
            PreparedA pa = new PreparedA();
            int[] c = new int[7 * n];
            int flush = QGemmKernel.INT8_FLUSH;
            return () -> {
                prepareA(cold, 7, k, a, 0, true, true, pa);
                multiply(cold, pa, 7, b, 0, n, c, n, flush);
                prepareA(cold, 5, k, a, 1, false, false, pa);
                multiply(cold, pa, 5, b, 1, n, c, n, flush);
                return 4;
            };
        }

        @Override
        KernelWarmup.Gate gate() {
            return gate;
        }

        @Override
        void coldPrepareRows(int i0, int i1, byte[] a, int aOffset, int lda, boolean unsigned, PreparedA out) {
            DotLayout.prepareRowsScalar(lanes, i0, i1, a, aOffset, lda, unsigned, out);
        }

        @Override
        void coldPrepareRows(int i0, int i1, float[] a, int aOffset, int lda, PreparedA out) {
            DotLayout.prepareFloatRows(lanes, i0, i1, a, aOffset, lda, out);
        }

        @Override
        void scalarMultiply(PreparedA a, int m0, int m1, PackedB b, int n0, int n1, int[] c, int cOffset, int ldc,
                            int flush) {
            DotLayout.multiplyScalar(lanes, a, m0, m1, b, n0, n1, c, cOffset, ldc, flush);
        }
    }

    /** The Winograd transforms behind one gate; its batch runs both over whole vectors and a tail. */
    private final class GatedWinograd implements WinogradKernels {
        private static final WinogradKernels SCALAR = ScalarKernelProvider.INSTANCE.winograd();
        private final WinogradKernels v;
        private final KernelWarmup.Gate gate;

        GatedWinograd(WinogradKernels v) {
            this.v = v;
            int channels = 37;
            byte[] src = bytes(16 * channels, 13);
            int[] offsets = new int[16];
            for (int i = 0; i < 16; i++) {
                offsets[i] = i * channels;
            }
            // Plain rows (group stride 16) and a GEMM's prepared layout (8 rows a tile: 128).
            float[][] tiles = new float[16][3 * 128];
            int[] m = new int[16 * channels];
            for (int i = 0; i < m.length; i++) {
                m[i] = src[i] * 4099;
            }
            int[] y = new int[4 * channels];
            this.gate = warmup.gate("winograd", () -> {
                for (int rep = 0; rep < 4; rep++) {
                    v.inputTile(src, offsets, rep % 2 == 0 ? 0x80 : 0, channels, tiles, 16 * rep, rep < 2 ? 16 : 128);
                    v.outputTile(m, 0, channels, channels, y);
                }
                return 8;
            });
        }

        @Override
        public void inputTile(byte[] src, int[] offsets, int flip, int channels, float[][] tiles, int at,
                              int groupStride) {
            (gate.open() ? v : SCALAR).inputTile(src, offsets, flip, channels, tiles, at, groupStride);
        }

        @Override
        public void outputTile(int[] m, int at, int xiStride, int cout, int[] y) {
            (gate.open() ? v : SCALAR).outputTile(m, at, xiStride, cout, y);
        }
    }

    /**
     * Direct-convolution sums behind one gate; the batch runs both forms as a head (16 channels in, 1 and 2 out) and an
     * image layer (3 in, 16 and 20 out: a masked last vector) take them, with whole tiles and tails.
     */
    private final class GatedDirectConv implements DirectConvKernels {
        private static final DirectConvKernels SCALAR = ScalarKernelProvider.INSTANCE.directConv();
        private final DirectConvKernels v;
        private final KernelWarmup.Gate gate;

        GatedDirectConv(DirectConvKernels v) {
            this.v = v;
            int width = 11;
            float[] image = byteValues(3 * width * 16 + DirectConvKernels.RUN_ALIGN, 41);
            int[] runs16 = new int[9];
            int[] values3 = new int[27];
            for (int t = 0; t < 9; t++) {
                runs16[t] = (t / 3 * width + t % 3) * 16;
                for (int c = 0; c < 3; c++) {
                    values3[3 * t + c] = (t / 3 * width + t % 3) * 3 + c;
                }
            }
            float[] dots = byteValues(2 * 9 * 16, 42);
            float[] outer = byteValues(27 * 32, 43);
            int[] sums = new int[(width - 2) * 20];
            this.gate = warmup.gate("directConv", () -> {
                for (int n = 1; n <= 2; n++) {
                    v.dots(image, 0, 16, runs16, 16, width - 2, dots, n, sums, 0);
                }
                v.outer(image, 0, 3, values3, width - 2, outer, 16, sums, 0);
                v.outer(image, 0, 3, values3, width - 2, outer, 20, sums, 0);
                return 4;
            });
        }

        @Override
        public void dots(float[] image, int base, int step, int[] runs, int run, int count, float[] w, int n,
                         int[] sums, int sumsOff) {
            (gate.open() ? v : SCALAR).dots(image, base, step, runs, run, count, w, n, sums, sumsOff);
        }

        @Override
        public void outer(float[] image, int base, int step, int[] values, int count, float[] w, int n, int[] sums,
                          int sumsOff) {
            (gate.open() ? v : SCALAR).outer(image, base, step, values, count, w, n, sums, sumsOff);
        }
    }

    /**
     * Depthwise convolution behind one gate, its cold path {@link ChannelLoopDepthwiseKernels} (weights are packed
     * the same for both). The batch runs the vector kernel's paths the model's calls take (recorded by the cold
     * path; C2 compiles a path only once calls make it hot, so warming all of them held the gate for its whole cap):
     * 3 x 3 requantized at stride 1 or 2 (the padded-band row kernels), int32 sums (the per-pixel paths: inside four
     * at a time, inside one, border, tail) and other windows (here 5 x 5, with a scale too large for the light
     * clamp), over a channel count with a vector tail, unsigned and signed input. Ungated, a CNN's first inferences
     * ran their depthwise layers boxed until C2 had compiled them.
     */
    private final class GatedDepthwise implements DepthwiseKernels {
        private static final DepthwiseKernels COLD = new ChannelLoopDepthwiseKernels();
        /** Kinds of calls: requantized 3 x 3 at stride 1, at other strides, int32 sums, other requantized windows. */
        private static final int STRIDE_ONE = 1;
        private static final int STRIDED = 2;
        private static final int INT32 = 4;
        private static final int OTHER = 8;
        private final DepthwiseKernels v;
        private final KernelWarmup.Gate gate;
        /** Which kinds the model's calls used. */
        private final AtomicInteger used = new AtomicInteger();

        GatedDepthwise(DepthwiseKernels v) {
            this.v = v;
            int channels = 37;
            int side = 9;
            byte[] x = bytes(side * side * channels, 31);
            DepthwiseWeights w3 = v.pack(bytes(channels * 9, 32), 0, channels, 3, 3, false, new int[] {0});
            DepthwiseWeights w5 = v.pack(bytes(channels * 25, 33), 0, channels, 5, 5, true, new int[] {128});
            int[] bias = new int[channels];
            for (int c = 0; c < channels; c++) {
                bias[c] = (c - channels / 2) * 301;
            }
            Shape s1 = new Shape(channels, side, side, side, side, 3, 3, 1, 1, 1, 1, 1, 1);
            Shape s2 = new Shape(channels, side, side, (side + 1) / 2, (side + 1) / 2, 3, 3, 2, 2, 1, 1, 1, 1);
            Shape s5 = new Shape(channels, side, side, side, side, 5, 5, 1, 1, 1, 1, 2, 2);
            byte[] q = new byte[side * side * channels];
            QGemm.Output.Requantized requantized = new QGemm.Output.Requantized(q, floats(channels, 0.002f, 34), 3, 0,
                255);
            QGemm.Output.Requantized wide = new QGemm.Output.Requantized(q, new float[] {1e6f}, -3, -128, 127);
            QGemm.Output.Int32 ints = new QGemm.Output.Int32(new int[side * side * channels]);
            this.gate = warmup.gate(v.id(), () -> {
                // Never an empty batch: one that allocates nothing would count as compiled.
                int kinds = used.get() == 0 ? STRIDE_ONE : used.get();
                int calls = 0;
                if ((kinds & STRIDE_ONE) != 0) {
                    v.run(w3, s1, x, 0, true, 131, bias, requantized, 0, 0, s1.outH());
                    calls++;
                }
                if ((kinds & STRIDED) != 0) {
                    v.run(w3, s2, x, 0, false, -5, bias, requantized, 0, 0, s2.outH());
                    calls++;
                }
                if ((kinds & INT32) != 0) {
                    v.run(w3, s1, x, 0, false, 7, null, ints, 0, 0, s1.outH());
                    calls++;
                }
                if ((kinds & OTHER) != 0) {
                    v.run(w5, s5, x, 0, true, 128, bias, wide, 0, 0, s5.outH());
                    calls++;
                }
                return calls;
            });
        }

        @Override
        public String id() {
            return v.id();
        }

        @Override
        public DepthwiseWeights pack(byte[] w, int offset, int channels, int kernelH, int kernelW, boolean unsigned,
                                     int[] zeroPoints) {
            // Weights are packed at load: the warm-up is queued then (it starts after the first run).
            gate.request();
            return v.pack(w, offset, channels, kernelH, kernelW, unsigned, zeroPoints);
        }

        @Override
        public void run(DepthwiseWeights w, Shape s, byte[] x, int xOffset, boolean xUnsigned, int xzp, int[] bias,
                        QGemm.Output output, int yOffset, int oy0, int oy1) {
            // Recorded before the gate is asked, which starts the warm-up: its batches then include this kind.
            int kind = output instanceof QGemm.Output.Int32 ? INT32
                : s.kernelH() != 3 || s.kernelW() != 3 ? OTHER
                : s.strideH() == 1 && s.strideW() == 1 ? STRIDE_ONE : STRIDED;
            if ((used.get() & kind) != kind) {
                used.getAndUpdate(k -> k | kind);
            }
            (gate.open() ? v : COLD).run(w, s, x, xOffset, xUnsigned, xzp, bias, output, yOffset, oy0, oy1);
        }
    }

    private final class GatedFloats implements FloatKernels {
        private final FloatKernels v;
        private final FloatKernels s;
        private final KernelWarmup.Gate gemm;
        private final KernelWarmup.Gate exp;
        private final KernelWarmup.Gate erf;
        private final KernelWarmup.Gate tanh;
        private final KernelWarmup.Gate gelu;
        private final KernelWarmup.Gate activation;
        private final KernelWarmup.Gate scaleAndMask;
        private final KernelWarmup.Gate softmax;
        private final KernelWarmup.Gate logSoftmax;
        private final KernelWarmup.Gate layerNorm;

        /** Rows and columns of the float GEMM's register tile at this width. */
        private final int floatRowTile = vectorBits() == 256 ? 6 : 8;
        private final int floatPanel = panelWidth(vectorBits());
        /** Bit h set: the model ran a float GEMM tile of h rows. */
        private final AtomicInteger gemmHeights = new AtomicInteger(1 << floatRowTile);

        GatedFloats(FloatKernels v, FloatKernels s) {
            this.v = v;
            this.s = s;
            float[] x = floats(4 * 197, 4f, 3);
            float[] y = new float[x.length];
            float[] mask = floats(197, 2f, 4);
            float[] gamma = floats(197, 1.5f, 5);
            float[] beta = floats(197, 1f, 6);
            this.gemm = warmup.gate("float gemm", gemmBatch(false, x, y));
            warmup.coldPath(gemmBatch(true, x, y));
            this.exp = elementwise("exp", v, s, (k, n) -> k.exp(x, 0, y, 0, n));
            this.erf = elementwise("erf", v, s, (k, n) -> k.erf(x, 0, y, 0, n));
            this.tanh = elementwise("tanh", v, s, (k, n) -> k.tanh(x, 0, y, 0, n));
            this.gelu = elementwise("gelu", v, s, (k, n) -> k.gelu(x, 0, y, 0, n));
            this.activation = warmup.gate("activation", activationBatch(v, x, y));
            warmup.coldPath(activationBatch(s, x, y));
            this.scaleAndMask = elementwise("scaleAndMask", v, s, (k, n) -> {
                k.scaleAndMask(y, 0, n, 0.125f, mask, 0);
                k.scaleAndMask(y, 0, n, 0.125f, null, 0);
            });
            this.softmax = elementwise("softmax", v, s, (k, n) -> k.softmax(x, 0, y, 0, 3, n));
            this.logSoftmax = elementwise("logSoftmax", v, s, (k, n) -> k.logSoftmax(x, 0, y, 0, 3, n));
            this.layerNorm = elementwise("layerNorm", v, s, (k, n) -> {
                k.layerNorm(x, 0, y, 0, 3, n, gamma, beta, 1e-5f);
                k.layerNorm(x, 0, y, 0, 3, n, null, null, 1e-5f);
            });
        }

        /**
         * The tile heights the model's calls use (the whole tile always; on the cold path every height, before any
         * call), over a whole panel and a cut one, B as stored (read in place) and transposed (packed).
         */
        private KernelWarmup.Batch gemmBatch(boolean cold, float[] x, float[] y) {
            FloatKernels kernels = cold ? s : v;
            return () -> {
                int n = floatPanel + 5;
                int k = 9;
                int used = cold ? -1 : gemmHeights.get();
                int calls = 0;
                for (int m = 1; m <= floatRowTile; m++) {
                    if ((used & (1 << m)) != 0) {
                        kernels.gemm(m, n, k, x, 0, k, x, 1, n, false, y, 0, n);
                        kernels.gemm(m, n, k, x, 2, k, x, 3, k, true, y, 0, n);
                        calls += 2;
                    }
                }
                return calls;
            };
        }

        private static KernelWarmup.Batch activationBatch(FloatKernels kernels, float[] x, float[] y) {
            return () -> {
                int calls = 0;
                for (Activation kind : Activation.values()) {
                    for (int n : LENGTHS) {
                        kernels.activation(kind, 0.5f, 0.25f, x, 0, y, 0, n);
                        calls++;
                    }
                }
                return calls;
            };
        }

        @Override
        public void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                         boolean transB, float[] c, int cOff, int ldc) {
            if (gemm.open()) {
                v.gemm(m, n, k, a, aOff, lda, b, bOff, ldb, transB, c, cOff, ldc);
                return;
            }
            // The vector kernel runs whole tiles, then the remainder.
            int used = (1 << Math.min(m, floatRowTile)) | (m % floatRowTile == 0 ? 0 : 1 << (m % floatRowTile));
            if ((gemmHeights.get() | used) != gemmHeights.get()) {
                gemmHeights.getAndUpdate(h -> h | used);
            }
            s.gemm(m, n, k, a, aOff, lda, b, bOff, ldb, transB, c, cOff, ldc);
        }

        @Override
        public void exp(float[] x, int xOff, float[] out, int outOff, int n) {
            (exp.open() ? v : s).exp(x, xOff, out, outOff, n);
        }

        @Override
        public void erf(float[] x, int xOff, float[] out, int outOff, int n) {
            (erf.open() ? v : s).erf(x, xOff, out, outOff, n);
        }

        @Override
        public void tanh(float[] x, int xOff, float[] out, int outOff, int n) {
            (tanh.open() ? v : s).tanh(x, xOff, out, outOff, n);
        }

        @Override
        public void gelu(float[] x, int xOff, float[] out, int outOff, int n) {
            (gelu.open() ? v : s).gelu(x, xOff, out, outOff, n);
        }

        @Override
        public void activation(Activation kind, float a, float b, float[] x, int xOff, float[] out, int outOff,
                               int n) {
            (activation.open() ? v : s).activation(kind, a, b, x, xOff, out, outOff, n);
        }

        @Override
        public void scaleAndMask(float[] x, int off, int n, float scale, float[] mask, int maskOff) {
            (scaleAndMask.open() ? v : s).scaleAndMask(x, off, n, scale, mask, maskOff);
        }

        @Override
        public void softmax(float[] x, int xOff, float[] out, int outOff, int rows, int n) {
            (softmax.open() ? v : s).softmax(x, xOff, out, outOff, rows, n);
        }

        @Override
        public void logSoftmax(float[] x, int xOff, float[] out, int outOff, int rows, int n) {
            (logSoftmax.open() ? v : s).logSoftmax(x, xOff, out, outOff, rows, n);
        }

        @Override
        public void layerNorm(float[] x, int xOff, float[] out, int outOff, int rows, int n, float[] gamma,
                              float[] beta, float eps) {
            (layerNorm.open() ? v : s).layerNorm(x, xOff, out, outOff, rows, n, gamma, beta, eps);
        }
    }

    /**
     * Pooling and channels-last resampling behind a gate per method, the scalar kernels (their reference) the cold
     * path: ungated, a CNN's first inferences ran them boxed (5.8% of the U-Net's first runs). The batches cover a
     * padded, strided 2-D window over three planes, with and without indices, and a channel count with a vector
     * tail; they are not among the cold paths warmed at load (a transformer never pools).
     */
    private final class GatedPool implements PoolKernels {
        private final PoolKernels v;
        private final PoolKernels s;
        private final KernelWarmup.Gate maxPool;
        private final KernelWarmup.Gate maxPoolChannelsLast;
        private final KernelWarmup.Gate bilinear;
        private final KernelWarmup.Gate maxPoolBytes;
        private final KernelWarmup.Gate averagePool;
        private final KernelWarmup.Gate planeSums;
        private final KernelWarmup.Gate pixelSums;

        GatedPool(PoolKernels v, PoolKernels s) {
            this.v = v;
            this.s = s;
            int planes = 3;
            int channels = 37;
            int[] in = {7, 9};
            int[] out = {4, 5};
            int[] kernel = {3, 3};
            int[] strides = {2, 2};
            int[] dilations = {1, 1};
            int[] pads = {1, 1, 1, 1};
            float[] x = floats(planes * 7 * 9 * channels, 4f, 41);
            float[] y = new float[planes * 13 * 17 * channels];
            long[] indices = new long[planes * 4 * 5];
            byte[] codes = bytes(planes * 7 * 9 * channels, 42);
            byte[] pooled = new byte[planes * 4 * 5];
            int[] sums = new int[channels * planes];
            // Bilinear 7 x 9 -> 13 x 17 with half-pixel taps.
            Axis rows = Axis.resized(7, 13);
            Axis cols = Axis.resized(9, 17);
            this.maxPool = warmup.gate("maxPool", () -> {
                v.maxPool(x, planes, in, out, kernel, strides, dilations, pads, y, null, false);
                v.maxPool(x, planes, in, out, kernel, strides, dilations, pads, y, indices, true);
                return 2;
            });
            this.maxPoolChannelsLast = warmup.gate("maxPoolChannelsLast", () -> {
                v.maxPoolChannelsLast(x, 1, channels, in, out, kernel, strides, dilations, pads, y);
                return 1;
            });
            this.bilinear = warmup.gate("bilinearChannelsLast", () -> {
                v.bilinearChannelsLast(x, 7, 9, channels, rows.i1, rows.i2, rows.d1, rows.d2, cols.i1, cols.i2,
                    cols.d1, cols.d2, y, 0, rows.i1.length);
                return 1;
            });
            this.maxPoolBytes = warmup.gate("maxPool 8-bit", () -> {
                v.maxPool(codes, true, planes, in, out, kernel, strides, dilations, pads, pooled);
                v.maxPool(codes, false, planes, in, out, kernel, strides, dilations, pads, pooled);
                return 2;
            });
            this.averagePool = warmup.gate("averagePool", () -> {
                v.averagePool(x, planes, in, out, kernel, strides, dilations, pads, true, y);
                v.averagePool(x, planes, in, out, kernel, strides, dilations, pads, false, y);
                return 2;
            });
            this.planeSums = warmup.gate("planeSums", () -> {
                v.planeSums(codes, 1, planes, 7 * 9 * channels - 1, true, sums, 0);
                v.planeSums(codes, 0, planes, 7 * 9, false, sums, 0);
                return 2;
            });
            this.pixelSums = warmup.gate("pixelSums", () -> {
                v.pixelSums(codes, 1, 7 * 9, channels, true, sums, 0);
                v.pixelSums(codes, 0, 7 * 9, channels, false, sums, channels);
                return 2;
            });
        }

        /** One axis of a bilinear resize: per output, the two source indices and their weights. */
        private record Axis(int[] i1, int[] i2, float[] d1, float[] d2) {
            /** Half-pixel taps of a resize from n to m. */
            static Axis resized(int n, int m) {
                Axis a = new Axis(new int[m], new int[m], new float[m], new float[m]);
                for (int o = 0; o < m; o++) {
                    float c = Math.max(0f, Math.min((o + 0.5f) * n / m - 0.5f, n - 1));
                    a.i1[o] = (int) c;
                    a.i2[o] = Math.min(a.i1[o] + 1, n - 1);
                    a.d1[o] = c - a.i1[o];
                    a.d2[o] = 1 - a.d1[o];
                }
                return a;
            }
        }

        @Override
        public void maxPool(float[] x, int planes, int[] in, int[] out, int[] kernel, int[] strides, int[] dilations,
                            int[] pads, float[] y, long[] indices, boolean columnMajor) {
            (maxPool.open() ? v : s).maxPool(x, planes, in, out, kernel, strides, dilations, pads, y, indices,
                columnMajor);
        }

        @Override
        public void maxPoolChannelsLast(float[] x, int batch, int channels, int[] in, int[] out, int[] kernel,
                                        int[] strides, int[] dilations, int[] pads, float[] y) {
            (maxPoolChannelsLast.open() ? v : s).maxPoolChannelsLast(x, batch, channels, in, out, kernel, strides,
                dilations, pads, y);
        }

        @Override
        public void bilinearChannelsLast(float[] x, int h, int w, int channels, int[] y1, int[] y2, float[] dy1,
                                         float[] dy2, int[] x1, int[] x2, float[] dx1, float[] dx2, float[] y,
                                         int row0, int row1) {
            (bilinear.open() ? v : s).bilinearChannelsLast(x, h, w, channels, y1, y2, dy1, dy2, x1, x2, dx1, dx2, y,
                row0, row1);
        }

        @Override
        public void maxPool(byte[] x, boolean unsigned, int planes, int[] in, int[] out, int[] kernel, int[] strides,
                            int[] dilations, int[] pads, byte[] y) {
            (maxPoolBytes.open() ? v : s).maxPool(x, unsigned, planes, in, out, kernel, strides, dilations, pads, y);
        }

        @Override
        public void averagePool(float[] x, int planes, int[] in, int[] out, int[] kernel, int[] strides,
                                int[] dilations, int[] pads, boolean countIncludePad, float[] y) {
            (averagePool.open() ? v : s).averagePool(x, planes, in, out, kernel, strides, dilations, pads,
                countIncludePad, y);
        }

        @Override
        public void planeSums(byte[] x, int xOff, int planes, int size, boolean unsigned, int[] sums, int sumsOff) {
            (planeSums.open() ? v : s).planeSums(x, xOff, planes, size, unsigned, sums, sumsOff);
        }

        @Override
        public void pixelSums(byte[] x, int xOff, int pixels, int channels, boolean unsigned, int[] sums,
                              int sumsOff) {
            (pixelSums.open() ? v : s).pixelSums(x, xOff, pixels, channels, unsigned, sums, sumsOff);
        }
    }

    /** One elementwise call of a given length on some kernels. */
    private interface Call<K> {
        void run(K kernels, int n);
    }

    /**
     * A gate whose batch calls the vector kernel at every {@link #LENGTHS} a few times; the same calls on the scalar
     * kernel warm the cold path.
     */
    private <K> KernelWarmup.Gate elementwise(String name, K vectorKernels, K scalarKernels, Call<K> call) {
        warmup.coldPath(elementwiseBatch(scalarKernels, call));
        return warmup.gate(name, elementwiseBatch(vectorKernels, call));
    }

    private static <K> KernelWarmup.Batch elementwiseBatch(K kernels, Call<K> call) {
        return () -> {
            for (int rep = 0; rep < 4; rep++) {
                for (int n : LENGTHS) {
                    call.run(kernels, n);
                }
            }
            return 4 * LENGTHS.length;
        };
    }

    private final class GatedQuantize implements QuantizeKernels {
        private final QuantizeKernels v;
        private final QuantizeKernels s;
        private final KernelWarmup.Gate quantize;
        private final KernelWarmup.Gate dequantize;
        private final KernelWarmup.Gate requantize;
        private final KernelWarmup.Gate scale;
        private final KernelWarmup.Gate qlinearAdd;
        private final KernelWarmup.Gate qlinearMul;
        private final KernelWarmup.Gate rangeWithZero;
        private final KernelWarmup.Gate lookUp;
        private final KernelWarmup.Gate interleave;

        GatedQuantize(QuantizeKernels v, QuantizeKernels s) {
            this.v = v;
            this.s = s;
            float[] x = floats(197, 8f, 7);
            byte[] q = bytes(197, 8);
            byte[] q2 = bytes(197, 9);
            byte[] out = new byte[197];
            float[] f = new float[197];
            int[] acc = new int[197];
            int[] add = new int[197];
            for (int i = 0; i < acc.length; i++) {
                acc[i] = (q[i] * q2[i]) * 37;
                add[i] = q2[i] * 11;
            }
            float[] scales = floats(197, 0.01f, 10);
            this.quantize = elementwise("quantize", v, s, (k, n) -> {
                k.quantize(x, 0, n, n, 1, 0.05f, 3, -128, 127, out, 0, n);
                // Rows, as a concatenation's slices take them.
                k.quantize(x, 0, n / 4, n / 4, 2, 0.05f, 128, 0, 255, out, 0, n / 2);
            });
            this.dequantize = elementwise("dequantize", v, s, (k, n) -> {
                k.dequantize(q, 0, n, false, 3, 0.05f, f, 0);
                k.dequantize(q, 0, n, true, 128, 0.05f, f, 0);
            });
            this.requantize = elementwise("requantize", v, s, (k, n) -> {
                k.requantize(acc, 0, add, 0, scales, 0, true, 3, -128, 127, out, 0, n);
                k.requantize(acc, 0, add, 0, scales, 0, false, 128, 0, 255, out, 0, n);
            });
            float[] bias = floats(197, 3f, 11);
            this.scale = elementwise("scale", v, s, (k, n) -> {
                k.scale(acc, 0, add, 0, scales, 0, true, bias, 0, true, f, 0, n, 1);
                k.scale(acc, 0, add, 0, scales, 0, false, null, 0, false, f, 0, n / 2, 2);
            });
            this.qlinearAdd = elementwise("qlinearAdd", v, s, (k, n) -> {
                k.qlinearAdd(q, 0, false, q2, 0, false, n, false, 0.05f, 3, 0.07f, -2, 0.1f, 1, -128, 127, out, 0);
                k.qlinearAdd(q, 0, true, q2, 0, false, n, true, 0.05f, 128, 0.07f, 120, 0.1f, 128, 0, 255, out, 0);
                k.qlinearAdd(q, 0, false, q2, 0, true, n, false, 0.05f, 3, 0.07f, -2, 0.1f, 1, -128, 127, out, 0);
            });
            this.qlinearMul = elementwise("qlinearMul", v, s, (k, n) -> {
                k.qlinearMul(q, 0, false, q2, 0, false, n, false, 0.05f, 3, 0.07f, -2, 0.1f, 1, -128, 127, out, 0);
                k.qlinearMul(q, 0, true, q2, 0, false, n, true, 0.05f, 128, 0.07f, 120, 0.1f, 128, 0, 255, out, 0);
                k.qlinearMul(q, 0, false, q2, 0, true, n, false, 0.05f, 3, 0.07f, -2, 0.1f, 1, -128, 127, out, 0);
            });
            this.rangeWithZero = elementwise("rangeWithZero", v, s, (k, n) -> k.rangeWithZero(x, 0, n));
            byte[] table = bytes(256, 12);
            this.lookUp = elementwise("lookUp", v, s, (k, n) -> k.lookUp(table, q, 0, n, out, 0));
            this.interleave = elementwise("interleave", v, s, (k, n) -> {
                for (int planes = 2; planes <= MAX_INTERLEAVED; planes++) {
                    k.interleave(q, 0, n / planes, planes, n / planes, out, 0);
                }
            });
        }

        @Override
        public void quantize(float[] x, int xOff, int xStride, int n, int rows, float scale, int zp, int qmin,
                             int qmax, byte[] out, int outOff, int outStride) {
            (quantize.open() ? v : s).quantize(x, xOff, xStride, n, rows, scale, zp, qmin, qmax, out, outOff,
                outStride);
        }

        @Override
        public void dequantize(byte[] q, int qOff, int n, boolean unsigned, int zp, float scale, float[] out,
                               int outOff) {
            (dequantize.open() ? v : s).dequantize(q, qOff, n, unsigned, zp, scale, out, outOff);
        }

        @Override
        public void requantize(int[] acc, int accOff, int[] add, int addOff, float[] scales, int scaleOff,
                               boolean perColumn, int zp, int qmin, int qmax, byte[] out, int outOff, int n) {
            (requantize.open() ? v : s).requantize(acc, accOff, add, addOff, scales, scaleOff, perColumn, zp, qmin,
                qmax, out, outOff, n);
        }

        @Override
        public void scale(int[] acc, int accOff, int[] add, int addOff, float[] scales, int scaleOff,
                          boolean perColumn, float[] bias, int biasOff, boolean relu, float[] out, int outOff, int n,
                          int rows) {
            (scale.open() ? v : s).scale(acc, accOff, add, addOff, scales, scaleOff, perColumn, bias, biasOff, relu,
                out, outOff, n, rows);
        }

        @Override
        public void qlinearAdd(byte[] a, int aOff, boolean aScalar, byte[] b, int bOff, boolean bScalar, int n,
                               boolean unsigned, float sa, int za, float sb, int zb, float sc, int zc, int qmin,
                               int qmax, byte[] out, int outOff) {
            (qlinearAdd.open() ? v : s).qlinearAdd(a, aOff, aScalar, b, bOff, bScalar, n, unsigned, sa, za, sb, zb,
                sc, zc, qmin, qmax, out, outOff);
        }

        @Override
        public void qlinearMul(byte[] a, int aOff, boolean aScalar, byte[] b, int bOff, boolean bScalar, int n,
                               boolean unsigned, float sa, int za, float sb, int zb, float sc, int zc, int qmin,
                               int qmax, byte[] out, int outOff) {
            (qlinearMul.open() ? v : s).qlinearMul(a, aOff, aScalar, b, bOff, bScalar, n, unsigned, sa, za, sb, zb,
                sc, zc, qmin, qmax, out, outOff);
        }

        @Override
        public float[] rangeWithZero(float[] x, int off, int n) {
            return (rangeWithZero.open() ? v : s).rangeWithZero(x, off, n);
        }

        @Override
        public void lookUp(byte[] table, byte[] x, int xOff, int n, byte[] out, int outOff) {
            (lookUp.open() ? v : s).lookUp(table, x, xOff, n, out, outOff);
        }

        @Override
        public void interleave(byte[] x, int xOff, int xStride, int planes, int n, byte[] out, int outOff) {
            (interleave.open() ? v : s).interleave(x, xOff, xStride, planes, n, out, outOff);
        }
    }
}
