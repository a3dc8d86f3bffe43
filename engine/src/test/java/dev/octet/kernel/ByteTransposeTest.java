package dev.octet.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ByteTransposeTest {
    @ParameterizedTest(name = "{0} x {1}")
    @CsvSource({"1,1", "1,9", "9,1", "8,8", "7,9", "8,64", "16,65", "24,121", "3,14884", "2,37", "4,301", "4,1", "13,67", "64,64", "96,961",
        "130,7", "200,9", "131,16", "1000,32", "72,64", "65,8"})
    void matchesElementByElement(int rows, int cols) {
        SplittableRandom r = new SplittableRandom(rows * 1000L + cols);
        byte[] src = new byte[3 + rows * cols];
        for (int i = 0; i < src.length; i++) {
            src[i] = (byte) r.nextInt(256);
        }
        byte[] expected = new byte[5 + rows * cols];
        byte[] actual = new byte[5 + rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                expected[5 + j * rows + i] = src[3 + i * cols + j];
            }
        }
        ByteTranspose.transpose(src, 3, rows, cols, actual, 5);
        assertArrayEquals(expected, actual);
    }

    @ParameterizedTest(name = "{0} x {1} of {2} x {3}")
    @CsvSource({"3,100,3,300", "3,64,3,14884", "24,67,24,961", "961,24,3000,24", "9,13,20,31", "4,1,4,7"})
    void transposesABlockOfALargerMatrix(int rows, int cols, int srcRows, int srcCols) {
        SplittableRandom r = new SplittableRandom(rows * 31L + cols);
        byte[] src = new byte[srcRows * srcCols];
        r.nextBytes(src);
        int r0 = srcRows - rows;
        int c0 = srcCols - cols;
        int dstStride = rows + 5;
        byte[] expected = new byte[7 + cols * dstStride];
        byte[] actual = expected.clone();
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                expected[7 + j * dstStride + i] = src[(r0 + i) * srcCols + c0 + j];
            }
        }
        ByteTranspose.transpose(src, r0 * srcCols + c0, srcCols, rows, cols, actual, 7, dstStride);
        assertArrayEquals(expected, actual);
    }
}
