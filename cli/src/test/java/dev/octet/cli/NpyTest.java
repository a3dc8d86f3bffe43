package dev.octet.cli;

import static dev.octet.cli.Cli.octet;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.cli.Cli.Outcome;
import dev.octet.onnx.OnnxModelBuilder;
import dev.octet.onnx.TensorProtos;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .npy/.npz reader and writer against files NumPy 2.4.6 wrote (src/test/resources/npy, made by
 * make_fixtures.py there): the values read, the bytes written, and a typed error for every malformed file.
 */
class NpyTest {
    @TempDir
    Path tmp;

    private static byte[] fixture(String name) throws Exception {
        try (InputStream in = NpyTest.class.getResourceAsStream("/npy/" + name)) {
            assertTrue(in != null, name);
            return in.readAllBytes();
        }
    }

    private static Tensor read(byte[] bytes) throws Exception {
        return Npy.read(new ByteArrayInputStream(bytes), "test.npy", bytes.length);
    }

    /** (arange(6).reshape(2, 3) * 0.5 - 1) as float32, the array make_fixtures.py saves as f4_2x3 and x. */
    private static Tensor x() {
        float[] v = new float[6];
        for (int i = 0; i < 6; i++) {
            v[i] = i * 0.5f - 1;
        }
        return Tensor.ofFloats(v, 2, 3);
    }

