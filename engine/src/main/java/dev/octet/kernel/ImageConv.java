package dev.octet.kernel;

/**
 * A requantized convolution of an image with few channels (at most {@link QGemmKernel#IMAGE_PIXEL}: RGB or gray, a
 * CNN's first layer) read straight from a float copy of the image. Such a layer's im2col rows and prepared A cost
 * more than its multiply (K is only taps x channels); here every tap of a window is a fixed offset into the copy,
 * and the GEMM's fused tiles read their broadcasts there: the same products in the same order, so the same bytes as
 * the GEMM path.
 *
 * <p>The copy holds a band of output rows' input rows in padded coordinates (the padding is the input zero point),
 * one plane per horizontal stride phase ({@code x % sw}), {@link QGemmKernel#IMAGE_PIXEL} floats per pixel: the
 * windows of consecutive outputs of a row then start one pixel apart, as the tiles' rows expect.
 */
final class ImageConv {
    /** Floats of one band's copy at most, so that it stays in L2 while the tiles read it. */
    private static final int BAND_FLOATS = 1 << 16;
    /** A layer whose one-row band would pass this (very wide, or widely dilated) takes the GEMM path. */
    private static final int MAX_BAND_FLOATS = 1 << 22;
    private static final int PIXEL = QGemmKernel.IMAGE_PIXEL;

    private ImageConv() {}

    /** Each thread's band: its bytes and its floats. */
    private static final class Band {
        byte[] bytes = new byte[0];
        float[] floats = new float[0];
    }

    private static final ThreadLocal<Band> BANDS = ThreadLocal.withInitial(Band::new);

    /** The calling thread's column terms, repeated scale and taps, reused across calls (the tasks only read them). */
    private static final class Call {
        int[] colTerms = new int[0];
        float[] scales = new float[0];
        int[] taps = new int[0];
    }

    private static final ThreadLocal<Call> CALLS = ThreadLocal.withInitial(Call::new);
    /** The canonical weight zero point this path requires. */
    private static final int[] ZERO = {0};

    /** Pixels per row of each phase plane: enough for every window of an output row. */
    private static int planeWidth(QConvNhwc.Window2d w) {
        long width = (long) (w.outW() - 1) * w.sw() + (long) (w.kw() - 1) * w.dw() + 1;
        return (int) ((width + w.sw() - 1) / w.sw());
    }

    /** Input rows a band of {@code rows} output rows reads. */
    private static long bandRows(QConvNhwc.Window2d w, int rows) {
        return (long) (rows - 1) * w.sh() + (long) (w.kh() - 1) * w.dh() + 1;
    }

    /** Floats of the copy of a band of {@code rows} output rows: every phase plane's rows. */
    private static long bandFloats(QConvNhwc.Window2d w, int rows) {
        return w.sw() * bandRows(w, rows) * planeWidth(w) * PIXEL;
    }

