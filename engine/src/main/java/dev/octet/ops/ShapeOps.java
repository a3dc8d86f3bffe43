package dev.octet.ops;

import static dev.octet.ops.ShapeDims.axis;
import static dev.octet.ops.ShapeDims.broadcast;
import static dev.octet.ops.ShapeDims.product;
import static dev.octet.ops.ShapeDims.same;
import static dev.octet.ops.ShapeDims.unknown;
import static dev.octet.ops.ShapeKernels.error;
import static dev.octet.ops.ShapeKernels.normalizeAxis;
import static dev.octet.ops.ShapeKernels.product;
import static dev.octet.ops.ShapeKernels.readDims;
import static dev.octet.ops.ShapeKernels.readLongs;
import static dev.octet.ops.ShapeKernels.requireInputs;
import static dev.octet.ops.Shapes.UNKNOWN_AXES;
import static dev.octet.ops.Shapes.axes;
import static dev.octet.ops.Shapes.known;
import static dev.octet.ops.Shapes.one;
import static dev.octet.ops.Shapes.shapeInput;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import dev.octet.kernel.Parallel;
import dev.octet.kernel.QConvNhwc;
import dev.octet.kernel.QuantizeKernels;
import dev.octet.ops.ShapeValue.Elem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Operators that create tensors or rearrange them without arithmetic: Constant, Shape, Size,
 * ConstantOfShape, Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Split, Expand; Slice and Pad
 * live in {@link SliceOps}, the Gathers in {@link GatherOps}. Every op works for all element types.
 */
final class ShapeOps {
    private ShapeOps() {}

    static void register(OpRegistry.Builder r) {
        r.onnx("Constant", 1).traits(OpTrait.ANY_ELEMENT_TYPE).inputs("").outputs("r").shape(c -> new ShapeValue[0]).factory(ShapeOps::constant);
        r.onnx("Shape", 1).traits(OpTrait.ANY_ELEMENT_TYPE).unary().shape(ShapeOps::inferShapeOf).factory(ShapeOps::shape);
        r.onnx("Size", 1).traits(OpTrait.ANY_ELEMENT_TYPE).unary()
            .shape(c -> new ShapeValue[] {ShapeValue.ofElements(DataType.INT64,
                List.of(c.shape(0) == null ? Elem.UNKNOWN : Elem.of(product(c.shape(0)))), true)})
            .factory(ctx -> in -> new Tensor[] {Tensor.ofLongs(new long[] {in[0].size()})});
        r.onnx("ConstantOfShape", 9).traits(OpTrait.ANY_ELEMENT_TYPE).unary().shape(ShapeOps::inferConstantOfShape).factory(ShapeOps::constantOfShape);
        r.onnx("Reshape", 5).traits(OpTrait.ANY_ELEMENT_TYPE).inputs("rr").outputs("r").shape(ShapeOps::inferReshape).traits(OpTrait.DATA_MOVEMENT).factory(ShapeOps::reshape);
        r.onnx("Flatten", 1).traits(OpTrait.ANY_ELEMENT_TYPE).unary().shape(ShapeOps::inferFlatten).traits(OpTrait.DATA_MOVEMENT).factory(ShapeOps::flatten);
        r.onnx("Squeeze", 1).traits(OpTrait.ANY_ELEMENT_TYPE).unary().inputsFrom(13, "ro").shape(ShapeOps::inferSqueeze).traits(OpTrait.DATA_MOVEMENT).factory(ShapeOps::squeeze);
        r.onnx("Unsqueeze", 1).traits(OpTrait.ANY_ELEMENT_TYPE).unary().inputsFrom(13, "rr")
            .shape(ShapeOps::inferUnsqueeze)
            .traits(OpTrait.DATA_MOVEMENT)
            .factory(ShapeOps::unsqueeze);
        r.onnx("Transpose", 1).traits(OpTrait.ANY_ELEMENT_TYPE).unary()
            .shape(ShapeOps::inferTranspose)
            .traits(OpTrait.DATA_MOVEMENT)
            .factory(ShapeOps::transpose);
        r.onnx("Concat", 4).traits(OpTrait.ANY_ELEMENT_TYPE, OpTrait.DATA_MOVEMENT).inputs("r*").outputs("r").shape(ShapeOps::inferConcat).factory(ShapeOps::concat);
        r.onnx("Split", 2).traits(OpTrait.ANY_ELEMENT_TYPE).inputs("r").inputsFrom(13, "ro").outputs("r*").shape(ShapeOps::inferSplit).factory(ShapeOps::split);
        r.onnx("Expand", 8).traits(OpTrait.ANY_ELEMENT_TYPE, OpTrait.DATA_MOVEMENT).inputs("rr").outputs("r")
            .shape(c -> one(c.type(0), broadcast(Arrays.asList(c.shape(0), shapeInput(c, 1)))))
            .factory(ShapeOps::expand);
        SliceOps.register(r);
        GatherOps.register(r);
    }

