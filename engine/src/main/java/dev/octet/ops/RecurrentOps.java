package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;

/**
 * RNN, GRU and LSTM: a scalar reference over (seq, batch, input) or, with layout 1, (batch, seq, input) inputs,
 * forward, reverse or both, with per-batch sequence lengths (steps past a length output 0 and keep the state),
 * biases, initial states, clip, LSTM peepholes and input_forget, GRU linear_before_reset and the activation
 * functions the spec lists. Each step's gates are computed in double and its state kept in float, as ONNX's
 * float32 reference keeps it.
 */
final class RecurrentOps {
    private RecurrentOps() {}

    private enum Cell {
        RNN(1, List.of("Tanh")), GRU(3, List.of("Sigmoid", "Tanh")), LSTM(4, List.of("Sigmoid", "Tanh", "Tanh"));

        final int gates;
        final List<String> defaultActivations;

        Cell(int gates, List<String> defaultActivations) {
            this.gates = gates;
            this.defaultActivations = defaultActivations;
        }
    }

    private static final AttributeSpec<Long> HIDDEN_SIZE =
        AttributeSpec.intAttr("hidden_size", 0).requiring(v -> v > 0 && v <= Integer.MAX_VALUE, "a positive size");
    private static final AttributeSpec<String> DIRECTION = AttributeSpec.stringAttr("direction", "forward")
        .requiring(Set.of("forward", "reverse", "bidirectional")::contains, "forward, reverse or bidirectional");
    private static final AttributeSpec<Long> LAYOUT = AttributeSpec.flag("layout", 0);
    private static final AttributeSpec<Long> LINEAR_BEFORE_RESET = AttributeSpec.flag("linear_before_reset", 0);
    private static final AttributeSpec<Long> INPUT_FORGET = AttributeSpec.flag("input_forget", 0);
    private static final AttributeSpec<Float> CLIP =
        AttributeSpec.floatAttr("clip", Float.POSITIVE_INFINITY).requiring(v -> v > 0, "positive");

    private record Config(Cell cell, int hidden, int directions, boolean reverseOnly, boolean batchFirst,
                          boolean linearBeforeReset, boolean inputForget, double clip, DoubleUnaryOperator[] f) {}

    static void register(OpRegistry.Builder r) {
        // Version 14 added layout (default 0: the earlier behaviour); 22 only types. The outputs are all optional.
        r.onnx("RNN", 7).inputs("rrrooo").outputs("oo").attribute(HIDDEN_SIZE).attribute(DIRECTION)
            .attribute(LAYOUT).attribute(CLIP).shape(c -> Shapes.floatsOfRank(4, 3, 3))
            .factory(ctx -> factory(ctx, Cell.RNN));
        r.onnx("GRU", 7).inputs("rrrooo").outputs("oo").attribute(HIDDEN_SIZE).attribute(DIRECTION)
            .attribute(LAYOUT).attribute(CLIP).attribute(LINEAR_BEFORE_RESET).shape(c -> Shapes.floatsOfRank(4, 3, 3))
            .factory(ctx -> factory(ctx, Cell.GRU));
        r.onnx("LSTM", 7).inputs("rrrooooo").outputs("ooo").attribute(HIDDEN_SIZE).attribute(DIRECTION)
            .attribute(LAYOUT).attribute(CLIP).attribute(INPUT_FORGET).shape(c -> Shapes.floatsOfRank(4, 3, 3))
            .factory(ctx -> factory(ctx, Cell.LSTM));
    }

    private static Op factory(OpContext ctx, Cell cell) {
        String direction = ctx.get(DIRECTION);
        int directions = direction.equals("bidirectional") ? 2 : 1;
        Config cfg = new Config(cell, (int) (long) ctx.get(HIDDEN_SIZE), directions, direction.equals("reverse"),
            ctx.get(LAYOUT) == 1, cell == Cell.GRU && ctx.get(LINEAR_BEFORE_RESET) == 1,
            cell == Cell.LSTM && ctx.get(INPUT_FORGET) == 1, ctx.get(CLIP), activations(ctx, cell, directions));
        return in -> run(in, cfg);
    }

