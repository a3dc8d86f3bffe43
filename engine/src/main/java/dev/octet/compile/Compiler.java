package dev.octet.compile;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.exec.BufferPools;
import dev.octet.exec.ExecutionPlan;
import dev.octet.exec.Executor;
import dev.octet.exec.StepListener;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.Subgraphs;
import dev.octet.ir.ValueInfo;
import dev.octet.ops.ControlFlow;
import dev.octet.ops.Op;
import dev.octet.ops.OpEnvironment;
import dev.octet.ops.OpRegistry;
import dev.octet.ops.TensorLimit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Graph to {@link ExecutionPlan}: validate and order the graph, apply the rewrite passes, infer every
 * value's type and shape (so incompatible shapes fail at load), build every op (so bad attributes fail at
 * load), fold nodes whose inputs are all constant, and number value slots with their last readers.
 * Nothing here runs per inference. A plan can be specialized for concrete input shapes: values that then
 * become constants (the shape computations of transformers) are folded away.
 */
public final class Compiler {
    private final OpRegistry registry;
    private final List<GraphPass> passes;
    private final OpEnvironment env;
    /** The most elements of one folded value; larger results are left to run time. */
    private final long maxFoldedElements;

    public Compiler(OpRegistry registry, List<GraphPass> passes, OpEnvironment env) {
        this(registry, passes, env, Long.MAX_VALUE);
    }

    public Compiler(OpRegistry registry, List<GraphPass> passes, OpEnvironment env, long maxFoldedElements) {
        this.registry = registry;
        this.maxFoldedElements = maxFoldedElements;
        this.passes = List.copyOf(passes);
        // Control-flow ops compile their subgraphs with this compiler: the same operators, passes and kernels.
        this.env = env.withControlFlow(env.controlFlow().withCompiler(this::compileSubgraph));
    }

    /**
     * Compiles a subgraph into a plan of its own: its captures become inputs, or initializers when they are
     * constants of the enclosing plan (so they fold inside too). Errors name the node owning the subgraph.
     */
    private ControlFlow.Subgraph compileSubgraph(Graph body, DataType[] inputTypes, List<String> captures,
                                                 Tensor[] constants, ValueInfo[] captureTypes, String owner) {
        List<ValueInfo> inputs = new ArrayList<>();
        for (int i = 0; i < body.inputs().size(); i++) {
            ValueInfo v = body.inputs().get(i);
            DataType t = i < inputTypes.length ? inputTypes[i] : null;
            // An input the subgraph leaves untyped takes the type its operator feeds it (never a shape: Loop
            // values may change shape from one iteration to the next).
            inputs.add(v.type() == null && v.onnxType() == 0 && t != null ? new ValueInfo(v.name(), t, t.onnxCode(), v.shape()) : v);
        }
        Map<String, Tensor> initializers = new HashMap<>(body.initializers());
        for (int i = 0; i < captures.size(); i++) {
            ValueInfo outer = captureTypes[i];
            if (constants[i] != null) {
                initializers.put(captures.get(i), constants[i]);
            } else if (outer != null) {
                inputs.add(new ValueInfo(captures.get(i), outer.type(), outer.onnxType(), outer.shape()));
            } else {
                inputs.add(new ValueInfo(captures.get(i), null, 0, null));
            }
        }
        Graph closed = new Graph(body.name(), inputs, body.outputs(), initializers, body.nodes(), body.opsets(),
            body.valueInfo());
        ExecutionPlan plan;
        try {
            plan = compile(closed);
        } catch (OctetException e) {
            throw new OctetException(e.code(), owner + ", subgraph '" + body.name() + "': " + e.getMessage(), e);
        }
        checkDeclaredOutputShapes(body, plan.valueTypes(), owner);
        return new CompiledSubgraph(body, plan, List.copyOf(captures));
    }

    /**
     * The enclosing graph's inference trusts a subgraph's declared output shapes, so a declaration its own
     * inference contradicts (another rank, or another fixed size) is refused rather than believed.
     */
    private static void checkDeclaredOutputShapes(Graph body, Map<String, ValueInfo> inferred, String owner) {
        for (ValueInfo declared : body.outputs()) {
            ValueInfo found = inferred.get(declared.name());
            List<Dim> want = declared.shape(), got = found == null ? null : found.shape();
            if (want == null || got == null) {
                continue;
            }
            boolean conflict = want.size() != got.size();
            for (int d = 0; !conflict && d < want.size(); d++) {
                conflict = want.get(d).isFixed() && got.get(d).isFixed() && want.get(d).value() != got.get(d).value();
            }
            if (conflict) {
                throw new OctetException(ErrorCode.INVALID_GRAPH, owner + ", subgraph '" + body.name() + "': output '"
                    + declared.name() + "' is declared " + want + " but is " + got);
            }
        }
    }

