package dev.octet.kernel;

/**
 * Exact Winograd F(2x2, 3x3) for int8 3x3 stride-1 convolutions on channels-last tensors: 16 GEMMs of
 * transformed tiles instead of one of im2col rows, 2.25x fewer multiplies, bit-identical results.
 *
 * <p>The arithmetic: {@code Y = A^T [(G g G^T) .* (B^T d B)] A} with
 * {@code B^T = [[1,0,-1,0],[0,1,1,0],[0,-1,1,0],[0,1,0,-1]]},
 * {@code G = [[1,0,0],[1/2,1/2,1/2],[1/2,-1/2,1/2],[0,0,1]]} and {@code A^T = [[1,1,1,0],[0,1,-1,-1]]}, all in
 * integers:
 * <ul>
 * <li>Inputs are canonical, {@code x' = x - 128} for uint8 (x itself for int8), so |x'| <= 128; taps in padding
 *     (and beyond the image for a tile half outside) hold the canonical zero point {@code zpc}. Each row of B^T has
 *     two entries of +-1, so {@code V = B^T d B} is a sum of 4 terms: |V| <= 512.</li>
 * <li>Weights are transformed with {@code 2G = [[2,0,0],[1,1,1],[1,-1,1],[0,0,2]]} after subtracting their zero
 *     point (per channel or per tensor), so {@code U = (2G) g (2G)^T} is an integer, 4 times the true transform,
 *     with |U| <= 9 max|w - wzp| <= 2295.</li>
 * <li>The 16 products {@code M_xi = V_xi (tiles x C) U_xi (C x cout)} are GEMMs whose float partial sums are exact
 *     integers while 512 times the sum of |U| over the products a partial sum holds stays within 2^24: each
 *     {@code xi} flushes to int32 after as many products as every column's |U| sums allow over any run of that
 *     length ({@link #flushInterval}; {@link QGemmKernel#multiply} with that interval), whole K at once for
 *     typical weights, 14 products when every |U| is 2295;
 *     the int32 sums wrap like int arithmetic, so M is exact modulo 2^32.</li>
 * <li>{@code Y4 = A^T M A} is then 4 times {@code sum x' (w - wzp)} modulo 2^32, and that sum is below
 *     {@code 9 C 128 max|w - wzp|} in magnitude: when {@code 4 * 9 C 128 max|w - wzp| < 2^31} (checked at load,
 *     else the layer takes the direct path) the wrapped int Y4 is exact and {@code Y4 >> 2} is the sum.</li>
 * <li>The convolution's {@code sum (x - zp)(w - wzp) = Y - zpc * Wsum[oc]} with {@code Wsum[oc]} the sum of
 *     {@code w - wzp[oc]} over taps and input channels (padded taps hold zpc, so this is exact); it goes with the
 *     bias into the column terms of {@link QGemm#epilogue}, the direct path's own output conversion.</li>
 * </ul>
 * With dilation d a tile's outputs are at {@code (oy + i d, ox + j d)} and it reads input rows
 * {@code oy - padTop + r d}, r = 0..3: a non-dilated Winograd on each of the d x d interleaved sub-grids. Tiles cover
 * every output once; a tile half outside the output computes the outside half and drops it.
 */
public final class Winograd {
    /** Float partial sums are exact integers up to this magnitude. */
    private static final long FLOAT_EXACT = 1L << 24;
    /** Largest |V| of a transformed input tile: 4 canonical values of magnitude <= 128. */
    private static final int MAX_V = 512;
    /**
     * Fewer channels than this in or out take the direct path (narrower layers were not measured; at 8 channels in
     * and out Winograd still took 0.85x the direct path's time, QConvBenchmark 256x256x8-8).
     */
    public static final int MIN_CHANNELS = 8;
    /** Bytes a chunk of tiles works on (transformed inputs, one prepared A, the 16 products): stays in L2. */
    private static final int CHUNK_BYTES = 1 << 20;
    /** Tiles per chunk at least, so each GEMM runs whole row tiles. */
    private static final int MIN_CHUNK_TILES = 32;
    private static final int[][] G2 = {{2, 0, 0}, {1, 1, 1}, {1, -1, 1}, {0, 0, 2}};

    private Winograd() {}

    /**
     * A layer's transformed weights: {@code transformed[4a + b]} packs {@code U[a][b]} as a C x cout B;
     * {@code weightSums[oc]} is the sum of {@code w - wzp[oc]}; {@code flushes[xi]} the float flush interval of
     * {@code xi}'s product.
     */
    public static final class Weights {
        private final PackedB[] transformed;
        private final int[] weightSums;
        private final int[] flushes;
        /** The tile layout of the geometry these weights last ran at: a convolution runs one shape run after run. */
        private volatile Layout layout;

