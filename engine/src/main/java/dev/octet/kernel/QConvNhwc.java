package dev.octet.kernel;

import java.util.Arrays;

/**
 * Int8 convolutions on channels-last tensors: input [batch][spatial...][cin], output [batch][spatial...][cout].
 * A 1x1 stride-1 unpadded convolution is a GEMM straight on the input pixels (A = pixels x cin); any other
 * window goes through {@link Im2Col} rows (a tap copies a contiguous run of channels), except a few-channel image's
 * ({@link ImageConv}: the tiles read a float copy of the image). GEMMs run over chunks
 * of output positions whose operands and sums stay in L2. Depthwise convolutions run {@link DepthwiseKernels} over output rows.
 * Requantization stays fused in the GEMM's epilogue.
 */
public final class QConvNhwc {
    /**
     * Bytes a GEMM call works on (A as bytes and floats, the int32 sums): large enough to amortize the call,
     * small enough to stay in L2.
     */
    private static final int CHUNK_BYTES = 1 << 19;
    /** Depthwise row bands per thread. */
    private static final int TASKS_PER_THREAD = 4;
    /** Output pixels a depthwise band should have at least when there are more bands than threads. */
    private static final int DEPTHWISE_BAND_PIXELS = 128;
    /** Pixels per block of a layout transpose. */
    private static final int TRANSPOSE_BLOCK = 64;
    /** Rows per thread and chunk, so every thread gets GEMM row blocks. */
    private static final int CHUNK_ROWS_PER_THREAD = 192;
    /** Output positions per thread from which each thread takes whole chunks, im2col and GEMM, on its own. */
    private static final int MIN_ROWS_PER_TASK = 256;

    private QConvNhwc() {}

    /** The calling thread's im2col rows and group buffers, reused across calls. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        private byte[] rows = new byte[0];
        private byte[] bytes = new byte[0];
        private int[] ints = new int[0];
        private float[] floats = new float[0];

        byte[] rows(int n) {
            return rows.length >= n ? rows : (rows = new byte[n]);
        }

        byte[] bytes(int n) {
            return bytes.length >= n ? bytes : (bytes = new byte[n]);
        }

        int[] ints(int n) {
            return ints.length >= n ? ints : (ints = new int[n]);
        }

        float[] floats(int n) {
            return floats.length >= n ? floats : (floats = new float[n]);
        }
    }

    /**
     * The im2col tap offsets of the last geometry an op saw, kept by the op (its shapes rarely change), so
     * they are computed once rather than per call. Thread-safe: entries are immutable.
     */
    public static final class TapCache {
        private volatile Entry last;

        private record Entry(Geometry geometry, int[] taps) {
            /** The tap table depends only on the window: spatial sizes, kernel, strides, dilations, pads. */
            boolean matches(Geometry g) {
                Geometry e = geometry;
                return Arrays.equals(e.inSpatial(), g.inSpatial()) && Arrays.equals(e.kernel(), g.kernel())
                    && Arrays.equals(e.strides(), g.strides()) && Arrays.equals(e.dilations(), g.dilations())
                    && Arrays.equals(e.pads(), g.pads()) && Arrays.equals(e.outSpatial(), g.outSpatial());
            }
        }

        int[] taps(Geometry g) {
            Entry e = last;
            if (e != null && e.matches(g)) {
                return e.taps();
            }
            int[] taps = Im2Col.tapOffsets(g.inSpatial(), g.kernel(), g.strides(), g.dilations(), g.pads(),
                g.outSpatial());
            // Copies of the arrays: the caller's geometry may share them with arrays it changes later.
            last = new Entry(new Geometry(g.batch(), g.cin(), g.inSpatial().clone(), g.cout(), g.group(),
                g.kernel().clone(), g.strides().clone(), g.dilations().clone(), g.pads().clone(),
                g.outSpatial().clone()), taps);
            return taps;
        }
    }

