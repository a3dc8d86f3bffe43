package dev.octet.bench;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import dev.octet.api.Tensor;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.Locale;

/** Octet tensors to ONNX Runtime tensors (the same values for both engines) and ORT's outputs back. */
final class OrtTensors {
    private OrtTensors() {}

    static OnnxTensor toOrt(OrtEnvironment env, Tensor t) throws OrtException {
        long[] shape = Arrays.stream(t.shapeView()).asLongStream().toArray();
        return switch (t.type()) {
            case FLOAT -> OnnxTensor.createTensor(env, FloatBuffer.wrap(t.floats()), shape);
            case INT64 -> OnnxTensor.createTensor(env, LongBuffer.wrap(t.longs()), shape);
            case INT32 -> OnnxTensor.createTensor(env, IntBuffer.wrap(t.ints()), shape);
            case UINT8 -> OnnxTensor.createTensor(env, ByteBuffer.wrap(t.bytes()), shape, OnnxJavaType.UINT8);
            case INT8 -> OnnxTensor.createTensor(env, ByteBuffer.wrap(t.bytes()), shape, OnnxJavaType.INT8);
            case BOOL -> {
                boolean[] b = t.bools();
                byte[] bytes = new byte[b.length];
                for (int i = 0; i < b.length; i++) {
                    bytes[i] = (byte) (b[i] ? 1 : 0);
                }
                yield OnnxTensor.createTensor(env, ByteBuffer.wrap(bytes), shape, OnnxJavaType.BOOL);
            }
            case FLOAT16 -> OnnxTensor.createTensor(env, ShortBuffer.wrap(t.float16Bits()), shape, OnnxJavaType.FLOAT16);
            case BFLOAT16 -> OnnxTensor.createTensor(env, ShortBuffer.wrap(t.bfloat16Bits()), shape, OnnxJavaType.BFLOAT16);
            case DOUBLE -> OnnxTensor.createTensor(env, DoubleBuffer.wrap(t.doubles()), shape);
        };
    }

    static Output toOutput(String name, OnnxValue value) {
        if (!(value instanceof OnnxTensor tensor)) {
            throw new IllegalStateException("ONNX Runtime output '" + name + "' is a " + value.getType()
                + ", not a tensor");
        }
        TensorInfo info = tensor.getInfo();
        int[] shape = Arrays.stream(info.getShape()).mapToInt(Math::toIntExact).toArray();
        int n = Math.toIntExact(info.getNumElements());
        double[] v = new double[n];
        long[] bits = new long[n];
        switch (info.type) {
            case FLOAT -> {
                FloatBuffer b = tensor.getFloatBuffer();
                for (int i = 0; i < n; i++) {
                    v[i] = b.get(i);
                    bits[i] = Float.floatToRawIntBits(b.get(i));
                }
            }
            case DOUBLE -> {
                DoubleBuffer b = tensor.getDoubleBuffer();
                for (int i = 0; i < n; i++) {
                    v[i] = b.get(i);
                    bits[i] = Double.doubleToRawLongBits(v[i]);
                }
            }
            case INT64 -> {
                LongBuffer b = tensor.getLongBuffer();
                for (int i = 0; i < n; i++) {
                    bits[i] = b.get(i);
                    v[i] = bits[i];
                }
            }
            case INT32 -> {
                IntBuffer b = tensor.getIntBuffer();
                for (int i = 0; i < n; i++) {
                    bits[i] = b.get(i);
                    v[i] = bits[i];
                }
            }
            case UINT8, BOOL -> {
                ByteBuffer b = tensor.getByteBuffer();
                for (int i = 0; i < n; i++) {
                    bits[i] = b.get(i) & 0xFF;
                    v[i] = bits[i];
                }
            }
            case FLOAT16, BFLOAT16 -> {
                // The raw 16-bit patterns, as Octet holds them; the value widened to float for comparisons.
                ShortBuffer b = tensor.getShortBuffer();
                for (int i = 0; i < n; i++) {
                    bits[i] = b.get(i) & 0xFFFF;
                    v[i] = info.type == OnnxJavaType.FLOAT16 ? Float.float16ToFloat(b.get(i))
                        : Float.intBitsToFloat(b.get(i) << 16);
                }
            }
            case INT8 -> {
                ByteBuffer b = tensor.getByteBuffer();
                for (int i = 0; i < n; i++) {
                    bits[i] = b.get(i);
                    v[i] = bits[i];
                }
            }
            default -> throw new IllegalStateException("ONNX Runtime output '" + name + "' has type " + info.type
                + ", which Octet does not produce");
        }
        return new Output(info.type.name().toLowerCase(Locale.ROOT), shape, v, bits);
    }
}
