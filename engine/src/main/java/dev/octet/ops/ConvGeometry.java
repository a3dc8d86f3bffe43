package dev.octet.ops;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import java.util.Arrays;

/**
 * The spatial attributes shared by Conv, ConvInteger, QLinearConv and the pools (kernel_shape, strides,
 * dilations, pads, auto_pad), read once at load, and the output shape they give for an input shape.
 * Spatial rank is arbitrary (1-D, 2-D, 3-D); {@code pads} is [begin_0, begin_1, ..., end_0, end_1, ...].
 */
public final class ConvGeometry {
    public enum AutoPad { NOTSET, SAME_UPPER, SAME_LOWER, VALID }

    private final int[] kernel;
    private final int[] strides;
    private final int[] dilations;
    private final int[] pads;
    private final AutoPad autoPad;

    private ConvGeometry(int[] kernel, int[] strides, int[] dilations, int[] pads, AutoPad autoPad) {
        this.kernel = kernel;
        this.strides = strides;
        this.dilations = dilations;
        this.pads = pads;
        this.autoPad = autoPad;
    }

    /**
     * Reads the attributes. {@code kernelShape} is the kernel_shape attribute's fallback (the weights'
     * spatial dims when they are constant); when both are missing the kernel is taken from the weights at
     * run time with {@link #withKernel}.
     */
    public static ConvGeometry read(OpContext ctx, int[] kernelShape) {
        int[] k = ctx.getIntArray("kernel_shape");
        if (k == null) {
            k = kernelShape;
        }
        int[] s = ctx.getIntArray("strides");
        int[] d = ctx.getIntArray("dilations");
        int[] p = ctx.getIntArray("pads");
        AutoPad ap;
        try {
            ap = AutoPad.valueOf(ctx.getString("auto_pad", "NOTSET"));
        } catch (IllegalArgumentException e) {
            throw ctx.fail("unknown auto_pad '" + ctx.getString("auto_pad", "") + "'");
        }
        ConvGeometry g = new ConvGeometry(k, s, d, p, ap);
        try {
            return k == null ? g : g.withKernel(k);
        } catch (OctetException e) {
            throw ctx.fail(e.getMessage());
        }
    }

    /** True when the kernel comes from the weights at run time. */
    public boolean isDeferred() {
        return kernel == null;
    }

