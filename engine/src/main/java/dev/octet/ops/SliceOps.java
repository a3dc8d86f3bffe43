package dev.octet.ops;

import static dev.octet.ops.ShapeDims.axis;
import static dev.octet.ops.ShapeDims.unknown;
import static dev.octet.ops.ShapeKernels.error;
import static dev.octet.ops.ShapeKernels.normalizeAxis;
import static dev.octet.ops.ShapeKernels.optional;
import static dev.octet.ops.ShapeKernels.readLongs;
import static dev.octet.ops.ShapeKernels.requireInputs;
import static dev.octet.ops.Shapes.one;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import dev.octet.ops.ShapeValue.Elem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Slice and Pad. Both map every output coordinate of an axis to an input coordinate independently of the
 * other axes, so each builds one offset table per axis and lets {@link ShapeKernels#flatMap} combine them.
 */
final class SliceOps {
    private SliceOps() {}

    static void register(OpRegistry.Builder r) {
        r.onnx("Slice", 1).traits(OpTrait.ANY_ELEMENT_TYPE, OpTrait.DATA_MOVEMENT).unary().inputsFrom(10, "rrroo").shape(SliceOps::inferSlice).factory(SliceOps::slice);
        r.onnx("Pad", 2).traits(OpTrait.ANY_ELEMENT_TYPE).unary().inputsFrom(11, "rro").inputsFrom(18, "rroo").shape(SliceOps::inferPad).factory(SliceOps::pad);
    }

    private static Op slice(OpContext ctx) {
        requireInputs(ctx, 1);
        if (ctx.opset() < 10) {
            // Before opset 10 starts/ends/axes are attributes and there are no steps.
            long[] starts = ctx.getInts("starts");
            long[] ends = ctx.getInts("ends");
            long[] axes = ctx.getInts("axes");
            if (starts == null || ends == null) {
                throw ctx.fail("attributes 'starts' and 'ends' are required");
            }
            return in -> new Tensor[] {slice(in[0], starts, ends, axes, null)};
        }
        requireInputs(ctx, 3);
        return in -> {
            Tensor axes = optional(in, 3);
            Tensor steps = optional(in, 4);
            return new Tensor[] {slice(in[0], readLongs(in[1], "Slice starts"), readLongs(in[2], "Slice ends"),
                axes == null ? null : readLongs(axes, "Slice axes"),
                steps == null ? null : readLongs(steps, "Slice steps"))};
        };
    }

    /** Slices x; axes null means 0, 1, ..., steps null means all 1. Starts and ends are clamped as ONNX specifies. */
    private static Tensor slice(Tensor x, long[] starts, long[] ends, long[] axes, long[] steps) {
        int n = starts.length;
        if (ends.length != n || (axes != null && axes.length != n) || (steps != null && steps.length != n)) {
            throw error("Slice starts " + Arrays.toString(starts) + ", ends " + Arrays.toString(ends) + ", axes "
                + Arrays.toString(axes) + " and steps " + Arrays.toString(steps) + " differ in length");
        }
        int[] s = x.shapeView();
        int rank = s.length;
        int[] strides = ShapeKernels.strides(s);
        int[] out = s.clone();
        int[][] offsets = new int[rank][];
        boolean empty = x.size() == 0;
        for (int i = 0; i < n; i++) {
            int a = normalizeAxis(axes == null ? i : axes[i], rank, "Slice axis");
            if (offsets[a] != null) {
                throw error("Slice axes " + Arrays.toString(axes) + " repeat axis " + a);
            }
            long step = steps == null ? 1 : steps[i];
            if (step == 0) {
                throw error("Slice step for axis " + a + " is 0");
            }
            long[] range = sliceRange(starts[i], ends[i], step, s[a]);
            out[a] = (int) range[1];
            offsets[a] = empty ? new int[0] : new int[out[a]];
            for (int k = 0; k < offsets[a].length; k++) {
                // begin + k * step stays within [0, dim) for every k < count, so it cannot overflow.
                offsets[a][k] = (int) (range[0] + k * step) * strides[a];
            }
        }
        if (empty) {
            // No element to gather: the shape alone (an axis of 2^31 - 9 beside a zero one made index arrays of it).
            return Tensor.zeros(x.type(), out);
        }
        for (int a = 0; a < rank; a++) {
            if (offsets[a] == null) {
                offsets[a] = ShapeKernels.ramp(s[a], strides[a]);
            }
        }
        return ShapeKernels.gather(x, ShapeKernels.flatMap(offsets), out, null);
    }

    private enum Mode { CONSTANT, REFLECT, EDGE, WRAP }

    private static Op pad(OpContext ctx) {
        requireInputs(ctx, 1);
        String modeName = ctx.getString("mode", "constant");
        Mode mode = switch (modeName) {
            case "constant" -> Mode.CONSTANT;
            case "reflect" -> Mode.REFLECT;
            case "edge" -> Mode.EDGE;
            case "wrap" -> {
                if (ctx.opset() < 19) {
                    throw ctx.fail("mode 'wrap' needs opset 19 or later");
                }
                yield Mode.WRAP;
            }
            default -> throw ctx.fail("unknown mode '" + modeName + "'");
        };
        if (ctx.opset() < 11) {
            // Before opset 11 pads and the (float) constant are attributes.
            long[] pads = ctx.getInts("pads");
            if (pads == null) {
                throw ctx.fail("attribute 'pads' is required");
            }
            float value = ctx.getFloat("value", 0);
            return in -> new Tensor[] {pad(in[0], pads, null, mode, scalar(in[0].type(), value))};
        }
        requireInputs(ctx, 2);
        boolean axesInput = ctx.opset() >= 18;
        return in -> {
            Tensor x = in[0];
            Tensor value = optional(in, 2);
            Object fill = null;
            if (value != null && value.size() > 0) {
                if (value.type() != x.type()) {
                    throw error("Pad constant_value is " + value.type() + " but the data is " + x.type());
                }
                fill = value.data();
            }
            Tensor axes = axesInput ? optional(in, 3) : null;
            return new Tensor[] {pad(x, readLongs(in[1], "Pad pads"), axes == null ? null : readLongs(axes, "Pad axes"),
                mode, fill)};
        };
    }

    /** A one-element storage array of the type holding the attribute value (as a C cast would convert it). */
    private static Object scalar(DataType type, float v) {
        return switch (type) {
            case FLOAT -> new float[] {v};
            case UINT8, INT8 -> new byte[] {(byte) (int) v};
            case INT32 -> new int[] {(int) v};
            case INT64 -> new long[] {(long) v};
            case BOOL -> new boolean[] {v != 0};
            case FLOAT16 -> new short[] {Float.floatToFloat16(v)};
            case BFLOAT16 -> new short[] {ElementwiseCast.floatToBfloat16(v)};
            case DOUBLE -> new double[] {v};
        };
    }

    /**
     * Pads x; pads is [begin per axis..., end per axis...] over {@code axes} (all axes when null). Negative
     * pads crop; the other modes read relative to the uncropped input.
     */
    private static Tensor pad(Tensor x, long[] pads, long[] axes, Mode mode, Object fill) {
        int[] s = x.shapeView();
        int rank = s.length;
        int[] ax = new int[axes == null ? rank : axes.length];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < ax.length; i++) {
            ax[i] = axes == null ? i : normalizeAxis(axes[i], rank, "Pad axis");
            if (seen[ax[i]]) {
                throw error("Pad axes " + Arrays.toString(axes) + " repeat axis " + ax[i]);
            }
            seen[ax[i]] = true;
        }
        if (pads.length != 2 * ax.length) {
            throw error("Pad pads " + Arrays.toString(pads) + " must have 2 values per padded axis (" + ax.length + ")");
        }
        long[] before = new long[rank];
        long[] after = new long[rank];
        for (int i = 0; i < ax.length; i++) {
            before[ax[i]] = pads[i];
            after[ax[i]] = pads[i + ax.length];
        }
        int[] strides = ShapeKernels.strides(s);
        int[] out = new int[rank];
        int[][] offsets = new int[rank][];
        for (int d = 0; d < rank; d++) {
            long size = s[d] + before[d] + after[d];
            if (size < 0 || size > Tensor.MAX_ELEMENTS) {
                throw error("Pad pads " + Arrays.toString(pads) + " give axis " + d + " of size " + s[d]
                    + " the invalid size " + size);
            }
            out[d] = (int) size;
        }
        Tensor.checkedSize(out);
        for (int d = 0; d < rank; d++) {
            offsets[d] = new int[out[d]];
            for (int i = 0; i < out[d]; i++) {
                int src = source(i - before[d], s[d], mode, d);
                offsets[d][i] = src < 0 ? -1 : src * strides[d];
            }
        }
        return ShapeKernels.gather(x, ShapeKernels.flatMap(offsets), out, fill);
    }

    /** The input coordinate that output coordinate j (relative to the input's start) copies, or -1 for fill. */
    private static int source(long j, int dim, Mode mode, int axis) {
        if (j >= 0 && j < dim) {
            return (int) j;
        }
        if (dim == 0 && mode != Mode.CONSTANT) {
            throw error("Pad cannot extend axis " + axis + " of size 0 in mode " + mode.name().toLowerCase());
        }
        return switch (mode) {
            case CONSTANT -> -1;
            case EDGE -> j < 0 ? 0 : dim - 1;
            case WRAP -> (int) Math.floorMod(j, (long) dim);
            case REFLECT -> {
                // Reflection without repeating the edge is periodic with period 2*(dim-1).
                if (dim == 1) {
                    yield 0;
                }
                long period = 2L * (dim - 1);
                long m = Math.floorMod(j, period);
                yield (int) (m < dim ? m : period - m);
            }
        };
    }

    // ---- shape rules ----------------------------------------------------------------------------------

    /** The first coordinate and the count, {begin, count}, Slice takes along an axis of {@code dim} (op and shape rule). */
    private static long[] sliceRange(long start, long end, long step, long dim) {
        long begin = start < 0 ? start + dim : start;
        long stop = end < 0 ? end + dim : end;
        long count;
        if (dim == 0) {
            count = 0;
        } else if (step > 0) {
            begin = Math.clamp(begin, 0, dim);
            stop = Math.clamp(stop, 0, dim);
            count = stop > begin ? (stop - begin - 1) / step + 1 : 0;
        } else {
            begin = Math.clamp(begin, 0, dim - 1);
            stop = Math.clamp(stop, -1, dim - 1);
            // Dividing by -step would overflow for Long.MIN_VALUE; (begin-stop-1)/step is <= 0 either way.
            count = begin > stop ? 1 - (begin - stop - 1) / step : 0;
        }
        return new long[] {begin, count};
    }

    private static ShapeValue[] inferSlice(ShapeContext c) {
        List<Dim> s = c.shape(0);
        long[] starts, ends, axes, steps;
        if (c.opset() < 10) {
            starts = c.attrs().getInts("starts");
            ends = c.attrs().getInts("ends");
            axes = c.attrs().getInts("axes");
            steps = null;
        } else {
            starts = c.longs(1);
            ends = c.longs(2);
            axes = c.has(3) ? c.longs(3) : null;
            steps = c.has(4) ? c.longs(4) : null;
            if (starts == null || ends == null || (c.has(3) && axes == null) || (c.has(4) && steps == null)) {
                return inferSliceUnknownBounds(c, s, axes);
            }
        }
        if (s == null) {
            return one(c.type(0), null);
        }
        int n = starts.length;
        if (ends.length != n || (axes != null && axes.length != n) || (steps != null && steps.length != n)) {
            throw c.fail("Slice starts, ends, axes and steps differ in length");
        }
        List<Dim> out = new ArrayList<>(s);
        boolean[] seen = new boolean[s.size()];
        // Along the one axis of a rank-1 value: {begin, count} and the step, for its known elements.
        long[] elementRange = null;
        long elementStep = 1;
        for (int i = 0; i < n; i++) {
            int a = axis(axes == null ? i : axes[i], s.size(), "Slice axis");
            long step = steps == null ? 1 : steps[i];
            if (seen[a] || step == 0) {
                throw c.fail("Slice repeats axis " + a + " or has a zero step");
            }
            seen[a] = true;
            Dim dim = s.get(a);
            if (dim.isFixed()) {
                elementRange = sliceRange(starts[i], ends[i], step, dim.value());
                elementStep = step;
                out.set(a, Dim.of(elementRange[1]));
            } else {
                // From 0 to at least the largest possible size with step 1 takes the whole axis.
                boolean whole = step == 1 && starts[i] == 0 && ends[i] >= Integer.MAX_VALUE;
                out.set(a, whole ? dim : Dim.UNKNOWN);
            }
        }
        List<Elem> e = c.elements(0);
        List<Elem> elements = null;
        if (e != null && s.size() == 1) {
            elements = new ArrayList<>();
            long[] range = elementRange != null ? elementRange : new long[] {0, e.size()};
            for (long k = 0; k < range[1]; k++) {
                elements.add(e.get((int) (range[0] + k * elementStep)));
            }
        }
        return new ShapeValue[] {new ShapeValue(c.type(0), out, null, elements)};
    }

    /**
     * Slice whose bounds are not all constant: only the sliced axes change, and which ones is known only
     * with constant axes. A symbolic end with start 0 and step 1 (positions up to a length) still gives
     * min(end, dim).
     */
    private static ShapeValue[] inferSliceUnknownBounds(ShapeContext c, List<Dim> s, long[] axes) {
        if (s == null || (c.has(3) && axes == null)) {
            return one(c.type(0), s == null ? null : unknown(s.size()));
        }
        List<Elem> starts = c.elements(1), ends = c.elements(2);
        long[] steps = c.has(4) ? c.longs(4) : null;
        int n = axes != null ? axes.length : ends != null ? ends.size() : -1;
        if (n < 0) {
            return one(c.type(0), unknown(s.size()));
        }
        List<Dim> out = new ArrayList<>(s);
        for (int i = 0; i < n; i++) {
            int a = axis(axes != null ? axes[i] : i, s.size(), "Slice axis");
            Dim dim = s.get(a);
            Dim result = Dim.UNKNOWN;
            boolean fromZero = starts != null && starts.size() == n && starts.get(i).fixed() && starts.get(i).value() == 0
                && (c.has(4) ? steps != null && steps.length == n && steps[i] == 1 : true);
            Dim end = ends != null && ends.size() == n ? ends.get(i).toDim() : Dim.UNKNOWN;
            if (fromZero && end.symbol() != null) {
                if (end.equals(dim)) {
                    result = dim;
                } else if (dim.isFixed() && dim.value() > 0) {
                    result = ShapeDims.atMost(end, dim.value());
                }
            }
            out.set(a, result);
        }
        return one(c.type(0), out);
    }

    private static ShapeValue[] inferPad(ShapeContext c) {
        List<Dim> s = c.shape(0);
        long[] pads = c.opset() < 11 ? c.attrs().getInts("pads") : c.longs(1);
        long[] axes = c.opset() >= 18 && c.has(3) ? c.longs(3) : null;
        if (s == null || pads == null || (c.opset() >= 18 && c.has(3) && axes == null)) {
            return one(c.type(0), s == null ? null : unknown(s.size()));
        }
        int k = axes == null ? s.size() : axes.length;
        if (pads.length != 2L * k) {
            throw c.fail("Pad pads " + Arrays.toString(pads) + " must have 2 values per padded axis (" + k + ")");
        }
        List<Dim> out = new ArrayList<>(s);
        for (int i = 0; i < k; i++) {
            int a = axes == null ? i : axis(axes[i], s.size(), "Pad axis");
            long extra = pads[i] + pads[i + k];
            Dim d = s.get(a);
            if (d.isFixed()) {
                if (d.value() + extra < 0) {
                    throw c.fail("Pad pads " + Arrays.toString(pads) + " make axis " + a + " negative");
                }
                out.set(a, Dim.of(d.value() + extra));
            } else if (extra != 0) {
                out.set(a, Dim.UNKNOWN);
            }
        }
        return one(c.type(0), out);
    }
}