    /**
     * The shape of one convolution: spatial dims of any rank, {@code pads} [begins..., ends...].
     */
    public record Geometry(int batch, int cin, int[] inSpatial, int cout, int group, int[] kernel, int[] strides,
                           int[] dilations, int[] pads, int[] outSpatial) {
        int inSize() {
            return size(inSpatial);
        }

        int outSize() {
            return size(outSpatial);
        }

        int kernelSize() {
            return size(kernel);
        }

        /**
         * A 1-D or 2-D window in two dimensions (a 1-D one as a single input row: inH = outH = kh = 1), as
         * {@link Im2Col#rows2d} and {@link ImageConv} take it.
         */
        Window2d window2d() {
            int r = inSpatial.length;
            boolean twoD = r == 2;
            return new Window2d(twoD ? inSpatial[0] : 1, inSpatial[r - 1], twoD ? outSpatial[0] : 1, outSpatial[r - 1],
                twoD ? kernel[0] : 1, kernel[r - 1], twoD ? strides[0] : 1, strides[r - 1], twoD ? dilations[0] : 1,
                dilations[r - 1], twoD ? pads[0] : 0, pads[r - 1]);
        }

        /** 1x1, stride 1, no padding: output pixels are input pixels. */
        boolean pointwise() {
            for (int i = 0; i < kernel.length; i++) {
                if (kernel[i] != 1 || strides[i] != 1 || pads[i] != 0 || pads[i + kernel.length] != 0) {
                    return false;
                }
            }
            return true;
        }

        private static int size(int[] dims) {
            int n = 1;
            for (int d : dims) {
                n *= d;
            }
            return n;
        }
    }

    /** A window's geometry in two dimensions: input and output sizes, kernel, strides, dilations, leading pads. */
    record Window2d(int inH, int inW, int outH, int outW, int kh, int kw, int sh, int sw, int dh, int dw, int padTop,
                    int padLeft) {}

    /**
     * Weights [cout][cinG][taps...] (OIHW) repacked to [cout][tap][cinG], the order of NHWC im2col rows, and
     * packed once per group as the GEMM's B (K = taps * cinG, N = cout / group).
     */
    public static PackedB[] packGroups(QGemmKernel kernel, byte[] w, int cout, int cinG, int kSize, int group,
                                       boolean unsigned) {
        int k = cinG * kSize;
        byte[] reordered = new byte[cout * k];
        for (int oc = 0; oc < cout; oc++) {
            for (int ic = 0; ic < cinG; ic++) {
                for (int t = 0; t < kSize; t++) {
                    reordered[oc * k + t * cinG + ic] = w[oc * k + ic * kSize + t];
                }
            }
        }
        int coutG = cout / group;
        PackedB[] packed = new PackedB[group];
        for (int g = 0; g < group; g++) {
            packed[g] = kernel.packB(reordered, g * coutG * k, k, coutG, unsigned, true);
        }
        return packed;
    }

    /**
     * A grouped convolution as GEMMs. {@code wzp} has length 1 or cout, {@code bias} length cout or null;
     * {@code out} is {@link QGemm.Output.Int32}, {@link QGemm.Output.Requantized} or {@link QGemm.Output.Scaled}
     * (scales and float bias length 1 or cout) over an NHWC array.
     */
    public static void gemm(QGemmKernel kernel, Parallel parallel, Geometry g, TapCache tapCache, byte[] x,
                            boolean xUnsigned, int xzp, PackedB[] groups, boolean wUnsigned, int[] wzp, int[] bias,
                            QGemm.Output out) {
        int k = g.cin() / g.group() * g.kernelSize();
        int coutG = g.cout() / g.group();
        int outSize = g.outSize();
        int rowBytes = 5 * k + 4 * coutG;
        int chunkRows = Math.max(1, Math.min(outSize, CHUNK_BYTES / Math.max(1, rowBytes)));
        // 1-D and 2-D windows are computed from the geometry (Im2Col.rows2d); higher ranks read a tap table.
        int[] taps = g.pointwise() || g.inSpatial().length <= 2 ? null : tapCache.taps(g);
        // One group reads the arrays themselves (no slices to cut): a call then allocates nothing here.
        GroupParams params = g.group() == 1 ? new GroupParams(wzp, bias) : GroupParams.of(g, wzp, bias, out);
        if (out instanceof QGemm.Output.Requantized requantized && ImageConv.applies(g, wUnsigned, wzp, out)) {
            ImageConv.run(kernel, parallel, g, x, xUnsigned, xzp, groups[0], bias, requantized, (b, o0, m) ->
                chunk(kernel, Parallel.SERIAL, g, taps, x, xUnsigned, xzp, groups, wUnsigned, params, out, b, 0, o0, m));
            return;
        }
        int threads = parallel.threads();
        if (threads > 1 && outSize >= threads * MIN_ROWS_PER_TASK) {
            // Whole chunks per thread, im2col included (it is serial work otherwise): equal chunks, a multiple of
            // the thread count, each an independent single-threaded GEMM.
            int perImage = (outSize + chunkRows - 1) / chunkRows;
            perImage = (perImage + threads - 1) / threads * threads;
            int chunk = (outSize + perImage - 1) / perImage;
            int chunks = (outSize + chunk - 1) / chunk;
            parallel.forEach(g.batch() * g.group() * chunks, task -> {
                int c = task % chunks;
                int gi = task / chunks % g.group();
                int b = task / chunks / g.group();
                int o0 = c * chunk;
                chunk(kernel, Parallel.SERIAL, g, taps, x, xUnsigned, xzp, groups, wUnsigned, params, out, b, gi, o0,
                    Math.min(chunk, outSize - o0));
            });
            return;
        }
        // Few output positions: chunks one after another, each GEMM over all threads (rows for each thread).
        int chunk = Math.max(1, Math.min(outSize, Math.max(CHUNK_ROWS_PER_THREAD * threads, chunkRows)));
        for (int b = 0; b < g.batch(); b++) {
            for (int gi = 0; gi < g.group(); gi++) {
                for (int o0 = 0; o0 < outSize; o0 += chunk) {
                    chunk(kernel, parallel, g, taps, x, xUnsigned, xzp, groups, wUnsigned, params, out, b, gi, o0,
                        Math.min(chunk, outSize - o0));
                }
            }
        }
    }

