package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import java.util.Arrays;

/**
 * GridSample and AffineGrid, which makes its grids. GridSample samples X (N, C, D1, ..., Dr) at the normalized coordinates of grid (N, H1, ..., Hr, r), whose last
 * axis lists them innermost spatial axis first (x, y, z). Nearest, linear or cubic (Keys, a = -0.75)
 * interpolation, one axis at a time; zeros, border or reflection padding. Coordinates are denormalized in
 * double and kept in float, as ONNX's reference does; the interpolation sums in double.
 */
final class GridSampleOp {
    private GridSampleOp() {}

    private enum Mode { NEAREST, LINEAR, CUBIC }

    private enum Padding { ZEROS, BORDER, REFLECTION }

    private static final AttributeSpec<Long> ALIGN_CORNERS = AttributeSpec.flag("align_corners", 0);
    private static final AttributeSpec<String> PADDING = AttributeSpec.stringAttr("padding_mode", "zeros")
        .requiring(p -> p.equals("zeros") || p.equals("border") || p.equals("reflection"), "zeros, border or reflection");
    private static final AttributeSpec<String> MODE = AttributeSpec.stringAttr("mode", "linear");
    private static final double CUBIC_A = -0.75;

    static void register(OpRegistry.Builder r) {
        r.onnx("AffineGrid", 20).inputs("rr").outputs("r").attribute(ALIGN_CORNERS)
            .shape(c -> Shapes.one(DataType.FLOAT, null)).factory(ctx -> {
                boolean align = ctx.get(ALIGN_CORNERS) == 1;
                return in -> new Tensor[] {affineGrid(in[0], in[1], align)};
            });
        // GridSample-20 renamed bilinear/bicubic to linear/cubic and allowed any spatial rank; 16 is 2-D only.
        r.onnx("GridSample", 16).inputs("rr").outputs("r").attribute(ALIGN_CORNERS).attribute(PADDING)
            .attribute(MODE).shape(c -> Shapes.one(c.type(0), c.rank(0) < 0 ? null : ShapeDims.unknown(c.rank(0))))
            .factory(ctx -> {
                boolean old = ctx.opset() < 20;
                String m = ctx.has("mode") ? ctx.get(MODE) : old ? "bilinear" : "linear";
                Mode mode = switch (m) {
                    case "nearest" -> Mode.NEAREST;
                    case "linear" -> old ? null : Mode.LINEAR;
                    case "bilinear" -> old ? Mode.LINEAR : null;
                    case "cubic" -> old ? null : Mode.CUBIC;
                    case "bicubic" -> old ? Mode.CUBIC : null;
                    default -> null;
                };
                if (mode == null) {
                    throw ctx.fail("attribute 'mode' must be " + (old ? "bilinear, nearest or bicubic" : "linear, "
                        + "nearest or cubic") + " at opset " + ctx.opset() + ", got " + m);
                }
                Padding padding = Padding.valueOf(ctx.get(PADDING).toUpperCase(java.util.Locale.ROOT));
                boolean align = ctx.get(ALIGN_CORNERS) == 1;
                // Like ONNX Runtime: 2-D, and 3-D from opset 20 (the sampler's work is 4^r taps for cubic).
                int maxRank = old ? 2 : 3;
                return in -> new Tensor[] {sample(in[0], in[1], mode, padding, align, maxRank)};
            });
    }

