package dev.octet.compile;

import static dev.octet.compile.ShapeDims.axis;
import static dev.octet.compile.ShapeDims.broadcast;
import static dev.octet.compile.ShapeDims.product;
import static dev.octet.compile.ShapeDims.same;
import static dev.octet.compile.ShapeDims.unknown;

import dev.octet.api.DataType;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.compile.ShapeValue.Elem;
import dev.octet.ir.Dim;
import dev.octet.ops.ConvGeometry;
import dev.octet.ops.OpRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongBinaryOperator;

/**
 * The output type and shape rule of every operator in {@link OpRegistry}, one line per op in {@link #TABLE}.
 * A rule returns one {@link ShapeValue} per output (missing trailing ones are unknown); it may return
 * less than it could, never more. Constant outputs are not computed here: {@link ShapeInference} runs the
 * real op when all inputs are known.
 */
final class ShapeRules {
    private ShapeRules() {}

    @FunctionalInterface
    interface Rule {
        ShapeValue[] infer(ShapeContext c);
    }

    private static final Map<String, Rule> TABLE = new HashMap<>();

    static {
        // Elementwise: the result type, and a broadcast shape.
        onnx("Add", c -> arith(c, Long::sum, 0, true));
        onnx("Sub", c -> arith(c, (a, b) -> a - b, 0, false));
        onnx("Mul", c -> arith(c, (a, b) -> a * b, 1, true));
        onnx("Div", c -> arith(c, (a, b) -> b == 0 ? Long.MIN_VALUE : a / b, 1, false));
        onnx("Max", c -> variadic(c));
        onnx("Min", c -> variadic(c));
        onnx("Pow", c -> one(c.type(0), broadcastInputs(c, 0, 1)));
        onnx("Less", c -> one(DataType.BOOL, broadcastInputs(c, 0, 1)));
        onnx("Equal", c -> one(DataType.BOOL, broadcastInputs(c, 0, 1)));
        onnx("Where", c -> one(known(c.type(1), c.type(2)), broadcastInputs(c, 0, 1, 2)));
        for (String op : List.of("Neg", "Relu", "Reciprocal", "Sqrt", "Exp", "Tanh", "Sigmoid", "Erf", "Round", "Clip",
            "Softmax")) {
            onnx(op, ShapeRules::sameAsInput);
        }
        onnx("Identity", c -> new ShapeValue[] {c.in(0)});
        onnx("Cast", c -> cast(c, DataType.fromOnnx((int) c.attrs().requireInt("to"))));
        onnx("CastLike", c -> cast(c, c.type(1)));

        // Shape computation and rearrangement.
        onnx("Constant", c -> new ShapeValue[0]); // always evaluated by ShapeInference
        onnx("Shape", ShapeRules::shapeOf);
        onnx("Size", c -> new ShapeValue[] {ShapeValue.ofElements(DataType.INT64,
            List.of(c.shape(0) == null ? Elem.UNKNOWN : Elem.of(product(c.shape(0)))), true)});
        onnx("ConstantOfShape", ShapeRules::constantOfShape);
        onnx("Reshape", ShapeRules::reshape);
        onnx("Flatten", ShapeRules::flatten);
        onnx("Squeeze", ShapeRules::squeeze);
        onnx("Unsqueeze", ShapeRules::unsqueeze);
        onnx("Transpose", ShapeRules::transpose);
        onnx("Concat", ShapeRules::concat);
        onnx("Split", ShapeRules::split);
        onnx("Expand", c -> one(c.type(0), broadcast(Arrays.asList(c.shape(0), shapeInput(c, 1)))));
        onnx("Slice", ShapeRules::slice);
        onnx("Pad", ShapeRules::pad);
        onnx("Gather", ShapeRules::gather);
        onnx("GatherElements", ShapeRules::gatherElements);
        onnx("GatherND", ShapeRules::gatherNd);

        // Reductions and normalizations.
        onnx("ReduceSum", c -> reduce(c, 13));
        onnx("ReduceMean", c -> reduce(c, 18));
        onnx("ReduceMax", c -> reduce(c, 18));
        onnx("ReduceMin", c -> reduce(c, 18));
        onnx("LayerNormalization", ShapeRules::layerNorm);
        onnx("BatchNormalization", ShapeRules::batchNorm);

        // Neural-network operators.
        onnx("Conv", c -> one(DataType.FLOAT, conv(c, 0, 1)));
        onnx("ConvTranspose", ShapeRules::convTranspose);
        onnx("Gemm", c -> one(DataType.FLOAT, gemm(c.shape(0), c.shape(1), c.getInt("transA", 0) != 0,
            c.getInt("transB", 0) != 0)));
        onnx("MatMul", c -> one(DataType.FLOAT, matMul(c.shape(0), c.shape(1))));
        onnx("MaxPool", c -> {
            List<Dim> s = pool(c);
            return new ShapeValue[] {ShapeValue.of(c.type(0), s), ShapeValue.of(DataType.INT64, s)};
        });
        onnx("AveragePool", c -> one(DataType.FLOAT, pool(c)));
        onnx("GlobalAveragePool", c -> one(DataType.FLOAT, globalPool(c.shape(0))));
        onnx("Resize", ShapeRules::resize);

        // Quantization and integer operators.
        onnx("QuantizeLinear", c -> one(quantizeType(c), c.shape(0)));
        onnx("DequantizeLinear", c -> one(DataType.FLOAT, c.shape(0)));
        onnx("DynamicQuantizeLinear", c -> new ShapeValue[] {ShapeValue.of(DataType.UINT8, c.shape(0)),
            ShapeValue.of(DataType.FLOAT, List.of()), ShapeValue.of(DataType.UINT8, List.of())});
        onnx("MatMulInteger", c -> one(DataType.INT32, matMul(c.shape(0), c.shape(1))));
        onnx("QLinearMatMul", c -> one(c.type(7), matMul(c.shape(0), c.shape(3))));
        onnx("ConvInteger", c -> one(DataType.INT32, conv(c, 0, 1)));
        onnx("QLinearConv", c -> one(c.type(7), conv(c, 0, 3))); // no channels_last in ONNX
        microsoft("QLinearConv", ShapeRules::qlinearConv);
        octet("QLinearConv", ShapeRules::qlinearConv);
        microsoft("QGemm", c -> one(c.has(7) ? (c.has(8) ? c.type(8) : null) : DataType.FLOAT,
            gemm(c.shape(0), c.shape(3), false, c.getInt("transB", 0) != 0)));
        microsoft("QLinearAdd", c -> one(c.has(7) ? c.type(7) : c.type(0), broadcastInputs(c, 0, 3)));
        microsoft("QLinearMul", c -> one(c.has(7) ? c.type(7) : c.type(0), broadcastInputs(c, 0, 3)));
        microsoft("QLinearSigmoid", c -> one(c.has(4) ? c.type(4) : c.type(0), c.shape(0)));
        microsoft("QLinearLeakyRelu", c -> one(c.has(4) ? c.type(4) : c.type(0), c.shape(0)));
        microsoft("QLinearGlobalAveragePool", c -> one(c.type(4), globalPool(c.shape(0))));
        microsoft("MatMulIntegerToFloat", c -> one(DataType.FLOAT, matMul(c.shape(0), c.shape(1))));

        // Fused transformer operators.
        octet("LayerNormalization", c -> one(DataType.FLOAT, c.shape(0)));
        microsoft("Gelu", c -> one(DataType.FLOAT, c.shape(0)));
        octet("Attention", ShapeRules::attention);
    }

