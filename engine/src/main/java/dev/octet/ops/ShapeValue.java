package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import dev.octet.ir.ValueInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What shape inference knows about one value: element type (null = unknown), shape (null = unknown rank),
 * the constant value when it is known, and for 0-D/1-D integer tensors the value of each element as an
 * {@link Elem} (a shape value such as {@code [batch, seq, -1]} that is not fully constant).
 */
public record ShapeValue(DataType type, List<Dim> shape, Tensor constant, List<Elem> elements) {
    public static final ShapeValue UNKNOWN = new ShapeValue(null, null, null, null);

    /**
     * One element of a small integer tensor: a known number (possibly negative, unlike a {@link Dim}), a
     * symbolic dimension size, or unknown.
     */
    public record Elem(boolean fixed, long value, String symbol) {
        public static final Elem UNKNOWN = new Elem(false, 0, null);

        public static Elem of(long value) {
            return new Elem(true, value, null);
        }

        public static Elem of(Dim d) {
            return d.isFixed() ? of(d.value()) : d.symbol() != null ? new Elem(false, 0, d.symbol()) : UNKNOWN;
        }

        /** As a dimension size: negative numbers are no size, so they become unknown. */
        public Dim toDim() {
            return fixed ? (value >= 0 ? Dim.of(value) : Dim.UNKNOWN) : symbol != null ? Dim.symbol(symbol) : Dim.UNKNOWN;
        }

        @Override
        public String toString() {
            return fixed ? Long.toString(value) : symbol != null ? symbol : "?";
        }
    }

    public ShapeValue {
        shape = shape == null ? null : List.copyOf(shape);
        elements = elements == null ? null : List.copyOf(elements);
    }

    public static ShapeValue of(DataType type, List<Dim> shape) {
        return new ShapeValue(type, shape, null, null);
    }

    /** A constant: its type and fixed shape, and its elements when it is a 0-D/1-D integer tensor. */
    public static ShapeValue ofConstant(Tensor t) {
        List<Dim> shape = Arrays.stream(t.shapeView()).mapToObj(Dim::of).toList();
        List<Elem> elements = null;
        if (isIndexType(t.type()) && t.rank() <= 1) {
            elements = new ArrayList<>(t.size());
            for (int i = 0; i < t.size(); i++) {
                elements.add(Elem.of(t.getLong(i)));
            }
        }
        return new ShapeValue(t.type(), shape, t, elements);
    }

    /** A 1-D (or 0-D when {@code scalar}) integer tensor holding the given dims. */
    public static ShapeValue ofElements(DataType type, List<Elem> elements, boolean scalar) {
        List<Dim> shape = scalar ? List.of() : List.of(Dim.of(elements.size()));
        return new ShapeValue(type, shape, null, elements);
    }

    public static boolean isIndexType(DataType t) {
        return t == DataType.INT64 || t == DataType.INT32;
    }

    public int rank() {
        return shape == null ? -1 : shape.size();
    }

    /** The constant's values widened to long, for integer constants; else null. */
    public long[] longs() {
        if (constant == null || constant.type() == DataType.FLOAT) {
            return null;
        }
        long[] r = new long[constant.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = constant.getLong(i);
        }
        return r;
    }

    /** The elements as a constant tensor when every one is fixed and the value is an integer 0-D/1-D tensor. */
    public Tensor elementsAsConstant() {
        if (elements == null || shape == null || shape.size() > 1 || !isIndexType(type)
            || !elements.stream().allMatch(Elem::fixed)) {
            return null;
        }
        int[] dims = shape.isEmpty() ? new int[0] : new int[] {elements.size()};
        if (type == DataType.INT64) {
            return Tensor.ofLongs(elements.stream().mapToLong(Elem::value).toArray(), dims);
        }
        return Tensor.ofInts(elements.stream().mapToInt(d -> (int) d.value()).toArray(), dims);
    }

    /** The declared-style description: element type and shape. */
    public ValueInfo toValueInfo(String name) {
        return new ValueInfo(name, type, type == null ? 0 : type.onnxCode(), shape);
    }
}
