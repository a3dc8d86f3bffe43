package dev.octet.compile;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.compile.ShapeValue.Elem;
import dev.octet.ir.Dim;
import dev.octet.ir.Node;
import dev.octet.ops.OpContext;
import java.util.List;

/** What a shape rule sees of one node: its attributes and opset (as ops read them) and its inputs' facts. */
final class ShapeContext {
    private final OpContext attrs;
    private final ShapeValue[] in;

    ShapeContext(Node node, int opset, ShapeValue[] in) {
        Tensor[] constants = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) {
            constants[i] = in[i].constant();
        }
        this.attrs = new OpContext(node, opset, constants, dev.octet.ops.OpEnvironment.serial());
        this.in = in;
    }

    /** Attributes, read exactly as the op factories read them. */
    OpContext attrs() {
        return attrs;
    }

    int opset() {
        return attrs.opset();
    }

    int outputCount() {
        return attrs.outputCount();
    }

    /** True when input i exists (is not an omitted optional input). */
    boolean has(int i) {
        return attrs.hasInput(i);
    }

    ShapeValue in(int i) {
        return has(i) ? in[i] : ShapeValue.UNKNOWN;
    }

    DataType type(int i) {
        return in(i).type();
    }

    List<Dim> shape(int i) {
        return in(i).shape();
    }

    int rank(int i) {
        return in(i).rank();
    }

    /** Input i's constant integer values, or null when it is absent or not a known constant. */
    long[] longs(int i) {
        return in(i).longs();
    }

    /** Input i's elements (see {@link ShapeValue#elements()}), or null. */
    List<Elem> elements(int i) {
        return in(i).elements();
    }

    long getInt(String name, long dflt) {
        return attrs.getInt(name, dflt);
    }

    ShapeDims.Incompatible fail(String message) {
        return new ShapeDims.Incompatible(message);
    }
}
