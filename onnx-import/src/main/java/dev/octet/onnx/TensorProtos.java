package dev.octet.onnx;

import com.google.protobuf.ByteString;
import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.onnx.proto.Onnx.StringStringEntryProto;
import dev.octet.onnx.proto.Onnx.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Conversions between ONNX TensorProto and Octet tensors, including external data files. */
public final class TensorProtos {
    /** The most bytes one tensor's external data may have: the largest Java array. */
    static final long MAX_EXTERNAL_BYTES = Integer.MAX_VALUE - 8;

    private TensorProtos() {}

    /** Reads a serialized TensorProto file (the ONNX test-data format). */
    public static Tensor read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return toTensor(TensorProto.parseFrom(in), file.getParent());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new OctetException(ErrorCode.INVALID_MODEL, file + " is not a serialized TensorProto: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new OctetException(ErrorCode.IO, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public static void write(Tensor t, String name, Path file) throws IOException {
        Files.write(file, toProto(t, name).toByteArray());
    }

    /**
     * Decodes a TensorProto. {@code baseDir} resolves external data; null forbids external data.
     */
    public static Tensor toTensor(TensorProto p, Path baseDir) {
        String label = p.getName().isEmpty() ? "tensor" : "tensor '" + p.getName() + "'";
        DataType type = DataType.fromOnnx(p.getDataType());
        if (type == null) {
            throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, label + " has element type "
                + DataType.onnxName(p.getDataType()) + ", which Octet does not support");
        }
        int[] shape = new int[p.getDimsCount()];
        for (int i = 0; i < shape.length; i++) {
            long d = p.getDims(i);
            if (d < 0 || d > Tensor.MAX_ELEMENTS) {
                throw new OctetException(ErrorCode.INVALID_MODEL, label + " has invalid dimension " + d);
            }
            shape[i] = (int) d;
        }
        int n;
        try {
            n = Tensor.checkedSize(shape);
        } catch (OctetException e) {
            // A size over the limits is a resource limit (the model may be fine); a malformed shape is the model's.
            throw new OctetException(e.code() == ErrorCode.RESOURCE_LIMIT ? e.code() : ErrorCode.INVALID_MODEL,
                label + ": " + e.getMessage());
        }
        if (p.hasSegment()) {
            throw new OctetException(ErrorCode.INVALID_MODEL, label + " is segmented, which Octet does not support");
        }
        ByteBuffer raw = null;
        if (p.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            raw = readExternal(p, label, baseDir, (long) n * type.byteSize());
        } else if (p.hasRawData()) {
            raw = p.getRawData().asReadOnlyByteBuffer();
        }
        if (raw != null) {
            long expected = (long) n * type.byteSize();
            if (raw.remaining() != expected) {
                throw new OctetException(ErrorCode.INVALID_MODEL, label + " has " + raw.remaining()
                    + " bytes of data, expected " + expected + " for shape " + java.util.Arrays.toString(shape));
            }
            return Tensor.of(type, shape, fromRaw(type, raw.order(ByteOrder.LITTLE_ENDIAN), n));
        }
        return Tensor.of(type, shape, fromTyped(p, type, n, label));
    }

    private static Object fromRaw(DataType type, ByteBuffer b, int n) {
        switch (type) {
            case FLOAT -> {
                float[] a = new float[n];
                b.asFloatBuffer().get(a);
                return a;
            }
            case UINT8, INT8 -> {
                byte[] a = new byte[n];
                b.get(a);
                return a;
            }
            case INT32 -> {
                int[] a = new int[n];
                b.asIntBuffer().get(a);
                return a;
            }
            case INT64 -> {
                long[] a = new long[n];
                b.asLongBuffer().get(a);
                return a;
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = b.get() != 0;
                }
                return a;
            }
            case FLOAT16, BFLOAT16 -> {
                short[] a = new short[n];
                b.asShortBuffer().get(a);
                return a;
            }
            case DOUBLE -> {
                double[] a = new double[n];
                b.asDoubleBuffer().get(a);
                return a;
            }
        }
        throw new AssertionError(type);
    }

    private static Object fromTyped(TensorProto p, DataType type, int n, String label) {
        int count = switch (type) {
            case FLOAT -> p.getFloatDataCount();
            case INT64 -> p.getInt64DataCount();
            case DOUBLE -> p.getDoubleDataCount();
            // float16 and bfloat16 keep their 16-bit patterns in int32_data, as onnx.proto says.
            default -> p.getInt32DataCount();
        };
        if (count != n) {
            throw new OctetException(ErrorCode.INVALID_MODEL, label + " has " + count + " values, expected " + n);
        }
        switch (type) {
            case FLOAT -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = p.getFloatData(i);
                }
                return a;
            }
            case UINT8, INT8 -> {
                byte[] a = new byte[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (byte) p.getInt32Data(i);
                }
                return a;
            }
            case INT32 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    a[i] = p.getInt32Data(i);
                }
                return a;
            }
            case INT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = p.getInt64Data(i);
                }
                return a;
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = p.getInt32Data(i) != 0;
                }
                return a;
            }
            case FLOAT16, BFLOAT16 -> {
                short[] a = new short[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (short) p.getInt32Data(i);
                }
                return a;
            }
            case DOUBLE -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) {
                    a[i] = p.getDoubleData(i);
                }
                return a;
            }
        }
        throw new AssertionError(type);
    }

    private static ByteBuffer readExternal(TensorProto p, String label, Path baseDir, long expected) {
        String location = null;
        long offset = 0;
        Long declaredLength = null;
        for (StringStringEntryProto e : p.getExternalDataList()) {
            try {
                switch (e.getKey()) {
                    case "location" -> location = e.getValue();
                    case "offset" -> offset = Long.parseLong(e.getValue());
                    case "length" -> declaredLength = Long.parseLong(e.getValue());
                    default -> { }
                }
            } catch (NumberFormatException ex) {
                throw new OctetException(ErrorCode.INVALID_MODEL, label + ": external data " + e.getKey()
                    + " is not a number: '" + e.getValue() + "'");
            }
        }
        if (location == null || location.isEmpty()) {
            throw new OctetException(ErrorCode.INVALID_MODEL, label + " is external but names no location");
        }
        if (baseDir == null) {
            throw new OctetException(ErrorCode.INVALID_MODEL, label + " has external data but the model has no directory");
        }
        long length = declaredLength == null ? expected : declaredLength;
        if (length != expected || offset < 0) {
            throw new OctetException(ErrorCode.INVALID_MODEL, label + ": external data length " + length
                + " at offset " + offset + " does not match the " + expected + " bytes its shape needs");
        }
        if (length > MAX_EXTERNAL_BYTES) {
            throw new OctetException(ErrorCode.INVALID_MODEL, label + ": external data of " + length
                + " bytes is more than one tensor can hold (" + MAX_EXTERNAL_BYTES + ")");
        }
        Path file = externalFile(label, baseDir, location);
        try (SeekableByteChannel in = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = in.size();
            // offset + length could wrap past Long.MAX_VALUE; compare without adding.
            if (length > size || offset > size - length) {
                throw new OctetException(ErrorCode.INVALID_MODEL, label + ": external file '" + location + "' has "
                    + size + " bytes, fewer than offset " + offset + " + length " + length);
            }
            ByteBuffer bytes = ByteBuffer.allocate((int) length);
            in.position(offset);
            while (bytes.hasRemaining()) {
                if (in.read(bytes) < 0) {
                    throw new OctetException(ErrorCode.IO, label + ": external file '" + location
                        + "' ended early (it shrank while being read)");
                }
            }
            return bytes.flip();
        } catch (IOException e) {
            throw new OctetException(ErrorCode.IO, label + ": cannot read external data '" + location + "': "
                + e.getMessage(), e);
        }
    }

    /**
     * The real path of an external data file: a regular file inside the model's folder once every symbolic link
     * is resolved. The file type is checked before the file is opened, so a FIFO or device cannot block the load.
     */
    private static Path externalFile(String label, Path baseDir, String location) {
        Path base;
        Path file;
        try {
            if (Path.of(location).isAbsolute()) {
                throw escapes(label, location);
            }
            base = baseDir.toAbsolutePath().normalize();
            file = base.resolve(location).normalize();
        } catch (InvalidPathException e) {
            throw new OctetException(ErrorCode.INVALID_MODEL, label + ": external data location '"
                + location.replace("\0", "\\0") + "' is not a valid path: " + e.getReason());
        }
        if (!file.startsWith(base)) {
            throw escapes(label, location);
        }
        Path real;
        try {
            real = file.toRealPath();
            if (!real.startsWith(base.toRealPath())) {
                throw escapes(label, location);
            }
        } catch (IOException e) {
            throw new OctetException(ErrorCode.IO, label + ": cannot read external data '" + location + "': "
                + e.getMessage(), e);
        }
        if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new OctetException(ErrorCode.INVALID_MODEL, label + ": external data '" + location
                + "' is not a regular file");
        }
        return real;
    }

    private static OctetException escapes(String label, String location) {
        return new OctetException(ErrorCode.INVALID_MODEL, label + ": external data location '" + location
            + "' escapes the model directory");
    }

    /** The elements as ONNX raw data: little-endian, floats by their raw bits, bools as one byte. */
    public static byte[] rawBytes(Tensor t) {
        ByteBuffer b = ByteBuffer.allocate(t.size() * t.type().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.type()) {
            case FLOAT -> {
                for (float v : t.floats()) {
                    b.putInt(Float.floatToRawIntBits(v));
                }
            }
            case UINT8, INT8 -> b.put(t.bytes());
            case INT32 -> b.asIntBuffer().put(t.ints());
            case INT64 -> b.asLongBuffer().put(t.longs());
            case BOOL -> {
                for (boolean v : t.bools()) {
                    b.put((byte) (v ? 1 : 0));
                }
            }
            case FLOAT16, BFLOAT16 -> b.asShortBuffer().put((short[]) t.data());
            case DOUBLE -> {
                for (double v : t.doubles()) {
                    b.putLong(Double.doubleToRawLongBits(v));
                }
            }
        }
        return b.array();
    }

    /**
     * SHA-256 over tensors in order, each as its dims (int32 little-endian) then its {@link #rawBytes}: the
     * {@code output-sha256} that shows two runs computed the same bits.
     */
    public static String sha256(java.util.Collection<Tensor> tensors) {
        java.security.MessageDigest md;
        try {
            md = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
        for (Tensor t : tensors) {
            ByteBuffer dims = ByteBuffer.allocate(4 * t.rank()).order(ByteOrder.LITTLE_ENDIAN);
            for (int d : t.shapeView()) {
                dims.putInt(d);
            }
            md.update(dims.array());
            md.update(rawBytes(t));
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    /** Encodes a tensor as a TensorProto with raw little-endian data. */
    public static TensorProto toProto(Tensor t, String name) {
        TensorProto.Builder p = TensorProto.newBuilder().setName(name).setDataType(t.type().onnxCode())
            .setRawData(ByteString.copyFrom(rawBytes(t)));
        for (int d : t.shapeView()) {
            p.addDims(d);
        }
        return p.build();
    }
}
