package dev.octet.ops;

import static dev.octet.ops.ShapeDims.axis;
import static dev.octet.ops.ShapeDims.unknown;
import static dev.octet.ops.Shapes.one;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import dev.octet.kernel.Parallel;
import dev.octet.kernel.PoolKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ONNX Resize (opsets 10 to 19+) for float, uint8 and int8 tensors: nearest, linear and cubic, every coordinate
 * transformation mode, roi cropping, axes, keep_aspect_ratio_policy and antialias.
 *
 * <p>Where ONNX Runtime's CPU kernels compute a case, {@link ResizeKernels} gives their bits (README, Numerics).
 * Layouts ORT refuses (rank 1, resized N or C, cubic of rank 3 or 5) go to the general float resampler here: it
 * resamples one axis at a time, last axis first, following the ONNX reference; each 1-D pass precomputes, per
 * output coordinate, its taps (source indices and weights): the n indices nearest the source coordinate within the
 * input padded by ceil(n/2) edge copies.
 */
final class ResizeOp {
    private enum Mode { NEAREST, LINEAR, CUBIC }

    private enum Coordinates {
        HALF_PIXEL, HALF_PIXEL_SYMMETRIC, PYTORCH_HALF_PIXEL, ALIGN_CORNERS, ASYMMETRIC, TF_HALF_PIXEL_FOR_NN,
        TF_CROP_AND_RESIZE
    }

    private enum Nearest { ROUND_PREFER_FLOOR, ROUND_PREFER_CEIL, FLOOR, CEIL }

    private enum AspectPolicy { STRETCH, NOT_LARGER, NOT_SMALLER }

    private final Mode mode;
    private final Coordinates coordinates;
    /** The coordinate transformation mode's ONNX name, which the kernels switch on. */
    private final String coordinateMode;
    private final Nearest nearest;
    private final AspectPolicy policy;
    private final float cubicA;
    private final boolean excludeOutside;
    private final boolean antialias;
    private final float extrapolation;
    private final int[] axes;
    /** Opset 10 has only (X, scales); later opsets (X, roi, scales, sizes). */
    private final boolean opset10;
    private final PoolKernels kernels;
    private final Parallel parallel;
    /** The nearest mode's ONNX name, which the kernels switch on. */
    private final String nearestMode;
    /** The last call's coordinate tables, for its geometry: a model resizes the same shapes run after run. */
    private volatile Tables last;

    /** Coordinate tables (read only, so concurrent runs share them) and the geometry they were made for. */
    private record Tables(int[] in, int[] out, float[] scales, float[] roi, Object tables) {
        boolean madeFor(ResizeKernels.Job j) {
            return Arrays.equals(in, j.in()) && Arrays.equals(out, j.out()) && Arrays.equals(scales, j.scales())
                && Arrays.equals(roi, j.roi());
        }
    }