    /** A subgraph's plan; runs share one set of buffer pools (each run takes its own pool). */
    private record CompiledSubgraph(Graph graph, ExecutionPlan plan, List<String> captures, BufferPools pools)
        implements ControlFlow.Subgraph {
        CompiledSubgraph(Graph graph, ExecutionPlan plan, List<String> captures) {
            this(graph, plan, captures, new BufferPools());
        }

        @Override
        public Tensor[] run(Tensor[] inputs, Tensor[] captured) {
            Map<String, Tensor> feed = new HashMap<>();
            for (int i = 0; i < inputs.length; i++) {
                feed.put(graph.inputs().get(i).name(), inputs[i]);
            }
            for (int i = 0; i < captured.length; i++) {
                if (!plan.graph().initializers().containsKey(captures.get(i))) {
                    feed.put(captures.get(i), captured[i]);
                }
            }
            Map<String, Tensor> out = Executor.run(plan, feed, StepListener.NONE, pools);
            Tensor[] result = new Tensor[graph.outputs().size()];
            for (int i = 0; i < result.length; i++) {
                result[i] = out.get(graph.outputs().get(i).name());
            }
            return result;
        }
    }

    public static Compiler forOptions(dev.octet.api.SessionOptions options, OpEnvironment env) {
        return new Compiler(OpRegistry.defaults(), options.graphOptimizations() ? GraphPass.defaults() : List.of(), env,
            options.maxFoldedElements());
    }

    public ExecutionPlan compile(Graph graph) {
        for (var e : graph.opsets().entrySet()) {
            OpRegistry.checkOpset(e.getKey(), e.getValue());
        }
        for (var node : graph.nodes()) {
            if (OpRegistry.OCTET_DOMAIN.equals(node.domain())) {
                throw new OctetException(ErrorCode.UNSUPPORTED_OP, node.describe() + ": domain " + OpRegistry.OCTET_DOMAIN
                    + " is internal to Octet and may not appear in a model");
            }
        }
        registry.checkOperators(graph);
        checkArity(graph);
        Graph g = sort(graph);
        PassContext context = new PassContext(registry, env);
        for (GraphPass pass : passes) {
            g = sort(pass.apply(g, context));
        }
        // The model's own initializers, by identity: ONNX Runtime packs those (not what passes or folding make).
        java.util.Set<Tensor> modelWeights = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        modelWeights.addAll(graph.initializers().values());
        return plan(g, ShapeInference.infer(g, Map.of(), registry, env).types(),
            java.util.Collections.unmodifiableSet(modelWeights));
    }

    /**
     * Checks every node's inputs and outputs against its operator's definition, so passes and ops can rely on
     * the ones declared required. Nodes at versions Octet does not implement fail later, when their op is built.
     */
    private void checkArity(Graph graph) {
        for (Node node : graph.nodes()) {
            int version = OpRegistry.opsetOf(graph, node);
            registry.find(node.domain(), node.opType(), version).ifPresent(d -> {
                d.checkArity(node, version);
                d.checkGraphAttributes(node);
            });
        }
    }

    /** A plan valid only for inputs of exactly these shapes (inputs not named keep their declared shapes). */
    public ExecutionPlan compile(Graph graph, Map<String, int[]> inputShapes) {
        return specialize(compile(graph), inputShapes);
    }

    /**
     * Specializes a plan from {@link #compile(Graph)} for concrete input shapes: every value inference then
     * knows as a constant becomes an initializer, so its nodes disappear. The results are those of the
     * generic plan, as the constants are computed by the same operators.
     */
    public ExecutionPlan specialize(ExecutionPlan generic, Map<String, int[]> inputShapes) {
        Map<String, List<Dim>> dims = new HashMap<>();
        inputShapes.forEach((name, shape) -> dims.put(name, java.util.Arrays.stream(shape).mapToObj(Dim::of).toList()));
        // Start from what the generic plan already folded, so large folded weights are shared, not recomputed.
        Graph g = withConstants(generic.graph(), generic.folded());
        ShapeInference.Result shapes = ShapeInference.infer(g, dims, registry, env);
        return plan(withConstants(g, shapes.constants()), shapes.types(), generic.modelWeights());
    }

    /** The graph with the given node outputs as initializers and the nodes that computed them removed. */
    private static Graph withConstants(Graph g, Map<String, Tensor> values) {
        if (values.isEmpty()) {
            return g;
        }
        Map<String, Tensor> initializers = new HashMap<>(g.initializers());
        List<Node> kept = new ArrayList<>();
        for (Node node : g.nodes()) {
            if (node.outputs().stream().allMatch(out -> out.isEmpty() || values.containsKey(out))) {
                node.outputs().stream().filter(out -> !out.isEmpty()).forEach(out -> initializers.put(out, values.get(out)));
            } else {
                kept.add(node);
            }
        }
        return g.withNodes(kept, initializers);
    }