    private static final String[] CONSTANT_ATTRS = {"value", "value_float", "value_floats", "value_int",
        "value_ints", "value_string", "value_strings", "sparse_value"};

    private static Op constant(OpContext ctx) {
        String attr = null;
        for (String a : CONSTANT_ATTRS) {
            if (ctx.has(a)) {
                if (attr != null) {
                    throw ctx.fail("has both '" + attr + "' and '" + a + "'; exactly one value attribute is allowed");
                }
                attr = a;
            }
        }
        if (attr == null) {
            throw ctx.fail("needs one of the attributes " + Arrays.toString(CONSTANT_ATTRS));
        }
        Tensor t = switch (attr) {
            case "value" -> ctx.getTensor("value");
            case "value_float" -> Tensor.ofFloats(new float[] {ctx.getFloat("value_float", 0)});
            case "value_floats" -> {
                float[] v = ctx.getFloats("value_floats");
                yield Tensor.ofFloats(v, v.length);
            }
            case "value_int" -> Tensor.ofLongs(new long[] {ctx.getInt("value_int", 0)});
            case "value_ints" -> {
                long[] v = ctx.getInts("value_ints");
                yield Tensor.ofLongs(v, v.length);
            }
            default -> throw ctx.unsupported("attribute '" + attr + "' is not supported (no string or sparse tensors)");
        };
        return in -> new Tensor[] {t};
    }

    private static Op shape(OpContext ctx) {
        // start/end exist from opset 15; before that the whole shape is returned.
        long start = ctx.opset() >= 15 ? ctx.getInt("start", 0) : 0;
        long end = ctx.opset() >= 15 ? ctx.getInt("end", Long.MAX_VALUE) : Long.MAX_VALUE;
        return in -> {
            int[] s = in[0].shapeView();
            int from = clampToRank(start, s.length);
            int to = clampToRank(end, s.length);
            long[] out = new long[Math.max(0, to - from)];
            for (int i = 0; i < out.length; i++) {
                out[i] = s[from + i];
            }
            return new Tensor[] {Tensor.ofLongs(out, out.length)};
        };
    }

    private static int clampToRank(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        return (int) Math.max(0, Math.min(a, rank));
    }

    private static Op constantOfShape(OpContext ctx) {
        requireInputs(ctx, 1);
        Tensor value = ctx.getTensor("value");
        if (value == null) {
            value = Tensor.ofFloats(new float[] {0}, 1);
        } else if (value.size() != 1) {
            throw ctx.fail("attribute 'value' must hold one element, got " + value);
        }
        DataType type = value.type();
        Object v = value.data();
        return in -> {
            int[] shape = readDims(in[0], "ConstantOfShape shape");
            return new Tensor[] {Tensor.of(type, shape, ShapeKernels.filled(v, Tensor.checkedSize(shape)))};
        };
    }

    private static Op reshape(OpContext ctx) {
        requireInputs(ctx, 2);
        boolean allowZero = ctx.opset() >= 14 && ctx.getInt("allowzero", 0) != 0;
        return in -> new Tensor[] {
            in[0].reshape(reshapeTarget(in[0].shapeView(), readLongs(in[1], "Reshape shape"), allowZero))};
    }

