package dev.octet.api;

/** Element types Octet computes with. The ONNX code is the {@code TensorProto.DataType} value. */
public enum DataType {
    FLOAT(1, 4),
    UINT8(2, 1),
    INT8(3, 1),
    INT32(6, 4),
    INT64(7, 8),
    BOOL(9, 1),
    /** IEEE half precision, stored as its raw 16-bit patterns (short[]). */
    FLOAT16(10, 2),
    /** bfloat16 (the upper half of a float), stored as its raw 16-bit patterns (short[]). */
    BFLOAT16(16, 2),
    DOUBLE(11, 8);

    private final int onnxCode;
    private final int byteSize;

    DataType(int onnxCode, int byteSize) {
        this.onnxCode = onnxCode;
        this.byteSize = byteSize;
    }

    public int onnxCode() {
        return onnxCode;
    }

    public int byteSize() {
        return byteSize;
    }

    /**
     * FLOAT16, BFLOAT16 and DOUBLE: types Octet carries at the edges of a graph (Cast, Constant and the operators
     * that only move elements) but does not compute in.
     */
    public boolean isEdgeOnly() {
        return this == FLOAT16 || this == BFLOAT16 || this == DOUBLE;
    }

    public boolean isQuantized() {
        return this == UINT8 || this == INT8;
    }

    /** The smallest representable value, for 8-bit types the saturation bound. */
    public int qmin() {
        return switch (this) {
            case UINT8 -> 0;
            case INT8 -> -128;
            default -> throw notQuantized();
        };
    }

    public int qmax() {
        return switch (this) {
            case UINT8 -> 255;
            case INT8 -> 127;
            default -> throw notQuantized();
        };
    }

    /** Returns the type for an ONNX code, or null when Octet does not support it. */
    public static DataType fromOnnx(long code) {
        for (DataType t : values()) {
            if (t.onnxCode == code) {
                return t;
            }
        }
        return null;
    }

    /**
     * ONNX's name for a type code, for error messages about types Octet does not support; long, so an attribute
     * beyond int range is named as given rather than as the type its low bits happen to be.
     */
    public static String onnxName(long code) {
        String[] names = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING",
            "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN",
            "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4", "FLOAT4E2M1", "FLOAT8E8M0"};
        return code >= 0 && code < names.length ? names[(int) code] : "type#" + code;
    }

    /** A quantized operator's zero point (and so its output) of another type: the model's error, typed. */
    private OctetException notQuantized() {
        return new OctetException(ErrorCode.UNSUPPORTED_TYPE, this + " is not an 8-bit quantized type (uint8 or int8)");
    }
}
