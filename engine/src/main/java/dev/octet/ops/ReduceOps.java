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

/**
 * The Reduce* family, ArgMax and ArgMin, plus the normalizations in {@link ReduceNormalization}. Float
 * reductions accumulate in double and round once; integer ones are exact (wrapping at the type's width).
 */
final class ReduceOps {
    private ReduceOps() {}

    enum Kind {
        SUM("ReduceSum"), MEAN("ReduceMean"), MAX("ReduceMax"), MIN("ReduceMin"), L1("ReduceL1"), L2("ReduceL2"),
        SUM_SQUARE("ReduceSumSquare"), PROD("ReduceProd"), LOG_SUM("ReduceLogSum"), LOG_SUM_EXP("ReduceLogSumExp");

        final String op;

        Kind(String op) {
            this.op = op;
        }

        /** Max and Min also order booleans; the ones taking a root, log or exp are float only. */
        boolean accepts(DataType t) {
            return switch (this) {
                case MAX, MIN -> true;
                case L2, LOG_SUM, LOG_SUM_EXP -> t == DataType.FLOAT;
                default -> t != DataType.BOOL;
            };
        }
    }

    private static final AttributeSpec<Long> KEEP_DIMS = AttributeSpec.flag("keepdims", 1);
    private static final AttributeSpec<Long> EXCLUSIVE = AttributeSpec.flag("exclusive", 0);
    private static final AttributeSpec<Long> REVERSE = AttributeSpec.flag("reverse", 0);
    private static final AttributeSpec<Long> ARG_AXIS = AttributeSpec.intAttr("axis", 0);
    private static final AttributeSpec<Long> SELECT_LAST_INDEX = AttributeSpec.flag("select_last_index", 0);

    static void register(OpRegistry.Builder r) {
        reduction(r, Kind.SUM, 13);
        for (Kind k : new Kind[] {Kind.MEAN, Kind.MAX, Kind.MIN, Kind.L1, Kind.L2, Kind.SUM_SQUARE, Kind.PROD,
                Kind.LOG_SUM, Kind.LOG_SUM_EXP}) {
            reduction(r, k, 18);
        }
        // select_last_index came with opset 12; before it ties go to the first index, its default.
        for (boolean max : new boolean[] {true, false}) {
            r.onnx(max ? "ArgMax" : "ArgMin", 7).unary().attribute(ARG_AXIS).attribute(KEEP_DIMS)
                .attribute(SELECT_LAST_INDEX).shape(ReduceOps::inferArg).factory(ctx -> {
                    long axis = ctx.get(ARG_AXIS);
                    boolean keepDims = ctx.get(KEEP_DIMS) == 1;
                    if (ctx.has(SELECT_LAST_INDEX.name()) && ctx.opset() < 12) {
                        throw ctx.fail("attribute 'select_last_index' exists from opset 12");
                    }
                    boolean last = ctx.get(SELECT_LAST_INDEX) == 1;
                    return in -> new Tensor[] {argExtreme(in[0], max, axis, keepDims, last)};
                });
        }
        // CumSum-14 and CumProd-26 only added types to the versions implemented.
        cumulative(r, "CumSum", 11, false);
        cumulative(r, "CumProd", 26, true);
        ReduceNormalization.register(r);
    }

