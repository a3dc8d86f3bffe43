package dev.octet.api;

import java.util.List;

/**
 * A model input's or output's name, element type and shape.
 *
 * @param name  the name to use as a key of {@link InferenceSession#run}'s inputs and outputs
 * @param type  the element type (null only for a type Octet does not support, which no run can feed)
 * @param shape one entry per axis, or null when not even the rank is known
 */
public record TensorInfo(String name, DataType type, List<Dimension> shape) {
    public TensorInfo {
        shape = shape == null ? null : List.copyOf(shape);
    }

    /** Whether the rank is known, i.e. {@link #shape} is not null. */
    public boolean hasShape() {
        return shape != null;
    }

    /** E.g. {@code input_ids: int64[batch,sequence]}. */
    @Override
    public String toString() {
        return name + ": " + (type == null ? "?" : type.name().toLowerCase(java.util.Locale.ROOT))
            + (shape == null ? "[?]" : shape.toString().replace(" ", ""));
    }
}
