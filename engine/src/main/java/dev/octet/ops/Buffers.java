package dev.octet.ops;

/**
 * Where an op gets the arrays of the outputs it creates. During an inference the executor passes a pool
 * that hands back arrays of tensors no longer alive, so a model in steady state allocates only what it
 * returns; {@link #FRESH} allocates new arrays (constant folding, single op calls).
 *
 * <p>A pooled array holds whatever its last user wrote: an op must write every element of what it takes.
 */
public interface Buffers {
    float[] floats(int n);

    byte[] bytes(int n);

    int[] ints(int n);

    /** An array for n elements of {@code type}: pooled for float and 8-bit and int32 tensors, else new. */
    default Object array(dev.octet.api.DataType type, int n) {
        return switch (type) {
            case FLOAT -> floats(n);
            case UINT8, INT8 -> bytes(n);
            case INT32 -> ints(n);
            default -> dev.octet.api.Tensor.newArray(type, n);
        };
    }

    /** Returns scratch taken from {@link #floats}, {@link #bytes} or {@link #ints} that the op no longer uses. */
    void giveBack(Object array);

    /** New arrays every time. */
    Buffers FRESH = new Buffers() {
        @Override
        public float[] floats(int n) {
            return new float[n];
        }

        @Override
        public byte[] bytes(int n) {
            return new byte[n];
        }

        @Override
        public int[] ints(int n) {
            return new int[n];
        }

        @Override
        public void giveBack(Object array) {
        }
    };
}