    /** Validates value definitions and returns the graph with nodes in a topological order. */
    static Graph sort(Graph g) {
        Set<String> available = new HashSet<>(g.initializers().keySet());
        for (ValueInfo v : g.inputs()) {
            if (!available.add(v.name()) && !g.initializers().containsKey(v.name())) {
                throw new OctetException(ErrorCode.INVALID_GRAPH, "graph input '" + v.name() + "' is declared twice");
            }
        }
        Map<String, Integer> producer = new HashMap<>();
        List<Node> nodes = g.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            for (String out : nodes.get(i).outputs()) {
                if (out.isEmpty()) {
                    continue;
                }
                if (available.contains(out) || producer.putIfAbsent(out, i) != null) {
                    throw new OctetException(ErrorCode.INVALID_GRAPH, nodes.get(i).describe() + ": output '" + out
                        + "' is defined more than once");
                }
            }
        }
        int[] pending = new int[nodes.size()];
        Map<Integer, List<Integer>> consumers = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Set<Integer> deps = new HashSet<>();
            List<String> uses = Subgraphs.uses(nodes.get(i));
            for (int u = 0; u < uses.size(); u++) {
                String in = uses.get(u);
                if (in.isEmpty() || available.contains(in)) {
                    continue;
                }
                Integer p = producer.get(in);
                if (p == null) {
                    throw new OctetException(ErrorCode.INVALID_GRAPH, nodes.get(i).describe() + (u < nodes.get(i).inputs().size()
                        ? ": input '" + in + "' is not a graph input, an initializer, or any node's output"
                        : ": a subgraph reads '" + in + "', which no enclosing scope defines"));
                }
                if (deps.add(p)) {
                    consumers.computeIfAbsent(p, k -> new ArrayList<>()).add(i);
                }
            }
            pending[i] = deps.size();
        }
        ArrayDeque<Integer> ready = new ArrayDeque<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (pending[i] == 0) {
                ready.add(i);
            }
        }
        List<Node> order = new ArrayList<>(nodes.size());
        while (!ready.isEmpty()) {
            int i = ready.poll();
            order.add(nodes.get(i));
            for (int c : consumers.getOrDefault(i, List.of())) {
                if (--pending[c] == 0) {
                    ready.add(c);
                }
            }
        }
        if (order.size() != nodes.size()) {
            for (int i = 0; i < nodes.size(); i++) {
                if (pending[i] > 0) {
                    throw new OctetException(ErrorCode.INVALID_GRAPH, "the graph has a cycle through "
                        + nodes.get(i).describe());
                }
            }
        }
        for (ValueInfo out : g.outputs()) {
            if (!available.contains(out.name()) && !producer.containsKey(out.name())) {
                throw new OctetException(ErrorCode.INVALID_GRAPH, "graph output '" + out.name() + "' is never produced");
            }
        }
        return g.withNodes(order, g.initializers());
    }

    private ExecutionPlan plan(Graph g, Map<String, ValueInfo> valueTypes, java.util.Set<Tensor> modelWeights) {
        Map<String, Tensor> foldedByName = new HashMap<>();
        Map<String, Integer> slotOf = new HashMap<>();
        List<Tensor> constants = new ArrayList<>();
        Set<String> runtimeInputNames = new HashSet<>();
        for (ValueInfo v : g.inputs()) {
            runtimeInputNames.add(v.name());
        }
        // Initializers that are also graph inputs can be overridden at run time, so they are not folded.
        for (var e : g.initializers().entrySet()) {
            slotOf.put(e.getKey(), constants.size());
            constants.add(e.getValue());
        }
        int[] inputSlots = new int[g.inputs().size()];
        for (int i = 0; i < inputSlots.length; i++) {
            String name = g.inputs().get(i).name();
            Integer s = slotOf.get(name);
            if (s == null) {
                s = constants.size();
                constants.add(null);
                slotOf.put(name, s);
            }
            inputSlots[i] = s;
        }
        List<ExecutionPlan.Step> steps = new ArrayList<>();
        for (Node node : g.nodes()) {
            // A control-flow node reads its captures like inputs, after its own: its op gets them in that order.
            List<String> uses = Subgraphs.uses(node);
            Tensor[] constIn = new Tensor[uses.size()];
            boolean[] initializers = new boolean[uses.size()];
            boolean allConstant = true;
            for (int i = 0; i < constIn.length; i++) {
                String in = uses.get(i);
                if (in.isEmpty()) {
                    continue;
                }
                Tensor c = runtimeInputNames.contains(in) ? null : constants.get(slotOf.get(in));
                constIn[i] = c;
                initializers[i] = c != null && modelWeights.contains(c);
                allConstant &= c != null;
            }
            ValueInfo[] inTypes = uses.stream().map(valueTypes::get).toArray(ValueInfo[]::new);
            Op op = registry.create(node, OpRegistry.opsetOf(g, node), constIn, env, inTypes, initializers);
            int[] outSlots = new int[node.outputs().size()];
            Tensor[] folded = allConstant && !holdsLoop(node) ? fold(node, op, constIn) : null;
            for (int i = 0; i < outSlots.length; i++) {
                String out = node.outputs().get(i);
                if (out.isEmpty()) {
                    outSlots[i] = -1;
                    continue;
                }
                outSlots[i] = constants.size();
                slotOf.put(out, outSlots[i]);
                constants.add(folded != null ? folded[i] : null);
                if (folded != null && folded[i] != null) {
                    foldedByName.put(out, folded[i]);
                }
            }
            if (folded == null) {
                int[] inSlots = uses.stream().mapToInt(n -> n.isEmpty() ? -1 : slotOf.get(n)).toArray();
                steps.add(new ExecutionPlan.Step(node.describe(), op, inSlots, outSlots, new int[0]));
            }
        }
        int[] outputSlots = g.outputs().stream().mapToInt(v -> slotOf.get(v.name())).toArray();
        ExecutionPlan.Step[] withRelease = releaseDeadValues(steps, outputSlots, constants);
        return new ExecutionPlan(g.inputs(), inputSlots, g.outputs(), outputSlots, withRelease,
            constants.toArray(new Tensor[0]), constants.size(), g, Map.copyOf(foldedByName), Map.copyOf(valueTypes),
            modelWeights);
    }

    /**
     * Whether a node is, or its subgraphs hold, a Loop or Scan. Those never fold at load: folding runs in the
     * session's constructor, where closing the session cannot stop them; at run time it can.
     */
    private static boolean holdsLoop(Node node) {
        List<Node> all = new ArrayList<>(List.of(node));
        Subgraphs.of(node).forEach(g -> all.addAll(Subgraphs.allNodes(g)));
        return all.stream().anyMatch(n -> n.domain().isEmpty() && (n.opType().equals("Loop") || n.opType().equals("Scan")));
    }

    /** The node's outputs computed at load, or null to leave it to run time (a result over the folding limit). */
    private Tensor[] fold(Node node, Op op, Tensor[] constIn) {
        boolean limited = maxFoldedElements < TensorLimit.maxElements();
        try {
            if (!limited) {
                return op.run(constIn);
            }
            Tensor[] out = TensorLimit.with(maxFoldedElements, () -> op.run(constIn));
            // Outputs that are not allocated through a size check (views of large inputs) are checked here.
            for (Tensor t : out) {
                if (t != null && t.size() > maxFoldedElements) {
                    return null;
                }
            }
            return out;
        } catch (OctetException e) {
            if (limited && e.code() == ErrorCode.RESOURCE_LIMIT) {
                return null; // run time checks it against the session's tensor limit
            }
            throw new OctetException(e.code(), node.describe() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // Ops report bad models as OctetException; anything else is Octet's own bug.
            throw new OctetException(ErrorCode.INTERNAL, node.describe() + " failed on its constant inputs: " + e, e);
        }
    }

    /** Marks, for every step, the runtime values it reads for the last time (never outputs or constants). */
    private static ExecutionPlan.Step[] releaseDeadValues(List<ExecutionPlan.Step> steps, int[] outputSlots,
                                                          List<Tensor> constants) {
        Set<Integer> keep = new HashSet<>();
        for (int s : outputSlots) {
            keep.add(s);
        }
        Map<Integer, Integer> lastReader = new HashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            for (int s : steps.get(i).inputSlots()) {
                if (s >= 0) {
                    lastReader.put(s, i);
                }
            }
        }
        List<List<Integer>> release = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            release.add(new ArrayList<>());
        }
        lastReader.forEach((slot, step) -> {
            if (!keep.contains(slot) && constants.get(slot) == null) {
                release.get(step).add(slot);
            }
        });
        ExecutionPlan.Step[] r = new ExecutionPlan.Step[steps.size()];
        for (int i = 0; i < r.length; i++) {
            ExecutionPlan.Step s = steps.get(i);
            r[i] = new ExecutionPlan.Step(s.description(), s.op(), s.inputSlots(), s.outputSlots(),
                release.get(i).stream().mapToInt(Integer::intValue).toArray());
        }
        return r;
    }
}
