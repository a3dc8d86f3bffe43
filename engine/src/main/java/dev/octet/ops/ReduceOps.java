package dev.octet.ops;

import static dev.octet.ops.ShapeDims.unknown;
import static dev.octet.ops.Shapes.UNKNOWN_AXES;
import static dev.octet.ops.Shapes.axes;
import static dev.octet.ops.Shapes.one;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** ReduceSum/Mean/Max/Min, plus the normalizations in {@link ReduceNormalization}. */
final class ReduceOps {
    private ReduceOps() {}

    enum Kind { SUM, MEAN, MAX, MIN }

    static void register(OpRegistry.Builder r) {
        reduction(r, "ReduceSum", Kind.SUM, 13);
        reduction(r, "ReduceMean", Kind.MEAN, 18);
        reduction(r, "ReduceMax", Kind.MAX, 18);
        reduction(r, "ReduceMin", Kind.MIN, 18);
        ReduceNormalization.register(r);
    }

    /** Axes are an attribute before {@code axesInputSince} and an optional int64 input from then on. */
    private static void reduction(OpRegistry.Builder r, String name, Kind kind, int axesInputSince) {
        r.onnx(name, 7).unary().inputsFrom(axesInputSince, "ro").shape(c -> inferReduce(c, axesInputSince)).factory(ctx -> {
            boolean keepDims = ctx.getInt("keepdims", 1) != 0;
            if (ctx.opset() < axesInputSince) {
                int[] axes = ctx.getIntArray("axes");
                return in -> new Tensor[] {reduce(in[0], kind, axes, keepDims, false)};
            }
            if (ctx.has("axes")) {
                throw ctx.fail("from opset " + axesInputSince + " axes is an input, not an attribute");
            }
            boolean noopWhenEmpty = ctx.getInt("noop_with_empty_axes", 0) != 0;
            return in -> {
                int[] axes = in.length > 1 && in[1] != null ? axesInput(in[1]) : null;
                return new Tensor[] {reduce(in[0], kind, axes, keepDims, noopWhenEmpty)};
            };
        });
    }

