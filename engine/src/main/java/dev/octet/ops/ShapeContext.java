package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import dev.octet.ir.Node;
import dev.octet.ops.ShapeValue.Elem;
import java.util.List;

/** What a shape rule sees of one node: its attributes and opset (as ops read them) and its inputs' facts. */
public final class ShapeContext {
    private final OpContext attrs;
    private final ShapeValue[] in;

    /** {@code env} is the session's, so attribute reading and any op built here use the session's kernels. */
    public ShapeContext(Node node, int opset, ShapeValue[] in, OpEnvironment env) {
        Tensor[] constants = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) {
            constants[i] = in[i].constant();
        }
        this.attrs = new OpContext(node, opset, constants, env);
        this.in = in;
    }

    /** Attributes, read exactly as the op factories read them. */
    public OpContext attrs() {
        return attrs;
    }

    public int opset() {
        return attrs.opset();
    }

    public int outputCount() {
        return attrs.outputCount();
    }

    /** True when input i exists (is not an omitted optional input). */
    public boolean has(int i) {
        return attrs.hasInput(i);
    }

    public ShapeValue in(int i) {
        return has(i) ? in[i] : ShapeValue.UNKNOWN;
    }

    public DataType type(int i) {
        return in(i).type();
    }

    public List<Dim> shape(int i) {
        return in(i).shape();
    }

    public int rank(int i) {
        return in(i).rank();
    }

    /** Input i's constant integer values, or null when it is absent or not a known constant. */
    public long[] longs(int i) {
        return in(i).longs();
    }

    /** Input i's elements (see {@link ShapeValue#elements()}), or null. */
    public List<Elem> elements(int i) {
        return in(i).elements();
    }

    public long getInt(String name, long dflt) {
        return attrs.getInt(name, dflt);
    }

    public ShapeDims.Incompatible fail(String message) {
        return new ShapeDims.Incompatible(message);
    }
}
