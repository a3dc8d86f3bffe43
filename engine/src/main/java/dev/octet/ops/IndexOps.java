package dev.octet.ops;

import static dev.octet.ops.ShapeKernels.checkIndex;
import static dev.octet.ops.ShapeKernels.error;
import static dev.octet.ops.ShapeKernels.normalizeAxis;
import static dev.octet.ops.ShapeKernels.product;
import static dev.octet.ops.ShapeKernels.strides;
import static dev.octet.ops.Shapes.one;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Operators that select, place or rearrange elements by index: OneHot, TopK, Scatter/ScatterElements,
 * ScatterND, Compress, Tile, DepthToSpace, SpaceToDepth, CenterCropPad, Unique, NonZero, ReverseSequence and
 * EyeLike. Each works on
 * every tensor type through index maps ({@link ShapeKernels#gather}); every index is checked against its bound
 * before any element moves, and integer results are exact.
 */
final class IndexOps {
    private IndexOps() {}

    private static final AttributeSpec<Long> AXIS_LAST = AttributeSpec.intAttr("axis", -1);
    private static final AttributeSpec<Long> AXIS_FIRST = AttributeSpec.intAttr("axis", 0);
    private static final AttributeSpec<Long> LARGEST = AttributeSpec.flag("largest", 1);
    private static final AttributeSpec<Long> SORTED = AttributeSpec.flag("sorted", 1);
    private static final AttributeSpec<String> REDUCTION = AttributeSpec.stringAttr("reduction", "none")
        .requiring(Set.of("none", "add", "mul", "max", "min")::contains, "one of none, add, mul, max, min");
    private static final AttributeSpec<Long> BLOCK_SIZE = AttributeSpec.intAttr("blocksize", 0)
        .requiring(v -> v > 0, "a positive block size");
    private static final AttributeSpec<String> DEPTH_MODE = AttributeSpec.stringAttr("mode", "DCR")
        .requiring(m -> m.equals("DCR") || m.equals("CRD"), "DCR or CRD");
    private static final AttributeSpec<Long> TIME_AXIS = AttributeSpec.flag("time_axis", 0);
    private static final AttributeSpec<Long> BATCH_AXIS = AttributeSpec.flag("batch_axis", 1);
    private static final AttributeSpec<Long> CACHE_AXIS = AttributeSpec.intAttr("axis", -2);
    private static final AttributeSpec<String> CACHE_MODE = AttributeSpec.stringAttr("mode", "linear")
        .requiring(m -> m.equals("linear") || m.equals("circular"), "linear or circular");
    private static final AttributeSpec<String> UPSAMPLE_MODE = AttributeSpec.stringAttr("mode", "nearest")
        .requiring(m -> m.equals("nearest") || m.equals("linear") || m.equals("bilinear"), "nearest or linear");
    private static final AttributeSpec<Long> DIAGONAL = AttributeSpec.intAttr("k", 0);

    static void register(OpRegistry.Builder r) {
        // OneHot-11 lets indices count from the end of depth.
        r.onnx("OneHot", 9).inputs("rrr").outputs("r").attribute(AXIS_LAST).shape(IndexOps::inferOneHot)
            .factory(ctx -> {
                long axis = ctx.get(AXIS_LAST);
                boolean negative = ctx.opset() >= 11;
                return in -> new Tensor[] {oneHot(in[0], in[1], in[2], axis, negative)};
            });
        // TopK-10 takes K as an input; 11 added largest and sorted (the defaults are TopK-10's behaviour).
        r.onnx("TopK", 10).inputs("rr").outputs("rr").attribute(AXIS_LAST).attribute(LARGEST).attribute(SORTED)
            .shape(IndexOps::inferTopK).factory(ctx -> {
                if (ctx.opset() < 11 && (ctx.has(LARGEST.name()) || ctx.has(SORTED.name()))) {
                    throw ctx.fail("attributes 'largest' and 'sorted' exist from opset 11");
                }
                long axis = ctx.get(AXIS_LAST);
                boolean largest = ctx.get(LARGEST) == 1;
                return in -> topK(in[0], in[1], axis, largest);
            });
        // Scatter (opsets 9 and 10) is ScatterElements without reduction under its old name.
        r.onnx("Scatter", 9).until(10).inputs("rrr").outputs("r").attribute(AXIS_FIRST)
            .shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> {
                long axis = ctx.get(AXIS_FIRST);
                return in -> new Tensor[] {scatterElements(in[0], in[1], in[2], axis, "none", "Scatter")};
            });
        r.onnx("ScatterElements", 11).inputs("rrr").outputs("r").attribute(AXIS_FIRST).attribute(REDUCTION)
            .shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> {
                long axis = ctx.get(AXIS_FIRST);
                String reduction = reduction(ctx);
                return in -> new Tensor[] {scatterElements(in[0], in[1], in[2], axis, reduction, "ScatterElements")};
            });
        r.onnx("ScatterND", 11).inputs("rrr").outputs("r").attribute(REDUCTION).shape(ShapeRule.SAME_AS_INPUT)
            .factory(ctx -> {
                String reduction = reduction(ctx);
                return in -> new Tensor[] {scatterNd(in[0], in[1], in[2], reduction)};
            });
        r.onnx("Compress", 9).inputs("rr").outputs("r").shape(c -> one(c.type(0), null)).factory(ctx -> {
            Long axis = ctx.has("axis") ? ctx.getInt("axis", 0) : null;
            return in -> new Tensor[] {compress(in[0], in[1], axis)};
        });
        r.onnx("Tile", 6).traits(OpTrait.ANY_ELEMENT_TYPE, OpTrait.DATA_MOVEMENT).inputs("rr").outputs("r").shape(IndexOps::inferTile)
            .factory(ctx -> in -> new Tensor[] {tile(in[0], in[1])});
        // DepthToSpace-11 added the CRD mode; before it only DCR exists.
        r.onnx("DepthToSpace", 1).unary().traits(OpTrait.DATA_MOVEMENT).attribute(BLOCK_SIZE).attribute(DEPTH_MODE)
            .shape(c -> one(c.type(0), ShapeDims.unknown(4))).factory(ctx -> {
                int b = (int) Math.min(ctx.get(BLOCK_SIZE), Integer.MAX_VALUE);
                boolean crd = ctx.get(DEPTH_MODE).equals("CRD");
                if (crd && ctx.opset() < 11) {
                    throw ctx.fail("mode CRD exists from opset 11");
                }
                return in -> new Tensor[] {depthToSpace(in[0], b, crd)};
            });
        r.onnx("SpaceToDepth", 1).unary().traits(OpTrait.DATA_MOVEMENT).attribute(BLOCK_SIZE)
            .shape(c -> one(c.type(0), ShapeDims.unknown(4))).factory(ctx -> {
                int b = (int) Math.min(ctx.get(BLOCK_SIZE), Integer.MAX_VALUE);
                return in -> new Tensor[] {spaceToDepth(in[0], b)};
            });
        r.onnx("CenterCropPad", 18).inputs("rr").outputs("r").shape(c -> one(c.type(0),
                c.rank(0) < 0 ? null : ShapeDims.unknown(c.rank(0))))
            .factory(ctx -> {
                int[] axes = ctx.has("axes") ? ctx.getIntArray("axes") : null;
                return in -> new Tensor[] {centerCropPad(in[0], in[1], axes)};
            });
        r.onnx("Unique", 11).inputs("r").outputs("rooo").attribute(SORTED)
            .shape(c -> new ShapeValue[] {ShapeValue.of(c.type(0), c.attrs().has("axis") && c.rank(0) >= 0
                ? ShapeDims.unknown(c.rank(0)) : ShapeDims.unknown(1)), ShapeValue.of(DataType.INT64, ShapeDims.unknown(1)),
                ShapeValue.of(DataType.INT64, ShapeDims.unknown(1)), ShapeValue.of(DataType.INT64, ShapeDims.unknown(1))})
            .factory(ctx -> {
                Long axis = ctx.has("axis") ? ctx.getInt("axis", 0) : null;
                boolean sorted = ctx.get(SORTED) == 1;
                return in -> unique(in[0], axis, sorted);
            });
        r.onnx("TensorScatter", 24).inputs("rro").outputs("r").attribute(CACHE_AXIS).attribute(CACHE_MODE)
            .shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> {
                long axis = ctx.get(CACHE_AXIS);
                boolean circular = ctx.get(CACHE_MODE).equals("circular");
                return in -> new Tensor[] {tensorScatter(in[0], in[1], ShapeKernels.optional(in, 2), axis,
                    circular)};
            });
        // Upsample (opsets 7 to 9, scales an attribute before 9), deprecated for Resize at 10: nearest only.
        r.onnx("Upsample", 7).until(9).inputs("r").inputsFrom(9, "rr").outputs("r").attribute(UPSAMPLE_MODE)
            .shape(c -> one(c.type(0), c.rank(0) < 0 ? null : ShapeDims.unknown(c.rank(0)))).factory(ctx -> {
                if (!ctx.get(UPSAMPLE_MODE).equals("nearest")) {
                    throw ctx.unsupported("Upsample mode " + ctx.get(UPSAMPLE_MODE) + " is not supported (nearest is)");
                }
                float[] attrScales = ctx.opset() < 9 ? ctx.getFloats("scales") : null;
                if (ctx.opset() < 9 && attrScales == null) {
                    throw ctx.fail("missing required attribute 'scales'");
                }
                for (int d = 0; attrScales != null && d < attrScales.length; d++) {
                    if (!(attrScales[d] >= 1)) {
                        throw ctx.fail("attribute 'scales' " + Arrays.toString(attrScales) + " must all be at least 1");
                    }
                }
                return in -> new Tensor[] {upsampleNearest(in[0], attrScales != null ? attrScales : scales(in[1]))};
            });
        r.onnx("NonZero", 9).unary().shape(c -> one(DataType.INT64, c.rank(0) < 0 ? null
                : List.of(Dim.of(Math.max(1, c.rank(0))), Dim.UNKNOWN)))
            .factory(ctx -> in -> new Tensor[] {nonZero(in[0])});
        r.onnx("ReverseSequence", 10).inputs("rr").outputs("r").attribute(TIME_AXIS).attribute(BATCH_AXIS)
            .shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> {
                int time = (int) (long) ctx.get(TIME_AXIS);
                int batch = (int) (long) ctx.get(BATCH_AXIS);
                if (time == batch) {
                    throw ctx.fail("time_axis and batch_axis are both " + time);
                }
                return in -> new Tensor[] {reverseSequence(in[0], in[1], time, batch)};
            });
        r.onnx("EyeLike", 9).unary().attribute(DIAGONAL).shape(IndexOps::inferEyeLike).factory(ctx -> {
            long k = ctx.get(DIAGONAL);
            DataType type = eyeLikeType(ctx);
            return in -> new Tensor[] {eyeLike(in[0], type, k)};
        });
    }

    /** The reduction attribute: max and min came with opset 18, the attribute itself with 16. */
    private static String reduction(OpContext ctx) {
        String reduction = ctx.get(REDUCTION);
        int since = reduction.equals("max") || reduction.equals("min") ? 18 : reduction.equals("none") ? 11 : 16;
        if (ctx.opset() < since) {
            throw ctx.fail("reduction '" + reduction + "' exists from opset " + since);
        }
        return reduction;
    }

    // ---- OneHot -------------------------------------------------------------------------------------------

    /**
     * values[1] where the index along the new axis equals the (truncated) index, values[0] elsewhere; an index
     * outside [-depth, depth) (outside [0, depth) before opset 11) matches nothing.
     */
    static Tensor oneHot(Tensor indices, Tensor depthT, Tensor values, long axisAttr, boolean negative) {
        if (depthT.size() != 1 || depthT.type() == DataType.BOOL) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "OneHot depth must be one number, got " + depthT);
        }
        double depthValue = depthT.getDouble(0);
        if (!(depthValue >= 1) || depthValue > Tensor.MAX_ELEMENTS) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "OneHot depth must be in [1, " + Tensor.MAX_ELEMENTS + "], got " + depthValue);
        }
        int depth = (int) depthValue;
        if (values.rank() != 1 || values.size() != 2) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "OneHot values must be [off, on], got " + values);
        }
        if (indices.type() == DataType.BOOL) {
            throw ElementwiseBinary.unsupportedType("OneHot indices", indices.type());
        }
        int[] is = indices.shapeView();
        int a = normalizeAxis(axisAttr, is.length + 1, "OneHot axis");
        int[] out = new int[is.length + 1];
        System.arraycopy(is, 0, out, 0, a);
        out[a] = depth;
        System.arraycopy(is, a, out, a + 1, is.length - a);
        int outer = product(is, 0, a);
        int inner = product(is, a, is.length);
        int[] map = new int[Tensor.checkedSize(out)];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                // Float indices are truncated toward zero, as a cast to int64 does.
                long i;
                if (indices.type() == DataType.FLOAT) {
                    double v = indices.getDouble(o * inner + in);
                    if (Double.isNaN(v)) {
                        throw new OctetException(ErrorCode.INVALID_INPUT, "OneHot index is NaN");
                    }
                    i = (long) v;
                } else {
                    i = indices.getLong(o * inner + in);
                }
                if (negative && i < 0) {
                    i += depth;
                }
                if (i >= 0 && i < depth) {
                    map[(o * depth + (int) i) * inner + in] = 1;
                }
            }
        }
        return ShapeKernels.gather(values, map, out, null);
    }

    // ---- TopK ---------------------------------------------------------------------------------------------

    /**
     * The k largest (or smallest) elements along the axis, in order, with their indices; equal values keep
     * their index order. NaN is larger than every number, as Float.compare orders it.
     */
    /** Orders floats with -0 equal to +0 (ORT keeps them in index order) and NaN above every number. */
    private static int compareNumerically(float a, float b) {
        if (a < b) {
            return -1;
        }
        if (a > b) {
            return 1;
        }
        return Boolean.compare(Float.isNaN(a), Float.isNaN(b));
    }

    static Tensor[] topK(Tensor x, Tensor kT, long axisAttr, boolean largest) {
        if (x.type() == DataType.BOOL) {
            throw ElementwiseBinary.unsupportedType("TopK", x.type());
        }
        long[] kv = ShapeKernels.readLongs(kT, "TopK K");
        if (kv.length != 1) {
            throw error("TopK K must hold one value, got " + kv.length);
        }
        int[] s = x.shapeView();
        int a = normalizeAxis(axisAttr, s.length, "TopK axis");
        if (kv[0] < 0 || kv[0] > s[a]) {
            throw error("TopK K " + kv[0] + " is outside [0, " + s[a] + "], the size of axis " + a);
        }
        int k = (int) kv[0];
        int n = s[a];
        int outer = product(s, 0, a);
        int inner = product(s, a + 1, s.length);
        int[] outShape = s.clone();
        outShape[a] = k;
        int[] map = new int[outer * k * inner];
        long[] indices = new long[map.length];
        boolean isFloat = x.type() == DataType.FLOAT;
        float[] f = isFloat ? x.floats() : null;
        long[] l = isFloat ? null : ElementwiseCast.longs(x);
        Integer[] order = new Integer[n];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                int base = o * n * inner + in;
                for (int j = 0; j < n; j++) {
                    order[j] = j;
                }
                // A stable sort: ties stay in index order.
                Arrays.sort(order, (p, q) -> {
                    int c = isFloat ? compareNumerically(f[base + p * inner], f[base + q * inner])
                        : Long.compare(l[base + p * inner], l[base + q * inner]);
                    return largest ? -c : c;
                });
                for (int j = 0; j < k; j++) {
                    int at = (o * k + j) * inner + in;
                    map[at] = base + order[j] * inner;
                    indices[at] = order[j];
                }
            }
        }
        return new Tensor[] {ShapeKernels.gather(x, map, outShape, null), Tensor.ofLongs(indices, outShape)};
    }

    // ---- Scatter ------------------------------------------------------------------------------------------

    /** A copy of data where element k of updates goes to its own position with axis coordinate indices[k]. */
    static Tensor scatterElements(Tensor data, Tensor indices, Tensor updates, long axisAttr, String reduction,
                                  String op) {
        int[] s = data.shapeView();
        int[] is = indices.shapeView();
        if (!Arrays.equals(is, updates.shapeView())) {
            throw error(op + " indices " + Arrays.toString(is) + " and updates "
                + Arrays.toString(updates.shapeView()) + " differ in shape");
        }
        if (is.length != s.length) {
            throw error(op + " indices " + Arrays.toString(is) + " and data " + Arrays.toString(s)
                + " differ in rank");
        }
        requireSameType(op, data, updates);
        int a = normalizeAxis(axisAttr, s.length, op + " axis");
        int[] strides = strides(s);
        int[][] offsets = new int[s.length][];
        for (int d = 0; d < s.length; d++) {
            if (d != a && is[d] > s[d]) {
                throw error(op + " indices " + Arrays.toString(is) + " exceed data " + Arrays.toString(s)
                    + " in dimension " + d);
            }
            offsets[d] = ShapeKernels.ramp(is[d], d == a ? 0 : strides[d]);
        }
        int[] idx = ShapeKernels.readIndices(indices, s[a], op);
        int[] target = ShapeKernels.flatMap(offsets);
        for (int j = 0; j < target.length; j++) {
            target[j] += idx[j] * strides[a];
        }
        return scatter(data, updates, target, 1, reduction, op);
    }

    /** A copy of data where each index tuple (the last axis of indices) receives its slice of updates. */
    static Tensor scatterNd(Tensor data, Tensor indices, Tensor updates, String reduction) {
        ShapeKernels.checkIndexType(indices, "ScatterND indices");
        requireSameType("ScatterND", data, updates);
        int[] s = data.shapeView();
        int[] is = indices.shapeView();
        int q = is.length;
        int k = q == 0 ? 0 : is[q - 1];
        if (q == 0 || k < 1 || k > s.length) {
            throw error("ScatterND index tuples of shape " + Arrays.toString(is) + " do not fit data "
                + Arrays.toString(s));
        }
        int[] expected = new int[q - 1 + s.length - k];
        System.arraycopy(is, 0, expected, 0, q - 1);
        System.arraycopy(s, k, expected, q - 1, s.length - k);
        if (!Arrays.equals(expected, updates.shapeView())) {
            throw error("ScatterND updates must have shape " + Arrays.toString(expected) + ", got "
                + Arrays.toString(updates.shapeView()));
        }
        int[] strides = strides(s);
        int tuples = product(is, 0, q - 1);
        int[] target = new int[tuples];
        for (int t = 0; t < tuples; t++) {
            int offset = 0;
            for (int j = 0; j < k; j++) {
                offset += checkIndex(indices.getLong(t * k + j), s[j], "ScatterND") * strides[j];
            }
            target[t] = offset;
        }
        return scatter(data, updates, target, product(s, k, s.length), reduction, "ScatterND");
    }

    private static void requireSameType(String op, Tensor data, Tensor updates) {
        if (data.type() != updates.type()) {
            throw new OctetException(ErrorCode.INVALID_INPUT, op + " updates are " + updates.type() + ", data "
                + data.type());
        }
    }

    /**
     * Writes run j of {@code run} consecutive update elements at {@code target[j]} of a copy of data, in order
     * (a later duplicate overwrites), or combines it there with the reduction.
     */
    private static Tensor scatter(Tensor data, Tensor updates, int[] target, int run, String reduction, String op) {
        int[] shape = data.shapeView();
        if (reduction.equals("none")) {
            Object out = Tensor.newArray(data.type(), data.size());
            System.arraycopy(data.data(), 0, out, 0, data.size());
            for (int j = 0; j < target.length; j++) {
                System.arraycopy(updates.data(), j * run, out, target[j], run);
            }
            return Tensor.of(data.type(), shape, out);
        }
        if (data.type() == DataType.FLOAT) {
            float[] out = data.floats().clone();
            float[] u = updates.floats();
            for (int j = 0; j < target.length; j++) {
                for (int e = 0; e < run; e++) {
                    int at = target[j] + e;
                    float v = u[j * run + e];
                    out[at] = switch (reduction) {
                        case "add" -> out[at] + v;
                        case "mul" -> out[at] * v;
                        case "max" -> Math.max(out[at], v);
                        default -> Math.min(out[at], v);
                    };
                }
            }
            return Tensor.ofFloats(out, shape);
        }
        if (data.type() == DataType.BOOL) {
            throw ElementwiseBinary.unsupportedType(op + " with reduction " + reduction, data.type());
        }
        long[] out = ElementwiseCast.longs(data);
        long[] u = ElementwiseCast.longs(updates);
        for (int j = 0; j < target.length; j++) {
            for (int e = 0; e < run; e++) {
                int at = target[j] + e;
                long v = u[j * run + e];
                out[at] = switch (reduction) {
                    case "add" -> out[at] + v;
                    case "mul" -> out[at] * v;
                    case "max" -> Math.max(out[at], v);
                    default -> Math.min(out[at], v);
                };
            }
        }
        return ElementwiseCast.fromLongs(out, data.type(), shape);
    }

    // ---- Compress, Tile -----------------------------------------------------------------------------------

    /** The slices along the axis (of the flattened input when axis is null) whose condition is true. */
    static Tensor compress(Tensor x, Tensor condition, Long axisAttr) {
        if (condition.type() != DataType.BOOL || condition.rank() != 1) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "Compress condition must be a 1-D BOOL tensor, got "
                + condition);
        }
        int[] s = axisAttr == null ? new int[] {x.size()} : x.shapeView();
        int a = axisAttr == null ? 0 : normalizeAxis(axisAttr, s.length, "Compress axis");
        boolean[] c = condition.bools();
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < c.length; i++) {
            if (c[i]) {
                if (i >= s[a]) {
                    throw error("Compress condition selects slice " + i + " of an axis of size " + s[a]);
                }
                kept.add(i);
            }
        }
        int outer = product(s, 0, a);
        int inner = product(s, a + 1, s.length);
        int[] outShape = s.clone();
        outShape[a] = kept.size();
        int[] map = new int[outer * kept.size() * inner];
        int at = 0;
        for (int o = 0; o < outer; o++) {
            for (int i : kept) {
                for (int e = 0; e < inner; e++) {
                    map[at++] = (o * s[a] + i) * inner + e;
                }
            }
        }
        return ShapeKernels.gather(x, map, outShape, null);
    }

    /** The input repeated repeats[d] times along each axis d. */
    static Tensor tile(Tensor x, Tensor repeatsT) {
        long[] repeats = ShapeKernels.readLongs(repeatsT, "Tile repeats");
        int[] s = x.shapeView();
        if (repeats.length != s.length) {
            throw error("Tile repeats " + Arrays.toString(repeats) + " must have one value per axis of "
                + Arrays.toString(s));
        }
        int[] strides = strides(s);
        int[] outShape = new int[s.length];
        for (int d = 0; d < s.length; d++) {
            // Checked before multiplying: repeats near 2^62 would otherwise wrap to a small, wrong length.
            if (repeats[d] < 0 || s[d] != 0 && repeats[d] > Tensor.MAX_ELEMENTS / s[d]) {
                throw error("Tile repeats " + Arrays.toString(repeats) + " are negative or too large for "
                    + Arrays.toString(s));
            }
            outShape[d] = (int) (repeats[d] * s[d]);
        }
        Tensor.checkedSize(outShape);
        int[][] offsets = new int[s.length][];
        for (int d = 0; d < s.length; d++) {
            offsets[d] = new int[outShape[d]];
            for (int i = 0; i < outShape[d]; i++) {
                offsets[d][i] = (i % s[d]) * strides[d];
            }
        }
        return ShapeKernels.gather(x, ShapeKernels.flatMap(offsets), outShape, null);
    }

    // ---- DepthToSpace, SpaceToDepth -----------------------------------------------------------------------

    private static int[] rank4(Tensor x, String op) {
        if (x.rank() != 4) {
            throw error(op + " needs an NCHW input, got " + x);
        }
        return x.shapeView();
    }

    /**
     * Moves blocks of b x b channels into space: output (n, c, y, x) reads channel {@code (by * b + bx) * C' + c}
     * (DCR) or {@code c * b * b + by * b + bx} (CRD) at (y / b, x / b), where by, bx = y % b, x % b.
     */
    static Tensor depthToSpace(Tensor x, int b, boolean crd) {
        int[] s = rank4(x, "DepthToSpace");
        if (s[1] % ((long) b * b) != 0) {
            throw error("DepthToSpace channels " + s[1] + " are not a multiple of blocksize^2 = " + (long) b * b);
        }
        int c2 = (int) (s[1] / ((long) b * b));
        if ((long) s[2] * b > Tensor.MAX_ELEMENTS || (long) s[3] * b > Tensor.MAX_ELEMENTS) {
            throw error("DepthToSpace output of " + x + " with blocksize " + b + " is too large");
        }
        int[] out = {s[0], c2, s[2] * b, s[3] * b};
        int[] map = new int[Tensor.checkedSize(out)];
        int at = 0;
        for (int n = 0; n < out[0]; n++) {
            for (int c = 0; c < c2; c++) {
                for (int y = 0; y < out[2]; y++) {
                    for (int xx = 0; xx < out[3]; xx++) {
                        int block = (y % b) * b + xx % b;
                        int channel = crd ? c * b * b + block : block * c2 + c;
                        map[at++] = ((n * s[1] + channel) * s[2] + y / b) * s[3] + xx / b;
                    }
                }
            }
        }
        return ShapeKernels.gather(x, map, out, null);
    }

    /** The inverse of DepthToSpace in DCR mode: output channel {@code (by * b + bx) * C + c}. */
    static Tensor spaceToDepth(Tensor x, int b) {
        int[] s = rank4(x, "SpaceToDepth");
        if (s[2] % b != 0 || s[3] % b != 0) {
            throw error("SpaceToDepth spatial size " + s[2] + "x" + s[3] + " is not a multiple of blocksize " + b);
        }
        if ((long) s[1] * b * b > Tensor.MAX_ELEMENTS) {
            throw error("SpaceToDepth output of " + x + " with blocksize " + b + " is too large");
        }
        int[] out = {s[0], s[1] * b * b, s[2] / b, s[3] / b};
        int[] map = new int[Tensor.checkedSize(out)];
        int at = 0;
        for (int n = 0; n < out[0]; n++) {
            for (int oc = 0; oc < out[1]; oc++) {
                int c = oc % s[1];
                int by = oc / s[1] / b;
                int bx = oc / s[1] % b;
                for (int h = 0; h < out[2]; h++) {
                    for (int w = 0; w < out[3]; w++) {
                        map[at++] = ((n * s[1] + c) * s[2] + h * b + by) * s[3] + w * b + bx;
                    }
                }
            }
        }
        return ShapeKernels.gather(x, map, out, null);
    }

    /**
     * Each listed axis (every axis when axes is null) cropped or zero-padded to its new length, centered: the
     * first floor(|difference| / 2) elements are cut, or padded, before.
     */
    static Tensor centerCropPad(Tensor x, Tensor shapeT, int[] axes) {
        int[] s = x.shapeView();
        int[] target = ShapeKernels.readDims(shapeT, "CenterCropPad shape");
        int[] ax = axes;
        if (ax == null) {
            ax = new int[s.length];
            for (int d = 0; d < s.length; d++) {
                ax[d] = d;
            }
        }
        if (target.length != ax.length) {
            throw error("CenterCropPad shape " + Arrays.toString(target) + " needs one length per axis of "
                + Arrays.toString(ax));
        }
        int[] out = s.clone();
        boolean[] seen = new boolean[s.length];
        for (int i = 0; i < ax.length; i++) {
            int d = normalizeAxis(ax[i], s.length, "CenterCropPad axis");
            if (seen[d]) {
                throw error("CenterCropPad axis " + ax[i] + " is listed twice");
            }
            seen[d] = true;
            out[d] = target[i];
        }
        Tensor.checkedSize(out);
        int[] strides = strides(s);
        int[][] offsets = new int[s.length][];
        for (int d = 0; d < s.length; d++) {
            // Output coordinate i reads input coordinate i + shift, or fill outside the input.
            int shift = out[d] <= s[d] ? (s[d] - out[d]) / 2 : -((out[d] - s[d]) / 2);
            offsets[d] = new int[out[d]];
            for (int i = 0; i < out[d]; i++) {
                int from = i + shift;
                offsets[d][i] = from < 0 || from >= s[d] ? -1 : from * strides[d];
            }
        }
        return ShapeKernels.gather(x, ShapeKernels.flatMap(offsets), out, null);
    }

    /**
     * The distinct elements (or slices along the axis), ascending when {@code sorted} (slices compared element by
     * element), else in order of first occurrence; with the index of each one's first occurrence, each input
     * element's (slice's) position among them, and their counts. -0 equals 0; NaN sorts last.
     */
    static Tensor[] unique(Tensor x, Long axisAttr, boolean sorted) {
        int[] s = axisAttr == null ? new int[] {x.size()} : x.shapeView();
        int a = axisAttr == null ? 0 : normalizeAxis(axisAttr, s.length, "Unique axis");
        int m = s[a];
        int outer = product(s, 0, a);
        int inner = product(s, a + 1, s.length);
        // Slice i is elements (o * m + i) * inner + e for every o and e, compared in that order.
        java.util.Comparator<Integer> bySlice = (p, q) -> {
            for (int o = 0; o < outer; o++) {
                for (int e = 0; e < inner; e++) {
                    int c = compareElements(x, (o * m + p) * inner + e, (o * m + q) * inner + e);
                    if (c != 0) {
                        return c;
                    }
                }
            }
            return 0;
        };
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        Arrays.sort(order, bySlice); // stable: each group's first entry is its first occurrence
        List<Integer> firsts = new ArrayList<>();
        int[] group = new int[m];
        for (int j = 0; j < m; j++) {
            if (j == 0 || bySlice.compare(order[j - 1], order[j]) != 0) {
                firsts.add(order[j]);
            }
            group[order[j]] = firsts.size() - 1;
        }
        int u = firsts.size();
        // Position of each group in the output: sorted order, or order of first occurrence.
        int[] rank = new int[u];
        if (sorted) {
            for (int g = 0; g < u; g++) {
                rank[g] = g;
            }
        } else {
            Integer[] byFirst = new Integer[u];
            for (int g = 0; g < u; g++) {
                byFirst[g] = g;
            }
            Arrays.sort(byFirst, (g, h) -> Integer.compare(firsts.get(g), firsts.get(h)));
            for (int k = 0; k < u; k++) {
                rank[byFirst[k]] = k;
            }
        }
        long[] indices = new long[u];
        long[] counts = new long[u];
        long[] inverse = new long[m];
        for (int g = 0; g < u; g++) {
            indices[rank[g]] = firsts.get(g);
        }
        for (int i = 0; i < m; i++) {
            inverse[i] = rank[group[i]];
            counts[rank[group[i]]]++;
        }
        int[] outShape = s.clone();
        outShape[a] = u;
        int[] map = new int[outer * u * inner];
        for (int o = 0; o < outer; o++) {
            for (int k = 0; k < u; k++) {
                for (int e = 0; e < inner; e++) {
                    map[(o * u + k) * inner + e] = (int) ((o * m + indices[k]) * inner + e);
                }
            }
        }
        return new Tensor[] {ShapeKernels.gather(x, map, outShape, null), Tensor.ofLongs(indices, u),
            Tensor.ofLongs(inverse, m), Tensor.ofLongs(counts, u)};
    }

    /** Numeric order (uint8 unsigned); for floats -0 equals 0 and NaN is above everything, equal to NaN. */
    private static int compareElements(Tensor x, int i, int j) {
        if (x.type() == DataType.FLOAT) {
            float a = x.floats()[i];
            float b = x.floats()[j];
            return a < b ? -1 : a > b ? 1 : a == b ? 0 : Float.compare(a, b);
        }
        return Long.compare(x.getLong(i), x.getLong(j));
    }

    /**
     * A copy of the cache where, for each batch entry b, the update's sequence positions go to positions
     * write_indices[b] + i of the cache's sequence axis (modulo its length when circular).
     */
    static Tensor tensorScatter(Tensor cache, Tensor update, Tensor writeIndices, long axisAttr, boolean circular) {
        int[] s = cache.shapeView();
        int[] u = update.shapeView();
        int a = normalizeAxis(axisAttr, s.length, "TensorScatter axis");
        if (a == 0) {
            throw error("TensorScatter axis cannot be the batch axis 0");
        }
        boolean fits = u.length == s.length && cache.type() == update.type() && u[a] <= s[a];
        for (int d = 0; fits && d < s.length; d++) {
            fits = d == a || u[d] == s[d];
        }
        if (!fits) {
            throw error("TensorScatter update " + update + " must match cache " + cache
                + " except for a shorter axis " + a);
        }
        long[] at = writeIndices == null ? new long[s[0]] : ShapeKernels.readLongs(writeIndices,
            "TensorScatter write_indices");
        if (at.length != s[0]) {
            throw error("TensorScatter write_indices has " + at.length + " values for a batch of " + s[0]);
        }
        int max = s[a];
        for (long w : at) {
            if (w < 0 || !circular && w > max - u[a]) {
                throw error("TensorScatter write index " + w + " with " + u[a] + " positions does not fit a cache of "
                    + max + " (mode " + (circular ? "circular" : "linear") + ")");
            }
        }
        int outer = product(s, 0, a);
        int perBatch = outer / Math.max(1, s[0]);
        int inner = product(s, a + 1, s.length);
        int[] target = new int[outer * u[a]];
        for (int o = 0; o < outer; o++) {
            long w = s[0] == 0 ? 0 : at[o / perBatch];
            for (int i = 0; i < u[a]; i++) {
                // w % max first: w + i could wrap for write indices near Long.MAX_VALUE.
                target[o * u[a] + i] = (o * max + (int) ((w % max + i) % max)) * inner;
            }
        }
        return scatter(cache, update, target, inner, "none", "TensorScatter");
    }

    private static float[] scales(Tensor t) {
        if (t.type() != DataType.FLOAT || t.rank() != 1) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "Upsample scales must be 1-D FLOAT, got " + t);
        }
        return t.floats();
    }

    /** Output axis d has floor(size * scale) elements; element i reads input floor(i / scale). */
    static Tensor upsampleNearest(Tensor x, float[] scales) {
        int[] s = x.shapeView();
        if (scales.length != s.length) {
            throw error("Upsample scales " + Arrays.toString(scales) + " need one value per axis of " + x);
        }
        int[] out = new int[s.length];
        int[] strides = strides(s);
        int[][] offsets = new int[s.length][];
        for (int d = 0; d < s.length; d++) {
            double n = Math.floor(s[d] * (double) scales[d]);
            if (!(scales[d] >= 1) || n > Tensor.MAX_ELEMENTS) {
                throw error("Upsample scale " + scales[d] + " must be at least 1 and keep the output in bounds");
            }
            out[d] = (int) n;
        }
        Tensor.checkedSize(out);
        for (int d = 0; d < s.length; d++) {
            offsets[d] = new int[out[d]];
            for (int i = 0; i < out[d]; i++) {
                offsets[d][i] = Math.min((int) (i / scales[d]), s[d] - 1) * strides[d];
            }
        }
        return ShapeKernels.gather(x, ShapeKernels.flatMap(offsets), out, null);
    }

    // ---- NonZero, ReverseSequence, EyeLike ----------------------------------------------------------------

    /** The coordinates of the non-zero elements, one row per axis (a scalar counts as one axis), in order. */
    static Tensor nonZero(Tensor x) {
        int[] s = x.rank() == 0 ? new int[] {1} : x.shapeView();
        int[] strides = strides(s);
        List<Integer> hits = new ArrayList<>();
        for (int i = 0; i < x.size(); i++) {
            if (x.type() == DataType.FLOAT ? x.getDouble(i) != 0 : x.getLong(i) != 0) {
                hits.add(i);
            }
        }
        int nnz = hits.size();
        long[] out = new long[ShapeKernels.checkedCount("NonZero output", s.length, nnz)];
        for (int j = 0; j < nnz; j++) {
            int i = hits.get(j);
            for (int d = 0; d < s.length; d++) {
                out[d * nnz + j] = (i / strides[d]) % s[d];
            }
        }
        return Tensor.ofLongs(out, s.length, nnz);
    }

    /** For each batch entry b, the first sequence_lens[b] steps along the time axis reversed, the rest kept. */
    static Tensor reverseSequence(Tensor x, Tensor lensT, int timeAxis, int batchAxis) {
        int[] s = x.shapeView();
        if (s.length < 2) {
            throw error("ReverseSequence needs rank 2 or more, got " + x);
        }
        long[] lens = ShapeKernels.readLongs(lensT, "ReverseSequence sequence_lens");
        if (lens.length != s[batchAxis]) {
            throw error("ReverseSequence sequence_lens has " + lens.length + " values for a batch of "
                + s[batchAxis]);
        }
        for (long len : lens) {
            if (len < 0 || len > s[timeAxis]) {
                throw error("ReverseSequence length " + len + " is outside [0, " + s[timeAxis] + "]");
            }
        }
        int[] strides = strides(s);
        int[] map = new int[x.size()];
        for (int i = 0; i < map.length; i++) {
            int t = (i / strides[timeAxis]) % s[timeAxis];
            int len = (int) lens[(i / strides[batchAxis]) % s[batchAxis]];
            map[i] = t < len ? i + (len - 1 - 2 * t) * strides[timeAxis] : i;
        }
        return ShapeKernels.gather(x, map, s, null);
    }

    /** The dtype attribute (the input's type when absent), checked at load. */
    private static DataType eyeLikeType(OpContext ctx) {
        if (!ctx.has("dtype")) {
            return null;
        }
        long code = ctx.getInt("dtype", 0);
        DataType t = DataType.fromOnnx(code);
        if (t == null || t.isEdgeOnly() || code != (int) code) {
            throw ctx.unsupportedType("EyeLike dtype " + DataType.onnxName(code) + " is not supported");
        }
        return t;
    }

    /** A 2-D tensor of the input's shape with ones on diagonal k (above the main one when k > 0). */
    static Tensor eyeLike(Tensor x, DataType type, long k) {
        if (x.rank() != 2) {
            throw error("EyeLike needs a 2-D input, got " + x);
        }
        DataType t = type == null ? x.type() : type;
        int[] s = x.shapeView();
        int[] map = new int[x.size()];
        for (int r = 0; r < s[0]; r++) {
            long c = r + k;
            if (c >= 0 && c < s[1]) {
                map[r * s[1] + (int) c] = 1;
            }
        }
        Tensor zeroOne = t == DataType.FLOAT ? Tensor.ofFloats(new float[] {0, 1}, 2)
            : ElementwiseCast.fromLongs(new long[] {0, 1}, t, new int[] {2});
        return ShapeKernels.gather(zeroOne, map, s, null);
    }

    // ---- shape rules --------------------------------------------------------------------------------------

    private static ShapeValue[] inferOneHot(ShapeContext c) {
        return one(c.type(2), c.rank(0) < 0 ? null : ShapeDims.unknown(c.rank(0) + 1));
    }

    private static ShapeValue[] inferTopK(ShapeContext c) {
        List<Dim> s = c.shape(0);
        List<Dim> out = s == null ? null : ShapeDims.unknown(s.size());
        if (s != null) {
            int a = ShapeDims.axis(c.getInt("axis", -1), s.size(), "TopK axis");
            out = new ArrayList<>(s);
            long[] k = c.longs(1);
            out.set(a, k != null && k.length == 1 && k[0] >= 0 ? Dim.of(k[0]) : Dim.UNKNOWN);
        }
        return new ShapeValue[] {ShapeValue.of(c.type(0), out), ShapeValue.of(DataType.INT64, out)};
    }

    private static ShapeValue[] inferTile(ShapeContext c) {
        return one(c.type(0), c.rank(0) < 0 ? null : ShapeDims.unknown(c.rank(0)));
    }

    private static ShapeValue[] inferEyeLike(ShapeContext c) {
        DataType t = c.attrs().has("dtype") ? DataType.fromOnnx(c.getInt("dtype", 0)) : c.type(0);
        return one(t, c.shape(0));
    }
}
