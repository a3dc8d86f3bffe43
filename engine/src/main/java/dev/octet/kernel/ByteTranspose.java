package dev.octet.kernel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Transposes byte matrices (the NCHW/NHWC layout changes around int8 convolutions) in 8 x 8 blocks held in
 * eight longs: three rounds of masked swaps (bytes, then byte pairs, then 4-byte halves) turn eight 8-byte
 * rows into eight 8-byte columns, so each block costs 16 memory accesses instead of 64 single-byte ones.
 */
public final class ByteTranspose {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Columns per band: a band's destination lines stay in L1 while all rows pass. */
    private static final int BAND = 64;
    /** Rows per destination cache line (64 bytes). */
    private static final int LINE = 64;

    private ByteTranspose() {}

    /** {@code dst[dstOff + c * rows + r] = src[srcOff + r * cols + c]} for a rows x cols matrix. */
    public static void transpose(byte[] src, int srcOff, int rows, int cols, byte[] dst, int dstOff) {
        transpose(src, srcOff, cols, rows, cols, dst, dstOff, rows);
    }

    /**
     * {@code dst[dstOff + c * dstStride + r] = src[srcOff + r * srcStride + c]} for r < rows, c < cols: a block of a
     * larger matrix, so that threads can each transpose their own columns or rows of it.
     */
    public static void transpose(byte[] src, int srcOff, int srcStride, int rows, int cols, byte[] dst, int dstOff,
                                 int dstStride) {
        if (rows <= 4) {
            fewRows(src, srcOff, srcStride, rows, cols, dst, dstOff, dstStride);
            return;
        }
        int rows8 = rows - rows % 8;
        int cols8 = cols - cols % 8;
        // Each source line is read whole before the next. A tall matrix (an NHWC image back to NCHW: 65,536 pixels
        // of 32 channels) writes destination rows that lie a large power of two apart and share cache sets, so there
        // 64 rows at a time fill one destination line per column before moving on (65,536 x 32 and 16,384 x 64:
        // 0.82-1.1 -> 0.24-0.30 ns a byte, Zen 5).
        boolean tall = rows > cols;
        int rowStep = tall ? LINE : rows8;
        for (int c0 = 0; c0 < cols8; c0 += BAND) {
            int c1 = Math.min(cols8, c0 + BAND);
            for (int r0 = 0; r0 < rows8; r0 += rowStep) {
                int r1 = Math.min(rows8, r0 + rowStep);
                if (tall) {
                    for (int c = c0; c < c1; c += 8) {
                        for (int r = r0; r < r1; r += 8) {
                            block(src, srcOff + r * srcStride + c, srcStride, dst, dstOff + c * dstStride + r, dstStride);
                        }
                    }
                } else {
                    for (int r = r0; r < r1; r += 8) {
                        for (int c = c0; c < c1; c += 8) {
                            block(src, srcOff + r * srcStride + c, srcStride, dst, dstOff + c * dstStride + r, dstStride);
                        }
                    }
                }
            }
        }
        // The ragged edges: the last rows % 8 rows, then the last cols % 8 columns.
        for (int r = rows8; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                dst[dstOff + c * dstStride + r] = src[srcOff + r * srcStride + c];
            }
        }
        for (int r = 0; r < rows8; r++) {
            for (int c = cols8; c < cols; c++) {
                dst[dstOff + c * dstStride + r] = src[srcOff + r * srcStride + c];
            }
        }
    }

    /**
     * Up to four rows (an image's channels into NHWC): one destination column at a time, each row a stream, written
     * out per row count (the 8 x 8 blocks need eight rows; byte by byte, a 3 x 59,536 image took 4x as long).
     */
    private static void fewRows(byte[] src, int srcOff, int srcStride, int rows, int cols, byte[] dst, int dstOff,
                                int dstStride) {
        int s1 = srcOff + srcStride;
        int s2 = srcOff + 2 * srcStride;
        int s3 = srcOff + 3 * srcStride;
        if (dstStride != rows) {
            for (int c = 0; c < cols; c++) {
                for (int r = 0; r < rows; r++) {
                    dst[dstOff + c * dstStride + r] = src[srcOff + r * srcStride + c];
                }
            }
            return;
        }
        switch (rows) {
            case 0 -> { }
            case 1 -> System.arraycopy(src, srcOff, dst, dstOff, cols);
            case 2 -> {
                for (int c = 0, d = dstOff; c < cols; c++, d += 2) {
                    dst[d] = src[srcOff + c];
                    dst[d + 1] = src[s1 + c];
                }
            }
            case 3 -> {
                for (int c = 0, d = dstOff; c < cols; c++, d += 3) {
                    dst[d] = src[srcOff + c];
                    dst[d + 1] = src[s1 + c];
                    dst[d + 2] = src[s2 + c];
                }
            }
            case 4 -> {
                for (int c = 0, d = dstOff; c < cols; c++, d += 4) {
                    dst[d] = src[srcOff + c];
                    dst[d + 1] = src[s1 + c];
                    dst[d + 2] = src[s2 + c];
                    dst[d + 3] = src[s3 + c];
                }
            }
            default -> throw new IllegalArgumentException("rows " + rows);
        }
    }

    /** One 8 x 8 block: 8 bytes from each of 8 source rows to 8 bytes in each of 8 destination rows. */
    private static void block(byte[] src, int s, int srcStride, byte[] dst, int d, int dstStride) {
        long r0 = (long) LONGS.get(src, s);
        long r1 = (long) LONGS.get(src, s + srcStride);
        long r2 = (long) LONGS.get(src, s + 2 * srcStride);
        long r3 = (long) LONGS.get(src, s + 3 * srcStride);
        long r4 = (long) LONGS.get(src, s + 4 * srcStride);
        long r5 = (long) LONGS.get(src, s + 5 * srcStride);
        long r6 = (long) LONGS.get(src, s + 6 * srcStride);
        long r7 = (long) LONGS.get(src, s + 7 * srcStride);
        // Little endian: byte j of rI is element (I, j). Each round swaps the upper-right and lower-left
        // quarters of 2x2 blocks of 1, 2, then 4 bytes between row pairs 1, 2, then 4 apart.
        long t;
        t = ((r0 >>> 8) ^ r1) & 0x00FF00FF00FF00FFL; r1 ^= t; r0 ^= t << 8;
        t = ((r2 >>> 8) ^ r3) & 0x00FF00FF00FF00FFL; r3 ^= t; r2 ^= t << 8;
        t = ((r4 >>> 8) ^ r5) & 0x00FF00FF00FF00FFL; r5 ^= t; r4 ^= t << 8;
        t = ((r6 >>> 8) ^ r7) & 0x00FF00FF00FF00FFL; r7 ^= t; r6 ^= t << 8;
        t = ((r0 >>> 16) ^ r2) & 0x0000FFFF0000FFFFL; r2 ^= t; r0 ^= t << 16;
        t = ((r1 >>> 16) ^ r3) & 0x0000FFFF0000FFFFL; r3 ^= t; r1 ^= t << 16;
        t = ((r4 >>> 16) ^ r6) & 0x0000FFFF0000FFFFL; r6 ^= t; r4 ^= t << 16;
        t = ((r5 >>> 16) ^ r7) & 0x0000FFFF0000FFFFL; r7 ^= t; r5 ^= t << 16;
        t = ((r0 >>> 32) ^ r4) & 0x00000000FFFFFFFFL; r4 ^= t; r0 ^= t << 32;
        t = ((r1 >>> 32) ^ r5) & 0x00000000FFFFFFFFL; r5 ^= t; r1 ^= t << 32;
        t = ((r2 >>> 32) ^ r6) & 0x00000000FFFFFFFFL; r6 ^= t; r2 ^= t << 32;
        t = ((r3 >>> 32) ^ r7) & 0x00000000FFFFFFFFL; r7 ^= t; r3 ^= t << 32;
        LONGS.set(dst, d, r0);
        LONGS.set(dst, d + dstStride, r1);
        LONGS.set(dst, d + 2 * dstStride, r2);
        LONGS.set(dst, d + 3 * dstStride, r3);
        LONGS.set(dst, d + 4 * dstStride, r4);
        LONGS.set(dst, d + 5 * dstStride, r5);
        LONGS.set(dst, d + 6 * dstStride, r6);
        LONGS.set(dst, d + 7 * dstStride, r7);
    }
}