    /** The output shape of Reshape: 0 copies the input dim (unless allowzero), one -1 is inferred. */
    static int[] reshapeTarget(int[] from, long[] spec, boolean allowZero) {
        int size = Tensor.checkedSize(from);
        int[] out = new int[spec.length];
        int inferred = -1;
        boolean hasZero = false;
        long known = 1; // product of the given dims, capped just above the largest tensor to avoid overflow
        for (int i = 0; i < spec.length; i++) {
            long d = spec[i];
            if (d == -1) {
                if (inferred >= 0) {
                    throw error("Reshape shape " + Arrays.toString(spec) + " has more than one -1");
                }
                inferred = i;
                continue;
            }
            if (d == 0 && !allowZero) {
                if (i >= from.length) {
                    throw error("Reshape shape " + Arrays.toString(spec) + " copies dimension " + i
                        + " but the input " + Arrays.toString(from) + " has rank " + from.length);
                }
                d = from[i];
            } else if (d < 0 || d > Tensor.MAX_ELEMENTS) {
                throw error("Reshape shape " + Arrays.toString(spec) + " has invalid dimension " + d);
            }
            hasZero |= d == 0;
            out[i] = (int) d;
            known = Math.min(known * d, Tensor.MAX_ELEMENTS + 1);
        }
        if (inferred >= 0) {
            if (allowZero && hasZero) {
                throw error("Reshape shape " + Arrays.toString(spec) + " has both 0 and -1 with allowzero=1");
            }
            if (known == 0 || size % known != 0) {
                throw error("Reshape cannot infer the -1 in " + Arrays.toString(spec) + " for an input of shape "
                    + Arrays.toString(from));
            }
            out[inferred] = (int) (size / known);
        } else if (known != size) {
            throw error("Reshape shape " + Arrays.toString(spec) + " does not match the " + size
                + " elements of the input " + Arrays.toString(from));
        }
        return out;
    }

    private static Op flatten(OpContext ctx) {
        long axis = ctx.getInt("axis", 1);
        return in -> {
            int[] s = in[0].shapeView();
            if (axis < -s.length || axis > s.length) {
                throw error("Flatten axis " + axis + " is out of range for rank " + s.length);
            }
            int a = (int) (axis < 0 ? axis + s.length : axis);
            return new Tensor[] {in[0].reshape(product(s, 0, a), product(s, a, s.length))};
        };
    }

    /** Axes as an attribute before opset 13, as an optional input (index 1) from 13. */
    private static AxesSource axesSource(OpContext ctx) {
        if (ctx.opset() < 13) {
            long[] attr = ctx.getInts("axes");
            return in -> attr;
        }
        return ctx.hasInput(1) ? in -> readLongs(in[1], ctx.opType() + " axes") : in -> null;
    }

    @FunctionalInterface
    private interface AxesSource {
        long[] axes(Tensor[] in);
    }

    private static Op squeeze(OpContext ctx) {
        AxesSource axesOf = axesSource(ctx);
        return in -> {
            long[] axes = axesOf.axes(in);
            int[] s = in[0].shapeView();
            boolean[] drop = new boolean[s.length];
            int dropped = 0;
            if (axes == null) {
                for (int d = 0; d < s.length; d++) {
                    drop[d] = s[d] == 1;
                    dropped += drop[d] ? 1 : 0;
                }
            } else {
                for (long a : axes) {
                    int d = normalizeAxis(a, s.length, "Squeeze axis");
                    if (s[d] != 1) {
                        throw error("Squeeze axis " + a + " has size " + s[d] + " in shape " + Arrays.toString(s)
                            + ", not 1");
                    }
                    if (drop[d]) {
                        throw error("Squeeze axes " + Arrays.toString(axes) + " repeat axis " + d);
                    }
                    drop[d] = true;
                    dropped++;
                }
            }
            int[] out = new int[s.length - dropped];
            for (int d = 0, o = 0; d < s.length; d++) {
                if (!drop[d]) {
                    out[o++] = s[d];
                }
            }
            return new Tensor[] {in[0].reshape(out)};
        };
    }

