package dev.octet.api;

import java.util.Arrays;

/**
 * A dense, row-major tensor: an element type, a shape and a Java array holding the elements.
 *
 * <p>Storage per type: FLOAT {@code float[]}, UINT8 and INT8 {@code byte[]} (UINT8 read as {@code b & 0xFF}),
 * INT32 {@code int[]}, INT64 {@code long[]}, BOOL {@code boolean[]}, FLOAT16 and BFLOAT16 {@code short[]} holding
 * the raw 16-bit patterns, DOUBLE {@code double[]}. Tensors are treated as immutable once
 * built: the engine never writes into a tensor it did not create for that purpose.
 */
public final class Tensor {
    /** The largest element count a tensor may have: Java arrays are int-indexed. */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private final DataType type;
    private final int[] shape;
    private final Object data;

    private Tensor(DataType type, int[] shape, Object data) {
        this.type = type;
        this.shape = shape;
        this.data = data;
        if (data == null) {
            throw new OctetException(ErrorCode.INVALID_INPUT, type + " tensor of shape " + Arrays.toString(shape)
                + " has no data (null)");
        }
        int n = checkedSize(shape);
        int len = java.lang.reflect.Array.getLength(data);
        if (len != n) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "shape " + Arrays.toString(shape) + " holds " + n
                + " elements but the data has " + len);
        }
    }

    public static Tensor of(DataType type, int[] shape, Object data) {
        Class<?> expected = arrayClass(type);
        if (data == null || data.getClass() != expected) {
            throw new OctetException(ErrorCode.INVALID_INPUT, type + " tensor needs a " + expected.getSimpleName()
                + ", got " + (data == null ? "null" : data.getClass().getSimpleName()));
        }
        return new Tensor(type, shape.clone(), data);
    }

    public static Tensor ofFloats(float[] data, int... shape) {
        return new Tensor(DataType.FLOAT, shape.clone(), data);
    }

    public static Tensor ofUint8(byte[] data, int... shape) {
        return new Tensor(DataType.UINT8, shape.clone(), data);
    }

    public static Tensor ofInt8(byte[] data, int... shape) {
        return new Tensor(DataType.INT8, shape.clone(), data);
    }

    public static Tensor ofInts(int[] data, int... shape) {
        return new Tensor(DataType.INT32, shape.clone(), data);
    }

    public static Tensor ofLongs(long[] data, int... shape) {
        return new Tensor(DataType.INT64, shape.clone(), data);
    }

    public static Tensor ofBools(boolean[] data, int... shape) {
        return new Tensor(DataType.BOOL, shape.clone(), data);
    }

    /** IEEE half-precision values given as their raw 16-bit patterns ({@link Float#floatToFloat16}). */
    public static Tensor ofFloat16(short[] bits, int... shape) {
        return new Tensor(DataType.FLOAT16, shape.clone(), bits);
    }

    /** bfloat16 values given as their raw 16-bit patterns (the upper 16 bits of a float's). */
    public static Tensor ofBfloat16(short[] bits, int... shape) {
        return new Tensor(DataType.BFLOAT16, shape.clone(), bits);
    }

    public static Tensor ofDoubles(double[] data, int... shape) {
        return new Tensor(DataType.DOUBLE, shape.clone(), data);
    }

    /** A zero-filled tensor of the given type and shape. */
    public static Tensor zeros(DataType type, int... shape) {
        return new Tensor(type, shape.clone(), newArray(type, checkedSize(shape)));
    }

    /** Allocates the storage array of a type. */
    public static Object newArray(DataType type, int n) {
        return switch (type) {
            case FLOAT -> new float[n];
            case UINT8, INT8 -> new byte[n];
            case INT32 -> new int[n];
            case INT64 -> new long[n];
            case BOOL -> new boolean[n];
            case FLOAT16, BFLOAT16 -> new short[n];
            case DOUBLE -> new double[n];
        };
    }

    static Class<?> arrayClass(DataType type) {
        return switch (type) {
            case FLOAT -> float[].class;
            case UINT8, INT8 -> byte[].class;
            case INT32 -> int[].class;
            case INT64 -> long[].class;
            case BOOL -> boolean[].class;
            case FLOAT16, BFLOAT16 -> short[].class;
            case DOUBLE -> double[].class;
        };
    }

    /**
     * The most elements a tensor may have: its float data must fit in the JVM's maximum heap (-Xmx). Larger
     * shapes (a ConstantOfShape, Expand, Pad or Resize to absurd sizes) fail before allocating, with
     * {@link ErrorCode#RESOURCE_LIMIT}, instead of running out of memory.
     */
    public static final long HEAP_ELEMENTS = Math.min(MAX_ELEMENTS, Runtime.getRuntime().maxMemory() / Float.BYTES);

    /**
     * Element count of a shape; rejects negative dims, counts a Java array cannot hold and tensors larger than
     * the running session allows ({@link SessionOptions#maxTensorElements()}, at most {@link #HEAP_ELEMENTS}). Ops
     * check their output shapes with it before allocating.
     */
    public static int checkedSize(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new OctetException(ErrorCode.INVALID_SHAPE, "negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
            if (n > MAX_ELEMENTS) {
                throw new OctetException(ErrorCode.INVALID_SHAPE, "shape " + Arrays.toString(shape)
                    + " has more than " + MAX_ELEMENTS + " elements");
            }
        }
        if (dev.octet.ops.TensorLimit.exceeds(n)) {
            throw dev.octet.ops.TensorLimit.refusal(n, "shape " + Arrays.toString(shape));
        }
        return (int) n;
    }

    public DataType type() {
        return type;
    }

    /** The shape; a copy, callers may keep it. */
    public int[] shape() {
        return shape.clone();
    }

    /** The shape array itself, for engine code that promises not to modify it. */
    public int[] shapeView() {
        return shape;
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis];
    }

    public int size() {
        return java.lang.reflect.Array.getLength(data);
    }

    /** The backing array (float[], byte[], int[], long[], boolean[], short[] or double[]); not copied. */
    public Object data() {
        return data;
    }

    public float[] floats() {
        return (float[]) expect(DataType.FLOAT);
    }

    public byte[] bytes() {
        if (type != DataType.UINT8 && type != DataType.INT8) {
            throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, "expected an 8-bit tensor, got " + type);
        }
        return (byte[]) data;
    }

    public int[] ints() {
        return (int[]) expect(DataType.INT32);
    }

    public long[] longs() {
        return (long[]) expect(DataType.INT64);
    }

    public boolean[] bools() {
        return (boolean[]) expect(DataType.BOOL);
    }

    /** The raw 16-bit patterns of a FLOAT16 tensor. */
    public short[] float16Bits() {
        return (short[]) expect(DataType.FLOAT16);
    }

    /** The raw 16-bit patterns of a BFLOAT16 tensor. */
    public short[] bfloat16Bits() {
        return (short[]) expect(DataType.BFLOAT16);
    }

    public double[] doubles() {
        return (double[]) expect(DataType.DOUBLE);
    }

    private Object expect(DataType t) {
        if (type != t) {
            throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, "expected a " + t + " tensor, got " + type);
        }
        return data;
    }

    /** Element i widened to double, whatever the type (UINT8 unsigned, BOOL as 0/1). */
    public double getDouble(int i) {
        return switch (type) {
            case FLOAT -> ((float[]) data)[i];
            case UINT8 -> ((byte[]) data)[i] & 0xFF;
            case INT8 -> ((byte[]) data)[i];
            case INT32 -> ((int[]) data)[i];
            case INT64 -> ((long[]) data)[i];
            case BOOL -> ((boolean[]) data)[i] ? 1 : 0;
            case FLOAT16 -> Float.float16ToFloat(((short[]) data)[i]);
            case BFLOAT16 -> Float.intBitsToFloat(((short[]) data)[i] << 16);
            case DOUBLE -> ((double[]) data)[i];
        };
    }

    /** Element i as a long, for integer and bool types (UINT8 unsigned); floats are truncated. */
    public long getLong(int i) {
        return switch (type) {
            case FLOAT -> (long) ((float[]) data)[i];
            case UINT8 -> ((byte[]) data)[i] & 0xFF;
            case INT8 -> ((byte[]) data)[i];
            case INT32 -> ((int[]) data)[i];
            case INT64 -> ((long[]) data)[i];
            case BOOL -> ((boolean[]) data)[i] ? 1 : 0;
            case FLOAT16, BFLOAT16, DOUBLE -> (long) getDouble(i);
        };
    }

    /** A tensor sharing this one's data with another shape of the same size. */
    public Tensor reshape(int... newShape) {
        return new Tensor(type, newShape.clone(), data);
    }

    @Override
    public String toString() {
        return type + Arrays.toString(shape);
    }
}