    /**
     * Each group's slice of the per-channel weight zero points, bias and output scales, cut once per call. One
     * group keeps the arrays themselves, without slices (it writes {@code out} directly, so needs no scales).
     */
    private record GroupParams(int[][] zeroPoints, int[][] bias, float[][] scales, float[][] floatBias,
                               int[] oneGroupZeroPoints, int[] oneGroupBias) {
        GroupParams(int[] wzp, int[] bias) {
            this(null, null, null, null, wzp, bias);
        }

        int[] zeroPoints(int gi) {
            return zeroPoints == null ? oneGroupZeroPoints : zeroPoints[gi];
        }

        int[] bias(int gi) {
            return bias == null ? oneGroupBias : bias[gi];
        }

        static GroupParams of(Geometry g, int[] wzp, int[] bias, QGemm.Output out) {
            int group = g.group();
            int coutG = g.cout() / group;
            float[] scales = switch (out) {
                case QGemm.Output.Requantized r -> r.scales();
                case QGemm.Output.Scaled s -> s.scales();
                case QGemm.Output.Int32 i -> null;
            };
            float[] floatBias = out instanceof QGemm.Output.Scaled s ? s.bias() : null;
            int[][] zp = new int[group][];
            int[][] b = new int[group][];
            float[][] sc = new float[group][];
            float[][] fb = new float[group][];
            for (int gi = 0; gi < group; gi++) {
                zp[gi] = slice(wzp, gi, coutG, group);
                b[gi] = bias == null ? null : slice(bias, gi, coutG, group);
                sc[gi] = scales == null ? null : slice(scales, gi, coutG, group);
                fb[gi] = floatBias == null ? null : slice(floatBias, gi, coutG, group);
            }
            return new GroupParams(zp, b, sc, fb, null, null);
        }

        /** Per-channel values of group gi; per-tensor (length 1) or single-group arrays as they are. */
        private static int[] slice(int[] v, int gi, int coutG, int group) {
            return group == 1 || v.length == 1 ? v : Arrays.copyOfRange(v, gi * coutG, (gi + 1) * coutG);
        }

        private static float[] slice(float[] v, int gi, int coutG, int group) {
            return group == 1 || v.length == 1 ? v : Arrays.copyOfRange(v, gi * coutG, (gi + 1) * coutG);
        }
    }