    /**
     * Whether this path runs the layer: one group, 1-D or 2-D, few input channels, not pointwise, some output, a
     * requantized output, every weight zero point zero after the shift to signed (no row sums), one exact float pass
     * over K.
     */
    static boolean applies(QConvNhwc.Geometry g, boolean wUnsigned, int[] wzp, QGemm.Output out) {
        if (g.group() != 1 || g.inSpatial().length > 2 || g.cin() > PIXEL || g.pointwise() || g.outSize() == 0
            || !(out instanceof QGemm.Output.Requantized)
            || (long) g.cin() * g.kernelSize() > QGemmKernel.INT8_FLUSH
            || bandFloats(g.window2d(), 1) > MAX_BAND_FLOATS) {
            return false;
        }
        for (int z : wzp) {
            if (z != (wUnsigned ? 128 : 0)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs the layer in bands of output rows over the threads. A band the kernel declines (its fused tiles are not
     * warm yet, or the sums would not stay exact in float) goes to {@code fallback} with its output positions.
     */
    static void run(QGemmKernel kernel, Parallel parallel, QConvNhwc.Geometry g, byte[] x, boolean xUnsigned, int xzp,
                    PackedB b, int[] bias, QGemm.Output.Requantized out, Fallback fallback) {
        QConvNhwc.Window2d w = g.window2d();
        int cin = g.cin();
        int n = b.n();
        int k = b.k();
        int zaCanonical = xzp - (xUnsigned ? 128 : 0);
        Call call = CALLS.get();
        int[] colTerms = call.colTerms = QGemmEpilogue.columnTerms(b, zaCanonical, ZERO, 1, bias, call.colTerms);
        if (out.scales().length != n) {
            if (call.scales.length < n) {
                call.scales = new float[n];
            }
            java.util.Arrays.fill(call.scales, 0, n, out.scales()[0]);
        }
        float[] scales = out.scales().length == n ? out.scales() : call.scales;
        if (call.taps.length < k) {
            call.taps = new int[k];
        }
        int[] taps = call.taps;
        int rowsPerBand = rowsPerBand(w, parallel.threads());
        int bandRows = (int) bandRows(w, rowsPerBand);
        int planeWidth = planeWidth(w);
        for (int ky = 0, t = 0; ky < w.kh(); ky++) {
            for (int kx = 0; kx < w.kw(); kx++) {
                int phase = kx * w.dw() % w.sw();
                for (int c = 0; c < cin; c++) {
                    taps[t++] = ((phase * bandRows + ky * w.dh()) * planeWidth + kx * w.dw() / w.sw()) * PIXEL + c;
                }
            }
        }
        int bands = (w.outH() + rowsPerBand - 1) / rowsPerBand;
        int outSize = w.outH() * w.outW();
        int runPitch = w.sh() * planeWidth * PIXEL;
        int floats = (int) bandFloats(w, rowsPerBand);
        parallel.forEach(g.batch() * bands, task -> {
            int image = task / bands;
            int oy0 = task % bands * rowsPerBand;
            int oy1 = Math.min(w.outH(), oy0 + rowsPerBand);
            Band band = BANDS.get();
            if (band.floats.length < floats) {
                band.bytes = new byte[floats];
                band.floats = new float[floats];
            }
            float[] copy = band.floats;
            copyBand(w, cin, kernel.epilogue(), x, image * w.inH() * w.inW() * cin, xUnsigned, xzp, oy0, oy1, bandRows,
                planeWidth, band.bytes, copy);
            int m = (oy1 - oy0) * w.outW();
            int o0 = image * outSize + oy0 * w.outW();
            int done = kernel.multiplyRequantized(copy, 0, taps, w.outW(), runPitch, 0, m, b, 0, n, colTerms, scales,
                out.zeroPoint(), out.qmin(), out.qmax(), out.out(), o0 * n, n);
            if (done == 0) {
                fallback.run(image, oy0 * w.outW(), m);
            } else if (done != n) {
                throw new IllegalStateException("fused tiles stopped at column " + done + " of " + n);
            }
        });
    }

    /** Output rows per band: a copy that fits {@link #BAND_FLOATS}, and with several threads a few bands each. */
    private static int rowsPerBand(QConvNhwc.Window2d w, int threads) {
        int rows = (int) Math.max(1, Math.min(w.outH(), BAND_FLOATS / bandFloats(w, 1)));
        return threads == 1 ? rows : Math.min(rows, Math.max(1, (w.outH() + 2 * threads - 1) / (2 * threads)));
    }

    /** The GEMM path for output positions [o0, o0 + m) of one image. */
    interface Fallback {
        void run(int image, int o0, int m);
    }

    /**
     * Input rows of output rows [oy0, oy1) into {@code copy}: plane by stride phase, then row, then pixel, then
     * {@link #PIXEL} canonical floats (channels past cin hold whatever follows the pixel in the input and are never
     * read); outside the input, the zero point. Bytes first, a pixel at a time as one int, then converted at once.
     */
    private static void copyBand(QConvNhwc.Window2d w, int cin, QuantizeKernels convert, byte[] x, int xImage,
                                 boolean unsigned, int zp, int oy0, int oy1, int bandRows, int planeWidth, byte[] bytes,
                                 float[] copy) {
        int rows = (int) bandRows(w, oy1 - oy0);
        for (int phase = 0; phase < w.sw(); phase++) {
            // The plane's pixels whose input column is inside the input: [inLo, inHi).
            int first = w.padLeft() - phase;
            int inLo = Math.min(planeWidth, Math.max(0, (first + w.sw() - 1) / w.sw()));
            int inHi = Math.max(inLo, Math.min(planeWidth, (w.inW() + first + w.sw() - 1) / w.sw()));
            for (int r = 0; r < rows; r++) {
                int iy = oy0 * w.sh() + r - w.padTop();
                int at = (phase * bandRows + r) * planeWidth * PIXEL;
                if (iy < 0 || iy >= w.inH()) {
                    java.util.Arrays.fill(bytes, at, at + planeWidth * PIXEL, (byte) zp);
                    continue;
                }
                java.util.Arrays.fill(bytes, at, at + inLo * PIXEL, (byte) zp);
                java.util.Arrays.fill(bytes, at + inHi * PIXEL, at + planeWidth * PIXEL, (byte) zp);
                int src = xImage + (iy * w.inW() + inLo * w.sw() - first) * cin;
                int step = w.sw() * cin;
                int pos = inLo;
                // An int read at the input's last pixel would pass the array's end when cin < PIXEL.
                int whole = Math.min(inHi, inLo + Math.max(0, Math.floorDiv(x.length - PIXEL - src, step) + 1));
                for (; pos < whole; pos++, src += step) {
                    INTS.set(bytes, at + pos * PIXEL, (int) INTS.get(x, src));
                }
                for (; pos < inHi; pos++, src += step) {
                    INTS.set(bytes, at + pos * PIXEL, tail(x, src, cin));
                }
            }
        }
        int n = w.sw() * bandRows * planeWidth * PIXEL;
        convert.dequantize(bytes, 0, n, unsigned, unsigned ? 128 : 0, 1f, copy, 0);
    }

    private static final java.lang.invoke.VarHandle INTS =
        java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /** The channels of a pixel at the input's end, as the low bytes of an int. */
    private static int tail(byte[] x, int src, int cin) {
        int v = 0;
        for (int c = 0; c < cin; c++) {
            v |= (x[src + c] & 0xFF) << (8 * c);
        }
        return v;
    }
}