    private static Op unsqueeze(OpContext ctx) {
        if (ctx.opset() < 13 ? !ctx.has("axes") : !ctx.hasInput(1)) {
            throw ctx.fail("axes are required");
        }
        AxesSource axesOf = axesSource(ctx);
        return in -> {
            long[] axes = axesOf.axes(in);
            int[] s = in[0].shapeView();
            boolean[] added = new boolean[s.length + axes.length];
            for (long a : axes) {
                int d = normalizeAxis(a, added.length, "Unsqueeze axis");
                if (added[d]) {
                    throw error("Unsqueeze axes " + Arrays.toString(axes) + " repeat axis " + d);
                }
                added[d] = true;
            }
            int[] out = new int[added.length];
            for (int d = 0, i = 0; d < out.length; d++) {
                out[d] = added[d] ? 1 : s[i++];
            }
            return new Tensor[] {in[0].reshape(out)};
        };
    }

    private static Op transpose(OpContext ctx) {
        int[] perm = ctx.getIntArray("perm");
        if (perm != null) {
            boolean[] seen = new boolean[perm.length];
            for (int p : perm) {
                if (p < 0 || p >= perm.length || seen[p]) {
                    throw ctx.fail("perm " + Arrays.toString(perm) + " is not a permutation");
                }
                seen[p] = true;
            }
        }
        Parallel parallel = ctx.parallel();
        QuantizeKernels kernels = ctx.kernels().quantize();
        return Op.withBuffers((in, buffers) -> {
            Tensor x = in[0];
            int rank = x.rank();
            int[] p = perm;
            if (p == null) {
                p = new int[rank];
                for (int d = 0; d < rank; d++) {
                    p[d] = rank - 1 - d;
                }
            } else if (p.length != rank) {
                throw error("Transpose perm " + Arrays.toString(p) + " does not fit rank " + rank);
            }
            int[] out = new int[rank];
            for (int d = 0; d < rank; d++) {
                out[d] = x.dim(p[d]);
            }
            // Channels to last or back (the layout changes around NHWC convolutions), on 8-bit and float tensors:
            // blocked, without an index map as large as the output.
            boolean toLast = channelsLastPerm(p);
            boolean blocked = x.type().isQuantized() || x.type() == DataType.FLOAT;
            if (blocked && rank >= 3 && (toLast || channelsFirstPerm(p))) {
                int batch = x.dim(0);
                int channels = toLast ? x.dim(1) : x.dim(rank - 1);
                int pixels = x.size() / Math.max(1, batch * channels);
                if (x.type() == DataType.FLOAT) {
                    float[] r = buffers.floats(x.size());
                    return new Tensor[] {Tensor.ofFloats(toLast
                        ? QConvNhwc.toNhwc(x.floats(), batch, channels, pixels, r)
                        : QConvNhwc.toNchw(x.floats(), batch, channels, pixels, r), out)};
                }
                byte[] r = buffers.bytes(x.size());
                return new Tensor[] {Tensor.of(x.type(), out, toLast
                    ? QConvNhwc.toNhwc(parallel, kernels, x.bytes(), batch, channels, pixels, r)
                    : QConvNhwc.toNchw(parallel, x.bytes(), batch, channels, pixels, r))};
            }
            int[] strides = ShapeKernels.strides(x.shapeView());
            int[][] offsets = new int[rank][];
            for (int d = 0; d < rank; d++) {
                offsets[d] = ShapeKernels.ramp(out[d], strides[p[d]]);
            }
            return new Tensor[] {ShapeKernels.gather(x, ShapeKernels.flatMap(offsets), out, null)};
        });
    }