    private ResizeOp(OpContext ctx) {
        opset10 = ctx.opset() < 11;
        kernels = ctx.kernels().pool();
        parallel = ctx.parallel();
        mode = parse(ctx, Mode.class, "mode", "nearest");
        // Resize-10 behaves as asymmetric coordinates with floor rounding, like Upsample.
        coordinates = parse(ctx, Coordinates.class, "coordinate_transformation_mode",
            opset10 ? "asymmetric" : "half_pixel");
        coordinateMode = coordinates.name().toLowerCase(java.util.Locale.ROOT);
        nearest = parse(ctx, Nearest.class, "nearest_mode", opset10 ? "floor" : "round_prefer_floor");
        policy = parse(ctx, AspectPolicy.class, "keep_aspect_ratio_policy", "stretch");
        cubicA = ctx.getFloat("cubic_coeff_a", -0.75f);
        excludeOutside = ctx.getInt("exclude_outside", 0) != 0;
        antialias = ctx.getInt("antialias", 0) != 0 && mode != Mode.NEAREST;
        extrapolation = ctx.getFloat("extrapolation_value", 0f);
        axes = ctx.getIntArray("axes");
        if (coordinates == Coordinates.TF_HALF_PIXEL_FOR_NN && ctx.opset() >= 13) {
            throw ctx.fail("coordinate_transformation_mode tf_half_pixel_for_nn was removed in opset 13");
        }
        nearestMode = nearest.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The coordinate tables of this op's mode (nearest's source offsets, linear's taps) for the job's geometry,
     * made again only when the geometry changes.
     */
    private Object tables(ResizeKernels.Job job) {
        Tables t = last;
        if (t != null && t.madeFor(job)) {
            return t.tables();
        }
        Object made = mode == Mode.NEAREST ? ResizeKernels.nearestMap(job, nearestMode) : ResizeKernels.linearTaps(job);
        last = new Tables(job.in().clone(), job.out().clone(), job.scales().clone(), job.roi().clone(), made);
        return made;
    }

    static Op create(OpContext ctx) {
        ResizeOp op = new ResizeOp(ctx);
        return Op.withBuffers(op::run);
    }

    private static <E extends Enum<E>> E parse(OpContext ctx, Class<E> type, String attr, String dflt) {
        String v = ctx.getString(attr, dflt);
        try {
            return Enum.valueOf(type, v.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ctx.unsupported("unsupported " + attr + " '" + v + "'");
        }
    }

    private Tensor[] run(Tensor[] in, Buffers buffers) {
        Tensor x = in[0];
        boolean eightBit = x.type() == DataType.UINT8 || x.type() == DataType.INT8;
        if (!eightBit) {
            NnOps.floatInput(x, "X");
        }
        int r = x.rank();
        Tensor roiT = opset10 ? null : input(in, 1);
        Tensor scalesT = opset10 ? input(in, 1) : input(in, 2);
        Tensor sizesT = opset10 ? null : input(in, 3);
        int[] ax = resolveAxes(r);
        int[] inShape = x.shapeView();
        // ORT's float arithmetic: scales in float, sizes turned into float scales out / in.
        float[] scales = new float[r];
        int[] outShape = inShape.clone();
        Arrays.fill(scales, 1f);
        if (sizesT != null) {
            if (scalesT != null) {
                throw NnOps.shapeError("Resize takes scales or sizes, not both");
            }
            long[] sizes = checkLength(sizesT, ax.length, "sizes").longs();
            for (int i = 0; i < ax.length; i++) {
                if (sizes[i] < 0 || sizes[i] > Integer.MAX_VALUE) {
                    throw NnOps.shapeError("Resize sizes[" + i + "] = " + sizes[i] + " is not a dimension size");
                }
                scales[ax[i]] = (float) sizes[i] / (float) inShape[ax[i]];
                outShape[ax[i]] = (int) sizes[i];
            }
            if (policy != AspectPolicy.STRETCH) {
                // One scale for all resized axes, the smallest or largest of the requested ones.
                float s = scales[ax[0]];
                for (int a : ax) {
                    s = policy == AspectPolicy.NOT_LARGER ? Math.min(s, scales[a]) : Math.max(s, scales[a]);
                }
                for (int a : ax) {
                    scales[a] = s;
                    outShape[a] = (int) ResizeKernels.cRound(s * inShape[a]);
                }
            }
        } else if (scalesT != null) {
            float[] sc = NnOps.floatInput(checkLength(scalesT, ax.length, "scales"), "scales").floats();
            for (int i = 0; i < ax.length; i++) {
                if (!(sc[i] > 0)) {
                    throw NnOps.shapeError("Resize scales must be positive, got " + sc[i]);
                }
                scales[ax[i]] = sc[i];
                outShape[ax[i]] = outputLength(sc[i], inShape[ax[i]]);
            }
        } else {
            throw NnOps.shapeError("Resize needs scales or sizes");
        }
        if (x.size() == 0) {
            // Nothing to interpolate from: an empty input resizes only to an empty output.
            if (Arrays.stream(outShape).allMatch(n -> n > 0)) {
                throw NnOps.shapeError("Resize of the empty tensor " + Arrays.toString(inShape) + " to "
                    + Arrays.toString(outShape));
            }
            return new Tensor[] {Tensor.of(x.type(), outShape, eightBit ? new byte[0] : new float[0])};
        }
        if (Arrays.equals(inShape, outShape)) {
            // ORT copies the input whenever the shape is unchanged, whatever the mode and roi.
            return new Tensor[] {Tensor.of(x.type(), outShape, eightBit ? x.bytes().clone() : x.floats().clone())};
        }
        float[] roi = roi(roiT, ax, r);
        int outSize = Tensor.checkedSize(outShape);
        int[] xi = eightBit ? values(x) : null;
        ResizeKernels.Job job = new ResizeKernels.Job(eightBit ? null : x.floats(), xi, inShape, outShape, scales,
            roi, coordinateMode, coordinates == Coordinates.TF_CROP_AND_RESIZE,
            extrapolation, eightBit ? null : buffers.floats(outSize), eightBit ? new int[outSize] : null);
        boolean nhwcCubic = mode == Mode.CUBIC && r == 4 && scales[1] != 1;
        if ((antialias || nhwcCubic) && ResizeKernels.antialiasCovers(inShape, scales)) {
            // ORT runs cubic with NHWC-shaped scales through its antialias resampler too.
            ResizeKernels.antialias(job, mode == Mode.CUBIC, cubicA, excludeOutside, x.type() == DataType.UINT8);
        } else if (mode == Mode.NEAREST) {
            ResizeKernels.nearest(job, (int[][]) tables(job));
        } else if (mode == Mode.LINEAR && !antialias && ResizeKernels.linearCovers(inShape, scales)) {
            ResizeKernels.linear(job, kernels, parallel, (ResizeKernels.Taps[]) tables(job));
        } else if (mode == Mode.CUBIC && !antialias && !eightBit && ResizeKernels.cubicCovers(inShape, scales)) {
            ResizeKernels.cubic(job, cubicA, excludeOutside);
        } else if (eightBit) {
            throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, "Resize mode " + mode + (antialias ? " antialias" : "")
                + " of " + x.type() + " " + Arrays.toString(inShape) + " is not supported");
        } else {
            buffers.giveBack(job.yf());
            return new Tensor[] {Tensor.ofFloats(separable(x.floats(), inShape, outShape, scales, roi), outShape)};
        }
        if (!eightBit) {
            return new Tensor[] {Tensor.ofFloats(job.yf(), outShape)};
        }
        byte[] y = new byte[outSize];
        for (int i = 0; i < outSize; i++) {
            y[i] = (byte) job.yi()[i];
        }
        return new Tensor[] {Tensor.of(x.type(), outShape, y)};
    }

    /** ORT's output length: the float product scale * in, truncated. */
    static int outputLength(float scale, long in) {
        float n = scale * in;
        if (!(n < Integer.MAX_VALUE)) {
            throw NnOps.shapeError("Resize output length " + scale + " * " + in + " is too large");
        }
        return (int) n;
    }

    /** 8-bit elements as their values: unsigned for uint8, signed for int8. */
    private static int[] values(Tensor x) {
        byte[] b = x.bytes();
        int[] v = new int[b.length];
        boolean unsigned = x.type() == DataType.UINT8;
        for (int i = 0; i < b.length; i++) {
            v[i] = unsigned ? b[i] & 0xFF : b[i];
        }
        return v;
    }

    /** The general resampler, one axis at a time, for what the ORT kernels above do not cover. */
    private float[] separable(float[] data, int[] inShape, int[] outShape, float[] scales, float[] roi) {
        int r = inShape.length;
        int[] shape = inShape.clone();
        for (int d = r - 1; d >= 0; d--) {
            boolean identity = outShape[d] == inShape[d] && scales[d] == 1f
                && coordinates != Coordinates.TF_CROP_AND_RESIZE;
            if (identity) {
                continue;
            }
            data = resizeAxis(data, shape, d, outShape[d], scales[d], roi[d], roi[d + r]);
            shape[d] = outShape[d];
        }
        return data;
    }

    private static Tensor input(Tensor[] in, int i) {
        // Opsets 11-12 pass an empty tensor for an unused roi/scales.
        return i < in.length && in[i] != null && in[i].size() > 0 ? in[i] : null;
    }

    private static Tensor checkLength(Tensor t, int n, String name) {
        if (t.rank() != 1 || t.dim(0) != n) {
            throw NnOps.shapeError("Resize " + name + " must have " + n + " elements, got " + t);
        }
        return t;
    }

    private int[] resolveAxes(int r) {
        if (axes == null) {
            int[] all = new int[r];
            Arrays.setAll(all, i -> i);
            return all;
        }
        int[] ax = new int[axes.length];
        boolean[] seen = new boolean[r];
        for (int i = 0; i < axes.length; i++) {
            int a = axes[i] < 0 ? axes[i] + r : axes[i];
            if (a < 0 || a >= r || seen[a]) {
                throw NnOps.shapeError("Resize axes " + Arrays.toString(axes) + " are invalid for rank " + r);
            }
            seen[a] = true;
            ax[i] = a;
        }
        return ax;
    }

    /** The full-rank roi [starts..., ends...]; axes not listed keep [0, 1]. */
    private float[] roi(Tensor roiT, int[] ax, int r) {
        float[] roi = new float[2 * r];
        Arrays.fill(roi, r, 2 * r, 1f);
        if (roiT == null || coordinates != Coordinates.TF_CROP_AND_RESIZE) {
            return roi;
        }
        checkLength(roiT, 2 * ax.length, "roi");
        for (int i = 0; i < ax.length; i++) {
            roi[ax[i]] = (float) roiT.getDouble(i);
            roi[ax[i] + r] = (float) roiT.getDouble(i + ax.length);
        }
        return roi;
    }

    /** Resamples axis d of a row-major tensor from shape[d] to outLen elements. */
    private float[] resizeAxis(float[] src, int[] shape, int d, int outLen, double scale, double roiStart,
                               double roiEnd) {
        int inLen = shape[d];
        int outer = 1;
        for (int i = 0; i < d; i++) {
            outer *= shape[i];
        }
        int inner = 1;
        for (int i = d + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        // Checked before anything is allocated: extreme sizes fail typed instead of running out of memory.
        int dstSize = NnOps.checkedSize(outer, outLen, inner);
        int n = taps(scale);
        int taps = Tensor.checkedSize(new int[] {outLen, n});
        int[] idx = new int[taps];
        float[] w = new float[taps];
        boolean[] outside = new boolean[outLen];
        double[] coeffs = new double[n];
        for (int o = 0; o < outLen; o++) {
            double xo = sourceCoordinate(o, inLen, outLen, scale, roiStart, roiEnd);
            if (Double.isNaN(xo)) {
                outside[o] = true;
                continue;
            }
            double fl = Math.floor(xo);
            int xi = (int) fl;
            double ratio = xo - fl;
            if (ratio == 0) {
                // The reference keeps the ratio in (0, 1]: an exact hit is the right end of the left interval.
                ratio = 1;
                xi--;
            }
            coefficients(ratio, scale, coeffs);
            int pad = (n + 1) / 2;
            int start = Math.max(-pad, Math.min(xi - n / 2 + 1, inLen + pad - n));
            double sum = 0;
            for (int j = 0; j < n; j++) {
                int s = start + j;
                if (excludeOutside && (s < 0 || s >= inLen)) {
                    coeffs[j] = 0;
                }
                sum += coeffs[j];
            }
            for (int j = 0; j < n; j++) {
                idx[o * n + j] = Math.max(0, Math.min(inLen - 1, start + j));
                w[o * n + j] = (float) (excludeOutside ? coeffs[j] / sum : coeffs[j]);
            }
        }
        float[] dst = new float[dstSize];
        for (int b = 0; b < outer; b++) {
            int srcBase = b * inLen * inner;
            int dstBase = b * outLen * inner;
            for (int o = 0; o < outLen; o++) {
                int dRow = dstBase + o * inner;
                if (outside[o]) {
                    Arrays.fill(dst, dRow, dRow + inner, extrapolation);
                    continue;
                }
                for (int j = 0; j < n; j++) {
                    float wj = w[o * n + j];
                    int sRow = srcBase + idx[o * n + j] * inner;
                    for (int i = 0; i < inner; i++) {
                        dst[dRow + i] += wj * src[sRow + i];
                    }
                }
            }
        }
        return dst;
    }

    /** Taps per output coordinate: antialiasing widens the filter by 1/scale when downsampling. */
    private int taps(double scale) {
        return switch (mode) {
            case NEAREST -> 2;
            case LINEAR -> antialias ? 2 - 2 * antialiasStart(1, scale) : 2;
            case CUBIC -> antialias ? 2 - 2 * antialiasStart(2, scale) : 4;
        };
    }

    /** Offset of the first tap relative to floor(x) for a filter of the given support. */
    private static int antialiasStart(int support, double scale) {
        return (int) Math.floor(-support / Math.min(scale, 1.0)) + 1;
    }

    /** The input coordinate output o maps to, or NaN when tf_crop_and_resize falls outside the input. */
    private double sourceCoordinate(int o, int inLen, int outLen, double scale, double roiStart, double roiEnd) {
        // The reference uses the unrounded output length scale * inLen.
        double outWidth = scale * inLen;
        return switch (coordinates) {
            case HALF_PIXEL -> (o + 0.5) / scale - 0.5;
            case HALF_PIXEL_SYMMETRIC -> {
                double adjustment = outLen / outWidth;
                double offset = inLen / 2.0 * (1 - adjustment);
                yield offset + (o + 0.5) / scale - 0.5;
            }
            case PYTORCH_HALF_PIXEL -> outWidth == 1 ? -0.5 : (o + 0.5) / scale - 0.5;
            case ALIGN_CORNERS -> outWidth == 1 ? 0 : o * (inLen - 1) / (outWidth - 1);
            case ASYMMETRIC -> o / scale;
            case TF_HALF_PIXEL_FOR_NN -> (o + 0.5) / scale;
            case TF_CROP_AND_RESIZE -> {
                double xo = outWidth == 1
                    ? (roiEnd - roiStart) * (inLen - 1) / 2
                    : o * (roiEnd - roiStart) * (inLen - 1) / (outWidth - 1);
                xo += roiStart * (inLen - 1);
                yield xo < 0 || xo > inLen - 1 ? Double.NaN : xo;
            }
        };
    }

    /** Fills c with the tap weights for a source coordinate at distance ratio in (0, 1] past tap n/2 - 1. */
    private void coefficients(double ratio, double scale, double[] c) {
        switch (mode) {
            case NEAREST -> {
                boolean right = ratio == 1 || switch (nearest) {
                    case ROUND_PREFER_FLOOR -> ratio > 0.5;
                    case ROUND_PREFER_CEIL -> ratio >= 0.5;
                    case FLOOR -> false;
                    case CEIL -> true;
                };
                c[0] = right ? 0 : 1;
                c[1] = right ? 1 : 0;
            }
            case LINEAR -> {
                if (antialias) {
                    double s = Math.min(scale, 1.0);
                    int start = antialiasStart(1, scale);
                    for (int j = 0; j < c.length; j++) {
                        c[j] = Math.max(0, Math.min(1, 1 - Math.abs((start + j - ratio) * s)));
                    }
                    normalize(c);
                } else {
                    c[0] = 1 - ratio;
                    c[1] = ratio;
                }
            }
            case CUBIC -> {
                if (antialias) {
                    double s = Math.min(scale, 1.0);
                    int start = antialiasStart(2, scale);
                    for (int j = 0; j < c.length; j++) {
                        c[j] = cubic(s * (start + j - ratio));
                    }
                    normalize(c);
                } else {
                    double a = cubicA;
                    double r1 = ratio + 1;
                    double q = 1 - ratio;
                    double q1 = q + 1;
                    c[0] = ((a * r1 - 5 * a) * r1 + 8 * a) * r1 - 4 * a;
                    c[1] = ((a + 2) * ratio - (a + 3)) * ratio * ratio + 1;
                    c[2] = ((a + 2) * q - (a + 3)) * q * q + 1;
                    c[3] = ((a * q1 - 5 * a) * q1 + 8 * a) * q1 - 4 * a;
                }
            }
        }
    }

    /** The Keys cubic kernel with parameter cubic_coeff_a. */
    private double cubic(double x) {
        double a = cubicA;
        x = Math.abs(x);
        if (x <= 1) {
            return ((a + 2) * x - (a + 3)) * x * x + 1;
        }
        if (x < 2) {
            return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
        }
        return 0;
    }

    private static void normalize(double[] c) {
        double s = 0;
        for (double v : c) {
            s += v;
        }
        for (int j = 0; j < c.length; j++) {
            c[j] /= s;
        }
    }

    // ---- shape rules ----------------------------------------------------------------------------------

    /** Resize: sizes or scales (constant, empty ones meaning absent) give each resized axis its size. */
    static ShapeValue[] inferResize(ShapeContext c) {
        List<Dim> s = c.shape(0);
        DataType type = c.type(0);
        if (s == null) {
            return one(type, null);
        }
        boolean opset10 = c.opset() < 11;
        int scalesInput = opset10 ? 1 : 2;
        ShapeValue scalesV = c.in(scalesInput);
        ShapeValue sizesV = opset10 ? ShapeValue.UNKNOWN : c.in(3);
        boolean hasScales = c.has(scalesInput), hasSizes = !opset10 && c.has(3);
        if ((hasScales && scalesV.constant() == null) || (hasSizes && sizesV.constant() == null)) {
            return one(type, unknown(s.size()));
        }
        Tensor scales = hasScales && scalesV.constant().size() > 0 ? scalesV.constant() : null;
        Tensor sizes = hasSizes && sizesV.constant().size() > 0 ? sizesV.constant() : null;
        int[] axesAttr = c.attrs().getIntArray("axes");
        int[] ax = new int[axesAttr == null ? s.size() : axesAttr.length];
        for (int i = 0; i < ax.length; i++) {
            ax[i] = axesAttr == null ? i : axis(axesAttr[i], s.size(), "Resize axis");
        }
        List<Dim> out = new ArrayList<>(s);
        if (sizes != null && scales == null && sizes.size() == ax.length && sizes.type() == DataType.INT64) {
            String policy = c.attrs().getString("keep_aspect_ratio_policy", "stretch");
            if (policy.equals("stretch")) {
                for (int i = 0; i < ax.length; i++) {
                    out.set(ax[i], Dim.of(sizes.getLong(i)));
                }
                return one(type, out);
            }
            int[] in = ShapeDims.toInts(s);
            if (in == null) {
                return one(type, unknown(s.size()));
            }
            // One scale for all resized axes, the smallest or largest requested, as ResizeOp computes it.
            float scale = (float) sizes.getLong(0) / (float) in[ax[0]];
            for (int i = 0; i < ax.length; i++) {
                float si = (float) sizes.getLong(i) / (float) in[ax[i]];
                scale = policy.equals("not_larger") ? Math.min(scale, si) : Math.max(scale, si);
            }
            for (int a : ax) {
                out.set(a, Dim.of((int) ResizeKernels.cRound(scale * in[a])));
            }
            return one(type, out);
        }
        if (scales != null && sizes == null && scales.size() == ax.length && scales.type() == DataType.FLOAT) {
            float[] sc = scales.floats();
            for (int i = 0; i < ax.length; i++) {
                Dim d = s.get(ax[i]);
                out.set(ax[i], d.isFixed() ? Dim.of(outputLength(sc[i], d.value()))
                    : sc[i] == 1f ? d : Dim.UNKNOWN);
            }
            return one(type, out);
        }
        return one(type, unknown(s.size()));
    }
}