    /** The activations, one per function of the cell per direction, alpha and beta taken in order. */
    private static DoubleUnaryOperator[] activations(OpContext ctx, Cell cell, int directions) {
        int per = cell.defaultActivations.size();
        List<String> names = ctx.attributes().get("activations") instanceof Attribute.StringsAttr s ? s.values()
            : null;
        if (names == null) {
            names = directions == 1 ? cell.defaultActivations : concat(cell.defaultActivations);
        }
        if (names.size() != per * directions) {
            throw ctx.fail("attribute 'activations' must list " + per * directions + " functions, got " + names);
        }
        float[] alpha = ctx.has("activation_alpha") ? ctx.getFloats("activation_alpha") : new float[0];
        float[] beta = ctx.has("activation_beta") ? ctx.getFloats("activation_beta") : new float[0];
        int ai = 0;
        int bi = 0;
        DoubleUnaryOperator[] f = new DoubleUnaryOperator[names.size()];
        for (int i = 0; i < f.length; i++) {
            String name = names.get(i).toLowerCase(Locale.ROOT);
            boolean takesAlpha = Set.of("affine", "leakyrelu", "thresholdedrelu", "scaledtanh", "hardsigmoid", "elu")
                .contains(name);
            boolean takesBeta = Set.of("affine", "scaledtanh", "hardsigmoid").contains(name);
            double a = takesAlpha && ai < alpha.length ? alpha[ai++] : defaultAlpha(name);
            double b = takesBeta && bi < beta.length ? beta[bi++] : defaultBeta(name);
            f[i] = switch (name) {
                case "sigmoid" -> x -> 1 / (1 + StrictMath.exp(-x));
                case "tanh" -> Math::tanh;
                case "relu" -> x -> Math.max(x, 0);
                case "softsign" -> x -> x / (1 + Math.abs(x));
                case "softplus" -> x -> StrictMath.log1p(StrictMath.exp(-Math.abs(x))) + Math.max(x, 0);
                case "affine" -> x -> a * x + b;
                case "leakyrelu" -> x -> x < 0 ? a * x : x;
                case "thresholdedrelu" -> x -> x > a ? x : 0;
                case "scaledtanh" -> x -> a * StrictMath.tanh(b * x);
                case "hardsigmoid" -> x -> Math.max(0, Math.min(1, a * x + b));
                case "elu" -> x -> x < 0 ? a * (StrictMath.exp(x) - 1) : x;
                default -> throw ctx.unsupported("activation " + names.get(i) + " is not supported");
            };
        }
        return f;
    }

    private static List<String> concat(List<String> l) {
        return java.util.stream.Stream.concat(l.stream(), l.stream()).toList();
    }

    private static double defaultAlpha(String name) {
        return switch (name) {
            case "leakyrelu" -> 0.01;
            case "hardsigmoid" -> 0.2;
            default -> 1;
        };
    }

    private static double defaultBeta(String name) {
        return switch (name) {
            case "hardsigmoid" -> 0.5;
            case "affine" -> 0;
            default -> 1;
        };
    }

    private static OctetException bad(Cell cell, String message) {
        return new OctetException(ErrorCode.INVALID_INPUT, cell + ": " + message);
    }

    private static float[] param(Tensor t, Cell cell, String what, int... shape) {
        if (t.type() != DataType.FLOAT || !Arrays.equals(t.shapeView(), shape)) {
            throw bad(cell, what + " must be FLOAT" + Arrays.toString(shape) + ", got " + t);
        }
        return t.floats();
    }