    /** [0, 2, ..., r-1, 1]: NCHW to NHWC. */
    static boolean channelsLastPerm(int[] p) {
        for (int d = 1; d < p.length - 1; d++) {
            if (p[d] != d + 1) {
                return false;
            }
        }
        return p[0] == 0 && p[p.length - 1] == 1;
    }

    /** [0, r-1, 1, ..., r-2]: NHWC to NCHW. */
    static boolean channelsFirstPerm(int[] p) {
        for (int d = 2; d < p.length; d++) {
            if (p[d] != d - 1) {
                return false;
            }
        }
        return p[0] == 0 && p[1] == p.length - 1;
    }

    private static final java.lang.invoke.VarHandle LONGS =
        java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    private static Op concat(OpContext ctx) {
        long axis = ctx.requireInt("axis");
        if (ctx.inputCount() == 0) {
            throw ctx.fail("needs at least one input");
        }
        requireInputs(ctx, ctx.inputCount());
        return Op.withBuffers((in, buffers) -> {
            Tensor first = in[0];
            int[] s = first.shapeView();
            int a = normalizeAxis(axis, s.length, "Concat axis");
            int[] out = concatShape(in, a);
            Object data = buffers.array(first.type(), Tensor.checkedSize(out));
            int outer = product(s, 0, a);
            int inner = product(s, a + 1, s.length);
            int pos = 0;
            if (data instanceof byte[] bytes && outer >= 64) {
                // Many short blocks (channels of NHWC pixels: 32 bytes each): copied 8 bytes at a time, as a
                // System.arraycopy call apiece cost more than its bytes (the Vitis detector's 65,536-pixel Concat).
                for (Tensor t : in) {
                    byte[] src = (byte[]) t.data();
                    int block = t.dim(a) * inner;
                    int stride = out[a] * inner;
                    for (int o = 0, from = 0, to = pos; o < outer; o++, from += block, to += stride) {
                        int j = 0;
                        for (; j + 8 <= block; j += 8) {
                            LONGS.set(bytes, to + j, (long) LONGS.get(src, from + j));
                        }
                        for (; j < block; j++) {
                            bytes[to + j] = src[from + j];
                        }
                    }
                    pos += block;
                }
                return new Tensor[] {Tensor.of(first.type(), out, data)};
            }
            for (int o = 0; o < outer; o++) {
                for (Tensor t : in) {
                    int block = t.dim(a) * inner;
                    System.arraycopy(t.data(), o * block, data, pos, block);
                    pos += block;
                }
            }
            return new Tensor[] {Tensor.of(first.type(), out, data)};
        });
    }

    /** The shape of inputs concatenated along axis a (normalized), which must fit: one type, one rank, same dims. */
    static int[] concatShape(Tensor[] in, int a) {
        Tensor first = in[0];
        int[] s = first.shapeView();
        int[] out = s.clone();
        out[a] = 0;
        for (Tensor t : in) {
            int[] ts = t.shapeView();
            if (t.type() != first.type() || ts.length != s.length) {
                throw error("Concat inputs " + first + " and " + t + " differ in type or rank");
            }
            for (int d = 0; d < s.length; d++) {
                if (d != a && ts[d] != s[d]) {
                    throw error("Concat inputs " + first + " and " + t + " differ outside axis " + a);
                }
            }
            out[a] = (int) Math.min((long) out[a] + ts[a], Integer.MAX_VALUE);
        }
        return out;
    }

