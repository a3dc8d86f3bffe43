package dev.octet.ops;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import java.util.Map;

/**
 * What an {@link OpFactory} may know about the node it builds an op for: attributes, the opset version
 * in force for the node's domain, which inputs are present, and which inputs are constants.
 */
public final class OpContext {
    private final Node node;
    private final int opset;
    private final Tensor[] constantInputs;
    private final OpEnvironment env;
    private final ValueInfo[] inputTypes;
    private final boolean[] initializers;

    public OpContext(Node node, int opset, Tensor[] constantInputs, OpEnvironment env) {
        this(node, opset, constantInputs, env, new ValueInfo[0], new boolean[0]);
    }

    /**
     * {@code inputTypes}: what inference knows of each input (then of each capture), null entries unknown;
     * {@code initializers}: which inputs are the graph's initializers (missing entries: not).
     */
    public OpContext(Node node, int opset, Tensor[] constantInputs, OpEnvironment env, ValueInfo[] inputTypes,
                     boolean[] initializers) {
        this.node = node;
        this.opset = opset;
        this.constantInputs = constantInputs;
        this.env = env;
        this.inputTypes = inputTypes;
        this.initializers = initializers;
    }

    /**
     * Whether input i is one of the graph's initializers, rather than a value computed (or folded at load) from
     * them: ONNX Runtime packs such weights at load, and an op that follows ORT's arithmetic sums as its packed
     * kernels do.
     */
    public boolean initializerInput(int i) {
        return i < initializers.length && initializers[i];
    }

    /**
     * The inferred type and shape of input i (inputs, then captures, as for {@link #constantInput}), or null when
     * unknown. Control-flow ops hand them to their subgraphs' inference.
     */
    public ValueInfo inputType(int i) {
        return i < inputTypes.length ? inputTypes[i] : null;
    }

    /** The kernels this session uses; ops pack constant weights with them at load. */
    public dev.octet.kernel.KernelProvider kernels() {
        return env.kernels();
    }

    /**
     * {@code pack} applied to the constant {@code weights}, once per session and {@code what} (every plan of the
     * session shares it; see {@link PackedWeights}).
     */
    public <T> T packed(Tensor weights, String what, java.util.function.Supplier<T> pack) {
        return env.packedWeights().get(weights, what, pack);
    }

    /** The session's threads, for ops that split their work. */
    public dev.octet.kernel.Parallel parallel() {
        return env.parallel();
    }

    public String opType() {
        return node.opType();
    }

    /** The opset version imported for this node's domain. */
    public int opset() {
        return opset;
    }

    public int inputCount() {
        return node.inputs().size();
    }

    public int outputCount() {
        return node.outputs().size();
    }

    /** True when input i exists and is not an omitted optional input. */
    public boolean hasInput(int i) {
        return i < node.inputs().size() && !node.inputs().get(i).isEmpty();
    }

    public boolean hasOutput(int i) {
        return i < node.outputs().size() && !node.outputs().get(i).isEmpty();
    }

    /** The value of input i if it is a constant known at load time, else null. */
    public Tensor constantInput(int i) {
        return i < constantInputs.length ? constantInputs[i] : null;
    }

    /** A declared attribute's value (or its default), checked as its {@link AttributeSpec} requires. */
    public <T> T get(AttributeSpec<T> spec) {
        return spec.read(this);
    }

    public boolean has(String attr) {
        return node.attributes().containsKey(attr);
    }

    public Map<String, Attribute> attributes() {
        return node.attributes();
    }

    public long getInt(String name, long dflt) {
        Attribute a = node.attributes().get(name);
        if (a == null) {
            return dflt;
        }
        if (a instanceof Attribute.IntAttr i) {
            return i.value();
        }
        throw wrongKind(name, a, "int");
    }

    public long requireInt(String name) {
        if (!has(name)) {
            throw fail("missing required attribute '" + name + "'");
        }
        return getInt(name, 0);
    }

    public float getFloat(String name, float dflt) {
        Attribute a = node.attributes().get(name);
        if (a == null) {
            return dflt;
        }
        if (a instanceof Attribute.FloatAttr f) {
            return f.value();
        }
        throw wrongKind(name, a, "float");
    }

    public String getString(String name, String dflt) {
        Attribute a = node.attributes().get(name);
        if (a == null) {
            return dflt;
        }
        if (a instanceof Attribute.StringAttr s) {
            return s.value();
        }
        throw wrongKind(name, a, "string");
    }

    /** An ints attribute, or null when absent. */
    public long[] getInts(String name) {
        Attribute a = node.attributes().get(name);
        if (a == null) {
            return null;
        }
        if (a instanceof Attribute.IntsAttr i) {
            return i.values().clone();
        }
        throw wrongKind(name, a, "ints");
    }

    /** An ints attribute narrowed to int[], or null when absent. */
    public int[] getIntArray(String name) {
        long[] v = getInts(name);
        if (v == null) {
            return null;
        }
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != (int) v[i]) {
                throw fail("attribute '" + name + "' value " + v[i] + " is out of range");
            }
            r[i] = (int) v[i];
        }
        return r;
    }

    public float[] getFloats(String name) {
        Attribute a = node.attributes().get(name);
        if (a == null) {
            return null;
        }
        if (a instanceof Attribute.FloatsAttr f) {
            return f.values().clone();
        }
        throw wrongKind(name, a, "floats");
    }

    public Tensor getTensor(String name) {
        Attribute a = node.attributes().get(name);
        if (a == null) {
            return null;
        }
        if (a instanceof Attribute.TensorAttr t) {
            return t.value();
        }
        throw wrongKind(name, a, "tensor");
    }

    /** A required subgraph attribute (an If branch, a Loop or Scan body). */
    public dev.octet.ir.Graph requireGraph(String name) {
        Attribute a = node.attributes().get(name);
        if (a == null) {
            throw fail("missing required attribute '" + name + "'");
        }
        if (a instanceof Attribute.GraphAttr g) {
            return g.value();
        }
        throw wrongKind(name, a, "graph");
    }

    /** The outer values this node's subgraphs capture; the op receives them after its inputs, in this order. */
    public java.util.List<String> captures() {
        return dev.octet.ir.Subgraphs.captures(node);
    }

    /** The session's subgraph compiler, loop limit and open check. */
    public ControlFlow controlFlow() {
        return env.controlFlow();
    }

    /** The node, as error messages name it. */
    public String describe() {
        return node.describe();
    }

    /** An error about this node, raised at load time. */
    public OctetException fail(String message) {
        return new OctetException(ErrorCode.INVALID_GRAPH, node.describe() + ": " + message);
    }

    public OctetException unsupported(String message) {
        return new OctetException(ErrorCode.UNSUPPORTED_OP, node.describe() + ": " + message);
    }

    /** A tensor type this node would make or need that Octet does not have, raised at load time. */
    public OctetException unsupportedType(String message) {
        return new OctetException(ErrorCode.UNSUPPORTED_TYPE, node.describe() + ": " + message);
    }

    private OctetException wrongKind(String name, Attribute a, String expected) {
        return fail("attribute '" + name + "' must be " + expected + ", got " + a.kind());
    }
}