    /** Output positions [o0, o0 + m) of image b, group gi: im2col rows (unless pointwise), one GEMM. */
    private static void chunk(QGemmKernel kernel, Parallel parallel, Geometry g, int[] taps, byte[] x,
                              boolean xUnsigned, int xzp, PackedB[] groups, boolean wUnsigned, GroupParams params,
                              QGemm.Output out, int b, int gi, int o0, int m) {
        int cinG = g.cin() / g.group();
        int coutG = g.cout() / g.group();
        int kSize = g.kernelSize();
        int k = cinG * kSize;
        int outSize = g.outSize();
        int xImage = b * g.inSize() * g.cin();
        Scratch scratch = SCRATCH.get();
        int[] zb = params.zeroPoints(gi);
        int[] gBias = params.bias(gi);
        // One group writes its columns straight into NHWC rows; several go through a [position][coutG] buffer.
        boolean direct = g.group() == 1;
        Object tmp = direct ? null : switch (out) {
            case QGemm.Output.Int32 o -> scratch.ints(m * coutG);
            case QGemm.Output.Requantized o -> scratch.bytes(m * coutG);
            case QGemm.Output.Scaled o -> scratch.floats(m * coutG);
        };
        QGemm.Output gOut = direct ? out : groupOutput(out, tmp, params.scales()[gi], params.floatBias()[gi]);
        int outOffset = direct ? (b * outSize + o0) * g.cout() : 0;
        if (g.pointwise()) {
            QGemm.run(kernel, parallel, m, x, xImage + o0 * g.cin() + gi * cinG, g.cin(), xUnsigned, xzp,
                groups[gi], wUnsigned, zb, gBias, gOut, outOffset);
        } else {
            byte[] rows = scratch.rows(m * k);
            if (taps == null) {
                Window2d w = g.window2d();
                Im2Col.rows2d(x, xImage + gi * cinG, g.cin(), cinG, w.inH(), w.inW(), w.outW(), w.kh(), w.kw(), w.sh(),
                    w.sw(), w.dh(), w.dw(), w.padTop(), w.padLeft(), o0, o0 + m, (byte) xzp, rows);
            } else {
                Im2Col.rows(x, xImage + gi * cinG, g.cin(), cinG, taps, o0, o0 + m, kSize, (byte) xzp, rows);
            }
            QGemm.run(kernel, parallel, m, rows, 0, k, xUnsigned, xzp, groups[gi], wUnsigned, zb, gBias, gOut,
                outOffset);
        }
        if (!direct) {
            int dst = (b * outSize + o0) * g.cout() + gi * coutG;
            for (int o = 0; o < m; o++) {
                System.arraycopy(tmp, o * coutG, outArray(out), dst + o * g.cout(), coutG);
            }
        }
    }

    /** The output of one group's GEMM into {@code tmp}, with the group's scales (and float bias). */
    private static QGemm.Output groupOutput(QGemm.Output out, Object tmp, float[] scales, float[] floatBias) {
        return switch (out) {
            case QGemm.Output.Int32 o -> new QGemm.Output.Int32((int[]) tmp);
            case QGemm.Output.Requantized o -> new QGemm.Output.Requantized((byte[]) tmp, scales, o.zeroPoint(),
                o.qmin(), o.qmax());
            case QGemm.Output.Scaled o -> new QGemm.Output.Scaled((float[]) tmp, scales, floatBias, o.relu());
        };
    }

    private static Object outArray(QGemm.Output out) {
        return switch (out) {
            case QGemm.Output.Int32 o -> o.out();
            case QGemm.Output.Requantized o -> o.out();
            case QGemm.Output.Scaled o -> o.out();
        };
    }

    /**
     * A depthwise convolution over {@code batch} NHWC images, in tasks of whole output rows (a few per thread,
     * so a kernel call's setup is amortized and threads stay balanced). {@code out} as for
     * {@link DepthwiseKernels#run}, over [batch][outH][outW][channels].
     */
    public static void depthwise(DepthwiseKernels kernel, Parallel parallel, DepthwiseWeights w,
                                 DepthwiseKernels.Shape s, int batch, byte[] x, boolean xUnsigned, int xzp, int[] bias,
                                 QGemm.Output out) {
        int inImage = s.inH() * s.inW() * s.channels();
        int outImage = s.outH() * s.outW() * s.channels();
        // Bands balance the threads' loads, but each repeats the kernel's per-call setup (a pass over the channels):
        // one band on one thread, and at least DEPTHWISE_BAND_PIXELS output pixels a band beyond one per thread.
        int threads = parallel.threads();
        long wanted = Math.max(threads, (long) s.outH() * s.outW() / DEPTHWISE_BAND_PIXELS);
        int bands = threads == 1 ? 1
            : (int) Math.max(1, Math.min(s.outH(), Math.min(wanted, TASKS_PER_THREAD * threads)));
        int rowsPerBand = (s.outH() + bands - 1) / bands;
        parallel.forEach(batch * bands, task -> {
            int b = task / bands;
            int oy0 = (task % bands) * rowsPerBand;
            int oy1 = Math.min(s.outH(), oy0 + rowsPerBand);
            if (oy0 < oy1) {
                kernel.run(w, s, x, b * inImage, xUnsigned, xzp, bias, out, b * outImage, oy0, oy1);
            }
        });
    }

