package dev.octet.ops;

import static dev.octet.ops.ShapeDims.broadcast;
import static dev.octet.ops.ShapeDims.same;
import static dev.octet.ops.ShapeDims.unknown;

import dev.octet.api.DataType;
import dev.octet.api.OctetException;
import dev.octet.ir.Dim;
import dev.octet.ops.ShapeValue.Elem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The helpers shape rules share: building results, broadcasting inputs, and the conv, pool and matmul arithmetic. */
final class Shapes {
    private Shapes() {}

    static ShapeValue[] one(DataType type, List<Dim> shape) {
        return new ShapeValue[] {ShapeValue.of(type, shape)};
    }

    /** FLOAT outputs of the given ranks (a negative rank: unknown), every dimension unknown: one per output. */
    static ShapeValue[] floatsOfRank(int... ranks) {
        ShapeValue[] r = new ShapeValue[ranks.length];
        for (int i = 0; i < ranks.length; i++) {
            r[i] = ShapeValue.of(DataType.FLOAT, ranks[i] < 0 ? null : ShapeDims.unknown(ranks[i]));
        }
        return r;
    }

    static DataType known(DataType a, DataType b) {
        return a != null ? a : b;
    }

    static List<Dim> broadcastInputs(ShapeContext c, int... inputs) {
        List<List<Dim>> shapes = new ArrayList<>();
        for (int i : inputs) {
            shapes.add(c.shape(i));
        }
        return broadcast(shapes);
    }

    /**
     * The highest rank a shape given as a tensor may spell (NumPy's limit); a longer shape tensor is a malformed
     * model, not a reason to build a shape of billions of dims.
     */
    static final int MAX_RANK = 64;

    /** A shape given as an integer tensor input: its elements as dims, or unknown dims of a known count. */
    static List<Dim> shapeInput(ShapeContext c, int i) {
        List<Dim> s = c.shape(i);
        if (s != null && s.size() == 1 && s.get(0).isFixed() && s.get(0).value() > MAX_RANK) {
            throw c.fail("a shape tensor of " + s.get(0).value() + " elements would give rank " + s.get(0).value()
                + "; Octet takes ranks up to " + MAX_RANK);
        }
        List<Elem> e = c.elements(i);
        if (e != null) {
            return e.stream().map(Elem::toDim).toList();
        }
        return s != null && s.size() == 1 && s.get(0).isFixed() ? unknown((int) s.get(0).value()) : null;
    }

    /** Axes from an attribute before {@code inputSince}, else from input 1; null = absent, {@code UNKNOWN_AXES} = not constant. */
    static long[] axes(ShapeContext c, int inputSince) {
        if (c.opset() < inputSince) {
            return c.attrs().getInts("axes");
        }
        if (!c.has(1)) {
            return null;
        }
        long[] v = c.longs(1);
        return v != null ? v : UNKNOWN_AXES;
    }

    static final long[] UNKNOWN_AXES = new long[0];

    /** numpy matmul: 1-D operands gain (then lose) a unit dim, leading batch dims broadcast. */
    static List<Dim> matMulShape(List<Dim> a, List<Dim> b) {
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

    static List<Dim> gemmShape(List<Dim> a, List<Dim> b, boolean transA, boolean transB) {
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
    static final int PLACEHOLDER = 1 << 20;

    /**
     * Output spatial dims of a conv or pool: computed by {@link ConvGeometry} itself for the fixed dims,
     * unknown for the others (each output dim depends only on its own input dim).
     */
    static List<Dim> spatialShape(ConvGeometry g, List<Dim> in, boolean ceilMode) {
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
    static List<Dim> convShape(ShapeContext c, int xi, int wi) {
        return convShape(c, c.shape(xi), c.shape(wi));
    }

    /** The NCHW rule for X's shape {@code xs} in NCHW order. */
    static List<Dim> convShape(ShapeContext c, List<Dim> xs, List<Dim> ws) {
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
        out.addAll(spatialShape(ConvGeometry.read(c.attrs(), k), xs.subList(2, xs.size()), false));
        return out;
    }

    static List<Dim> globalPoolShape(List<Dim> s) {
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

    static List<Dim> moveDim(List<Dim> dims, int from, int to) {
        List<Dim> r = new ArrayList<>(dims);
        r.add(to, r.remove(from));
        return r;
    }
}