    private static void onnx(String op, Rule rule) {
        TABLE.put(OpRegistry.ONNX_DOMAIN + ":" + op, rule);
    }

    private static void microsoft(String op, Rule rule) {
        TABLE.put(OpRegistry.MICROSOFT_DOMAIN + ":" + op, rule);
    }

    private static void octet(String op, Rule rule) {
        TABLE.put(OpRegistry.OCTET_DOMAIN + ":" + op, rule);
    }

    /** The rule for an op, or null when there is none (every output is then unknown). */
    static Rule rule(String domain, String opType) {
        return TABLE.get(OpRegistry.normalizeDomain(domain) + ":" + opType);
    }

    /** The ops that have a rule, as "domain:op", for the coverage test. */
    static java.util.Set<String> coveredOps() {
        return java.util.Set.copyOf(TABLE.keySet());
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private static ShapeValue[] one(DataType type, List<Dim> shape) {
        return new ShapeValue[] {ShapeValue.of(type, shape)};
    }

    private static DataType known(DataType a, DataType b) {
        return a != null ? a : b;
    }

    private static ShapeValue[] sameAsInput(ShapeContext c) {
        return one(c.type(0), c.shape(0));
    }

    private static List<Dim> broadcastInputs(ShapeContext c, int... inputs) {
        List<List<Dim>> shapes = new ArrayList<>();
        for (int i : inputs) {
            shapes.add(c.shape(i));
        }
        return broadcast(shapes);
    }

    /** A shape given as an integer tensor input: its elements as dims, or unknown dims of a known count. */
    private static List<Dim> shapeInput(ShapeContext c, int i) {
        List<Elem> e = c.elements(i);
        if (e != null) {
            return e.stream().map(Elem::toDim).toList();
        }
        List<Dim> s = c.shape(i);
        return s != null && s.size() == 1 && s.get(0).isFixed() ? unknown((int) s.get(0).value()) : null;
    }

    /** Axes from an attribute before {@code inputSince}, else from input 1; null = absent, {@code UNKNOWN_AXES} = not constant. */
    private static long[] axes(ShapeContext c, int inputSince) {
        if (c.opset() < inputSince) {
            return c.attrs().getInts("axes");
        }
        if (!c.has(1)) {
            return null;
        }
        long[] v = c.longs(1);
        return v != null ? v : UNKNOWN_AXES;
    }

    private static final long[] UNKNOWN_AXES = new long[0];

    // ---- elementwise ------------------------------------------------------------------------------------

    /**
     * Add/Sub/Mul/Div, computing shape-valued elements: fixed with fixed is evaluated (at the type's width),
     * and adding 0 or multiplying by 1 keeps a symbol.
     */
    private static ShapeValue[] arith(ShapeContext c, LongBinaryOperator f, long neutral, boolean commutative) {
        DataType t = known(c.type(0), c.type(1));
        List<Dim> shape = broadcastInputs(c, 0, 1);
        List<Elem> a = c.elements(0), b = c.elements(1);
        if (a == null || b == null || shape == null || shape.size() > 1 || !ShapeValue.isIndexType(t)) {
            return one(t, shape);
        }
        int n = Math.max(a.size(), b.size());
        if ((a.size() != n && a.size() != 1) || (b.size() != n && b.size() != 1)) {
            return one(t, shape);
        }
        List<Elem> r = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Elem x = a.get(a.size() == 1 ? 0 : i), y = b.get(b.size() == 1 ? 0 : i);
            Elem e = Elem.UNKNOWN;
            if (x.fixed() && y.fixed()) {
                long v = f.applyAsLong(x.value(), y.value());
                // Long.MIN_VALUE marks a division by zero, which fails at run time.
                e = v == Long.MIN_VALUE ? Elem.UNKNOWN : Elem.of(t == DataType.INT32 ? (int) v : v);
            } else if (y.fixed() && y.value() == neutral) {
                e = x;
            } else if (commutative && x.fixed() && x.value() == neutral) {
                e = y;
            }
            r.add(e);
        }
        return new ShapeValue[] {new ShapeValue(t, shape, null, r)};
    }

