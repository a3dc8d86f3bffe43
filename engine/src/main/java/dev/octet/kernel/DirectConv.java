package dev.octet.kernel;

/**
 * A convolution with few channels on one side (a segmentation head's 16 -> 1, an image's 3 -> 16), its sums computed
 * straight from a float band of the input: no im2col rows (K bytes per output) and no prepared A (K floats per
 * output), each input value converted once per band. Values are shifted by their zero points, {@code x - x_zp} and
 * {@code w - w_zp} in [-255, 255], so the padding is 0 and every sum of at most {@link #MAX_DEPTH} products is an
 * exact integer in float: the int32 sums of the GEMM path, to the bit, whatever the weight zero points (no row
 * sums). The sums then go through {@link QGemm#epilogue}, like every other convolution's.
 *
 * <p>Few output channels run as dot products along each window's channel runs ({@link DirectConvKernels#dots}); few
 * input channels (with a float or int32 output: a requantized image layer is {@link ImageConv}'s) as outer products
 * over the output channels ({@link DirectConvKernels#outer}).
 */
public final class DirectConv {
    /** Products per output at most: {@code MAX_DEPTH * 255 * 255 < 2^24} keeps float sums exact. */
    static final int MAX_DEPTH = (1 << 24) / (255 * 255);
    /** Output channels below which the outputs are dot products. */
    static final int DOT_CHANNELS = 8;
    /** Floats of one band's copy at most (with the sums of its outputs below), so both stay in L2. */
    private static final int BAND_FLOATS = 1 << 17;
    private static final int BAND_SUMS = 1 << 16;
    /** A layer whose one-row band would pass this (very wide, or widely dilated) takes the GEMM path. */
    private static final int MAX_BAND_FLOATS = 1 << 22;

    private DirectConv() {}

    /**
     * Shifted weights in the layout of their form: [cout][tap][paddedRun(cin)] for dots, else
     * [tap][cin][paddedRun(cout)]; {@code noBias} is cout zero column terms.
     */
    public record Weights(boolean dots, float[] values, int cout, int cin, int taps, int[] noBias) {}

    /**
     * Whether a convolution takes this path: one group, a 1-D or 2-D window larger than 1x1, exact sums, and either
     * few output channels or ({@code outer} allowed: not requantized) few input channels.
     */
    public static boolean applies(int spatialRank, int cin, int cout, int group, int taps, boolean requantized) {
        if (group != 1 || spatialRank < 1 || spatialRank > 2 || taps <= 1 || cin == 0 || cout == 0
            || (long) cin * taps > MAX_DEPTH) {
            return false;
        }
        return cout < DOT_CHANNELS || !requantized && cin <= QGemmKernel.IMAGE_PIXEL;
    }

    /** Whether a geometry's band of one output row stays small enough for this path (see {@link #MAX_BAND_FLOATS}). */
    public static boolean fits(QConvNhwc.Geometry g) {
        QConvNhwc.Window2d w = g.window2d();
        long planeWidth = (long) (w.outW() - 1) * w.sw() + (long) (w.kw() - 1) * w.dw() + 1;
        return planeWidth * g.cin() * ((long) (w.kh() - 1) * w.dh() + 1) <= MAX_BAND_FLOATS;
    }

    /** Weights [cout][cin][taps] (OIHW) minus their zero points (one, or one per output channel), once at load. */
    public static Weights pack(byte[] w, int cout, int cin, int taps, boolean unsigned, int[] wzp) {
        boolean dots = cout < DOT_CHANNELS;
        int cinRun = DirectConvKernels.paddedRun(cin);
        int coutRun = DirectConvKernels.paddedRun(cout);
        float[] values = new float[dots ? cout * taps * cinRun : taps * cin * coutRun];
        for (int j = 0; j < cout; j++) {
            int zp = wzp.length == 1 ? wzp[0] : wzp[j];
            for (int c = 0; c < cin; c++) {
                for (int t = 0; t < taps; t++) {
                    byte b = w[(j * cin + c) * taps + t];
                    float v = (unsigned ? b & 0xFF : b) - zp;
                    values[dots ? (j * taps + t) * cinRun + c : (t * cin + c) * coutRun + j] = v;
                }
            }
        }
        return new Weights(dots, values, cout, cin, taps, new int[cout]);
    }

    /**
     * The calling thread's band and sums, and the window offsets of its calls (one array per form, so a model
     * alternating a head and an image layer does not reallocate them), reused across calls.
     */
    private static final class Band {
        float[] floats = new float[0];
        int[] sums = new int[0];
        int[] runs = new int[0];
        int[] values = new int[0];
    }

    private static final ThreadLocal<Band> BANDS = ThreadLocal.withInitial(Band::new);