    private static Op split(OpContext ctx) {
        requireInputs(ctx, 1);
        long axis = ctx.getInt("axis", 0);
        int outputs = ctx.outputCount();
        long[] attrSplit = ctx.opset() < 13 ? ctx.getInts("split") : null;
        boolean splitInput = ctx.opset() >= 13 && ctx.hasInput(1);
        long numOutputs = ctx.opset() >= 18 ? ctx.getInt("num_outputs", 0) : 0;
        if (ctx.opset() >= 18 && ctx.has("num_outputs")) {
            if (splitInput) {
                throw ctx.fail("has both the 'split' input and the 'num_outputs' attribute");
            }
            if (numOutputs != outputs) {
                throw ctx.fail("num_outputs is " + numOutputs + " but the node has " + outputs + " outputs");
            }
        }
        if (outputs == 0) {
            throw ctx.fail("needs at least one output");
        }
        if (attrSplit != null && attrSplit.length != outputs) {
            throw ctx.fail("split " + Arrays.toString(attrSplit) + " does not give one size per output (" + outputs + ")");
        }
        return in -> {
            Tensor x = in[0];
            int[] s = x.shapeView();
            int a = normalizeAxis(axis, s.length, "Split axis");
            int dim = s[a];
            long[] sizes = splitInput ? readLongs(in[1], "Split split") : attrSplit;
            int[] parts = new int[outputs];
            if (sizes != null) {
                if (sizes.length != outputs) {
                    throw error("Split sizes " + Arrays.toString(sizes) + " do not give one size per output ("
                        + outputs + ")");
                }
                long sum = 0;
                for (int i = 0; i < outputs; i++) {
                    if (sizes[i] < 0 || sizes[i] > dim) {
                        throw error("Split size " + sizes[i] + " is invalid for an axis of size " + dim);
                    }
                    parts[i] = (int) sizes[i];
                    sum += sizes[i];
                }
                if (sum != dim) {
                    throw error("Split sizes " + Arrays.toString(sizes) + " sum to " + sum + ", not the axis size " + dim);
                }
            } else if (numOutputs > 0) {
                // Chunks of ceil(dim / n); the last one takes what remains.
                int chunk = (int) ((dim + numOutputs - 1) / numOutputs);
                long rest = dim - (long) chunk * (outputs - 1);
                if (rest < 0) {
                    throw error("Split cannot cut an axis of size " + dim + " into " + outputs + " chunks of " + chunk);
                }
                Arrays.fill(parts, chunk);
                parts[outputs - 1] = (int) rest;
            } else {
                if (dim % outputs != 0) {
                    throw error("Split cannot divide an axis of size " + dim + " evenly into " + outputs + " outputs");
                }
                Arrays.fill(parts, dim / outputs);
            }
            int outer = product(s, 0, a);
            int inner = product(s, a + 1, s.length);
            Tensor[] result = new Tensor[outputs];
            int offset = 0;
            for (int i = 0; i < outputs; i++) {
                int[] shape = s.clone();
                shape[a] = parts[i];
                int block = parts[i] * inner;
                Object data = Tensor.newArray(x.type(), outer * block);
                for (int o = 0; o < outer; o++) {
                    System.arraycopy(x.data(), o * dim * inner + offset, data, o * block, block);
                }
                offset += block;
                result[i] = Tensor.of(x.type(), shape, data);
            }
            return result;
        };
    }

    private static Op expand(OpContext ctx) {
        requireInputs(ctx, 2);
        return in -> {
            Tensor x = in[0];
            int[] out = Broadcast.shape(x.shapeView(), readDims(in[1], "Expand shape"));
            int[] map = Broadcast.indexMap(x.shapeView(), out);
            return new Tensor[] {map == null ? x : ShapeKernels.gather(x, map, out, null)};
        };
    }

    // ---- shape rules ----------------------------------------------------------------------------------

    private static ShapeValue[] inferShapeOf(ShapeContext c) {
        List<Dim> s = c.shape(0);
        if (s == null) {
            return one(DataType.INT64, List.of(Dim.UNKNOWN));
        }
        long start = c.opset() >= 15 ? c.getInt("start", 0) : 0;
        long end = c.opset() >= 15 ? c.getInt("end", Long.MAX_VALUE) : Long.MAX_VALUE;
        int from = clampToRank(start, s.size());
        int to = Math.max(from, clampToRank(end, s.size()));
        return new ShapeValue[] {ShapeValue.ofElements(DataType.INT64,
            s.subList(from, to).stream().map(Elem::of).toList(), false)};
    }

    private static ShapeValue[] inferConstantOfShape(ShapeContext c) {
        Tensor value = c.attrs().getTensor("value");
        return one(value == null ? DataType.FLOAT : value.type(), shapeInput(c, 0));
    }