    private static int[] axesInput(Tensor t) {
        if (t.type() != DataType.INT64 || t.rank() > 1) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "axes must be a 1-D INT64 tensor, got " + t);
        }
        long[] v = t.longs();
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = (int) Math.clamp(v[i], Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
        return r;
    }

    /** Normalizes an axis in [-rank, rank) to [0, rank). */
    static int axis(long axis, int rank) {
        if (axis < -rank || axis >= rank) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, "axis " + axis + " is out of range for rank " + rank);
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }

    /** Product of shape[from, to). */
    static int size(int[] shape, int from, int to) {
        int n = 1;
        for (int i = from; i < to; i++) {
            n *= shape[i];
        }
        return n;
    }

    /** Null or empty axes reduce every axis, unless {@code noopWhenEmpty}, which returns x unchanged. */
    static Tensor reduce(Tensor x, Kind kind, int[] axes, boolean keepDims, boolean noopWhenEmpty) {
        if (x.type() == DataType.BOOL && (kind == Kind.SUM || kind == Kind.MEAN)) {
            throw ElementwiseBinary.unsupportedType(kind == Kind.SUM ? "ReduceSum" : "ReduceMean", x.type());
        }
        int[] shape = x.shapeView();
        int rank = shape.length;
        boolean[] reduced = new boolean[rank];
        if (axes == null || axes.length == 0) {
            if (noopWhenEmpty) {
                return x;
            }
            Arrays.fill(reduced, true);
        } else {
            for (int a : axes) {
                int k = axis(a, rank);
                if (reduced[k]) {
                    throw new OctetException(ErrorCode.INVALID_SHAPE, "axis " + a + " is listed twice");
                }
                reduced[k] = true;
            }
        }
        int[] kept = shape.clone();
        int dropped = 0;
        int count = 1;
        for (int i = 0; i < rank; i++) {
            if (reduced[i]) {
                count *= shape[i];
                kept[i] = 1;
                dropped++;
            }
        }
        int[] outShape = kept;
        if (!keepDims) {
            outShape = new int[rank - dropped];
            for (int i = 0, j = 0; i < rank; i++) {
                if (!reduced[i]) {
                    outShape[j++] = shape[i];
                }
            }
        }
        // Each input element's output slot: broadcasting the kept shape back onto the input shape.
        int[] map = Broadcast.indexMap(kept, shape);
        int m = Tensor.checkedSize(kept);
        return x.type() == DataType.FLOAT
            ? Tensor.ofFloats(reduceFloat(x.floats(), map, m, count, kind), outShape)
            : ElementwiseCast.fromLongs(reduceLong(x, map, m, count, kind), x.type(), outShape);
    }

    /** Accumulates in double so long sums stay well within ONNX tolerance. */
    private static float[] reduceFloat(float[] s, int[] map, int m, int count, Kind kind) {
        double[] acc = new double[m];
        switch (kind) {
            case SUM, MEAN -> {
                for (int i = 0; i < s.length; i++) {
                    acc[map == null ? i : map[i]] += s[i];
                }
            }
            case MAX -> {
                Arrays.fill(acc, Double.NEGATIVE_INFINITY);
                for (int i = 0; i < s.length; i++) {
                    int o = map == null ? i : map[i];
                    acc[o] = Math.max(acc[o], s[i]);
                }
            }
            case MIN -> {
                Arrays.fill(acc, Double.POSITIVE_INFINITY);
                for (int i = 0; i < s.length; i++) {
                    int o = map == null ? i : map[i];
                    acc[o] = Math.min(acc[o], s[i]);
                }
            }
        }
        float[] r = new float[m];
        for (int o = 0; o < m; o++) {
            // The mean of an empty set is 0/0 = NaN, as in numpy.
            r[o] = (float) (kind == Kind.MEAN ? acc[o] / count : acc[o]);
        }
        return r;
    }

    /** Integer sums wrap at the type's width once narrowed; an empty Max/Min yields the type's min/max. */
    private static long[] reduceLong(Tensor x, int[] map, int m, int count, Kind kind) {
        long[] s = ElementwiseCast.longs(x);
        long[] acc = new long[m];
        switch (kind) {
            case SUM, MEAN -> {
                for (int i = 0; i < s.length; i++) {
                    acc[map == null ? i : map[i]] += s[i];
                }
                if (kind == Kind.MEAN) {
                    for (int o = 0; o < m; o++) {
                        // numpy's float mean, then astype: truncation toward zero.
                        acc[o] = count == 0 ? 0 : (long) ((double) acc[o] / count);
                    }
                }
            }
            case MAX -> {
                Arrays.fill(acc, lowest(x.type()));
                for (int i = 0; i < s.length; i++) {
                    int o = map == null ? i : map[i];
                    acc[o] = Math.max(acc[o], s[i]);
                }
            }
            case MIN -> {
                Arrays.fill(acc, highest(x.type()));
                for (int i = 0; i < s.length; i++) {
                    int o = map == null ? i : map[i];
                    acc[o] = Math.min(acc[o], s[i]);
                }
            }
        }
        return acc;
    }

    private static long lowest(DataType t) {
        return switch (t) {
            case UINT8, BOOL -> 0;
            case INT8 -> Byte.MIN_VALUE;
            case INT32 -> Integer.MIN_VALUE;
            default -> Long.MIN_VALUE;
        };
    }

    private static long highest(DataType t) {
        return switch (t) {
            case UINT8 -> 255;
            case BOOL -> 1;
            case INT8 -> Byte.MAX_VALUE;
            case INT32 -> Integer.MAX_VALUE;
            default -> Long.MAX_VALUE;
        };
    }

    // ---- shape rules ----------------------------------------------------------------------------------

    private static ShapeValue[] inferReduce(ShapeContext c, int axesInputSince) {
        List<Dim> s = c.shape(0);
        boolean keepDims = c.getInt("keepdims", 1) != 0;
        long[] axes = axes(c, axesInputSince);
        if (s == null) {
            return one(c.type(0), null);
        }
        if (axes == UNKNOWN_AXES) {
            return one(c.type(0), keepDims ? unknown(s.size()) : null);
        }
        boolean[] reduced = new boolean[s.size()];
        if (axes == null || axes.length == 0) {
            if (c.opset() >= axesInputSince && c.getInt("noop_with_empty_axes", 0) != 0) {
                return ShapeRule.SAME_AS_INPUT.infer(c);
            }
            Arrays.fill(reduced, true);
        } else {
            for (long a : axes) {
                int d = ShapeDims.axis(a, s.size(), "reduction axis");
                if (reduced[d]) {
                    throw c.fail("reduction axis " + a + " is listed twice");
                }
                reduced[d] = true;
            }
        }
        List<Dim> out = new ArrayList<>();
        for (int d = 0; d < s.size(); d++) {
            if (!reduced[d]) {
                out.add(s.get(d));
            } else if (keepDims) {
                out.add(Dim.of(1));
            }
        }
        return one(c.type(0), out);
    }
}