        public Weights(PackedB[] transformed, int[] weightSums, int[] flushes) {
            this.transformed = transformed;
            this.weightSums = weightSums;
            this.flushes = flushes;
        }

        public PackedB[] transformed() {
            return transformed;
        }

        public int[] weightSums() {
            return weightSums;
        }

        public int[] flushes() {
            return flushes;
        }

        /** The layout for g, kept while calls bring the same geometry (the caller keeps one per input shape). */
        Layout layout(QConvNhwc.Geometry g) {
            Layout l = layout;
            if (l == null || l.g() != g) {
                l = new Layout(g);
                layout = l;
            }
            return l;
        }
    }

    /** The shapes Winograd runs: 2-D, 3x3, stride 1, one group, any dilation and padding, enough channels. */
    public static boolean applies(int rank, int[] kernel, int[] strides, int group, int cin, int cout) {
        return rank == 2 && kernel.length == 2 && kernel[0] == 3 && kernel[1] == 3 && strides[0] == 1
            && strides[1] == 1 && group == 1 && cin >= MIN_CHANNELS && cout >= MIN_CHANNELS;
    }

    /** {@link #applies} for a convolution's geometry (its input size does not matter). */
    public static boolean applies(QConvNhwc.Geometry g) {
        return applies(g.inSpatial().length, g.kernel(), g.strides(), g.group(), g.cin(), g.cout());
    }

    /**
     * The integer transform {@code U = (2G) (w - wzp) (2G)^T} of OIHW 3x3 weights: [16][cin * cout] (C x cout
     * row-major per element), the weight sums and max |w - wzp| (in {@code maxW[0]}).
     */
    static int[][] transform(byte[] w, int cout, int cin, boolean unsigned, int[] wzp, int[] weightSums, int[] maxW) {
        int[][] u = new int[16][cin * cout];
        int[] g = new int[9];
        int[] t = new int[12];
        int widest = 0;
        for (int oc = 0; oc < cout; oc++) {
            int zp = wzp[wzp.length == 1 ? 0 : oc];
            int sum = 0;
            for (int ic = 0; ic < cin; ic++) {
                int base = (oc * cin + ic) * 9;
                for (int i = 0; i < 9; i++) {
                    g[i] = (unsigned ? w[base + i] & 0xFF : w[base + i]) - zp;
                    sum += g[i];
                    widest = Math.max(widest, Math.abs(g[i]));
                }
                for (int a = 0; a < 4; a++) {
                    for (int s = 0; s < 3; s++) {
                        t[a * 3 + s] = G2[a][0] * g[s] + G2[a][1] * g[3 + s] + G2[a][2] * g[6 + s];
                    }
                }
                for (int a = 0; a < 4; a++) {
                    for (int b = 0; b < 4; b++) {
                        int v = t[a * 3] * G2[b][0] + t[a * 3 + 1] * G2[b][1] + t[a * 3 + 2] * G2[b][2];
                        u[4 * a + b][ic * cout + oc] = v;
                    }
                }
            }
            weightSums[oc] = sum;
        }
        maxW[0] = widest;
        return u;
    }

