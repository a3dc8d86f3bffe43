package dev.octet.ir;

import dev.octet.api.DataType;
import java.util.List;

/**
 * A named value's declared type and shape. {@code shape} is null when the rank is unknown.
 * {@code onnxType} keeps the source element type code so errors can name types Octet does not support
 * ({@code type} is then null).
 */
public record ValueInfo(String name, DataType type, int onnxType, List<Dim> shape) {
    public ValueInfo {
        shape = shape == null ? null : List.copyOf(shape);
    }

    public static ValueInfo of(String name, DataType type, int... dims) {
        return new ValueInfo(name, type, type.onnxCode(), java.util.Arrays.stream(dims).mapToObj(Dim::of).toList());
    }

    public String describe() {
        String t = type != null ? type.name() : DataType.onnxName(onnxType);
        return name + ": " + t.toLowerCase(java.util.Locale.ROOT) + (shape == null ? "[?]" : shape.toString().replace(" ", ""));
    }
}
