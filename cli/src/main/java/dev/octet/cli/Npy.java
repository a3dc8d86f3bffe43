package dev.octet.cli;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.onnx.TensorProtos;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's {@code .npy} format (versions 1.0, 2.0 and 3.0) and {@code .npz} archives of them, for the element types
 * Octet has: {@code <f4}, {@code <f2}, {@code <f8}, {@code |i1}, {@code |u1}, {@code <i4}, {@code <i8}, {@code |b1}
 * (bfloat16 has no NumPy dtype, so BFLOAT16 tensors are refused with a hint). Reading is strict:
 * little-endian C-order data of exactly the declared size after a well-formed header; anything else is a typed
 * error naming the file. Writing produces the bytes {@code numpy.save} writes.
 */
final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** NumPy refuses headers over 10,000 bytes by default; a generous bound that still stops a hostile length. */
    static final int MAX_HEADER_BYTES = 1 << 16;
    /** numpy.save pads the header so that the data starts at a multiple of this. */
    private static final int ALIGN = 64;
    /** numpy.save leaves room for the first dimension to grow to this many digits (GROWTH_AXIS_MAX_DIGITS). */
    private static final int GROWTH_DIGITS = 21;

    private Npy() {}

    // ---- reading

    static Tensor read(Path file) {
        String label = file.toString();
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, label, Files.size(file));
        } catch (IOException e) {
            throw ioError(label, e);
        }
    }

    /**
     * One array from {@code in}, which holds exactly one .npy; {@code size} is its byte count when known (else -1),
     * so that a header promising more data than there is fails before anything is allocated.
     */
    static Tensor read(InputStream in, String label, long size) throws IOException {
        byte[] prefix = in.readNBytes(MAGIC.length + 2);
        if (prefix.length < MAGIC.length || !java.util.Arrays.equals(prefix, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw invalid(label, "not a .npy file (no \\x93NUMPY magic)");
        }
        if (prefix.length < MAGIC.length + 2) {
            throw invalid(label, "truncated header");
        }
        int major = prefix[6] & 0xff;
        int minor = prefix[7] & 0xff;
        if (!(major >= 1 && major <= 3 && minor == 0)) {
            throw invalid(label, "unsupported .npy version " + major + "." + minor + " (1.0, 2.0 and 3.0 are)");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        byte[] len = in.readNBytes(lengthBytes);
        if (len.length < lengthBytes) {
            throw invalid(label, "truncated header");
        }
        long headerLength = lengthBytes == 2
            ? ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff
            : ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
        if (headerLength > MAX_HEADER_BYTES) {
            throw invalid(label, "header of " + headerLength + " bytes, over the limit of " + MAX_HEADER_BYTES);
        }
        byte[] headerBytes = in.readNBytes((int) headerLength);
        if (headerBytes.length < headerLength) {
            throw invalid(label, "truncated header");
        }
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Header h = Header.parse(header, label);
        long n = 1;
        for (int d : h.shape) {
            n *= d; // each d < 2^31 and the product is checked at every step, so no overflow
            if (n > Tensor.MAX_ELEMENTS) {
                throw invalid(label, "shape " + java.util.Arrays.toString(h.shape) + " has more than "
                    + Tensor.MAX_ELEMENTS + " elements");
            }
        }
        long dataBytes = n * h.itemSize;
        if (dataBytes > Integer.MAX_VALUE - 8) {
            throw invalid(label, "shape " + java.util.Arrays.toString(h.shape) + " needs " + dataBytes
                + " bytes, more than one array can hold");
        }
        long headerTotal = MAGIC.length + 2 + lengthBytes + headerLength;
        if (size >= 0 && size - headerTotal != dataBytes) {
            throw invalid(label, size - headerTotal < dataBytes
                ? "truncated: shape " + java.util.Arrays.toString(h.shape) + " needs " + dataBytes + " bytes of data, the file has "
                    + (size - headerTotal)
                : (size - headerTotal - dataBytes) + " bytes after the data");
        }
        byte[] data = in.readNBytes((int) dataBytes);
        if (data.length < dataBytes) {
            throw invalid(label, "truncated: shape " + java.util.Arrays.toString(h.shape) + " needs " + dataBytes
                + " bytes of data, the file has " + data.length);
        }
        if (in.read() != -1) {
            throw invalid(label, "bytes after the data");
        }
        return toTensor(h.type, h.shape, data, label);
    }

    private static Tensor toTensor(DataType type, int[] shape, byte[] data, String label) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int n = Tensor.checkedSize(shape);
        return switch (type) {
            case FLOAT -> {
                float[] v = new float[n];
                b.asFloatBuffer().get(v);
                yield Tensor.ofFloats(v, shape);
            }
            case INT32 -> {
                int[] v = new int[n];
                b.asIntBuffer().get(v);
                yield Tensor.ofInts(v, shape);
            }
            case INT64 -> {
                long[] v = new long[n];
                b.asLongBuffer().get(v);
                yield Tensor.ofLongs(v, shape);
            }
            case FLOAT16 -> {
                short[] v = new short[n];
                b.asShortBuffer().get(v);
                yield Tensor.ofFloat16(v, shape);
            }
            case DOUBLE -> {
                double[] v = new double[n];
                b.asDoubleBuffer().get(v);
                yield Tensor.ofDoubles(v, shape);
            }
            case BFLOAT16 -> throw new AssertionError("no .npy dtype reads as bfloat16");
            case INT8 -> Tensor.ofInt8(data, shape);
            case UINT8 -> Tensor.ofUint8(data, shape);
            case BOOL -> {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) {
                    if ((data[i] & 0xfe) != 0) {
                        throw invalid(label, "bool element " + i + " is " + (data[i] & 0xff) + ", not 0 or 1");
                    }
                    v[i] = data[i] == 1;
                }
                yield Tensor.ofBools(v, shape);
            }
        };
    }

    /** The three keys of a .npy header, parsed from its Python dict literal. */
    private record Header(DataType type, int itemSize, int[] shape) {
        static Header parse(String text, String label) {
            if (!text.endsWith("\n")) {
                throw invalid(label, "header does not end with a newline");
            }
            Literal p = new Literal(text, label);
            Map<String, Object> dict = p.dict();
            p.blanksToEnd();
            if (!dict.keySet().equals(java.util.Set.of("descr", "fortran_order", "shape"))) {
                throw invalid(label, "header keys are " + dict.keySet() + ", expected descr, fortran_order and shape");
            }
            if (!(dict.get("descr") instanceof String descr)) {
                throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, label + ": a structured dtype " + dict.get("descr")
                    + "; Octet reads plain arrays of " + SUPPORTED);
            }
            if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
                throw invalid(label, "fortran_order is not True or False");
            }
            if (fortran) {
                throw invalid(label, "the array is in Fortran order; save it in C order (numpy.ascontiguousarray)");
            }
            if (!(dict.get("shape") instanceof int[] shape)) {
                throw invalid(label, "shape is not a tuple of sizes");
            }
            return dtype(descr, label, shape);
        }

        private static Header dtype(String descr, String label, int[] shape) {
            if (descr.length() >= 2) {
                char order = descr.charAt(0);
                String kind = descr.substring(1);
                boolean oneByte = kind.equals("i1") || kind.equals("u1") || kind.equals("b1");
                if (oneByte && (order == '|' || order == '<' || order == '>')) {
                    DataType t = switch (kind) {
                        case "i1" -> DataType.INT8;
                        case "u1" -> DataType.UINT8;
                        default -> DataType.BOOL;
                    };
                    return new Header(t, 1, shape);
                }
                DataType wide = switch (kind) {
                    case "f2" -> DataType.FLOAT16;
                    case "f4" -> DataType.FLOAT;
                    case "f8" -> DataType.DOUBLE;
                    case "i4" -> DataType.INT32;
                    case "i8" -> DataType.INT64;
                    default -> null;
                };
                if (wide != null) {
                    if (order == '>') {
                        throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, label + ": big-endian dtype '" + descr
                            + "'; save it little-endian (array.astype('<" + kind + "'))");
                    }
                    if (order == '<') {
                        return new Header(wide, wide.byteSize(), shape);
                    }
                }
            }
            throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, label + ": dtype '" + descr
                + "' is not one Octet supports (" + SUPPORTED + ")");
        }
    }

    private static final String SUPPORTED = "<f4, <f2, <f8, |i1, |u1, <i4, <i8, |b1";

    /** A strict reader of the Python literals a .npy header holds: a dict of strings, booleans and int tuples. */
    private static final class Literal {
        private final String s;
        private final String label;
        private int i;

        Literal(String s, String label) {
            this.s = s;
            this.label = label;
        }

        private OctetException fail(String what) {
            return invalid(label, "malformed header at offset " + i + ": " + what);
        }

        private void blanks() {
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
        }

        void blanksToEnd() {
            blanks();
            if (i != s.length() - 1) { // the final newline, checked by the caller
                throw fail("text after the dict");
            }
        }

        private boolean take(char c) {
            blanks();
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!take(c)) {
                throw fail("expected '" + c + "'");
            }
        }

        Map<String, Object> dict() {
            expect('{');
            Map<String, Object> m = new LinkedHashMap<>();
            while (!take('}')) {
                blanks();
                String key = string();
                expect(':');
                if (m.put(key, value()) != null) {
                    throw fail("key '" + key + "' twice");
                }
                if (!take(',')) {
                    expect('}');
                    break;
                }
            }
            return m;
        }

        private Object value() {
            blanks();
            if (s.startsWith("True", i)) {
                i += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", i)) {
                i += 5;
                return Boolean.FALSE;
            }
            if (i < s.length() && s.charAt(i) == '(') {
                return tuple();
            }
            if (i < s.length() && s.charAt(i) == '[') {
                int depth = 0; // a structured dtype's list: kept as text for the error message
                int start = i;
                do {
                    char c = s.charAt(i++);
                    depth += c == '[' ? 1 : c == ']' ? -1 : 0;
                } while (depth > 0 && i < s.length() - 1);
                return List.of(s.substring(start, i));
            }
            return string();
        }

        private String string() {
            if (i >= s.length() || (s.charAt(i) != '\'' && s.charAt(i) != '"')) {
                throw fail("expected a quoted string");
            }
            char quote = s.charAt(i++);
            int end = s.indexOf(quote, i);
            if (end < 0 || s.substring(i, end).indexOf('\\') >= 0 || s.substring(i, end).indexOf('\n') >= 0) {
                throw fail("unterminated or escaped string");
            }
            String r = s.substring(i, end);
            i = end + 1;
            return r;
        }

        private int[] tuple() {
            expect('(');
            List<Integer> dims = new ArrayList<>();
            if (!take(')')) {
                while (true) {
                    dims.add(size());
                    boolean comma = take(',');
                    if (take(')')) {
                        if (dims.size() == 1 && !comma) {
                            throw fail("a one-element tuple needs a trailing comma");
                        }
                        break;
                    }
                    if (!comma) {
                        throw fail("expected ',' or ')'");
                    }
                }
            }
            return dims.stream().mapToInt(Integer::intValue).toArray();
        }

        private int size() {
            blanks();
            int start = i;
            while (i < s.length() && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
                i++;
            }
            if (start == i) {
                throw fail("expected a size (a whole number, not negative)");
            }
            String digits = s.substring(start, i);
            if (i < s.length() && s.charAt(i) == 'L') {
                i++; // written by Python 2's NumPy
            }
            if (digits.length() > 10 || Long.parseLong(digits) > Integer.MAX_VALUE) {
                throw invalid(label, "dimension " + digits + " is larger than " + Integer.MAX_VALUE);
            }
            return Integer.parseInt(digits);
        }
    }

    /** The named arrays of an .npz archive (stored or deflated entries {@code NAME.npy}), in archive order. */
    static Map<String, Tensor> readNpz(Path file) {
        String label = file.toString();
        Map<String, Tensor> arrays = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.isDirectory()) {
                    continue;
                }
                String name = e.getName().endsWith(".npy") ? e.getName().substring(0, e.getName().length() - 4) : e.getName();
                if (arrays.containsKey(name)) {
                    throw invalid(label, "holds '" + name + "' twice");
                }
                arrays.put(name, read(zip, label + ":" + e.getName(), e.getSize()));
            }
        } catch (ZipException e) {
            throw invalid(label, "not a valid .npz (zip) archive: " + e.getMessage());
        } catch (IOException e) {
            throw ioError(label, e);
        }
        if (arrays.isEmpty()) {
            throw invalid(label, "not a valid .npz: no arrays in it");
        }
        return arrays;
    }

    // ---- writing

    /** The .npy bytes numpy.save writes for {@code t}: version 1.0 (2.0 if the header needs it), C order. */
    static byte[] toBytes(Tensor t) {
        String descr = switch (t.type()) {
            case FLOAT -> "<f4";
            case INT8 -> "|i1";
            case UINT8 -> "|u1";
            case INT32 -> "<i4";
            case INT64 -> "<i8";
            case BOOL -> "|b1";
            case FLOAT16 -> "<f2";
            case DOUBLE -> "<f8";
            case BFLOAT16 -> throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, "bfloat16 has no NumPy dtype, so "
                + "it cannot be written as .npy; Cast the output to float (or float16) in the model");
        };
        int[] shape = t.shape();
        StringBuilder tuple = new StringBuilder("(");
        for (int d = 0; d < shape.length; d++) {
            tuple.append(d == 0 ? "" : ", ").append(shape[d]);
        }
        tuple.append(shape.length == 1 ? ",)" : ")");
        StringBuilder header = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + tuple + ", }");
        if (shape.length > 0) {
            header.append(" ".repeat(Math.max(0, GROWTH_DIGITS - Integer.toString(shape[0]).length())));
        }
        // As numpy's _wrap_header: spaces, then a newline, so that the data starts at a multiple of 64 (a whole
        // 64 spaces when it already would); version 2.0's 4-byte length only when 2 bytes cannot hold it.
        int lengthBytes = 2;
        int pad = ALIGN - (MAGIC.length + 2 + lengthBytes + header.length() + 1) % ALIGN;
        if (header.length() + 1 + pad > 0xffff) {
            lengthBytes = 4;
            pad = ALIGN - (MAGIC.length + 2 + lengthBytes + header.length() + 1) % ALIGN;
        }
        header.append(" ".repeat(pad)).append('\n');
        byte[] h = header.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] data = TensorProtos.rawBytes(t);
        ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 2 + lengthBytes + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) (lengthBytes == 2 ? 1 : 2)).put((byte) 0);
        if (lengthBytes == 2) {
            out.putShort((short) h.length);
        } else {
            out.putInt(h.length);
        }
        return out.put(h).put(data).array();
    }

    static void write(Tensor t, Path file) throws IOException {
        Files.write(file, toBytes(t));
    }

    /** An .npz of the arrays (entries NAME.npy, deflated, as numpy.savez_compressed writes them). */
    static void writeNpz(Map<String, Tensor> arrays, Path file) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (var e : arrays.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                zip.write(toBytes(e.getValue()));
                zip.closeEntry();
            }
        }
    }

    private static OctetException invalid(String label, String what) {
        return new OctetException(ErrorCode.INVALID_INPUT, label + ": " + what);
    }

    private static OctetException ioError(String label, IOException e) {
        String why = e instanceof NoSuchFileException ? "no such file"
            : e instanceof AccessDeniedException ? "permission denied" : e.getMessage();
        return new OctetException(ErrorCode.IO, "cannot read " + label + ": " + why, e);
    }
}