    private static ShapeValue[] variadic(ShapeContext c) {
        List<List<Dim>> shapes = new ArrayList<>();
        DataType t = null;
        for (int i = 0; i < c.attrs().inputCount(); i++) {
            shapes.add(c.shape(i));
            t = known(t, c.type(i));
        }
        return one(t, broadcast(shapes));
    }

    private static ShapeValue[] cast(ShapeContext c, DataType to) {
        List<Elem> e = c.elements(0);
        if (e == null || !ShapeValue.isIndexType(to)) {
            return one(to, c.shape(0));
        }
        // Casting between int32 and int64 keeps the low bits; symbols are tensor dims, which fit in int32.
        List<Elem> r = e.stream().map(x -> x.fixed() && to == DataType.INT32 ? Elem.of((int) x.value()) : x).toList();
        return new ShapeValue[] {new ShapeValue(to, c.shape(0), null, r)};
    }

    // ---- shape ops --------------------------------------------------------------------------------------

    private static ShapeValue[] shapeOf(ShapeContext c) {
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

    private static int clampToRank(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        return (int) Math.max(0, Math.min(a, rank));
    }

    private static ShapeValue[] constantOfShape(ShapeContext c) {
        Tensor value = c.attrs().getTensor("value");
        return one(value == null ? DataType.FLOAT : value.type(), shapeInput(c, 0));
    }

    private static ShapeValue[] reshape(ShapeContext c) {
        boolean allowZero = c.opset() >= 14 && c.getInt("allowzero", 0) != 0;
        List<Elem> spec = c.elements(1);
        if (spec == null) {
            return one(c.type(0), shapeInput(c, 1));
        }
        return one(c.type(0), ShapeDims.reshape(c.shape(0), spec, allowZero));
    }

    private static ShapeValue[] flatten(ShapeContext c) {
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

    private static ShapeValue[] squeeze(ShapeContext c) {
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

    private static ShapeValue[] unsqueeze(ShapeContext c) {
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

    private static ShapeValue[] transpose(ShapeContext c) {
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

    private static ShapeValue[] concat(ShapeContext c) {
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

    private static ShapeValue[] split(ShapeContext c) {
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

    /** The coordinates a slice takes from an axis of fixed size {@code dim}, as Octet's Slice computes them. */
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
            count = begin > stop ? 1 - (begin - stop - 1) / step : 0;
        }
        long[] idx = new long[(int) count];
        for (int k = 0; k < count; k++) {
            idx[k] = begin + k * step;
        }
        return idx;
    }

    private static ShapeValue[] slice(ShapeContext c) {
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
                return sliceUnknownBounds(c, s, axes);
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
        long[] elementIndex = null;
        for (int i = 0; i < n; i++) {
            int a = axis(axes == null ? i : axes[i], s.size(), "Slice axis");
            long step = steps == null ? 1 : steps[i];
            if (seen[a] || step == 0) {
                throw c.fail("Slice repeats axis " + a + " or has a zero step");
            }
            seen[a] = true;
            Dim dim = s.get(a);
            if (dim.isFixed()) {
                long[] idx = sliceRange(starts[i], ends[i], step, dim.value());
                out.set(a, Dim.of(idx.length));
                elementIndex = idx;
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
            for (long k : elementIndex != null ? elementIndex : sliceRange(0, e.size(), 1, e.size())) {
                elements.add(e.get((int) k));
            }
        }
        return new ShapeValue[] {new ShapeValue(c.type(0), out, null, elements)};
    }

    /**
     * Slice whose bounds are not all constant: only the sliced axes change, and which ones is known only
     * with constant axes. A symbolic end with start 0 and step 1 (positions up to a length) still gives
     * min(end, dim).
     */
    private static ShapeValue[] sliceUnknownBounds(ShapeContext c, List<Dim> s, long[] axes) {
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

    private static ShapeValue[] pad(ShapeContext c) {
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

    private static ShapeValue[] gather(ShapeContext c) {
        List<Dim> s = c.shape(0);
        List<Dim> is = c.shape(1);
        if (s == null || is == null) {
            return one(c.type(0), null);
        }
        int a = axis(c.getInt("axis", 0), s.size(), "Gather axis");
        List<Dim> out = new ArrayList<>(s.subList(0, a));
        out.addAll(is);
        out.addAll(s.subList(a + 1, s.size()));
        List<Elem> e = c.elements(0);
        long[] idx = c.longs(1);
        List<Elem> elements = null;
        if (e != null && s.size() == 1 && idx != null && is.size() <= 1) {
            elements = new ArrayList<>();
            for (long i : idx) {
                if (i < -e.size() || i >= e.size()) {
                    elements = null;
                    break;
                }
                elements.add(e.get((int) (i < 0 ? i + e.size() : i)));
            }
        }
        return new ShapeValue[] {new ShapeValue(c.type(0), out, null, elements)};
    }

    private static ShapeValue[] gatherElements(ShapeContext c) {
        if (c.rank(0) >= 0 && c.rank(1) >= 0 && c.rank(0) != c.rank(1)) {
            throw c.fail("GatherElements data " + c.shape(0) + " and indices " + c.shape(1) + " differ in rank");
        }
        return one(c.type(0), c.shape(1));
    }

    private static ShapeValue[] gatherNd(ShapeContext c) {
        List<Dim> s = c.shape(0), is = c.shape(1);
        long b = c.opset() >= 12 ? c.getInt("batch_dims", 0) : 0;
        if (s == null || is == null || is.isEmpty() || !is.get(is.size() - 1).isFixed()) {
            return one(c.type(0), null);
        }
        long k = is.get(is.size() - 1).value();
        if (b >= Math.min(s.size(), is.size()) || k < 1 || k > s.size() - b) {
            throw c.fail("GatherND indices " + is + " do not fit data " + s + " with batch_dims " + b);
        }
        List<Dim> out = new ArrayList<>(is.subList(0, is.size() - 1));
        out.addAll(s.subList((int) (b + k), s.size()));
        return one(c.type(0), out);
    }

    // ---- reductions -------------------------------------------------------------------------------------

    private static ShapeValue[] reduce(ShapeContext c, int axesInputSince) {
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
                return sameAsInput(c);
            }
            Arrays.fill(reduced, true);
        } else {
            for (long a : axes) {
                int d = axis(a, s.size(), "reduction axis");
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

    private static ShapeValue[] layerNorm(ShapeContext c) {
        List<Dim> s = c.shape(0);
        List<Dim> stats = null;
        if (s != null) {
            int a = axis(c.getInt("axis", -1), s.size(), "LayerNormalization axis");
            stats = new ArrayList<>(s);
            for (int d = a; d < s.size(); d++) {
                stats.set(d, Dim.of(1));
            }
        }
        return new ShapeValue[] {ShapeValue.of(DataType.FLOAT, s), ShapeValue.of(DataType.FLOAT, stats),
            ShapeValue.of(DataType.FLOAT, stats)};
    }

    /** dev.octet Attention: [B, Sq, H*Dv] from query [B, Sq, H*D] and value [B, Sk, H*Dv]. */
    private static ShapeValue[] attention(ShapeContext c) {
        List<Dim> q = c.shape(0), v = c.shape(2);
        if ((q != null && q.size() != 3) || (v != null && v.size() != 3)) {
            throw c.fail("Attention needs rank-3 query and value, got " + q + " and " + v);
        }
        if (q == null) {
            return one(DataType.FLOAT, v == null ? null : List.of(Dim.UNKNOWN, Dim.UNKNOWN, v.get(2)));
        }
        return one(DataType.FLOAT, List.of(q.get(0), q.get(1), v == null ? Dim.UNKNOWN : v.get(2)));
    }

    private static ShapeValue[] batchNorm(ShapeContext c) {
        List<Dim> s = c.shape(0);
        if (s != null && s.size() < 2) {
            throw c.fail("BatchNormalization needs an input of rank >= 2, got " + s);
        }
        List<Dim> channels = s == null ? unknown(1) : List.of(s.get(1));
        return new ShapeValue[] {ShapeValue.of(DataType.FLOAT, s), ShapeValue.of(DataType.FLOAT, channels),
            ShapeValue.of(DataType.FLOAT, channels)};
    }

    // ---- neural-network operators -----------------------------------------------------------------------

    /** numpy matmul: 1-D operands gain (then lose) a unit dim, leading batch dims broadcast. */
    static List<Dim> matMul(List<Dim> a, List<Dim> b) {
        if (a == null || b == null) {
            return null;
        }
        if (a.isEmpty() || b.isEmpty()) {
            throw new ShapeDims.Incompatible("matmul operands must have rank 1 or more, got " + a + " and " + b);
        }
        List<Dim> as = a.size() == 1 ? List.of(Dim.of(1), a.get(0)) : a;
        List<Dim> bs = b.size() == 1 ? List.of(b.get(0), Dim.of(1)) : b;
        same(as.get(as.size() - 1), bs.get(bs.size() - 2), "matmul inner dimensions of " + a + " and " + b + " differ");
        List<Dim> out = new ArrayList<>(broadcast(Arrays.asList(as.subList(0, as.size() - 2),
            bs.subList(0, bs.size() - 2))));
        if (a.size() > 1) {
            out.add(as.get(as.size() - 2));
        }
        if (b.size() > 1) {
            out.add(bs.get(bs.size() - 1));
        }
        return out;
    }

    private static List<Dim> gemm(List<Dim> a, List<Dim> b, boolean transA, boolean transB) {
        if ((a != null && a.size() != 2) || (b != null && b.size() != 2)) {
            throw new ShapeDims.Incompatible("Gemm needs 2-D A and B, got " + a + " and " + b);
        }
        Dim m = a == null ? Dim.UNKNOWN : a.get(transA ? 1 : 0);
        Dim n = b == null ? Dim.UNKNOWN : b.get(transB ? 0 : 1);
        if (a != null && b != null) {
            same(a.get(transA ? 0 : 1), b.get(transB ? 1 : 0), "Gemm inner dimensions of " + a + " and " + b + " differ");
        }
        return List.of(m, n);
    }

    /** A stand-in size for unknown spatial dims, large enough for any kernel; its outputs are discarded. */
    private static final int PLACEHOLDER = 1 << 20;

    /**
     * Output spatial dims of a conv or pool: computed by {@link ConvGeometry} itself for the fixed dims,
     * unknown for the others (each output dim depends only on its own input dim).
     */
    private static List<Dim> spatial(ConvGeometry g, List<Dim> in, boolean ceilMode) {
        int[] sizes = new int[in.size()];
        for (int d = 0; d < sizes.length; d++) {
            sizes[d] = in.get(d).isFixed() ? (int) in.get(d).value() : PLACEHOLDER;
        }
        int[] out;
        try {
            out = g.outputSpatial(sizes, ceilMode);
        } catch (OctetException e) {
            throw new ShapeDims.Incompatible(e.getMessage());
        }
        List<Dim> r = new ArrayList<>();
        for (int d = 0; d < sizes.length; d++) {
            r.add(in.get(d).isFixed() ? Dim.of(out[d]) : Dim.UNKNOWN);
        }
        return r;
    }

    /** Conv, ConvInteger and QLinearConv: [N, M, spatial...] with channel and kernel checks. */
    private static List<Dim> conv(ShapeContext c, int xi, int wi) {
        return conv(c, c.shape(xi), c.shape(wi));
    }

    /** The NCHW rule for X's shape {@code xs} in NCHW order. */
    private static List<Dim> conv(ShapeContext c, List<Dim> xs, List<Dim> ws) {
        long group = c.getInt("group", 1);
        int[] kernel = c.attrs().getIntArray("kernel_shape");
        if (ws != null && ws.size() < 3) {
            throw c.fail("W must have rank 3 or more, got " + ws);
        }
        int r = ws != null ? ws.size() - 2 : kernel != null ? kernel.length : xs != null ? xs.size() - 2 : -1;
        if (r < 0) {
            return null;
        }
        if (xs != null && xs.size() != r + 2) {
            throw c.fail("X " + xs + " and W " + ws + " must both have rank " + (r + 2));
        }
        if (xs != null && ws != null && xs.get(1).isFixed() && ws.get(1).isFixed()
            && xs.get(1).value() != ws.get(1).value() * group) {
            throw c.fail("X " + xs + " does not match W " + ws + " with group " + group);
        }
        if (ws != null && ws.get(0).isFixed() && ws.get(0).value() % group != 0) {
            throw c.fail("W " + ws + " has output channels not divisible by group " + group);
        }
        List<Dim> out = new ArrayList<>();
        out.add(xs == null ? Dim.UNKNOWN : xs.get(0));
        out.add(ws == null ? Dim.UNKNOWN : ws.get(0));
        int[] wk = ws == null ? null : ShapeDims.toInts(ws.subList(2, ws.size()));
        if (kernel != null && wk != null && !Arrays.equals(kernel, wk)) {
            throw c.fail("kernel_shape " + Arrays.toString(kernel) + " does not match W " + ws);
        }
        int[] k = wk != null ? wk : kernel;
        if (xs == null || k == null) {
            out.addAll(unknown(r));
            return out;
        }
        out.addAll(spatial(ConvGeometry.read(c.attrs(), k), xs.subList(2, xs.size()), false));
        return out;
    }

    private static ShapeValue[] qlinearConv(ShapeContext c) {
        if (c.getInt("channels_last", 0) == 0) {
            return one(c.type(7), conv(c, 0, 3));
        }
        // X and Y are [N, spatial..., C]: the NCHW rule with the channels moved first and back last.
        List<Dim> xs = c.shape(0);
        List<Dim> y = conv(c, xs == null || xs.size() < 2 ? xs : moveDim(xs, xs.size() - 1, 1), c.shape(3));
        return one(c.type(7), y == null || y.size() < 2 ? y : moveDim(y, 1, y.size() - 1));
    }

    private static List<Dim> moveDim(List<Dim> dims, int from, int to) {
        List<Dim> r = new ArrayList<>(dims);
        r.add(to, r.remove(from));
        return r;
    }

    private static ShapeValue[] convTranspose(ShapeContext c) {
        List<Dim> xs = c.shape(0), ws = c.shape(1);
        long group = c.getInt("group", 1);
        if (ws == null || ws.size() < 3) {
            return one(DataType.FLOAT, xs == null ? null : unknown(xs.size()));
        }
        int r = ws.size() - 2;
        if (xs != null && xs.size() != r + 2) {
            throw c.fail("X " + xs + " and W " + ws + " must both have rank " + (r + 2));
        }
        if (xs != null) {
            same(xs.get(1), ws.get(0), "X channels and W's first dimension differ");
        }
        List<Dim> out = new ArrayList<>();
        out.add(xs == null ? Dim.UNKNOWN : xs.get(0));
        out.add(ws.get(1).isFixed() ? Dim.of(ws.get(1).value() * group) : Dim.UNKNOWN);
        int[] k = ShapeDims.toInts(ws.subList(2, ws.size()));
        int[] outputShape = c.attrs().getIntArray("output_shape");
        int[] outputPadding = c.attrs().getIntArray("output_padding");
        ConvGeometry g = k == null ? null : ConvGeometry.read(c.attrs(), k);
        boolean same = g != null && (g.autoPad() == ConvGeometry.AutoPad.SAME_UPPER
            || g.autoPad() == ConvGeometry.AutoPad.SAME_LOWER);
        for (int d = 0; d < r; d++) {
            Dim in = xs == null ? Dim.UNKNOWN : xs.get(2 + d);
            if (outputShape != null) {
                out.add(Dim.of(outputShape[outputShape.length - r + d]));
            } else if (g == null || !in.isFixed()) {
                out.add(Dim.UNKNOWN);
            } else {
                int size = (int) in.value();
                int stride = g.strides()[d];
                if (same) {
                    out.add(Dim.of((long) size * stride));
                } else {
                    int[] inSp = new int[r];
                    Arrays.fill(inSp, PLACEHOLDER);
                    inSp[d] = size;
                    int[] pads = g.pads(inSp);
                    int op = outputPadding == null ? 0 : outputPadding[d];
                    long full = (long) stride * (size - 1) + op + (long) (k[d] - 1) * g.dilations()[d] + 1;
                    out.add(Dim.of(Math.max(0, full - pads[d] - pads[d + r])));
                }
            }
        }
        return one(DataType.FLOAT, out);
    }

    private static List<Dim> pool(ShapeContext c) {
        List<Dim> xs = c.shape(0);
        int[] kernel = c.attrs().getIntArray("kernel_shape");
        if (kernel == null) {
            return null;
        }
        if (xs == null) {
            return unknown(kernel.length + 2);
        }
        if (xs.size() != kernel.length + 2) {
            throw c.fail("pool input " + xs + " must have rank " + (kernel.length + 2));
        }
        List<Dim> out = new ArrayList<>(xs.subList(0, 2));
        out.addAll(spatial(ConvGeometry.read(c.attrs(), null), xs.subList(2, xs.size()), c.getInt("ceil_mode", 0) != 0));
        return out;
    }

    private static List<Dim> globalPool(List<Dim> s) {
        if (s == null) {
            return null;
        }
        if (s.size() < 3) {
            throw new ShapeDims.Incompatible("global pooling needs rank 3 or more, got " + s);
        }
        List<Dim> out = new ArrayList<>(s);
        for (int d = 2; d < s.size(); d++) {
            out.set(d, Dim.of(1));
        }
        return out;
    }

    /** Resize: sizes or scales (constant, empty ones meaning absent) give each resized axis its size. */
    private static ShapeValue[] resize(ShapeContext c) {
        List<Dim> s = c.shape(0);
        if (s == null) {
            return one(DataType.FLOAT, null);
        }
        boolean opset10 = c.opset() < 11;
        int scalesInput = opset10 ? 1 : 2;
        ShapeValue scalesV = c.in(scalesInput);
        ShapeValue sizesV = opset10 ? ShapeValue.UNKNOWN : c.in(3);
        boolean hasScales = c.has(scalesInput), hasSizes = !opset10 && c.has(3);
        if ((hasScales && scalesV.constant() == null) || (hasSizes && sizesV.constant() == null)) {
            return one(DataType.FLOAT, unknown(s.size()));
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
                return one(DataType.FLOAT, out);
            }
            int[] in = ShapeDims.toInts(s);
            if (in == null) {
                return one(DataType.FLOAT, unknown(s.size()));
            }
            // One scale for all resized axes, the smallest or largest requested, as ResizeOp computes it.
            double scale = (double) sizes.getLong(0) / in[ax[0]];
            for (int i = 0; i < ax.length; i++) {
                double si = (double) sizes.getLong(i) / in[ax[i]];
                scale = policy.equals("not_larger") ? Math.min(scale, si) : Math.max(scale, si);
            }
            for (int a : ax) {
                out.set(a, Dim.of((int) (scale * in[a] + 0.5)));
            }
            return one(DataType.FLOAT, out);
        }
        if (scales != null && sizes == null && scales.size() == ax.length && scales.type() == DataType.FLOAT) {
            float[] sc = scales.floats();
            for (int i = 0; i < ax.length; i++) {
                Dim d = s.get(ax[i]);
                out.set(ax[i], d.isFixed() ? Dim.of((int) Math.floor((double) sc[i] * d.value()))
                    : sc[i] == 1f ? d : Dim.UNKNOWN);
            }
            return one(DataType.FLOAT, out);
        }
        return one(DataType.FLOAT, unknown(s.size()));
    }

    private static DataType quantizeType(ShapeContext c) {
        if (c.has(2)) {
            return c.type(2);
        }
        long declared = c.getInt("output_dtype", 0);
        return declared == 0 ? DataType.UINT8 : DataType.fromOnnx((int) declared);
    }
}