    private static ShapeValue[] inferReshape(ShapeContext c) {
        boolean allowZero = c.opset() >= 14 && c.getInt("allowzero", 0) != 0;
        List<Elem> spec = c.elements(1);
        if (spec == null) {
            return one(c.type(0), shapeInput(c, 1));
        }
        return one(c.type(0), ShapeDims.reshape(c.shape(0), spec, allowZero));
    }

    private static ShapeValue[] inferFlatten(ShapeContext c) {
        List<Dim> s = c.shape(0);
        if (s == null) {
            return one(c.type(0), unknown(2));
        }
        long axis = c.getInt("axis", 1);
        if (axis < -s.size() || axis > s.size()) {
            throw c.fail("Flatten axis " + axis + " is out of range for rank " + s.size());
        }
        int a = (int) (axis < 0 ? axis + s.size() : axis);
        return one(c.type(0), List.of(product(s.subList(0, a)), product(s.subList(a, s.size()))));
    }

    /** A reshaped-in-place value: the elements of a 0-D/1-D input carry over when the result is 0-D/1-D. */
    private static ShapeValue[] keepElements(ShapeContext c, List<Dim> shape) {
        List<Elem> e = c.elements(0);
        boolean carry = e != null && shape != null && shape.size() <= 1;
        return new ShapeValue[] {new ShapeValue(c.type(0), shape, null, carry ? e : null)};
    }

    private static ShapeValue[] inferSqueeze(ShapeContext c) {
        List<Dim> s = c.shape(0);
        long[] axes = axes(c, 13);
        if (s == null || axes == UNKNOWN_AXES) {
            return one(c.type(0), null);
        }
        boolean[] drop = new boolean[s.size()];
        if (axes == null) {
            for (int d = 0; d < s.size(); d++) {
                if (!s.get(d).isFixed()) {
                    return one(c.type(0), null); // it is dropped exactly when it is 1
                }
                drop[d] = s.get(d).value() == 1;
            }
        } else {
            for (long a : axes) {
                int d = axis(a, s.size(), "Squeeze axis");
                Dim dim = s.get(d);
                if ((dim.isFixed() && dim.value() != 1) || drop[d]) {
                    throw c.fail("Squeeze axis " + a + " of shape " + s + " is not a distinct axis of size 1");
                }
                drop[d] = true;
            }
        }
        List<Dim> out = new ArrayList<>();
        for (int d = 0; d < s.size(); d++) {
            if (!drop[d]) {
                out.add(s.get(d));
            }
        }
        return keepElements(c, out);
    }

    private static ShapeValue[] inferUnsqueeze(ShapeContext c) {
        List<Dim> s = c.shape(0);
        long[] axes = axes(c, 13);
        if (s == null || axes == null || axes == UNKNOWN_AXES) {
            return one(c.type(0), null);
        }
        int rank = s.size() + axes.length;
        boolean[] added = new boolean[rank];
        for (long a : axes) {
            int d = axis(a, rank, "Unsqueeze axis");
            if (added[d]) {
                throw c.fail("Unsqueeze axes " + Arrays.toString(axes) + " repeat axis " + d);
            }
            added[d] = true;
        }
        List<Dim> out = new ArrayList<>(rank);
        for (int d = 0, i = 0; d < rank; d++) {
            out.add(added[d] ? Dim.of(1) : s.get(i++));
        }
        return keepElements(c, out);
    }

    private static ShapeValue[] inferTranspose(ShapeContext c) {
        int[] perm = c.attrs().getIntArray("perm");
        List<Dim> s = c.shape(0);
        if (s == null) {
            return one(c.type(0), perm == null ? null : unknown(perm.length));
        }
        if (perm != null && perm.length != s.size()) {
            throw c.fail("Transpose perm " + Arrays.toString(perm) + " does not fit rank " + s.size());
        }
        List<Dim> out = new ArrayList<>(s.size());
        for (int d = 0; d < s.size(); d++) {
            out.add(s.get(perm == null ? s.size() - 1 - d : perm[d]));
        }
        return one(c.type(0), out);
    }

