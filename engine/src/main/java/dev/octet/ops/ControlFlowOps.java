package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Subgraphs;
import dev.octet.ir.ValueInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * If, Loop and Scan. Each subgraph is compiled once, when the op is built, into a plan of its own by the
 * session's compiler; a run executes that plan per branch or iteration. The op receives the node's inputs
 * followed by the outer values its subgraphs capture ({@link OpContext#captures}). Loops check before every
 * iteration that the session is open and that the session's iteration limit is not reached.
 */
final class ControlFlowOps {
    private ControlFlowOps() {}

    static void register(OpRegistry.Builder r) {
        r.onnx("If", 1).traits(OpTrait.ANY_ELEMENT_TYPE).inputs("r").outputs("o*").attribute(AttributeSpec.graphAttr("then_branch"))
            .attribute(AttributeSpec.graphAttr("else_branch")).shape(ControlFlowOps::ifShape).factory(ControlFlowOps::ifOp);
        r.onnx("Loop", 1).traits(OpTrait.ANY_ELEMENT_TYPE).inputs("oo*").outputs("o*").attribute(AttributeSpec.graphAttr("body"))
            .shape(ControlFlowOps::loopShape).factory(ControlFlowOps::loop);
        // Scan-8 has a batch axis and sequence_lens; Scan-9 dropped both and added per-input axes and directions.
        r.onnx("Scan", 8).traits(OpTrait.ANY_ELEMENT_TYPE).until(8).inputs("oo*").outputs("o*").attribute(AttributeSpec.graphAttr("body"))
            .shape(ControlFlowOps::scanShape).factory(ControlFlowOps::scan8);
        r.onnx("Scan", 9).traits(OpTrait.ANY_ELEMENT_TYPE).inputs("r*").outputs("o*").attribute(AttributeSpec.graphAttr("body"))
            .shape(ControlFlowOps::scanShape).factory(ControlFlowOps::scan9);
    }

    /** A compiled subgraph with, per capture, its position among the node's captures. */
    record Body(ControlFlow.Subgraph compiled, int[] captureIndex, int nodeInputs, String what) {
        Graph graph() {
            return compiled.graph();
        }

        /** Runs with the subgraph's inputs; {@code node} holds the node's inputs then its captures. */
        Tensor[] run(Tensor[] inputs, Tensor[] node) {
            Tensor[] captured = new Tensor[captureIndex.length];
            for (int i = 0; i < captured.length; i++) {
                captured[i] = node[nodeInputs + captureIndex[i]];
            }
            Tensor[] out = compiled.run(inputs, captured);
            List<ValueInfo> declared = graph().outputs();
            for (int i = 0; i < out.length; i++) {
                DataType want = declared.get(i).type();
                if (want != null && out[i].type() != want) {
                    throw new OctetException(ErrorCode.INVALID_GRAPH, what + " output '" + declared.get(i).name()
                        + "' is declared " + want + " but is " + out[i].type());
                }
                // Shape inference outside the subgraph relies on the declared shape: a body may not break it.
                List<Dim> shape = declared.get(i).shape();
                if (shape != null && !fits(shape, out[i].shapeView())) {
                    throw new OctetException(ErrorCode.INVALID_GRAPH, what + " output '" + declared.get(i).name()
                        + "' is declared " + shape + " but is " + Arrays.toString(out[i].shapeView()));
                }
            }
            return out;
        }
    }

    private static boolean fits(List<Dim> declared, int[] actual) {
        if (declared.size() != actual.length) {
            return false;
        }
        for (int d = 0; d < actual.length; d++) {
            if (declared.get(d).isFixed() && declared.get(d).value() != actual[d]) {
                return false;
            }
        }
        return true;
    }

    /** Compiles a subgraph whose inputs the op feeds with values of {@code inputTypes} (null entries unknown). */
    static Body body(OpContext ctx, String attribute, DataType... inputTypes) {
        Graph g = ctx.requireGraph(attribute);
        List<String> nodeCaptures = ctx.captures();
        List<String> captures = Subgraphs.captures(g);
        int[] index = new int[captures.size()];
        Tensor[] constants = new Tensor[captures.size()];
        ValueInfo[] types = new ValueInfo[captures.size()];
        for (int i = 0; i < index.length; i++) {
            index[i] = nodeCaptures.indexOf(captures.get(i));
            constants[i] = ctx.constantInput(ctx.inputCount() + index[i]);
            types[i] = ctx.inputType(ctx.inputCount() + index[i]);
        }
        ControlFlow.Subgraph compiled = ctx.controlFlow().compiler().compile(g, inputTypes, captures, constants, types,
            ctx.describe() + ", attribute '" + attribute + "'");
        return new Body(compiled, index, ctx.inputCount(), attribute);
    }

    private static DataType typeOf(OpContext ctx, int input) {
        ValueInfo v = ctx.inputType(input);
        return v == null ? null : v.type();
    }

    // ---- If ----

    private static ShapeValue[] ifShape(ShapeContext c) {
        Graph then = c.attrs().requireGraph("then_branch");
        Graph otherwise = c.attrs().requireGraph("else_branch");
        ShapeValue[] out = new ShapeValue[c.outputCount()];
        for (int i = 0; i < out.length && i < then.outputs().size() && i < otherwise.outputs().size(); i++) {
            ValueInfo a = then.outputs().get(i), b = otherwise.outputs().get(i);
            DataType type = a.type() == b.type() ? a.type() : null;
            out[i] = ShapeValue.of(type, a.shape() != null && a.shape().equals(b.shape()) ? a.shape() : null);
        }
        return out;
    }

    private static Op ifOp(OpContext ctx) {
        Body then = body(ctx, "then_branch");
        Body otherwise = body(ctx, "else_branch");
        for (Body b : List.of(then, otherwise)) {
            if (!b.graph().inputs().isEmpty()) {
                throw ctx.fail(b.what() + " takes " + b.graph().inputs().size() + " inputs; If branches take none");
            }
            if (b.graph().outputs().size() != ctx.outputCount()) {
                throw ctx.fail(b.what() + " has " + b.graph().outputs().size() + " outputs but the node has "
                    + ctx.outputCount());
            }
        }
        for (int i = 0; i < ctx.outputCount(); i++) {
            DataType a = then.graph().outputs().get(i).type(), b = otherwise.graph().outputs().get(i).type();
            if (a != null && b != null && a != b) {
                throw ctx.fail("output " + i + " is " + a + " in then_branch but " + b + " in else_branch");
            }
        }
        return in -> (flag(in[0], "cond") ? then : otherwise).run(new Tensor[0], in);
    }

    /** A condition: a bool tensor of exactly one element. */
    private static boolean flag(Tensor t, String what) {
        if (t.type() != DataType.BOOL || t.size() != 1) {
            throw new OctetException(ErrorCode.INVALID_INPUT, what + " must be a bool tensor of one element, got "
                + t.type() + " " + Arrays.toString(t.shapeView()));
        }
        return t.bools()[0];
    }

    // ---- Loop ----

    private static ShapeValue[] loopShape(ShapeContext c) {
        Graph body = c.attrs().requireGraph("body");
        int carried = Math.max(0, c.attrs().inputCount() - 2);
        ShapeValue[] out = new ShapeValue[c.outputCount()];
        for (int i = 0; i < out.length && 1 + i < body.outputs().size(); i++) {
            ValueInfo v = body.outputs().get(1 + i);
            if (i < carried) {
                out[i] = ShapeValue.of(c.type(2 + i) != null ? c.type(2 + i) : v.type(), null);
            } else {
                out[i] = ShapeValue.of(v.type(), stackedShape(v.shape(), 0));
            }
        }
        return out;
    }

    private static Op loop(OpContext ctx) {
        if (ctx.inputCount() < 2) {
            // Otherwise the first capture, which follows the node's inputs, would be read as M or cond.
            throw ctx.fail("Loop takes M and cond (either name may be empty) before its loop-carried values, but the "
                + "node has " + ctx.inputCount() + " input" + (ctx.inputCount() == 1 ? "" : "s"));
        }
        int carried = Math.max(0, ctx.inputCount() - 2);
        DataType[] fed = new DataType[carried + 2];
        fed[0] = DataType.INT64;
        fed[1] = DataType.BOOL;
        for (int k = 0; k < carried; k++) {
            fed[2 + k] = typeOf(ctx, 2 + k);
        }
        Body body = body(ctx, "body", fed);
        for (int i = 2; i < ctx.inputCount(); i++) {
            if (!ctx.hasInput(i)) {
                throw ctx.fail("loop-carried input " + i + " has an empty name");
            }
        }
        Graph g = body.graph();
        if (g.inputs().size() != carried + 2) {
            throw ctx.fail("the body takes " + g.inputs().size() + " inputs but the node gives it " + (carried + 2)
                + " (iteration number, condition and " + carried + " loop-carried values)");
        }
        int scans = g.outputs().size() - 1 - carried;
        if (scans < 0 || ctx.outputCount() != carried + scans) {
            throw ctx.fail("the body has " + g.outputs().size() + " outputs, so the node needs " + (g.outputs().size() - 1)
                + " (condition excluded), but it has " + ctx.outputCount() + " with " + carried + " loop-carried values");
        }
        ControlFlow flow = ctx.controlFlow();
        // The iteration number and condition are scalars unless the body declares them with a rank (as [1]).
        int[] iterationShape = onesOfDeclaredRank(g.inputs().get(0));
        int[] conditionShape = onesOfDeclaredRank(g.inputs().get(1));
        return in -> {
            long trips = Long.MAX_VALUE;
            if (in[0] != null) {
                if (in[0].type() != DataType.INT64 || in[0].size() != 1) {
                    throw new OctetException(ErrorCode.INVALID_INPUT, "M must be an int64 tensor of one element, got "
                        + in[0].type() + " " + Arrays.toString(in[0].shapeView()));
                }
                trips = in[0].longs()[0];
            }
            boolean cond = in[1] == null || flag(in[1], "cond");
            Tensor[] state = Arrays.copyOfRange(in, 2, 2 + carried);
            List<List<Tensor>> scanned = new ArrayList<>();
            for (int s = 0; s < scans; s++) {
                scanned.add(new ArrayList<>());
            }
            Tensor[] inputs = new Tensor[carried + 2];
            HeapBudget budget = new HeapBudget();
            for (long i = 0; i < trips && cond; i++) {
                checkIteration(flow, i);
                inputs[0] = Tensor.ofLongs(new long[] {i}, iterationShape);
                inputs[1] = Tensor.ofBools(new boolean[] {cond}, conditionShape);
                System.arraycopy(state, 0, inputs, 2, carried);
                Tensor[] out = body.run(inputs, in);
                cond = flag(out[0], "the body's condition output");
                for (int k = 0; k < carried; k++) {
                    if (out[1 + k].type() != state[k].type()) {
                        throw new OctetException(ErrorCode.INVALID_GRAPH, "loop-carried value " + k + " is "
                            + state[k].type() + " but the body returns " + out[1 + k].type());
                    }
                    state[k] = out[1 + k];
                }
                for (int s = 0; s < scans; s++) {
                    Tensor t = out[1 + carried + s];
                    List<Tensor> list = scanned.get(s);
                    if (!list.isEmpty()) {
                        checkSameSlice(list.get(0), t, "scan output " + s);
                    }
                    // The slices and, at the end, their stack are held at once.
                    budget.reserve(2 * bytes(t), "scan output " + s);
                    list.add(t);
                }
            }
            Tensor[] result = new Tensor[carried + scans];
            System.arraycopy(state, 0, result, 0, carried);
            for (int s = 0; s < scans; s++) {
                List<Tensor> list = scanned.get(s);
                ValueInfo declared = g.outputs().get(1 + carried + s);
                if (list.isEmpty()) {
                    result[carried + s] = emptyStack(declared, 0);
                } else {
                    Tensor stacked = allocateStack(list.get(0), 0, list.size());
                    for (int p = 0; p < list.size(); p++) {
                        place(list.get(p), stacked, 0, p);
                    }
                    result[carried + s] = stacked;
                }
            }
            return result;
        };
    }

    private static int[] onesOfDeclaredRank(ValueInfo declared) {
        int[] shape = new int[declared.shape() == null ? 0 : declared.shape().size()];
        Arrays.fill(shape, 1);
        return shape;
    }

    private static long bytes(Tensor t) {
        return (long) t.size() * t.type().byteSize();
    }

    /**
     * The bytes of scan-output slices and stacks one Loop or Scan run holds at once, bounded by half the JVM's
     * maximum heap (the rest of the plan needs room too), so a large output is refused before it exhausts memory.
     */
    private static final class HeapBudget {
        private static final long LIMIT = Runtime.getRuntime().maxMemory() / 2;
        private long used;

        void reserve(long bytes, String what) {
            used += bytes;
            if (used > LIMIT) {
                throw new OctetException(ErrorCode.RESOURCE_LIMIT, what + " would take the scan outputs of this run to "
                    + (used >> 20) + " MiB, more than half of the JVM's maximum heap of "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
            }
        }
    }

    private static void checkIteration(ControlFlow flow, long i) {
        flow.checkOpen();
        if (i >= flow.maxIterations()) {
            throw new OctetException(ErrorCode.RESOURCE_LIMIT, "the loop reached the limit of " + flow.maxIterations()
                + " iterations (SessionOptions.maxLoopIterations)");
        }
    }

    private static void checkSameSlice(Tensor first, Tensor t, String what) {
        if (t.type() != first.type() || !Arrays.equals(t.shapeView(), first.shapeView())) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, what + " changed from " + first.type() + " "
                + Arrays.toString(first.shapeView()) + " in the first iteration to " + t.type() + " "
                + Arrays.toString(t.shapeView()));
        }
    }

    // ---- Scan ----

    private static ShapeValue[] scanShape(ShapeContext c) {
        Graph body = c.attrs().requireGraph("body");
        long scanInputs = c.attrs().getInt("num_scan_inputs", 0);
        int offset = c.opset() == 8 ? 1 : 0;
        long states = c.attrs().inputCount() - offset - scanInputs;
        ShapeValue[] out = new ShapeValue[c.outputCount()];
        for (int i = 0; i < out.length && i < body.outputs().size(); i++) {
            DataType t = i < states ? c.type(offset + i) : null;
            out[i] = ShapeValue.of(t != null ? t : body.outputs().get(i).type(), null);
        }
        return out;
    }

    /** The checked attributes and arity of one Scan node. */
    private record ScanSpec(Body body, int states, int scanInputs, int scanOutputs, int[] inAxes, boolean[] inReverse,
                            int[] outAxes, boolean[] outReverse, ControlFlow flow) {}

    private static ScanSpec scanSpec(OpContext ctx, int offset) {
        long m = ctx.requireInt("num_scan_inputs");
        int all = ctx.inputCount() - offset;
        DataType[] fed = new DataType[Math.max(0, all)];
        for (int i = 0; i < fed.length; i++) {
            fed[i] = typeOf(ctx, offset + i);
        }
        Body body = body(ctx, "body", fed);
        if (m < 1 || m > all) {
            throw ctx.fail("num_scan_inputs is " + m + " but the node has " + all + " state and scan inputs");
        }
        for (int i = offset; i < ctx.inputCount(); i++) {
            if (!ctx.hasInput(i)) {
                throw ctx.fail("input " + i + " has an empty name");
            }
        }
        int scanInputs = (int) m;
        int states = all - scanInputs;
        Graph g = body.graph();
        if (g.inputs().size() != all) {
            throw ctx.fail("the body takes " + g.inputs().size() + " inputs but the node gives it " + all);
        }
        int scanOutputs = g.outputs().size() - states;
        if (scanOutputs < 0 || ctx.outputCount() != g.outputs().size()) {
            throw ctx.fail("the body has " + g.outputs().size() + " outputs but the node has " + ctx.outputCount()
                + " (" + states + " states)");
        }
        boolean v8 = offset == 1;
        int[] inAxes = v8 ? new int[scanInputs] : axes(ctx, "scan_input_axes", scanInputs);
        boolean[] inReverse = directions(ctx, v8 ? "directions" : "scan_input_directions", scanInputs);
        int[] outAxes = v8 ? new int[scanOutputs] : axes(ctx, "scan_output_axes", scanOutputs);
        boolean[] outReverse = v8 ? new boolean[scanOutputs] : directions(ctx, "scan_output_directions", scanOutputs);
        return new ScanSpec(body, states, scanInputs, scanOutputs, inAxes, inReverse, outAxes, outReverse,
            ctx.controlFlow());
    }

    private static int[] axes(OpContext ctx, String name, int count) {
        int[] a = ctx.getIntArray(name);
        if (a == null) {
            return new int[count];
        }
        if (a.length != count) {
            throw ctx.fail("attribute '" + name + "' has " + a.length + " values for " + count + " tensors");
        }
        return a;
    }

    private static boolean[] directions(OpContext ctx, String name, int count) {
        int[] d = axes(ctx, name, count);
        boolean[] reverse = new boolean[count];
        for (int i = 0; i < count; i++) {
            if (d[i] != 0 && d[i] != 1) {
                throw ctx.fail("attribute '" + name + "' value " + d[i] + " is not 0 (forward) or 1 (reverse)");
            }
            reverse[i] = d[i] == 1;
        }
        return reverse;
    }

    private static Op scan9(OpContext ctx) {
        ScanSpec spec = scanSpec(ctx, 0);
        return in -> {
            Tensor[] states = Arrays.copyOfRange(in, 0, spec.states());
            Tensor[] scans = Arrays.copyOfRange(in, spec.states(), spec.states() + spec.scanInputs());
            int[] axes = new int[scans.length];
            int length = -1;
            for (int j = 0; j < scans.length; j++) {
                axes[j] = normalizeAxis(spec.inAxes()[j], scans[j].rank(), "scan input " + j);
                int len = scans[j].dim(axes[j]);
                if (length >= 0 && len != length) {
                    throw new OctetException(ErrorCode.INVALID_INPUT, "scan input " + j + " has " + len
                        + " elements along its scan axis but scan input 0 has " + length);
                }
                length = len;
            }
            return scan(spec, states, scans, axes, length, in, new HeapBudget());
        };
    }

    private static Op scan8(OpContext ctx) {
        ScanSpec spec = scanSpec(ctx, 1);
        return in -> {
            Tensor[] all = Arrays.copyOfRange(in, 1, 1 + spec.states() + spec.scanInputs());
            int batch = -1;
            int length = -1;
            for (int j = 0; j < all.length; j++) {
                boolean scanInput = j >= spec.states();
                if (all[j].rank() < (scanInput ? 2 : 1)) {
                    throw new OctetException(ErrorCode.INVALID_INPUT, "input " + (1 + j) + " of shape "
                        + Arrays.toString(all[j].shapeView()) + " lacks the batch" + (scanInput ? " and sequence" : "")
                        + " axis");
                }
                if (batch >= 0 && all[j].dim(0) != batch) {
                    throw new OctetException(ErrorCode.INVALID_INPUT, "input " + (1 + j) + " has batch size "
                        + all[j].dim(0) + ", input 1 has " + batch);
                }
                batch = all[j].dim(0);
                if (scanInput) {
                    if (length >= 0 && all[j].dim(1) != length) {
                        throw new OctetException(ErrorCode.INVALID_INPUT, "scan input " + (j - spec.states()) + " has "
                            + all[j].dim(1) + " elements along its sequence axis but another has " + length);
                    }
                    length = all[j].dim(1);
                }
            }
            // Every batch entry runs the body up to length times: bound the total before allocating anything.
            long runs = (long) batch * Math.max(1, length);
            if (runs > spec.flow().maxIterations()) {
                throw new OctetException(ErrorCode.RESOURCE_LIMIT, "a batch of " + batch + " sequences of " + length
                    + " steps exceeds the limit of " + spec.flow().maxIterations()
                    + " iterations (SessionOptions.maxLoopIterations)");
            }
            long[] lengths = new long[batch];
            Arrays.fill(lengths, length);
            if (in[0] != null) {
                if (in[0].type() != DataType.INT64 || !Arrays.equals(in[0].shapeView(), new int[] {batch})) {
                    throw new OctetException(ErrorCode.INVALID_INPUT, "sequence_lens must be int64 [" + batch + "], got "
                        + in[0].type() + " " + Arrays.toString(in[0].shapeView()));
                }
                lengths = in[0].longs();
                for (long l : lengths) {
                    if (l < 0 || l > length) {
                        throw new OctetException(ErrorCode.INVALID_INPUT, "sequence length " + l + " is outside [0, "
                            + length + "]");
                    }
                }
            }
            // Each batch entry is a Scan-9 run over its own slice; results are padded to the full length and stacked.
            List<Tensor[]> perBatch = new ArrayList<>();
            HeapBudget budget = new HeapBudget();
            for (int b = 0; b < batch; b++) {
                Tensor[] states = new Tensor[spec.states()];
                Tensor[] scans = new Tensor[spec.scanInputs()];
                for (int j = 0; j < all.length; j++) {
                    Tensor slice = slice(all[j], 0, b);
                    if (j < spec.states()) {
                        states[j] = slice;
                    } else {
                        scans[j - spec.states()] = slice;
                    }
                }
                Tensor[] out = scan(spec, states, scans, new int[scans.length], (int) lengths[b], in, budget);
                for (int k = 0; k < out.length; k++) {
                    if (k >= spec.states()) {
                        out[k] = padFirstAxis(out[k], length);
                    }
                    // Held until stacked, then copied into the stack.
                    budget.reserve(2 * bytes(out[k]), "output " + k + " of batch entry " + b);
                }
                perBatch.add(out);
            }
            Tensor[] result = new Tensor[spec.states() + spec.scanOutputs()];
            for (int k = 0; k < result.length; k++) {
                if (batch == 0) {
                    Tensor empty = emptyStack(spec.body().graph().outputs().get(k), 0);
                    // Scan outputs have the sequence axis after the batch axis, even with no batch entries.
                    result[k] = k < spec.states() ? empty
                        : Tensor.zeros(empty.type(), insertDim(empty.shapeView(), 1, length));
                    continue;
                }
                Tensor first = perBatch.get(0)[k];
                Tensor stacked = allocateStack(first, 0, batch);
                for (int b = 0; b < batch; b++) {
                    checkSameSlice(first, perBatch.get(b)[k], "output " + k + " of batch entry " + b);
                    place(perBatch.get(b)[k], stacked, 0, b);
                }
                result[k] = stacked;
            }
            return result;
        };
    }

    /** {@code length} iterations of the body over slices of {@code scans} along {@code axes}. */
    private static Tensor[] scan(ScanSpec spec, Tensor[] initial, Tensor[] scans, int[] axes, int length,
                                 Tensor[] node, HeapBudget budget) {
        Tensor[] states = initial.clone();
        Tensor[] stacked = new Tensor[spec.scanOutputs()];
        Tensor[] firstSlice = new Tensor[spec.scanOutputs()];
        int[] outAxes = new int[spec.scanOutputs()];
        Tensor[] inputs = new Tensor[states.length + scans.length];
        for (int t = 0; t < length; t++) {
            checkIteration(spec.flow(), t);
            System.arraycopy(states, 0, inputs, 0, states.length);
            for (int j = 0; j < scans.length; j++) {
                inputs[states.length + j] = slice(scans[j], axes[j], spec.inReverse()[j] ? length - 1 - t : t);
            }
            Tensor[] out = spec.body().run(inputs, node);
            for (int k = 0; k < states.length; k++) {
                if (out[k].type() != states[k].type()) {
                    throw new OctetException(ErrorCode.INVALID_GRAPH, "state " + k + " is " + states[k].type()
                        + " but the body returns " + out[k].type());
                }
                states[k] = out[k];
            }
            for (int k = 0; k < stacked.length; k++) {
                Tensor slice = out[states.length + k];
                if (t == 0) {
                    firstSlice[k] = slice;
                    outAxes[k] = normalizeAxis(spec.outAxes()[k], slice.rank() + 1, "scan output " + k);
                    budget.reserve(bytes(slice) * length, "scan output " + k);
                    stacked[k] = allocateStack(slice, outAxes[k], length);
                } else {
                    checkSameSlice(firstSlice[k], slice, "scan output " + k);
                }
                place(slice, stacked[k], outAxes[k], spec.outReverse()[k] ? length - 1 - t : t);
            }
        }
        Tensor[] result = new Tensor[states.length + stacked.length];
        System.arraycopy(states, 0, result, 0, states.length);
        for (int k = 0; k < stacked.length; k++) {
            result[states.length + k] = length > 0 ? stacked[k]
                : emptyStack(spec.body().graph().outputs().get(states.length + k), spec.outAxes()[k]);
        }
        return result;
    }

    private static int normalizeAxis(int axis, int rank, String what) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new OctetException(ErrorCode.INVALID_INPUT, what + ": axis " + axis + " is outside a rank of " + rank);
        }
        return a;
    }

    // ---- slicing and stacking, for tensors of any element type ----

    private static int[] insertDim(int[] shape, int axis, int size) {
        int[] r = new int[shape.length + 1];
        System.arraycopy(shape, 0, r, 0, axis);
        r[axis] = size;
        System.arraycopy(shape, axis, r, axis + 1, shape.length - axis);
        return r;
    }

    private static int product(int[] shape, int from, int to) {
        int n = 1;
        for (int i = from; i < to; i++) {
            n *= shape[i];
        }
        return n;
    }

    /** The sub-tensor at {@code index} along {@code axis}, without that axis. */
    private static Tensor slice(Tensor x, int axis, int index) {
        int[] shape = x.shapeView();
        int outer = product(shape, 0, axis), inner = product(shape, axis + 1, shape.length), n = shape[axis];
        int[] outShape = new int[shape.length - 1];
        System.arraycopy(shape, 0, outShape, 0, axis);
        System.arraycopy(shape, axis + 1, outShape, axis, shape.length - axis - 1);
        Object dst = Tensor.newArray(x.type(), outer * inner);
        for (int o = 0; o < outer; o++) {
            System.arraycopy(x.data(), (o * n + index) * inner, dst, o * inner, inner);
        }
        return Tensor.of(x.type(), outShape, dst);
    }

    /** A tensor for {@code count} slices like {@code slice} along a new axis, its size checked first. */
    private static Tensor allocateStack(Tensor slice, int axis, int count) {
        int[] shape = insertDim(slice.shapeView(), axis, count);
        return Tensor.of(slice.type(), shape, Tensor.newArray(slice.type(), Tensor.checkedSize(shape)));
    }

    /** Writes {@code slice} at position {@code p} along {@code axis} of {@code stacked}. */
    private static void place(Tensor slice, Tensor stacked, int axis, int p) {
        int[] shape = stacked.shapeView();
        int outer = product(shape, 0, axis), inner = product(shape, axis + 1, shape.length), n = shape[axis];
        for (int o = 0; o < outer; o++) {
            System.arraycopy(slice.data(), o * inner, stacked.data(), (o * n + p) * inner, inner);
        }
    }

    /** {@code x} with its first axis zero-padded to {@code length} (Scan-8 entries shorter than the sequence). */
    private static Tensor padFirstAxis(Tensor x, int length) {
        if (x.dim(0) == length) {
            return x;
        }
        int[] shape = x.shape();
        shape[0] = length;
        Tensor padded = Tensor.zeros(x.type(), shape);
        System.arraycopy(x.data(), 0, padded.data(), 0, x.size());
        return padded;
    }

    /**
     * The stack of zero iterations: the body's declared type and shape with 0 inserted at {@code axis} (unknown
     * dims hold no elements either way, so they become 0).
     */
    private static Tensor emptyStack(ValueInfo declared, int axis) {
        if (declared.type() == null) {
            throw new OctetException(ErrorCode.INVALID_GRAPH, "no iteration ran and the body does not declare the "
                + "type of its output '" + declared.name() + "'");
        }
        List<Dim> dims = declared.shape() == null ? List.of() : declared.shape();
        int[] slice = dims.stream().mapToInt(d -> d.isFixed() && d.value() <= Integer.MAX_VALUE ? (int) d.value() : 0)
            .toArray();
        int a = axis < 0 ? axis + slice.length + 1 : axis;
        return Tensor.zeros(declared.type(), insertDim(slice, Math.max(0, Math.min(a, slice.length)), 0));
    }

    /** The declared shape of stacked slices, or null when the slice's rank is unknown. */
    private static List<Dim> stackedShape(List<Dim> slice, int axis) {
        if (slice == null) {
            return null;
        }
        List<Dim> r = new ArrayList<>(slice);
        r.add(axis, Dim.UNKNOWN);
        return r;
    }
}
