package dev.octet.kernel;

/**
 * The left-hand operand of an int8 GEMM converted to a kernel's layout, plus optional row sums.
 * A reusable, thread-confined scratch: buffers grow as needed and are kept for the next call.
 */
public final class PreparedA {
    private int m;
    private int k;
    private int[] ints = new int[0];
    private float[] floats = new float[0];
    private int[] rowSums = new int[0];
    private boolean hasRowSums;

    /** Sets the shape of the next operand and whether its row sums will be stored. */
    public void reset(int rows, int depth, boolean withRowSums) {
        this.m = rows;
        this.k = depth;
        this.hasRowSums = withRowSums;
        if (withRowSums && rowSums.length < rows) {
            rowSums = new int[rows];
        }
    }

    public int rows() {
        return m;
    }

    public int depth() {
        return k;
    }

    /** An int buffer of at least {@code size}, for the kernel that fills it. */
    public int[] ints(int size) {
        if (ints.length < size) {
            ints = new int[size];
        }
        return ints;
    }

    public float[] floats(int size) {
        if (floats.length < size) {
            floats = new float[size];
        }
        return floats;
    }

    /** The row sums of canonical values, or null when not requested. */
    public int[] rowSums() {
        return hasRowSums ? rowSums : null;
    }
}