    /**
     * The convolution of NHWC {@code x} (zero point xzp) into {@code out} ({@link QGemm.Output.Int32},
     * {@link QGemm.Output.Requantized} with int32 {@code bias} or null, {@link QGemm.Output.Scaled}), in bands of
     * output rows over the threads.
     */
    public static void run(DirectConvKernels kernels, QuantizeKernels epilogue, Parallel parallel,
                           QConvNhwc.Geometry g, byte[] x, boolean xUnsigned, int xzp, Weights w, int[] bias,
                           QGemm.Output out) {
        QConvNhwc.Window2d win = g.window2d();
        int cin = g.cin();
        int cout = g.cout();
        if (cin != w.cin() || cout != w.cout() || win.kh() * win.kw() != w.taps()) {
            throw new IllegalArgumentException("direct weights " + w.cout() + " x " + w.cin() + " x " + w.taps()
                + " do not fit a " + cout + " x " + cin + " x " + win.kh() + "x" + win.kw() + " convolution");
        }
        int planeWidth = (win.outW() - 1) * win.sw() + (win.kw() - 1) * win.dw() + 1;
        int rowsPerBand = rowsPerBand(win, planeWidth, cin, cout, parallel.threads());
        int bands = (win.outH() + rowsPerBand - 1) / rowsPerBand;
        int[] colTerms = bias != null ? bias : w.noBias();
        int outSize = win.outH() * win.outW();
        // The caller's array, read by every task.
        int[] runs = offsets(BANDS.get(), w, win, planeWidth, cin);
        parallel.forEach(g.batch() * bands, task -> {
            int image = task / bands;
            int oy0 = task % bands * rowsPerBand;
            int oy1 = Math.min(win.outH(), oy0 + rowsPerBand);
            int inRows = (oy1 - oy0 - 1) * win.sh() + (win.kh() - 1) * win.dh() + 1;
            int rowFloats = planeWidth * cin;
            Band band = BANDS.get();
            // Room after the last row: kernels read each run's padding (see DirectConvKernels).
            int floats = inRows * rowFloats + DirectConvKernels.RUN_ALIGN;
            if (band.floats.length < floats) {
                band.floats = new float[floats];
            }
            int outputs = (oy1 - oy0) * win.outW();
            int o0 = image * outSize + oy0 * win.outW();
            int[] sums = out instanceof QGemm.Output.Int32 i ? i.out() : band.sums;
            int sumsOff = sums == band.sums ? 0 : o0 * cout;
            if (sums == band.sums && band.sums.length < outputs * cout) {
                sums = band.sums = new int[outputs * cout];
            }
            float[] copy = band.floats;
            copyBand(win, cin, epilogue, x, image * win.inH() * win.inW() * cin, xUnsigned, xzp, oy0, inRows,
                planeWidth, copy);
            for (int oy = oy0; oy < oy1; oy++) {
                int base = (oy - oy0) * win.sh() * rowFloats;
                int at = sumsOff + (oy - oy0) * win.outW() * cout;
                if (w.dots()) {
                    kernels.dots(copy, base, win.sw() * cin, runs, cin, win.outW(), w.values(), cout, sums, at);
                } else {
                    kernels.outer(copy, base, win.sw() * cin, runs, win.outW(), w.values(), cout, sums, at);
                }
            }
            if (!(out instanceof QGemm.Output.Int32) || bias != null) {
                QGemm.epilogue(epilogue, 0, outputs, cout, 0, cout, sums, sumsOff, colTerms, null, 0, null, null, 0,
                    out, o0 * cout);
            }
        });
    }

    /**
     * A window's offsets in the band from its output's first value: dots read each tap's run of channels, outer
     * products each value of the window on its own.
     */
    private static int[] offsets(Band band, Weights w, QConvNhwc.Window2d win, int planeWidth, int cin) {
        int count = w.dots() ? w.taps() : w.taps() * cin;
        int[] offsets = w.dots() ? band.runs : band.values;
        if (offsets.length != count) {
            offsets = new int[count];
            if (w.dots()) {
                band.runs = offsets;
            } else {
                band.values = offsets;
            }
        }
        for (int ky = 0, t = 0; ky < win.kh(); ky++) {
            for (int kx = 0; kx < win.kw(); kx++, t++) {
                int run = (ky * win.dh() * planeWidth + kx * win.dw()) * cin;
                if (w.dots()) {
                    offsets[t] = run;
                } else {
                    for (int c = 0; c < cin; c++) {
                        offsets[t * cin + c] = run + c;
                    }
                }
            }
        }
        return offsets;
    }

    /** Output rows per band: a copy and sums that fit L2, and with several threads a few bands each. */
    private static int rowsPerBand(QConvNhwc.Window2d w, int planeWidth, int cin, int cout, int threads) {
        long rowFloats = (long) planeWidth * cin;
        long byCopy = (BAND_FLOATS / Math.max(1, rowFloats) - (long) (w.kh() - 1) * w.dh() - 1) / w.sh() + 1;
        long bySums = BAND_SUMS / Math.max(1, (long) w.outW() * cout);
        int rows = (int) Math.max(1, Math.min(w.outH(), Math.min(byCopy, bySums)));
        return threads == 1 ? rows : Math.min(rows, Math.max(1, (w.outH() + 2 * threads - 1) / (2 * threads)));
    }

    /**
     * Input rows [oy0 * sh - padTop, + rows) of image {@code xImage} as floats {@code x - zp}, each row
     * {@code planeWidth} padded pixels of cin values from input column {@code -padLeft}; outside the input 0.
     */
    private static void copyBand(QConvNhwc.Window2d w, int cin, QuantizeKernels convert, byte[] x, int xImage,
                                 boolean unsigned, int zp, int oy0, int rows, int planeWidth, float[] copy) {
        int rowFloats = planeWidth * cin;
        // The plane's pixels inside the input: [inLo, inHi).
        int inLo = Math.min(planeWidth, w.padLeft());
        int inHi = Math.max(inLo, Math.min(planeWidth, w.padLeft() + w.inW()));
        for (int r = 0; r < rows; r++) {
            int iy = oy0 * w.sh() + r - w.padTop();
            int at = r * rowFloats;
            if (iy < 0 || iy >= w.inH()) {
                java.util.Arrays.fill(copy, at, at + rowFloats, 0f);
                continue;
            }
            java.util.Arrays.fill(copy, at, at + inLo * cin, 0f);
            convert.dequantize(x, xImage + (iy * w.inW() + inLo - w.padLeft()) * cin, (inHi - inLo) * cin, unsigned, zp,
                1f, copy, at + inLo * cin);
            java.util.Arrays.fill(copy, at + inHi * cin, at + rowFloats, 0f);
        }
    }
}