    /** Bytes below which a layout change stays on one thread; above, tasks of at least half that. */
    private static final int PARALLEL_TRANSPOSE_BYTES = 1 << 16;

    /**
     * [batch][channels][pixels] to [batch][pixels][channels]; at most {@link QuantizeKernels#MAX_INTERLEAVED} channels
     * (an image) by {@code kernels}' interleave.
     */
    public static byte[] toNhwc(Parallel parallel, QuantizeKernels kernels, byte[] x, int batch, int channels,
                                int pixels, byte[] r) {
        return changeLayout(parallel, kernels, x, batch, channels, pixels, r, true);
    }

    /** [batch][pixels][channels] to [batch][channels][pixels]. */
    public static byte[] toNchw(Parallel parallel, byte[] y, int batch, int channels, int pixels, byte[] r) {
        return changeLayout(parallel, null, y, batch, channels, pixels, r, false);
    }

    /** Either layout change, each task a range of one image's pixels. */
    private static byte[] changeLayout(Parallel parallel, QuantizeKernels kernels, byte[] x, int batch, int channels,
                                       int pixels, byte[] r, boolean toLast) {
        int image = channels * pixels;
        if (image == 0) {
            return r; // an empty tensor: nothing to move (the interleave takes 1 to 4 planes)
        }
        int parts = parts(parallel, image, pixels);
        int step = (pixels + parts - 1) / parts;
        parallel.forEach(batch * parts, t -> {
            int p0 = t % parts * step;
            int count = Math.min(step, pixels - p0);
            int at = t / parts * image;
            if (toLast && channels <= QuantizeKernels.MAX_INTERLEAVED) {
                kernels.interleave(x, at + p0, pixels, channels, count, r, at + p0 * channels);
            } else if (toLast) {
                ByteTranspose.transpose(x, at + p0, pixels, channels, count, r, at + p0 * channels, channels);
            } else {
                ByteTranspose.transpose(x, at + p0 * channels, channels, count, channels, r, at + p0, pixels);
            }
        });
        return r;
    }

    /** Pixel ranges per image for a layout change: one for a small image, else at least 64 pixels each. */
    private static int parts(Parallel parallel, int imageBytes, int pixels) {
        return Math.max(1, Math.min(parallel.split(imageBytes, PARALLEL_TRANSPOSE_BYTES, PARALLEL_TRANSPOSE_BYTES / 2),
            pixels / 64));
    }

    /** [batch][channels][pixels] floats to [batch][pixels][channels]. */
    public static float[] toNhwc(float[] x, int batch, int channels, int pixels, float[] r) {
        for (int b = 0; b < batch; b++) {
            transpose(x, b * channels * pixels, channels, pixels, r);
        }
        return r;
    }

    /** [batch][pixels][channels] floats to [batch][channels][pixels]. */
    public static float[] toNchw(float[] y, int batch, int channels, int pixels, float[] r) {
        for (int b = 0; b < batch; b++) {
            transpose(y, b * channels * pixels, pixels, channels, r);
        }
        return r;
    }

    /** {@code dst[at + c * rows + i] = src[at + i * cols + c]}, in bands of rows that keep both sides in cache. */
    private static void transpose(float[] src, int at, int rows, int cols, float[] dst) {
        for (int i0 = 0; i0 < rows; i0 += TRANSPOSE_BLOCK) {
            int i1 = Math.min(rows, i0 + TRANSPOSE_BLOCK);
            for (int c = 0; c < cols; c++) {
                int d = at + c * rows;
                for (int i = i0; i < i1; i++) {
                    dst[d + i] = src[at + i * cols + c];
                }
            }
        }
    }

    /** [batch][pixels][channels] to [batch][channels][pixels]. */
    public static int[] toNchw(int[] y, int batch, int channels, int pixels, int[] r) {
        for (int b = 0; b < batch; b++) {
            int base = b * channels * pixels;
            for (int p0 = 0; p0 < pixels; p0 += TRANSPOSE_BLOCK) {
                int p1 = Math.min(pixels, p0 + TRANSPOSE_BLOCK);
                for (int c = 0; c < channels; c++) {
                    int dst = base + c * pixels;
                    for (int p = p0; p < p1; p++) {
                        r[dst + p] = y[base + p * channels + c];
                    }
                }
            }
        }
        return r;
    }
}