    static ShapeValue[] inferConcat(ShapeContext c) {
        long axisAttr = c.attrs().requireInt("axis");
        int n = c.attrs().inputCount();
        DataType t = null;
        List<Dim> ref = null;
        boolean allRanks = true;
        for (int i = 0; i < n; i++) {
            t = known(t, c.type(i));
            List<Dim> s = c.shape(i);
            if (s == null) {
                allRanks = false;
            } else if (ref == null) {
                ref = s;
            } else if (s.size() != ref.size()) {
                throw c.fail("Concat inputs of shapes " + ref + " and " + s + " differ in rank");
            }
        }
        if (ref == null) {
            return one(t, null);
        }
        int a = axis(axisAttr, ref.size(), "Concat axis");
        List<Dim> out = new ArrayList<>(ref);
        List<Dim> along = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Dim> s = c.shape(i);
            if (s == null) {
                continue;
            }
            for (int d = 0; d < s.size(); d++) {
                if (d != a) {
                    out.set(d, same(out.get(d), s.get(d), "Concat inputs differ outside axis " + a));
                }
            }
            along.add(s.get(a));
        }
        out.set(a, allRanks ? ShapeDims.sum(along) : Dim.UNKNOWN);
        List<Elem> elements = null;
        if (out.size() == 1) {
            elements = new ArrayList<>();
            for (int i = 0; i < n && elements != null; i++) {
                List<Elem> e = c.elements(i);
                if (e == null) {
                    elements = null;
                } else {
                    elements.addAll(e);
                }
            }
        }
        return new ShapeValue[] {new ShapeValue(t, out, null, elements)};
    }

    private static ShapeValue[] inferSplit(ShapeContext c) {
        int outputs = c.outputCount();
        ShapeValue[] r = new ShapeValue[outputs];
        List<Dim> s = c.shape(0);
        if (s == null) {
            Arrays.fill(r, ShapeValue.of(c.type(0), null));
            return r;
        }
        int a = axis(c.getInt("axis", 0), s.size(), "Split axis");
        Dim dim = s.get(a);
        long[] sizes = c.opset() < 13 ? c.attrs().getInts("split") : c.has(1) ? c.longs(1) : null;
        boolean sizesUnknown = c.opset() >= 13 && c.has(1) && sizes == null;
        long numOutputs = c.opset() >= 18 ? c.getInt("num_outputs", 0) : 0;
        Dim[] parts = new Dim[outputs];
        Arrays.fill(parts, Dim.UNKNOWN);
        if (sizes != null) {
            long sum = 0;
            for (int i = 0; i < outputs && i < sizes.length; i++) {
                parts[i] = sizes[i] >= 0 ? Dim.of(sizes[i]) : Dim.UNKNOWN;
                sum += sizes[i];
            }
            if (dim.isFixed() && sum != dim.value()) {
                throw c.fail("Split sizes " + Arrays.toString(sizes) + " do not sum to the axis size " + dim);
            }
        } else if (!sizesUnknown && dim.isFixed()) {
            long d = dim.value();
            if (numOutputs > 0) {
                long chunk = (d + numOutputs - 1) / numOutputs;
                Arrays.fill(parts, Dim.of(chunk));
                parts[outputs - 1] = Dim.of(Math.max(0, d - chunk * (outputs - 1)));
            } else if (d % outputs != 0) {
                throw c.fail("Split cannot divide an axis of size " + d + " evenly into " + outputs + " outputs");
            } else {
                Arrays.fill(parts, Dim.of(d / outputs));
            }
        } else if (!sizesUnknown && outputs == 1) {
            parts[0] = dim;
        }
        for (int i = 0; i < outputs; i++) {
            List<Dim> o = new ArrayList<>(s);
            o.set(a, parts[i]);
            r[i] = ShapeValue.of(c.type(0), o);
        }
        return r;
    }
}