    static Tensor sample(Tensor xT, Tensor gridT, Mode mode, Padding padding, boolean align, int maxRank) {
        if (xT.type() != DataType.FLOAT || gridT.type() != DataType.FLOAT) {
            throw ElementwiseBinary.unsupportedType("GridSample", xT.type() != DataType.FLOAT ? xT.type() : gridT.type());
        }
        int[] xs = xT.shapeView();
        int[] gs = gridT.shapeView();
        int r = xs.length - 2;
        if (r > maxRank) {
            // GridSample-16 defines 2-D only (a bad input); from opset 20 any rank is valid, Octet samples 3.
            ErrorCode code = maxRank == 2 ? ErrorCode.INVALID_INPUT : ErrorCode.UNSUPPORTED_OP;
            throw new OctetException(code, "GridSample at this opset supports up to " + maxRank
                + " spatial axes, got X " + Arrays.toString(xs));
        }
        if (r < 1 || gs.length != r + 2 || gs[0] != xs[0] || gs[r + 1] != r) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "GridSample needs X (N, C, D1..Dr) and grid (N, H1..Hr, "
                + "r), got " + Arrays.toString(xs) + " and " + Arrays.toString(gs));
        }
        int[] dims = Arrays.copyOfRange(xs, 2, xs.length);
        int[] outSp = Arrays.copyOfRange(gs, 1, r + 1);
        int points = Tensor.checkedSize(outSp);
        int plane = Tensor.checkedSize(dims);
        int[] strides = ShapeKernels.strides(dims);
        int[] outShape = new int[r + 2];
        outShape[0] = xs[0];
        outShape[1] = xs[1];
        System.arraycopy(outSp, 0, outShape, 2, r);
        float[] x = xT.floats();
        float[] grid = gridT.floats();
        float[] y = new float[Tensor.checkedSize(outShape)];
        if (plane == 0 && y.length > 0) {
            // An empty spatial axis: with zeros padding every point falls outside (all zeros); border and reflection
            // have no value to take.
            if (padding != Padding.ZEROS) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "GridSample with " + padding.name().toLowerCase(
                    java.util.Locale.ROOT) + " padding cannot sample X " + Arrays.toString(xs) + ": a spatial axis is empty");
            }
            return Tensor.ofFloats(y, outShape);
        }
        double[] lo = new double[r];
        double[] hi = new double[r];
        for (int d = 0; d < r; d++) {
            lo[d] = align ? 0 : -0.5;
            hi[d] = align ? dims[d] - 1 : dims[d] - 0.5;
        }
        Sampler s = new Sampler(x, dims, strides, mode, padding, lo, hi);
        float[] at = new float[r];
        for (int n = 0; n < xs[0]; n++) {
            for (int p = 0; p < points; p++) {
                for (int d = 0; d < r; d++) {
                    // The grid lists the innermost axis first.
                    double g = grid[(n * points + p) * r + (r - 1 - d)];
                    double v = align ? (g + 1) / 2 * (dims[d] - 1) : ((g + 1) * dims[d] - 1) / 2;
                    at[d] = (float) (mode == Mode.NEAREST ? Math.rint((float) v) : v);
                    if (at[d] < lo[d] || at[d] > hi[d]) {
                        if (padding == Padding.BORDER) {
                            at[d] = (float) Math.min(Math.max(at[d], 0), dims[d] - 1);
                        } else if (padding == Padding.REFLECTION) {
                            at[d] = (float) reflect(at[d], lo[d], hi[d]);
                        }
                    }
                }
                for (int c = 0; c < xs[1]; c++) {
                    y[(n * xs[1] + c) * points + p] = (float) s.value(at, 0, (n * xs[1] + c) * plane);
                }
            }
        }
        return Tensor.ofFloats(y, outShape);
    }

    /**
     * The grid (N, D1, .., Dr, r) of theta (N, r, r + 1) applied to the normalized pixel centers (or corners,
     * with align_corners) of an image of size (N, C, D1, .., Dr), r = 2 or 3; the coordinates innermost axis first.
     */
    static Tensor affineGrid(Tensor thetaT, Tensor sizeT, boolean align) {
        long[] size = ShapeKernels.readLongs(sizeT, "AffineGrid size");
        int r = size.length - 2;
        int[] ts = thetaT.shapeView();
        if (thetaT.type() != DataType.FLOAT || r < 2 || r > 3 || ts.length != 3 || ts[1] != r || ts[2] != r + 1
                || ts[0] != size[0]) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "AffineGrid needs theta (N, r, r + 1) and size (N, C, "
                + "spatial...) with r = 2 or 3, got " + thetaT + " and " + Arrays.toString(size));
        }
        int[] sp = new int[r];
        for (int d = 0; d < r; d++) {
            if (size[d + 2] < 1 || size[d + 2] > Tensor.MAX_ELEMENTS) {
                throw new OctetException(ErrorCode.INVALID_INPUT, "AffineGrid size " + Arrays.toString(size)
                    + " has a bad spatial dimension");
            }
            sp[d] = (int) size[d + 2];
        }
        int points = Tensor.checkedSize(sp);
        int[] outShape = new int[r + 2];
        outShape[0] = ts[0];
        System.arraycopy(sp, 0, outShape, 1, r);
        outShape[r + 1] = r;
        float[] theta = thetaT.floats();
        float[] grid = new float[Tensor.checkedSize(outShape)];
        double[] base = new double[r + 1];
        base[r] = 1;
        for (int n = 0; n < ts[0]; n++) {
            for (int p = 0; p < points; p++) {
                // base = (x, y[, z], 1): x from the innermost axis.
                for (int d = r - 1, rest = p; d >= 0; d--) {
                    int i = rest % sp[d];
                    rest /= sp[d];
                    base[r - 1 - d] = align ? (sp[d] == 1 ? -1 : -1 + 2.0 * i / (sp[d] - 1)) : -1 + (2.0 * i + 1) / sp[d];
                }
                for (int k = 0; k < r; k++) {
                    double v = 0;
                    for (int j = 0; j <= r; j++) {
                        v += theta[(n * r + k) * (r + 1) + j] * base[j];
                    }
                    grid[(n * points + p) * r + k] = (float) v;
                }
            }
        }
        return Tensor.ofFloats(grid, outShape);
    }

    /** Bilinear interpolation of the plane at base (dims) at coordinates at, zero outside: for DeformConv. */
    static double bilinearZeros(float[] x, int base, int[] dims, float[] at) {
        return new Sampler(x, dims, ShapeKernels.strides(dims), Mode.LINEAR, Padding.ZEROS, null, null)
            .value(at, 0, base);
    }

    /** Reflects v about the nearer border until it lies in [lo, hi]. */
    private static double reflect(double v, double lo, double hi) {
        double range = hi - lo;
        if (v < lo) {
            double dx = lo - v;
            long k = (long) (dx / range);
            double rest = dx - k * range;
            return k % 2 == 0 ? lo + rest : hi - rest;
        }
        if (v > hi) {
            double dx = v - hi;
            long k = (long) (dx / range);
            double rest = dx - k * range;
            return k % 2 == 0 ? hi - rest : lo + rest;
        }
        return v;
    }

    private record Sampler(float[] x, int[] dims, int[] strides, Mode mode, Padding padding, double[] lo,
                           double[] hi) {
        /** The interpolated value over axes d.. at coordinates at, the outer axes fixed at offset base. */
        double value(float[] at, int d, int base) {
            if (d == dims.length) {
                return x[base];
            }
            if (Float.isNaN(at[d])) {
                // A NaN coordinate names no pixel: NaN out, in every mode (a cast would read index 0).
                return Double.NaN;
            }
            if (mode == Mode.NEAREST) {
                return pixel(at, d, (int) at[d], base);
            }
            int x0 = (int) Math.floor(at[d]);
            double t = at[d] - x0;
            if (mode == Mode.LINEAR) {
                return (1 - t) * pixel(at, d, x0, base) + t * pixel(at, d, x0 + 1, base);
            }
            double sum = 0;
            for (int k = -1; k <= 2; k++) {
                sum += cubic(Math.abs(t - k)) * pixel(at, d, x0 + k, base);
            }
            return sum;
        }

        /** The value along axis d at integer index i, with the padding mode's rule outside the axis. */
        private double pixel(float[] at, int d, int i, int base) {
            int n = dims[d];
            int j = i;
            if (i < 0 || i >= n) {
                switch (padding) {
                    case ZEROS -> {
                        return 0;
                    }
                    case BORDER -> j = Math.min(Math.max(i, 0), n - 1);
                    case REFLECTION -> j = Math.min(Math.max((int) reflect(i, lo[d], hi[d]), 0), n - 1);
                }
            }
            return value(at, d + 1, base + j * strides[d]);
        }

        /** Keys' cubic convolution kernel at distance s (0 <= s < 2). */
        private static double cubic(double s) {
            return s <= 1 ? ((CUBIC_A + 2) * s - (CUBIC_A + 3)) * s * s + 1
                : ((CUBIC_A * s - 5 * CUBIC_A) * s + 8 * CUBIC_A) * s - 4 * CUBIC_A;
        }
    }
}