    static Tensor[] run(Tensor[] in, Config cfg) {
        Cell cell = cfg.cell;
        Tensor xT = in[0];
        if (xT.type() != DataType.FLOAT || xT.rank() != 3) {
            throw bad(cell, "X must be 3-D FLOAT, got " + xT);
        }
        int seq = cfg.batchFirst ? xT.dim(1) : xT.dim(0);
        int batch = cfg.batchFirst ? xT.dim(0) : xT.dim(1);
        int input = xT.dim(2);
        int hid = cfg.hidden;
        int dirs = cfg.directions;
        int g = cell.gates;
        float[] x = xT.floats();
        // Sized in long arithmetic: 4 * hidden_size wraps to 0 for hidden_size 2^30, matching an empty W.
        int gh = ShapeKernels.checkedCount(cell + " gates", g, hid);
        float[] w = param(in[1], cell, "W", dirs, gh, input);
        float[] rw = param(in[2], cell, "R", dirs, gh, hid);
        Tensor bT = ShapeKernels.optional(in, 3);
        float[] bias = bT == null ? new float[ShapeKernels.checkedCount(cell + " B", dirs, 2, gh)]
            : param(bT, cell, "B", dirs, ShapeKernels.checkedCount(cell + " B", 2, gh));
        Tensor lensT = ShapeKernels.optional(in, 4);
        long[] lens = new long[batch];
        Arrays.fill(lens, seq);
        if (lensT != null) {
            lens = ShapeKernels.readLongs(lensT, cell + " sequence_lens");
            if (lens.length != batch) {
                throw bad(cell, "sequence_lens has " + lens.length + " values for a batch of " + batch);
            }
            for (long l : lens) {
                if (l < 0 || l > seq) {
                    throw bad(cell, "sequence length " + l + " is outside [0, " + seq + "]");
                }
            }
        }
        int[] stateShape = cfg.batchFirst ? new int[] {batch, dirs, hid} : new int[] {dirs, batch, hid};
        Tensor h0T = ShapeKernels.optional(in, 5);
        float[] h0 = h0T == null ? null : param(h0T, cell, "initial_h", stateShape);
        Tensor c0T = cell == Cell.LSTM ? ShapeKernels.optional(in, 6) : null;
        float[] c0 = c0T == null ? null : param(c0T, cell, "initial_c", stateShape);
        Tensor pT = cell == Cell.LSTM ? ShapeKernels.optional(in, 7) : null;
        float[] peep = pT == null ? null : param(pT, cell, "P", dirs, ShapeKernels.checkedCount(cell + " P", 3, hid));

        float[] y = new float[ShapeKernels.checkedCount(cell + " Y", seq, dirs, batch, hid)];
        float[] yh = new float[ShapeKernels.checkedCount(cell + " Y_h", dirs, batch, hid)];
        float[] yc = new float[yh.length];
        int per = cell.defaultActivations.size();
        double[] pre = new double[gh];
        // The state and the GRU gates: allocated once, next and current swapped after each step.
        float[] h = new float[hid];
        float[] next = new float[hid];
        float[] c = new float[hid];
        float[] nextC = new float[hid];
        double[] z = cell == Cell.GRU ? new double[hid] : null;
        double[] rGate = cell == Cell.GRU ? new double[hid] : null;
        for (int d = 0; d < dirs; d++) {
            boolean reverse = cfg.reverseOnly || d == 1;
            DoubleUnaryOperator f = cfg.f[d * per];
            DoubleUnaryOperator gAct = per > 1 ? cfg.f[d * per + 1] : null;
            DoubleUnaryOperator hAct = per > 2 ? cfg.f[d * per + 2] : null;
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < hid; j++) {
                    int at = cfg.batchFirst ? (b * dirs + d) * hid + j : (d * batch + b) * hid + j;
                    h[j] = h0 == null ? 0 : h0[at];
                    c[j] = c0 == null ? 0 : c0[at];
                }
                int len = (int) lens[b];
                for (int step = 0; step < len; step++) {
                    int t = reverse ? len - 1 - step : step;
                    int xAt = cfg.batchFirst ? (b * seq + t) * input : (t * batch + b) * input;
                    // pre[gate row] = x W^T + Wb (+ h R^T + Rb, except GRU's hidden gate, combined below).
                    for (int row = 0; row < g * hid; row++) {
                        double s = bias[d * 2 * g * hid + row];
                        for (int k = 0; k < input; k++) {
                            s += (double) x[xAt + k] * w[(d * g * hid + row) * input + k];
                        }
                        pre[row] = s;
                    }
                    switch (cell) {
                        case RNN -> {
                            for (int j = 0; j < hid; j++) {
                                next[j] = (float) f.applyAsDouble(clip(pre[j] + recur(rw, bias, h, d, g, hid, j), cfg));
                            }
                        }
                        case GRU -> {
                            for (int j = 0; j < hid; j++) {
                                z[j] = f.applyAsDouble(clip(pre[j] + recur(rw, bias, h, d, g, hid, j), cfg));
                                rGate[j] = f.applyAsDouble(clip(pre[hid + j] + recur(rw, bias, h, d, g, hid, hid + j),
                                    cfg));
                            }
                            for (int j = 0; j < hid; j++) {
                                int row = 2 * hid + j;
                                double rb = bias[d * 2 * g * hid + g * hid + row];
                                double hr = 0;
                                for (int k = 0; k < hid; k++) {
                                    double hk = cfg.linearBeforeReset ? h[k] : rGate[k] * h[k];
                                    hr += hk * rw[(d * g * hid + row) * hid + k];
                                }
                                double cand = cfg.linearBeforeReset ? pre[row] + rGate[j] * (hr + rb) : pre[row] + hr + rb;
                                double ht = gAct.applyAsDouble(clip(cand, cfg));
                                next[j] = (float) ((1 - z[j]) * ht + z[j] * h[j]);
                            }
                        }
                        case LSTM -> {
                            for (int j = 0; j < hid; j++) {
                                double pi = peep == null ? 0 : peep[d * 3 * hid + j];
                                double po = peep == null ? 0 : peep[d * 3 * hid + hid + j];
                                double pf = peep == null ? 0 : peep[d * 3 * hid + 2 * hid + j];
                                double i = f.applyAsDouble(clip(pre[j] + recur(rw, bias, h, d, g, hid, j) + pi * c[j], cfg));
                                double fo = cfg.inputForget ? 1 - i : f.applyAsDouble(clip(pre[2 * hid + j]
                                    + recur(rw, bias, h, d, g, hid, 2 * hid + j) + pf * c[j], cfg));
                                double cc = gAct.applyAsDouble(clip(pre[3 * hid + j]
                                    + recur(rw, bias, h, d, g, hid, 3 * hid + j), cfg));
                                nextC[j] = (float) (fo * c[j] + i * cc);
                                double o = f.applyAsDouble(clip(pre[hid + j] + recur(rw, bias, h, d, g, hid, hid + j)
                                    + po * nextC[j], cfg));
                                next[j] = (float) (o * hAct.applyAsDouble(nextC[j]));
                            }
                        }
                    }
                    float[] swap = h;
                    h = next;
                    next = swap;
                    if (cell == Cell.LSTM) {
                        swap = c;
                        c = nextC;
                        nextC = swap;
                    }
                    for (int j = 0; j < hid; j++) {
                        int at = cfg.batchFirst ? ((b * seq + t) * dirs + d) * hid + j : ((t * dirs + d) * batch + b) * hid + j;
                        y[at] = h[j];
                    }
                }
                for (int j = 0; j < hid; j++) {
                    int at = cfg.batchFirst ? (b * dirs + d) * hid + j : (d * batch + b) * hid + j;
                    yh[at] = h[j];
                    yc[at] = c[j];
                }
            }
        }
        int[] yShape = cfg.batchFirst ? new int[] {batch, seq, dirs, hid} : new int[] {seq, dirs, batch, hid};
        Tensor[] out = {Tensor.ofFloats(y, yShape), Tensor.ofFloats(yh, stateShape), Tensor.ofFloats(yc, stateShape)};
        return cell == Cell.LSTM ? out : Arrays.copyOf(out, 2);
    }

    /** h R^T + Rb for one gate row. */
    private static double recur(float[] rw, float[] bias, float[] h, int d, int g, int hid, int row) {
        double s = bias[d * 2 * g * hid + g * hid + row];
        for (int k = 0; k < hid; k++) {
            s += (double) h[k] * rw[(d * g * hid + row) * hid + k];
        }
        return s;
    }

    private static double clip(double v, Config cfg) {
        return Math.max(-cfg.clip, Math.min(cfg.clip, v));
    }
}
