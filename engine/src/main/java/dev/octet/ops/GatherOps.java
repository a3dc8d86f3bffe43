package dev.octet.ops;

import static dev.octet.ops.ShapeDims.axis;
import static dev.octet.ops.ShapeDims.product;
import static dev.octet.ops.ShapeKernels.checkIndex;
import static dev.octet.ops.ShapeKernels.error;
import static dev.octet.ops.ShapeKernels.normalizeAxis;
import static dev.octet.ops.ShapeKernels.product;
import static dev.octet.ops.ShapeKernels.requireInputs;
import static dev.octet.ops.Shapes.one;

import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import dev.octet.ops.ShapeValue.Elem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Gather, GatherElements and GatherND. Indices are int32 or int64, negative ones count from the end of
 * their axis, and every index is checked against its bound before any element is copied.
 */
final class GatherOps {
    private GatherOps() {}

    static void register(OpRegistry.Builder r) {
        r.onnx("Gather", 1).traits(OpTrait.ANY_ELEMENT_TYPE, OpTrait.DATA_MOVEMENT).inputs("rr").outputs("r").shape(GatherOps::inferGather).factory(GatherOps::gather);
        r.onnx("GatherElements", 11).traits(OpTrait.ANY_ELEMENT_TYPE).inputs("rr").outputs("r").shape(GatherOps::inferGatherElements).factory(GatherOps::gatherElements);
        r.onnx("GatherND", 11).traits(OpTrait.ANY_ELEMENT_TYPE).inputs("rr").outputs("r").shape(GatherOps::inferGatherNd).factory(GatherOps::gatherNd);
    }

    private static Op gather(OpContext ctx) {
        requireInputs(ctx, 2);
        long axis = ctx.getInt("axis", 0);
        return Op.withBuffers((in, buffers) -> {
            Tensor x = in[0];
            Tensor indices = in[1];
            int[] s = x.shapeView();
            int a = normalizeAxis(axis, s.length, "Gather axis");
            int dim = s[a];
            int[] idx = ShapeKernels.readIndices(indices, dim, "Gather");
            // Output shape: data[:axis] + indices.shape + data[axis+1:].
            int[] is = indices.shapeView();
            int[] out = new int[s.length - 1 + is.length];
            System.arraycopy(s, 0, out, 0, a);
            System.arraycopy(is, 0, out, a, is.length);
            System.arraycopy(s, a + 1, out, a + is.length, s.length - a - 1);
            Object data = buffers.array(x.type(), Tensor.checkedSize(out));
            int outer = product(s, 0, a);
            int inner = product(s, a + 1, s.length);
            for (int o = 0; o < outer; o++) {
                for (int j = 0; j < idx.length; j++) {
                    System.arraycopy(x.data(), (o * dim + idx[j]) * inner, data, (o * idx.length + j) * inner, inner);
                }
            }
            return new Tensor[] {Tensor.of(x.type(), out, data)};
        });
    }

    private static Op gatherElements(OpContext ctx) {
        requireInputs(ctx, 2);
        long axis = ctx.getInt("axis", 0);
        return in -> {
            Tensor x = in[0];
            Tensor indices = in[1];
            int[] s = x.shapeView();
            int[] is = indices.shapeView();
            if (is.length != s.length) {
                throw error("GatherElements indices " + Arrays.toString(is) + " and data " + Arrays.toString(s)
                    + " differ in rank");
            }
            int a = normalizeAxis(axis, s.length, "GatherElements axis");
            int[] strides = ShapeKernels.strides(s);
            int[][] offsets = new int[s.length][];
            for (int d = 0; d < s.length; d++) {
                if (d != a && is[d] > s[d]) {
                    throw error("GatherElements indices " + Arrays.toString(is) + " exceed data " + Arrays.toString(s)
                        + " in dimension " + d);
                }
                // Along the gather axis the position comes from the index value, added below.
                offsets[d] = ShapeKernels.ramp(is[d], d == a ? 0 : strides[d]);
            }
            int[] idx = ShapeKernels.readIndices(indices, s[a], "GatherElements");
            int[] map = ShapeKernels.flatMap(offsets);
            for (int k = 0; k < map.length; k++) {
                map[k] += idx[k] * strides[a];
            }
            return new Tensor[] {ShapeKernels.gather(x, map, is, null)};
        };
    }

    private static Op gatherNd(OpContext ctx) {
        requireInputs(ctx, 2);
        long batchDims = ctx.opset() >= 12 ? ctx.getInt("batch_dims", 0) : 0;
        if (batchDims < 0) {
            throw ctx.fail("batch_dims " + batchDims + " is negative");
        }
        return in -> {
            Tensor x = in[0];
            Tensor indices = in[1];
            ShapeKernels.checkIndexType(indices, "GatherND indices");
            int[] s = x.shapeView();
            int[] is = indices.shapeView();
            int r = s.length;
            int q = is.length;
            if (batchDims >= Math.min(r, q)) {
                throw error("GatherND batch_dims " + batchDims + " must be less than the ranks of data "
                    + Arrays.toString(s) + " and indices " + Arrays.toString(is));
            }
            int b = (int) batchDims;
            int k = is[q - 1];
            if (k < 1 || k > r - b) {
                throw error("GatherND index tuples of length " + k + " do not fit data " + Arrays.toString(s)
                    + " with batch_dims " + b);
            }
            for (int d = 0; d < b; d++) {
                if (is[d] != s[d]) {
                    throw error("GatherND batch dimension " + d + " differs: data " + Arrays.toString(s)
                        + ", indices " + Arrays.toString(is));
                }
            }
            // Output shape: indices.shape[:-1] + data.shape[b+k:].
            int[] out = new int[q - 1 + r - b - k];
            System.arraycopy(is, 0, out, 0, q - 1);
            System.arraycopy(s, b + k, out, q - 1, r - b - k);
            Object data = Tensor.newArray(x.type(), Tensor.checkedSize(out));
            int[] strides = ShapeKernels.strides(s);
            int batches = product(s, 0, b);
            int batchSize = product(s, b, r);
            int tuples = product(is, b, q - 1);
            int inner = product(s, b + k, r);
            for (int g = 0; g < batches; g++) {
                for (int t = 0; t < tuples; t++) {
                    int tuple = g * tuples + t;
                    int offset = g * batchSize;
                    for (int j = 0; j < k; j++) {
                        offset += checkIndex(indices.getLong(tuple * k + j), s[b + j], "GatherND") * strides[b + j];
                    }
                    System.arraycopy(x.data(), offset, data, tuple * inner, inner);
                }
            }
            return new Tensor[] {Tensor.of(x.type(), out, data)};
        };
    }

    // ---- shape rules ----------------------------------------------------------------------------------

    private static ShapeValue[] inferGather(ShapeContext c) {
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

    private static ShapeValue[] inferGatherElements(ShapeContext c) {
        if (c.rank(0) >= 0 && c.rank(1) >= 0 && c.rank(0) != c.rank(1)) {
            throw c.fail("GatherElements data " + c.shape(0) + " and indices " + c.shape(1) + " differ in rank");
        }
        return one(c.type(0), c.shape(1));
    }

    private static ShapeValue[] inferGatherNd(ShapeContext c) {
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
}