    /** This geometry with the kernel given (defaults filled in and everything validated). */
    public ConvGeometry withKernel(int[] k) {
        if (kernel != null && !Arrays.equals(kernel, k)) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, "kernel_shape " + Arrays.toString(kernel)
                + " does not match the weights' kernel " + Arrays.toString(k));
        }
        int rank = k.length;
        int[] s = orDefault(strides, rank, 1);
        int[] d = orDefault(dilations, rank, 1);
        int[] p = orDefault(pads, 2 * rank, 0);
        if (s.length != rank || d.length != rank || p.length != 2 * rank) {
            throw new OctetException(ErrorCode.INVALID_GRAPH, "strides/dilations/pads do not match kernel rank " + rank);
        }
        checkWindow(k, s, d, p);
        return new ConvGeometry(k.clone(), s, d, p, autoPad);
    }

    /**
     * The window attributes' own rule, for every op that reads them: kernel sizes, strides and dilations
     * positive, pads non-negative (any may be null: absent).
     */
    static void checkWindow(int[] kernel, int[] strides, int[] dilations, int[] pads) {
        for (int[] positive : new int[][] {kernel, strides, dilations}) {
            for (int i = 0; positive != null && i < positive.length; i++) {
                if (positive[i] <= 0) {
                    throw new OctetException(ErrorCode.INVALID_GRAPH,
                        "kernel_shape, strides and dilations must be positive");
                }
            }
        }
        for (int i = 0; pads != null && i < pads.length; i++) {
            if (pads[i] < 0) {
                throw new OctetException(ErrorCode.INVALID_GRAPH, "pads must not be negative");
            }
        }
    }

    private static int[] orDefault(int[] v, int n, int dflt) {
        if (v != null) {
            return v;
        }
        int[] r = new int[n];
        Arrays.fill(r, dflt);
        return r;
    }

    /** The number of spatial dimensions; only valid once the kernel is known. */
    public int spatialRank() {
        return kernel.length;
    }

    /** The kernel's spatial dims; null while {@link #isDeferred()}. */
    public int[] kernel() {
        return kernel == null ? null : kernel.clone();
    }

    public int[] strides() {
        return strides.clone();
    }

    public int[] dilations() {
        return dilations.clone();
    }

    public AutoPad autoPad() {
        return autoPad;
    }

    /** The effective pads [begins..., ends...] for the given input spatial dims (resolves auto_pad). */
    public int[] pads(int[] inSpatial) {
        int r = kernel.length;
        int[] p = pads.clone();
        if (autoPad == AutoPad.VALID) {
            Arrays.fill(p, 0);
        } else if (autoPad == AutoPad.SAME_UPPER || autoPad == AutoPad.SAME_LOWER) {
            for (int i = 0; i < r; i++) {
                long out = ceilDiv(inSpatial[i], strides[i]);
                long total = Math.max(0, (out - 1) * strides[i] + window(i) - inSpatial[i]);
                long small = total / 2;
                long big = total - small;
                p[i] = checkedInt(autoPad == AutoPad.SAME_UPPER ? small : big, "auto_pad's padding", inSpatial);
                p[i + r] = checkedInt(autoPad == AutoPad.SAME_UPPER ? big : small, "auto_pad's padding", inSpatial);
            }
        }
        for (int i = 0; i < r; i++) {
            // Kernels index the padded input with int arithmetic: it must fit in an int.
            checkedInt((long) inSpatial[i] + p[i] + p[i + r], "the padded input", inSpatial);
        }
        return p;
    }

    /** The extent of the dilated kernel along spatial dim i: (k - 1) * d + 1, exact in long. */
    private long window(int i) {
        return (long) (kernel[i] - 1) * dilations[i] + 1;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private int checkedInt(long v, String what, int[] inSpatial) {
        if (v > Integer.MAX_VALUE) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, what + " along a dimension is " + v + " for input "
                + Arrays.toString(inSpatial) + " with kernel " + Arrays.toString(kernel) + ", dilations "
                + Arrays.toString(dilations) + ", pads " + Arrays.toString(pads) + ": more than " + Integer.MAX_VALUE);
        }
        return (int) v;
    }

    /**
     * Output spatial dims for input spatial dims. With {@code ceilMode} (pools) the last partial window
     * counts, except one that would start entirely inside the end padding.
     */
    public int[] outputSpatial(int[] inSpatial, boolean ceilMode) {
        int r = kernel.length;
        int[] p = pads(inSpatial);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            if (autoPad == AutoPad.SAME_UPPER || autoPad == AutoPad.SAME_LOWER) {
                out[i] = (int) ceilDiv(inSpatial[i], strides[i]);
                continue;
            }
            // In long: a dilation near 2^31 overflows int and gave a wrong shape.
            long span = (long) inSpatial[i] + p[i] + p[i + r] - window(i);
            if (span < 0) {
                throw new OctetException(ErrorCode.INVALID_SHAPE, "kernel " + Arrays.toString(kernel)
                    + " with dilations " + Arrays.toString(dilations) + " does not fit input "
                    + Arrays.toString(inSpatial) + " with pads " + Arrays.toString(p));
            }
            long o = ceilMode ? ceilDiv(span, strides[i]) + 1 : span / strides[i] + 1;
            if (ceilMode && (o - 1) * strides[i] >= (long) inSpatial[i] + p[i]) {
                o--;
            }
            out[i] = (int) o; // at most span + 1, which fits: the padded input does
        }
        return out;
    }
}
