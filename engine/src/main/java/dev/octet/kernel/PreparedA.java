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
    private double[] pairs = new double[0];
    private int[] rowSums = new int[0];
    private boolean hasRowSums;
    private boolean paired;

    /** Sets the shape of the next operand and whether its row sums will be stored; its values go to floats. */
    public void reset(int rows, int depth, boolean withRowSums) {
        reset(rows, depth, withRowSums, false);
    }

    /**
     * {@link #reset(int, int, boolean)}, the values going to {@link #pairs} instead when {@code paired}: a kernel
     * that reads two neighbouring floats at once (as one double) reads them there.
     */
    public void reset(int rows, int depth, boolean withRowSums, boolean paired) {
        this.m = rows;
        this.k = depth;
        this.hasRowSums = withRowSums;
        this.paired = paired;
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

    /** Whether the values are in {@link #pairs}: float 2j in the low half of double j, 2j + 1 in the high half. */
    public boolean paired() {
        return paired;
    }

    /** A double buffer of at least {@code size}, holding two floats each, for a kernel that asked for pairs. */
    public double[] pairs(int size) {
        if (pairs.length < size) {
            pairs = new double[size];
        }
        return pairs;
    }

    /** The row sums of canonical values, or null when not requested. */
    public int[] rowSums() {
        return hasRowSums ? rowSums : null;
    }
}