    private static final Map<String, Tensor> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put("f4_2x3.npy", x());
        EXPECTED.put("i1_4.npy", Tensor.ofInt8(new byte[] {-128, -1, 0, 127}, 4));
        EXPECTED.put("u1_2x2.npy", Tensor.ofUint8(new byte[] {0, 1, (byte) 254, (byte) 255}, 2, 2));
        EXPECTED.put("i4_scalar.npy", Tensor.ofInts(new int[] {-7}));
        EXPECTED.put("i8_3.npy", Tensor.ofLongs(new long[] {-(1L << 62), 0, (1L << 40) + 3}, 3));
        EXPECTED.put("b1_3.npy", Tensor.ofBools(new boolean[] {true, false, true}, 3));
        EXPECTED.put("f4_0x3.npy", Tensor.ofFloats(new float[0], 0, 3));
        EXPECTED.put("f8_3.npy", Tensor.ofDoubles(new double[] {0, 1, 2}, 3));
        // float16 bit patterns of 0.1, -65504, inf and 1.5 (IEEE 754 binary16).
        EXPECTED.put("f2_2x2.npy", Tensor.ofFloat16(new short[] {0x2E66, (short) 0xFBFF, 0x7C00, 0x3E00}, 2, 2));
    }

    private static void assertSameTensor(Tensor expected, Tensor actual) {
        assertEquals(expected.type(), actual.type());
        assertArrayEquals(expected.shape(), actual.shape());
        assertArrayEquals(TensorProtos.rawBytes(expected), TensorProtos.rawBytes(actual));
    }

    @Test
    void readsWhatNumpyWrote() throws Exception {
        for (var e : EXPECTED.entrySet()) {
            assertSameTensor(e.getValue(), read(fixture(e.getKey())));
        }
        assertSameTensor(Tensor.ofFloats(new float[] {0, 1, 2, 3}, 4), read(fixture("f4_v2.npy")));
    }

    @Test
    void writesTheBytesNumpyWrites() throws Exception {
        for (var e : EXPECTED.entrySet()) {
            assertArrayEquals(fixture(e.getKey()), Npy.toBytes(e.getValue()), e.getKey());
        }
    }

    @Test
    void readsStoredAndDeflatedNpz() throws Exception {
        for (String name : List.of("stored.npz", "deflated.npz")) {
            Path file = Files.write(tmp.resolve(name), fixture(name));
            Map<String, Tensor> arrays = Npy.readNpz(file);
            assertEquals(List.of("x", "ids"), List.copyOf(arrays.keySet()));
            assertSameTensor(x(), arrays.get("x"));
            assertSameTensor(Tensor.ofLongs(new long[] {101, 2023, 102}, 1, 3), arrays.get("ids"));
        }
    }

    @Test
    void writtenNpzHoldsNumpysNpyBytesAndReadsBack() throws Exception {
        Map<String, Tensor> arrays = new LinkedHashMap<>();
        arrays.put("x", x());
        arrays.put("ids", Tensor.ofLongs(new long[] {101, 2023, 102}, 1, 3));
        Path file = tmp.resolve("out.npz");
        Npy.writeNpz(arrays, file);
        // Entry by entry, the same .npy bytes as in the archive numpy.savez wrote.
        Map<String, byte[]> ours = entries(Files.readAllBytes(file));
        Map<String, byte[]> numpys = entries(fixture("stored.npz"));
        assertEquals(numpys.keySet(), ours.keySet());
        numpys.forEach((name, bytes) -> assertArrayEquals(bytes, ours.get(name), name));
        Map<String, Tensor> back = Npy.readNpz(file);
        arrays.forEach((name, t) -> assertSameTensor(t, back.get(name)));
    }

    private static Map<String, byte[]> entries(byte[] zip) throws Exception {
        Map<String, byte[]> m = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                m.put(e.getName(), in.readAllBytes());
            }
        }
        return m;
    }

    private static void assertRejected(byte[] bytes, ErrorCode code, String expected) {
        OctetException e = assertThrows(OctetException.class, () -> read(bytes));
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage().startsWith("test.npy: ") && e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void bfloat16HasNoNumpyDtypeAndIsRefusedWithAHint() {
        OctetException e = assertThrows(OctetException.class,
            () -> Npy.toBytes(Tensor.ofBfloat16(new short[] {0x3F80}, 1)));
        assertEquals(ErrorCode.UNSUPPORTED_TYPE, e.code());
        assertTrue(e.getMessage().contains("bfloat16 has no NumPy dtype"), e.getMessage());
    }

    @Test
    void rejectsWhatOctetCannotRead() throws Exception {
        assertRejected(fixture("f4_fortran.npy"), ErrorCode.INVALID_INPUT, "Fortran order");
        assertRejected(fixture("f4_big_endian.npy"), ErrorCode.UNSUPPORTED_TYPE, "big-endian dtype '>f4'");
        assertRejected(withHeader("'<f4'", "'>f8'"), ErrorCode.UNSUPPORTED_TYPE, "big-endian dtype '>f8'");
        assertRejected(fixture("u2_3.npy"), ErrorCode.UNSUPPORTED_TYPE, "dtype '<u2'");
        assertRejected(fixture("structured.npy"), ErrorCode.UNSUPPORTED_TYPE, "structured dtype");
    }

    /** f4_2x3.npy with its header text replaced, the padding before the header's newline adjusted to keep its length. */
    private static byte[] withHeader(String from, String to) throws Exception {
        String s = new String(fixture("f4_2x3.npy"), StandardCharsets.ISO_8859_1);
        int newline = s.indexOf('\n');
        String header = s.substring(0, newline).replace(from, to).stripTrailing();
        assertTrue(header.contains(to) && header.length() <= newline, to);
        return (header + " ".repeat(newline - header.length()) + s.substring(newline)).getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void rejectsTruncatedPaddedAndAbsurdFiles() throws Exception {
        byte[] full = fixture("f4_2x3.npy");
        assertRejected(java.util.Arrays.copyOf(full, full.length - 1), ErrorCode.INVALID_INPUT,
            "truncated: shape [2, 3] needs 24 bytes of data, the file has 23");
        assertRejected(java.util.Arrays.copyOf(full, 60), ErrorCode.INVALID_INPUT, "truncated header");
        assertRejected(java.util.Arrays.copyOf(full, full.length + 1), ErrorCode.INVALID_INPUT, "1 bytes after the data");
        // Sizes the reader must refuse before allocating anything.
        assertRejected(withHeader("(2, 3)", "(100000, 100000, 100000)"), ErrorCode.INVALID_INPUT, "more than");
        assertRejected(withHeader("(2, 3)", "(99999999999,)"), ErrorCode.INVALID_INPUT, "larger than 2147483647");
        assertRejected(withHeader("(2, 3)", "(536870911, 2)"), ErrorCode.INVALID_INPUT, "needs 4294967288 bytes");
        assertRejected(withHeader("(2, 3)", "(200, 300)"), ErrorCode.INVALID_INPUT, "truncated");
        assertRejected(withHeader("(2, 3)", "(-2, 3)"), ErrorCode.INVALID_INPUT, "malformed header");
        // And a header that is not the dict numpy writes.
        assertRejected(withHeader("'shape'", "'shope'"), ErrorCode.INVALID_INPUT, "header keys are");
        assertRejected(withHeader("(2, 3), }", "(2, 3), }}"), ErrorCode.INVALID_INPUT, "text after the dict");
        assertRejected(withHeader("(2, 3)", "(6)"), ErrorCode.INVALID_INPUT, "trailing comma");
        assertRejected(withHeader("False", "0"), ErrorCode.INVALID_INPUT, "malformed header");
        byte[] noNewline = full.clone();
        noNewline[127] = ' ';
        assertRejected(noNewline, ErrorCode.INVALID_INPUT, "does not end with a newline");
        byte[] badMagic = full.clone();
        badMagic[1] = 'X';
        assertRejected(badMagic, ErrorCode.INVALID_INPUT, "not a .npy file");
        byte[] version4 = full.clone();
        version4[6] = 4;
        assertRejected(version4, ErrorCode.INVALID_INPUT, "unsupported .npy version 4.0");
        byte[] hugeHeader = fixture("f4_v2.npy").clone();
        hugeHeader[11] = 0x7f; // a 2 GB header length
        assertRejected(hugeHeader, ErrorCode.INVALID_INPUT, "over the limit");
        byte[] bool = fixture("b1_3.npy").clone();
        bool[bool.length - 1] = 2;
        assertRejected(bool, ErrorCode.INVALID_INPUT, "bool element 2 is 2, not 0 or 1");
    }

    private Path addModel() throws Exception {
        return Cli.addModel(tmp);
    }

    @Test
    void runReadsNpyAndNpzInputsAndWritesEitherFormat() throws Exception {
        String model = addModel().toString();
        Path x = Files.write(tmp.resolve("x.npy"), fixture("f4_2x3.npy"));
        Tensor twice = Tensor.ofFloats(new float[] {-2, -1, 0, 1, 2, 3}, 2, 3); // x + x
        Outcome o = octet("run", model, "--input", "x=" + x, "--input", "y=" + x, "--output-dir",
            tmp.resolve("npy").toString(), "--output-format", "npy");
        assertEquals(0, o.status(), o.err());
        assertSameTensor(twice, Npy.read(tmp.resolve("npy/z.npy")));

        Path both = tmp.resolve("in.npz");
        Npy.writeNpz(Map.of("x", x(), "y", x()), both);
        o = octet("run", model, "--input", both.toString(), "--output-dir", tmp.resolve("npz").toString(),
            "--output-format", "npz");
        assertEquals(0, o.status(), o.err());
        assertSameTensor(twice, Npy.readNpz(tmp.resolve("npz/outputs.npz")).get("z"));

        // NAME=FILE.npz takes the array NAME (numpy's stored.npz has x and ids).
        Path stored = Files.write(tmp.resolve("stored.npz"), fixture("stored.npz"));
        o = octet("run", model, "--input", "x=" + stored, "--input", "y=" + x, "--output-dir", tmp.resolve("pb").toString());
        assertEquals(0, o.status(), o.err());
        assertSameTensor(twice, TensorProtos.read(tmp.resolve("pb/z.pb")));
    }

    @Test
    void runReportsBadNumpyInputsInOneLine() throws Exception {
        String model = addModel().toString();
        Path big = Files.write(tmp.resolve("big.npy"), fixture("f4_big_endian.npy"));
        Outcome o = octet("run", model, "--input", "x=" + big);
        assertEquals(Main.FAILED, o.status());
        assertEquals("octet: error: " + big + ": big-endian dtype '>f4'; save it little-endian (array.astype('<f4'))"
            + " [UNSUPPORTED_TYPE]", o.err().strip());
        Path stored = Files.write(tmp.resolve("stored.npz"), fixture("stored.npz"));
        o = octet("run", model, "--input", "y=" + stored);
        assertEquals("octet: error: " + stored + " has no array 'y'; it has [x, ids] [INVALID_INPUT]", o.err().strip());
        Path notZip = Files.write(tmp.resolve("bad.npz"), fixture("f4_2x3.npy"));
        o = octet("run", model, "--input", notZip.toString());
        assertTrue(o.err().startsWith("octet: error: " + notZip + ": not a valid .npz") && o.err().strip().lines().count() == 1,
            o.err());
        o = octet("run", model, "--input", "x=" + tmp.resolve("missing.npy"));
        assertEquals("octet: error: cannot read " + tmp.resolve("missing.npy") + ": no such file [IO]", o.err().strip());
        o = octet("run", model, "--output-dir", tmp.toString(), "--output-format", "csv");
        assertEquals("octet: error: --output-format takes pb, npy or npz, got 'csv' [INVALID_INPUT]", o.err().strip());
        o = octet("run", model, "--output-format", "npy");
        assertEquals("octet: error: --output-format needs --output-dir [INVALID_INPUT]", o.err().strip());
    }
}