    /**
     * The longest flush interval (at most {@link QGemmKernel#INT8_FLUSH}) over which every column of u ([k][n]
     * row-major) sums to at most {@code 2^24 / 512} in |U| over any run of that many consecutive rows: partial sums of
     * products with {@code |V| <= 512} are then exact integers in float, wherever the kernel's flushes fall. The
     * longest run in a column only grows with the length, so a binary search over lengths finds it.
     */
    static int flushInterval(int[] u, int k, int n) {
        // prefix[(p) * n + j]: sum of |U| over rows [0, p) of column j (below 1024 * 2295, an int).
        int[] prefix = new int[(k + 1) * n];
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                prefix[(p + 1) * n + j] = prefix[p * n + j] + Math.abs(u[p * n + j]);
            }
        }
        if (fits(prefix, k, n, k)) {
            return QGemmKernel.INT8_FLUSH;
        }
        int lo = 1;
        int hi = k - 1;
        // |U| <= 2295 alone stays within the bound, so one product always fits.
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (fits(prefix, k, n, mid)) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return Math.min(lo, QGemmKernel.INT8_FLUSH);
    }

    /** Whether every run of {@code length} rows of every column sums to at most 2^24 / 512 in |U|. */
    private static boolean fits(int[] prefix, int k, int n, int length) {
        long limit = FLOAT_EXACT / MAX_V;
        for (int p = 0; p + length <= k; p++) {
            for (int j = 0; j < n; j++) {
                if (prefix[(p + length) * n + j] - prefix[p * n + j] > limit) {
                    return false;
                }
            }
        }
        return true;
    }

    /** True when the int32 sums of a layer with cin channels and weights within maxW are exact (see above). */
    static boolean exact(int cin, int maxW) {
        return 4L * 9 * cin * 128 * maxW < (1L << 31);
    }

    /**
     * The packed transform of OIHW 3x3 weights when Winograd is exact for them, else null: the direct path. No
     * flush interval is too short to pay: 8-bit weights give at least 14 products per flush, and at 14 (all
     * |w - wzp| = 255) Winograd still took 0.4-0.6x the direct path's time (QConvBenchmark, weights=widest). Each
     * transformed position gets its own interval from its weights' actual sums ({@link #flushInterval}).
     */
    public static Weights plan(QGemmKernel kernel, byte[] w, int cout, int cin, boolean unsigned, int[] wzp) {
        int[] sums = new int[cout];
        int[] maxW = new int[1];
        int[][] u = transform(w, cout, cin, unsigned, wzp, sums, maxW);
        if (!exact(cin, maxW[0])) {
            return null;
        }
        PackedB[] packed = new PackedB[16];
        int[] flushes = new int[16];
        for (int xi = 0; xi < 16; xi++) {
            packed[xi] = kernel.packWideB(u[xi], cin, cout);
            flushes[xi] = flushInterval(u[xi], cin, cout);
        }
        return new Weights(packed, sums, flushes);
    }

    /** The calling thread's buffers, reused across calls. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        /** Each position's prepared A (a GEMM's own buffers, written by the transform or by prepareRows). */
        final PreparedA[] prepared = new PreparedA[16];
        final int[] offsets = new int[16];
        /** Where the transform writes each position's rows: the prepared buffers, or the plain rows below. */
        final float[][] v = new float[16][];
        private final float[][] plain = new float[16][0];
        int[] m = new int[0];
        int[] y = new int[0];
        private int[] rows = new int[0];
        byte[] patch = new byte[0];
        private int[] colTerms = new int[0];

        /** Two output rows of a run of tiles (see {@link #chunk}), at least n ints. */
        int[] rows(int n) {
            if (rows.length < n) {
                rows = new int[n];
            }
            return rows;
        }

        /** The calling thread's column terms for {@link #run}, at least n long. */
        int[] colTerms(int n) {
            if (colTerms.length < n) {
                colTerms = new int[n];
            }
            return colTerms;
        }

        Scratch() {
            for (int xi = 0; xi < 16; xi++) {
                prepared[xi] = new PreparedA();
            }
        }

        /** Plain rows of at least {@code size} floats per position as the transform's destination. */
        void plainRows(int size) {
            for (int xi = 0; xi < 16; xi++) {
                if (plain[xi].length < size) {
                    plain[xi] = new float[size];
                }
                v[xi] = plain[xi];
            }
        }

        void size(int tiles, int cin, int cout) {
            if (m.length < 16 * tiles * cout) {
                m = new int[16 * tiles * cout];
            }
            if (y.length < 4 * cout) {
                y = new int[4 * cout];
            }
            if (patch.length < 16 * cin) {
                patch = new byte[16 * cin];
            }
        }
    }

    /**
     * The convolution of NHWC {@code x} (zero point xzp in x's own type) with {@code w}, bias (int32, length cout, or
     * null) and output as {@link QConvNhwc#gemm} takes them; g must satisfy {@link #applies}.
     */
    public static void run(QGemmKernel kernel, WinogradKernels transforms, Parallel parallel, QConvNhwc.Geometry g,
                           byte[] x, boolean xUnsigned, int xzp, Weights w, int[] bias, QGemm.Output out) {
        int cin = g.cin(), cout = g.cout();
        int zpc = xzp - (xUnsigned ? 128 : 0);
        // The calling thread's scratch (chunks use their own threads' other arrays): xzp changes from run to run.
        int[] colTerms = SCRATCH.get().colTerms(cout);
        for (int oc = 0; oc < cout; oc++) {
            colTerms[oc] = (bias == null ? 0 : bias[oc]) - zpc * w.weightSums()[oc];
        }
        Layout layout = w.layout(g);
        int total = g.batch() * layout.tilesPerImage();
        if (total == 0) {
            return;
        }
        int bytesPerTile = 16 * 4 * (cin + cout) + 4 * cin;
        int perChunk = Math.max(MIN_CHUNK_TILES, CHUNK_BYTES / bytesPerTile);
        int chunks = (total + perChunk - 1) / perChunk;
        int threads = parallel.threads();
        chunks = (chunks + threads - 1) / threads * threads;
        int tiles = (total + chunks - 1) / chunks;
        int chunkCount = (total + tiles - 1) / tiles;
        parallel.forEach(chunkCount, c -> chunk(kernel, transforms, layout, x, xUnsigned, (byte) xzp, w, colTerms,
            out, c * tiles, Math.min(total, (c + 1) * tiles)));
    }

    /**
     * Where tiles sit: tile {@code t} of an image is tile row {@code t / lefts.length} (its first output row
     * {@code tops[...]}) and tile column {@code t % lefts.length}; rows and columns list every sub-grid's tiles.
     */
    private record Layout(QConvNhwc.Geometry g, int[] tops, int[] lefts) {
        Layout(QConvNhwc.Geometry g) {
            this(g, starts(g.outSpatial()[0], g.dilations()[0]), starts(g.outSpatial()[1], g.dilations()[1]));
        }

        int tilesPerImage() {
            return tops.length * lefts.length;
        }

        /** First outputs of every tile along one axis: per sub-grid s < d, outputs s, s + 2d, s + 4d, ... */
        private static int[] starts(int out, int d) {
            int count = 0;
            for (int s = 0; s < Math.min(d, out); s++) {
                count += ((out - s + d - 1) / d + 1) / 2;
            }
            int[] r = new int[count];
            int i = 0;
            for (int s = 0; s < Math.min(d, out); s++) {
                for (int o = s; o < out; o += 2 * d) {
                    r[i++] = o;
                }
            }
            return r;
        }
    }

    /** Tiles [t0, t1) of the whole batch: input transform, 16 GEMMs, output transform and epilogue. */
    private static void chunk(QGemmKernel kernel, WinogradKernels transforms, Layout layout, byte[] x,
                              boolean xUnsigned, byte pad, Weights w, int[] colTerms, QGemm.Output out, int t0,
                              int t1) {
        QConvNhwc.Geometry g = layout.g();
        int cin = g.cin(), cout = g.cout();
        int n = t1 - t0;
        Scratch s = SCRATCH.get();
        s.size(n, cin, cout);
        int flip = xUnsigned ? 0x80 : 0;
        // The transform writes the GEMM's prepared A itself where the kernel's layout allows (copying rows into it
        // took a fifth of a 48 -> 16 layer's time); otherwise plain rows, prepared per position.
        int rowTile = kernel.preparedRowTile();
        if (rowTile > 0) {
            int group = QGemmKernel.PREPARED_GROUP;
            int depth = (cin + group - 1) / group * group;
            for (int xi = 0; xi < 16; xi++) {
                kernel.resetA(n, cin, false, s.prepared[xi]);
                s.v[xi] = s.prepared[xi].floats(0);
            }
            for (int t = t0; t < t1; t++) {
                byte[] src = tileSources(layout, x, pad, t, s);
                int i = t - t0;
                int at = (i / rowTile) * depth * rowTile + (i % rowTile) * group;
                transforms.inputTile(src, s.offsets, flip, cin, s.v, at, group * rowTile);
            }
        } else {
            s.plainRows(n * cin);
            for (int t = t0; t < t1; t++) {
                byte[] src = tileSources(layout, x, pad, t, s);
                transforms.inputTile(src, s.offsets, flip, cin, s.v, (t - t0) * cin,
                    QGemmKernel.PREPARED_GROUP);
            }
            for (int xi = 0; xi < 16; xi++) {
                kernel.resetA(n, cin, false, s.prepared[xi]);
                kernel.prepareRows(0, n, s.v[xi], 0, cin, s.prepared[xi]);
            }
        }
        for (int xi = 0; xi < 16; xi++) {
            kernel.multiply(s.prepared[xi], 0, n, w.transformed()[xi], 0, cout, s.m, xi * n * cout, cout,
                w.flushes()[xi]);
        }
        int outH = g.outSpatial()[0], outW = g.outSpatial()[1];
        int dy = g.dilations()[0], dx = g.dilations()[1];
        int perImage = layout.tilesPerImage();
        int columns = layout.lefts().length;
        QuantizeKernels epilogue = kernel.epilogue();
        int[] int32 = out instanceof QGemm.Output.Int32 o ? o.out() : null;
        if (dy == 1 && dx == 1 && int32 == null) {
            // Undilated, the tiles of a tile row cover two output rows' consecutive pixels: their sums go to two
            // rows of a buffer, and each row through the epilogue in one call (a call per 16-channel pixel was a
            // tenth of a U-Net's time).
            for (int ta = t0, tb; ta < t1; ta = tb) {
                tb = Math.min(t1, ta - ta % columns + columns);
                int width = 2 * (tb - ta);
                int[] rows = s.rows(2 * width * cout);
                for (int t = ta; t < tb; t++) {
                    transforms.outputTile(s.m, (t - t0) * cout, n * cout, cout, s.y);
                    System.arraycopy(s.y, 0, rows, 2 * (t - ta) * cout, 2 * cout);
                    System.arraycopy(s.y, 2 * cout, rows, (width + 2 * (t - ta)) * cout, 2 * cout);
                }
                int b = ta / perImage;
                int oy0 = layout.tops()[ta % perImage / columns];
                int ox0 = layout.lefts()[ta % perImage % columns];
                int pixels = Math.min(width, outW - ox0);
                for (int i = 0; i < 2 && oy0 + i < outH; i++) {
                    QGemm.epilogue(epilogue, 0, pixels, cout, 0, cout, rows, i * width * cout, colTerms, null, 0,
                        null, null, 0, out, ((b * outH + oy0 + i) * outW + ox0) * cout);
                }
            }
            return;
        }
        for (int t = t0; t < t1; t++) {
            transforms.outputTile(s.m, (t - t0) * cout, n * cout, cout, s.y);
            int b = t / perImage;
            int oy0 = layout.tops()[t % perImage / columns];
            int ox0 = layout.lefts()[t % perImage % columns];
            for (int i = 0; i < 2; i++) {
                int oy = oy0 + i * dy;
                for (int j = 0; j < 2; j++) {
                    int ox = ox0 + j * dx;
                    if (oy < outH && ox < outW) {
                        int at = ((b * outH + oy) * outW + ox) * cout;
                        int[] acc = int32 != null ? int32 : s.y;
                        int accAt = int32 != null ? at : (2 * i + j) * cout;
                        if (int32 != null) {
                            System.arraycopy(s.y, (2 * i + j) * cout, int32, at, cout);
                        }
                        QGemm.epilogue(epilogue, 0, 1, cout, 0, cout, acc, accAt, colTerms, null, 0, null, null, 0,
                            out, at);
                    }
                }
            }
        }
    }

    /**
     * Sets {@code s.offsets} to where tile t's 16 input pixels start (row-major over the 4 x 4 window) and returns
     * the array they are in: x itself when the window is inside the image, else the scratch patch with the
     * padding value where a tap falls outside.
     */
    private static byte[] tileSources(Layout layout, byte[] x, byte pad, int t, Scratch s) {
        QConvNhwc.Geometry g = layout.g();
        int h = g.inSpatial()[0], wd = g.inSpatial()[1], cin = g.cin();
        int dy = g.dilations()[0], dx = g.dilations()[1];
        int perImage = layout.tilesPerImage();
        int columns = layout.lefts().length;
        int b = t / perImage;
        int iy0 = layout.tops()[t % perImage / columns] - g.pads()[0];
        int ix0 = layout.lefts()[t % perImage % columns] - g.pads()[1];
        int image = b * h * wd * cin;
        int[] o = s.offsets;
        if (iy0 >= 0 && iy0 + 3 * dy < h && ix0 >= 0 && ix0 + 3 * dx < wd) {
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 4; c++) {
                    o[4 * r + c] = image + ((iy0 + r * dy) * wd + ix0 + c * dx) * cin;
                }
            }
            return x;
        }
        byte[] patch = s.patch;
        for (int r = 0; r < 4; r++) {
            int iy = iy0 + r * dy;
            for (int c = 0; c < 4; c++) {
                int ix = ix0 + c * dx;
                int at = (4 * r + c) * cin;
                o[4 * r + c] = at;
                if (iy >= 0 && iy < h && ix >= 0 && ix < wd) {
                    System.arraycopy(x, image + (iy * wd + ix) * cin, patch, at, cin);
                } else {
                    java.util.Arrays.fill(patch, at, at + cin, pad);
                }
            }
        }
        return patch;
    }
}
