package dev.octet.kernel;

/**
 * An int8 matrix multiply over canonical signed 8-bit values with exact int32 accumulation:
 * {@code C[i][j] = sum_k A[i][k] * B[k][j]}, A and B in [-128, 127]. Zero points, bias and the output
 * conversion are applied afterwards by {@link QGemmEpilogue}, so every kernel shares one contract:
 * bit-exact with {@link dev.octet.kernel.scalar.ScalarQGemm} for any K (sums wrap in int32 as the ONNX
 * spec allows; |A*B| <= 2^14, so K <= 2^17 never overflows).
 *
 * <p>Use: {@link #packB} once at load; per call {@link #prepareA} then {@link #multiply} over any column
 * ranges of rows and columns, from any number of threads (each with its own outputs).
 *
 * <p>Wider integer operands (Winograd's transformed tiles and weights) go through {@link #packWideB},
 * {@link #prepareRows(int, int, float[], int, int, PreparedA)} and a multiply with a caller-chosen flush
 * interval: kernels that sum in float stay exact when {@code flush * max|a * b| <= 2^24}.
 */
public interface QGemmKernel {
    /** Products of two 8-bit values (|a*b| <= 2^14) summed in float before a flush: 1024 * 2^14 = 2^24. */
    int INT8_FLUSH = 1024;

    /** k steps per group in the float layout of {@link #preparedRowTile}: one row's group is 16 contiguous floats. */
    int PREPARED_GROUP = 16;

    /** A stable id in XNNPACK's grammar, e.g. {@code qs8-gemm-8x32-f32fma/panama-512}. */
    String id();

    /** Rows of the kernel's register tile; row blocks that start at a multiple of it run whole tiles. */
    int rowTile();

    /** Packs B (K x N, or N x K when {@code transposed}) once; unsigned values are shifted to signed. */
    PackedB packB(byte[] b, int offset, int k, int n, boolean unsigned, boolean transposed);

    /** Sizes {@code out} for m rows of depth k (with room for row sums when asked) before {@link #prepareRows}. */
    void resetA(int m, int k, boolean rowSums, PreparedA out);

    /**
     * {@link #resetA(int, int, boolean, PreparedA)} for rows whose product with {@code b} goes to
     * {@link #multiplyRequantized(PreparedA, int, int, PackedB, int, int, int[], float[], int, int, int, byte[], int,
     * int)}: a kernel may choose a layout for b's shape that its fused tiles read faster (the 512-bit kernel stores A
     * as pairs for its 16- and 24-column pair tiles), which {@link #multiply} still reads (more slowly: a fallback)
     * and {@link #preparedRowTile} does not describe.
     */
    default void resetA(int m, PackedB b, boolean rowSums, PreparedA out) {
        resetA(m, b.k(), rowSums, out);
    }

    /**
     * Converts rows [i0, i1) of A (row stride lda; unsigned values shifted to signed) into {@code out}, reset by
     * {@link #resetA}, and stores their row sums of canonical values if it asked for them. Disjoint row ranges
     * may be prepared by different threads at once.
     */
    void prepareRows(int i0, int i1, byte[] a, int aOffset, int lda, boolean unsigned, PreparedA out);

    /** {@link #resetA} and {@link #prepareRows} for all m rows. */
    default void prepareA(int m, int k, byte[] a, int aOffset, int lda, boolean unsigned, boolean rowSums,
                          PreparedA out) {
        resetA(m, k, rowSums, out);
        prepareRows(0, m, a, aOffset, lda, unsigned, out);
    }

    /** The quantization kernels of the same width, which run this GEMM's requantizing epilogue. */
    QuantizeKernels epilogue();

    /** {@code c[cOffset + i*ldc + j] = sum_k A[i][k] B[k][j]} for rows [m0, m1) of A and columns [n0, n1). */
    default void multiply(PreparedA a, int m0, int m1, PackedB b, int n0, int n1, int[] c, int cOffset, int ldc) {
        multiply(a, m0, m1, b, n0, n1, c, cOffset, ldc, INT8_FLUSH);
    }

    /**
     * {@link #multiply(PreparedA, int, int, PackedB, int, int, int[], int, int)} summing at most {@code flush}
     * products (at most {@link #INT8_FLUSH}) before adding them to the int32 sums; the caller keeps
     * {@code flush * max|a * b| <= 2^24}. The result is the same int32 sum (wrapping like int arithmetic).
     */
    void multiply(PreparedA a, int m0, int m1, PackedB b, int n0, int n1, int[] c, int cOffset, int ldc, int flush);

    /**
     * {@link #multiply} and the requantizing epilogue in one pass, for columns [n0, n1) from a panel boundary when
     * the kernel can sum all of K, from the column term, exactly at once: {@code out[outOffset + i*ldo + j] =}
     * {@link Quantization#requantize}{@code (sum_k A[i][k] B[k][j] + colTerms[j], scales[j], zp, qmin, qmax)} for
     * rows [m0, m1), the bytes {@link QuantizeKernels#requantize} gives over the int32 sums. B is 8-bit (from
     * {@link #packB}). Returns the end of the columns it wrote, from n0; the caller converts the rest the unfused
     * way. Kernels without a fused path write nothing and return n0.
     */
    default int multiplyRequantized(PreparedA a, int m0, int m1, PackedB b, int n0, int n1, int[] colTerms,
                                    float[] scales, int zp, int qmin, int qmax, byte[] out, int outOffset, int ldo) {
        return n0;
    }

    /**
     * {@link #multiplyRequantized(PreparedA, int, int, PackedB, int, int, int[], float[], int, int, int, byte[], int,
     * int)} with A read from a float image of canonical values instead of prepared rows: the rows of A come in runs
     * of {@code runLength} (an output row of a convolution), and row i's k values are
     * {@code image[base + (i / runLength) * runPitch + (i % runLength) * IMAGE_PIXEL + taps[p]]}. A direct
     * convolution of a few-channel image (see {@link ImageConv}) without im2col rows or prepared A. Returns the end of
     * the columns it wrote, from n0 (n0: none, the caller takes the GEMM path).
     */
    default int multiplyRequantized(float[] image, int base, int[] taps, int runLength, int runPitch, int m0, int m1,
                                    PackedB b, int n0, int n1, int[] colTerms, float[] scales, int zp, int qmin,
                                    int qmax, byte[] out, int outOffset, int ldo) {
        return n0;
    }

    /** Floats per pixel of the image the fused tiles read: consecutive rows of a run are this far apart. */
    int IMAGE_PIXEL = 4;

    /** Packs integer-valued B (K x N row-major ints, |values| < 2^24) once, for the flush-aware multiply. */
    PackedB packWideB(int[] b, int k, int n);

    /**
     * Rows [i0, i1) of integer-valued A given as floats (|values| < 2^24, row stride lda) into {@code out}, reset
     * by {@link #resetA} without row sums.
     */
    void prepareRows(int i0, int i1, float[] a, int aOffset, int lda, PreparedA out);

    /**
     * Rows per tile R of the float layout that {@link #resetA} sizes in {@code out.floats(0)}, for producers that
     * write rows of A in place instead of through {@link #prepareRows(int, int, float[], int, int, PreparedA)}: with
     * G = {@link #PREPARED_GROUP}, value q of row i of depth k at {@code (i / R) * kg * R + (i % R) * G + (q / G) * G
     * * R + q % G}, kg being k rounded up to a multiple of G; 0 when the kernel's layout is another (then rows go
     * through prepareRows).
     */
    default int preparedRowTile() {
        return 0;
    }
}