    private static void cumulative(OpRegistry.Builder r, String name, int since, boolean product) {
        r.onnx(name, since).inputs("rr").outputs("r").attribute(EXCLUSIVE).attribute(REVERSE)
            .shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> {
                boolean exclusive = ctx.get(EXCLUSIVE) == 1;
                boolean reverse = ctx.get(REVERSE) == 1;
                return in -> new Tensor[] {cumulate(name, in[0], in[1], product, exclusive, reverse)};
            });
    }

    /**
     * Running sums (or products) along the axis, in index order (from the end when {@code reverse}); with
     * {@code exclusive} each element leaves itself out. Floats accumulate in float, one element at a time, as
     * numpy's cumsum; integers wrap at the type's width.
     */
    static Tensor cumulate(String op, Tensor x, Tensor axisT, boolean product, boolean exclusive, boolean reverse) {
        long[] axisValue = ShapeKernels.readLongs(axisT, op + " axis");
        if (axisValue.length != 1) {
            throw new OctetException(ErrorCode.INVALID_INPUT, op + " axis must be one value, got " + axisT);
        }
        if (x.type() == DataType.BOOL) {
            throw ElementwiseBinary.unsupportedType(op, x.type());
        }
        int[] shape = x.shapeView();
        int a = ShapeKernels.normalizeAxis(axisValue[0], shape.length, "axis");
        int n = shape[a];
        int outer = ShapeKernels.product(shape, 0, a);
        int inner = ShapeKernels.product(shape, a + 1, shape.length);
        boolean isFloat = x.type() == DataType.FLOAT;
        float[] f = isFloat ? x.floats() : null;
        float[] fo = isFloat ? new float[f.length] : null;
        long[] l = isFloat ? null : ElementwiseCast.longs(x);
        long[] lo = isFloat ? null : new long[l.length];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                float facc = product ? 1f : 0f;
                long lacc = product ? 1 : 0;
                for (int step = 0; step < n; step++) {
                    int k = reverse ? n - 1 - step : step;
                    int at = (o * n + k) * inner + in;
                    if (isFloat) {
                        float next = product ? facc * f[at] : facc + f[at];
                        fo[at] = exclusive ? facc : next;
                        facc = next;
                    } else {
                        long next = product ? lacc * l[at] : lacc + l[at];
                        lo[at] = exclusive ? lacc : next;
                        lacc = next;
                    }
                }
            }
        }
        return isFloat ? Tensor.ofFloats(fo, shape) : ElementwiseCast.fromLongs(lo, x.type(), shape);
    }

    /** Axes are an attribute before {@code axesInputSince} and an optional int64 input from then on. */
    private static void reduction(OpRegistry.Builder r, Kind kind, int axesInputSince) {
        r.onnx(kind.op, 7).unary().inputsFrom(axesInputSince, "ro").shape(c -> inferReduce(c, axesInputSince)).factory(ctx -> {
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

    /** Null or empty axes reduce every axis, unless {@code noopWhenEmpty}, which returns x unchanged. */
    static Tensor reduce(Tensor x, Kind kind, int[] axes, boolean keepDims, boolean noopWhenEmpty) {
        if (!kind.accepts(x.type())) {
            throw ElementwiseBinary.unsupportedType(kind.op, x.type());
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
                int k = ShapeKernels.normalizeAxis(a, rank, "axis");
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
            case SUM, MEAN, LOG_SUM -> {
                for (int i = 0; i < s.length; i++) {
                    acc[map == null ? i : map[i]] += s[i];
                }
            }
            case L1 -> {
                for (int i = 0; i < s.length; i++) {
                    acc[map == null ? i : map[i]] += Math.abs(s[i]);
                }
            }
            case L2, SUM_SQUARE -> {
                for (int i = 0; i < s.length; i++) {
                    acc[map == null ? i : map[i]] += (double) s[i] * s[i];
                }
            }
            case PROD -> {
                Arrays.fill(acc, 1);
                for (int i = 0; i < s.length; i++) {
                    acc[map == null ? i : map[i]] *= s[i];
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
            case LOG_SUM_EXP -> {
                // log(sum(exp(x - max))) + max, which overflows for no float input; an infinite max (or an
                // empty set's -inf) is the result itself.
                double[] max = new double[m];
                Arrays.fill(max, Double.NEGATIVE_INFINITY);
                for (int i = 0; i < s.length; i++) {
                    int o = map == null ? i : map[i];
                    max[o] = Math.max(max[o], s[i]);
                }
                for (int i = 0; i < s.length; i++) {
                    int o = map == null ? i : map[i];
                    acc[o] += StrictMath.exp(s[i] - max[o]);
                }
                for (int o = 0; o < m; o++) {
                    acc[o] = Double.isInfinite(max[o]) ? max[o] : StrictMath.log(acc[o]) + max[o];
                }
            }
        }
        float[] r = new float[m];
        for (int o = 0; o < m; o++) {
            r[o] = (float) switch (kind) {
                // The mean of an empty set is 0/0 = NaN, as in numpy.
                case MEAN -> acc[o] / count;
                case L2 -> Math.sqrt(acc[o]);
                case LOG_SUM -> StrictMath.log(acc[o]);
                default -> acc[o];
            };
        }
        return r;
    }

    /** Integer sums and products wrap at the type's width once narrowed; an empty Max/Min yields the type's min/max. */
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
            case L1 -> {
                for (int i = 0; i < s.length; i++) {
                    acc[map == null ? i : map[i]] += Math.abs(s[i]);
                }
            }
            case SUM_SQUARE -> {
                for (int i = 0; i < s.length; i++) {
                    acc[map == null ? i : map[i]] += s[i] * s[i];
                }
            }
            case PROD -> {
                Arrays.fill(acc, 1);
                for (int i = 0; i < s.length; i++) {
                    acc[map == null ? i : map[i]] *= s[i];
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
            case L2, LOG_SUM, LOG_SUM_EXP -> throw new AssertionError(kind + " is float only");
        }
        return acc;
    }

    /**
     * The index (INT64) of the largest ({@code max}) or smallest element along the axis; ties go to the first
     * index, or the last with {@code selectLast}. NaN counts as the extreme, as in numpy.
     */
    static Tensor argExtreme(Tensor x, boolean max, long axisAttr, boolean keepDims, boolean selectLast) {
        String op = max ? "ArgMax" : "ArgMin";
        if (x.type() == DataType.BOOL) {
            throw ElementwiseBinary.unsupportedType(op, x.type());
        }
        int[] shape = x.shapeView();
        int a = ShapeKernels.normalizeAxis(axisAttr, shape.length, "axis");
        int n = shape[a];
        int outer = ShapeKernels.product(shape, 0, a);
        int inner = ShapeKernels.product(shape, a + 1, shape.length);
        if (n == 0 && (long) outer * inner > 0) {
            throw new OctetException(ErrorCode.INVALID_INPUT, op + ": axis " + a + " of " + Arrays.toString(shape)
                + " is empty, so it has no " + (max ? "largest" : "smallest") + " element");
        }
        boolean isFloat = x.type() == DataType.FLOAT;
        float[] f = isFloat ? x.floats() : null;
        long[] l = isFloat ? null : ElementwiseCast.longs(x);
        long[] out = new long[ShapeKernels.checkedCount(op + " output", outer, inner)];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                int base = o * n * inner + in;
                int best = 0;
                for (int k = 1; k < n; k++) {
                    int c = base + k * inner;
                    int b = base + best * inner;
                    boolean better = isFloat ? betterFloat(f[c], f[b], max, selectLast) : l[c] == l[b]
                        ? selectLast : (l[c] > l[b]) == max;
                    if (better) {
                        best = k;
                    }
                }
                out[o * inner + in] = best;
            }
        }
        int[] outShape;
        if (keepDims) {
            outShape = shape.clone();
            outShape[a] = 1;
        } else {
            outShape = new int[shape.length - 1];
            System.arraycopy(shape, 0, outShape, 0, a);
            System.arraycopy(shape, a + 1, outShape, a, shape.length - a - 1);
        }
        return Tensor.ofLongs(out, outShape);
    }

    private static boolean betterFloat(float candidate, float best, boolean max, boolean selectLast) {
        if (Float.isNaN(best)) {
            return selectLast && Float.isNaN(candidate);
        }
        if (Float.isNaN(candidate)) {
            return true;
        }
        return candidate == best ? selectLast : (candidate > best) == max;
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

    private static ShapeValue[] inferArg(ShapeContext c) {
        List<Dim> s = c.shape(0);
        if (s == null) {
            return one(DataType.INT64, null);
        }
        int a = ShapeDims.axis(c.getInt("axis", 0), s.size(), "ArgMax/ArgMin axis");
        List<Dim> out = new ArrayList<>(s);
        if (c.getInt("keepdims", 1) != 0) {
            out.set(a, Dim.of(1));
        } else {
            out.remove(a);
        }
        return one(DataType.INT64, out);
    }

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
