package dev.octet.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.onnx.OnnxImporter;
import dev.octet.onnx.OnnxModelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Cast between every pair of Octet's types, bit for bit against ONNX Runtime 1.23.2 (issue 10): every one of the
 * 65,536 float16 and bfloat16 bit patterns; floats and doubles that are special (signed zeros, infinities, NaNs with
 * payloads, subnormals, the float16/bfloat16 overflow and rounding-tie points and their neighbours) and random (by
 * bit pattern, so every binade); integers at their extremes and random. Then a float16-weight model: MatMul(x,
 * Cast(W_fp16 -> float)) cast back to float16.
 */
class OrtCastParityTest {
    private static final List<DataType> TYPES = List.of(DataType.FLOAT, DataType.FLOAT16, DataType.BFLOAT16,
        DataType.DOUBLE, DataType.UINT8, DataType.INT8, DataType.INT32, DataType.INT64, DataType.BOOL);

    private static Tensor sweep(DataType type) {
        SplittableRandom r = new SplittableRandom(10);
        switch (type) {
            case FLOAT16, BFLOAT16 -> {
                short[] all = new short[65536];
                for (int i = 0; i < all.length; i++) {
                    all[i] = (short) i;
                }
                return Tensor.of(type, new int[] {all.length}, all);
            }
            case FLOAT -> {
                List<Float> v = new ArrayList<>();
                for (float f : new float[] {0f, -0f, 1f, -1f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
                    Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 65504f, 65519.996f,
                    65520f, 5.9604645e-8f, 2.9802322e-8f, 2.9802326e-8f, 6.1035156e-5f, 0.5f, 1.5f, 2.5f, -2.5f, 127.5f,
                    255.5f, 256f, -128.5f, 2147483520f, 2.1474836E9f, -2.1474839E9f, 9.223372E18f, 1e20f, -1e20f}) {
                    v.add(f);
                    v.add(Math.nextUp(f));
                    v.add(Math.nextDown(f));
                }
                for (int bits : new int[] {0x7FC00001, 0xFFC00000, 0x7F800001, 0xFF812345, 0x3F808000, 0x3F818000,
                    0x3F808001, 0x3F807FFF, 0x7F7F8000, 0x3F801000, 0x3F803000}) {
                    v.add(Float.intBitsToFloat(bits));
                }
                for (int i = 0; i < 200_000; i++) {
                    v.add(Float.intBitsToFloat(r.nextInt()));
                    v.add((float) (r.nextGaussian() * 1000));
                }
                float[] a = new float[v.size()];
                for (int i = 0; i < a.length; i++) {
                    a[i] = v.get(i);
                }
                return Tensor.ofFloats(a, a.length);
            }
            case DOUBLE -> {
                List<Double> v = new ArrayList<>();
                for (double d : new double[] {0, -0.0, 1, -1, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                    Double.NaN, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, Float.MAX_VALUE, 3.4028235677973366e38,
                    3.4028235677973367e38, 1e-46, 0.1, 65504, 65520, 2147483647.5, -2147483648.5, 2147483648.0,
                    9.223372036854775807e18, -9.223372036854775808e18, 1e300, 255.9, -128.9, 1.00000001}) {
                    v.add(d);
                    v.add(Math.nextUp(d));
                    v.add(Math.nextDown(d));
                }
                v.add(Double.longBitsToDouble(0x7FF8000000000123L));
                v.add(Double.longBitsToDouble(0xFFF0000000000001L));
                for (int i = 0; i < 200_000; i++) {
                    v.add(Double.longBitsToDouble(r.nextLong()));
                    v.add(r.nextGaussian() * 1e6);
                }
                double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
                return Tensor.ofDoubles(a, a.length);
            }
            case BOOL -> {
                return Tensor.ofBools(new boolean[] {false, true, true, false}, 4);
            }
            default -> {
                long[] v = new long[20_000];
                long[] edges = {0, 1, -1, 127, 128, -128, -129, 255, 256, 65504, 65520, 16777217, Integer.MAX_VALUE,
                    Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, (1L << 53) + 1, 0x7FFFFFC0L, 1L << 40};
                System.arraycopy(edges, 0, v, 0, edges.length);
                for (int i = edges.length; i < v.length; i++) {
                    v[i] = i % 2 == 0 ? r.nextLong() : r.nextInt(-100_000, 100_000);
                }
                Tensor longs = Tensor.ofLongs(v, v.length);
                // The type's own values: int64 narrowed as Cast does (the low bits), so every pattern is covered.
                return dev.octet.api.Tensor.of(type, longs.shape(), narrow(v, type));
            }
        }
    }

    private static Object narrow(long[] v, DataType type) {
        return switch (type) {
            case INT64 -> v;
            case INT32 -> java.util.Arrays.stream(v).mapToInt(x -> (int) x).toArray();
            case UINT8, INT8 -> {
                byte[] b = new byte[v.length];
                for (int i = 0; i < v.length; i++) {
                    b[i] = (byte) v[i];
                }
                yield b;
            }
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    private static String name(DataType t) {
        return t.name().toLowerCase(Locale.ROOT);
    }

    @Test
    void castBetweenEveryPairMatchesOrtBitForBit() throws Exception {
        List<String> failures = new ArrayList<>();
        for (DataType from : TYPES) {
            Tensor x = sweep(from);
            for (DataType to : TYPES) {
                byte[] model = new OnnxModelBuilder(21).input("x", from, "n").output("y", to, "n")
                    .node("Cast", List.of("x"), List.of("y"), "to", to.onnxCode()).toBytes();
                Output ort = OrtReference.run(model, Map.of("x", x), OptLevel.NO_OPT).get("y");
                Output octet;
                try (CompiledSession s = new CompiledSession(OnnxImporter.load(model))) {
                    octet = Output.of(s.run(Map.of("x", x)).get("y"));
                }
                assertEquals(ort.type(), octet.type());
                assertArrayEquals(ort.shape(), octet.shape());
                int differing = 0;
                String first = null;
                for (int i = 0; i < ort.bits().length; i++) {
                    if (ort.bits()[i] != octet.bits()[i]) {
                        if (differing++ == 0) {
                            first = String.format(Locale.ROOT, "input %s (0x%x): ORT 0x%x, Octet 0x%x", x.getDouble(i),
                                from == DataType.FLOAT ? Float.floatToRawIntBits(x.floats()[i])
                                    : from == DataType.DOUBLE ? Double.doubleToRawLongBits(x.doubles()[i]) : x.getLong(i),
                                ort.bits()[i], octet.bits()[i]);
                        }
                    }
                }
                System.out.println("PARITY Cast " + name(from) + " -> " + name(to) + ": differing=" + differing + "/"
                    + ort.bits().length);
                if (differing > 0) {
                    failures.add(name(from) + " -> " + name(to) + ": " + differing + " differ, first " + first);
                }
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void float16WeightsBehindCastMatchOrtBitForBit() throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        short[] w = new short[16 * 8];
        for (int i = 0; i < w.length; i++) {
            w[i] = Float.floatToFloat16((float) r.nextGaussian());
        }
        float[] x = new float[4 * 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        byte[] model = new OnnxModelBuilder(21).input("x", DataType.FLOAT, 4, 16).output("y", DataType.FLOAT16, 4, 8)
            .initializer("w", Tensor.ofFloat16(w, 16, 8))
            .node("Cast", List.of("w"), List.of("wf"), "to", DataType.FLOAT.onnxCode())
            .node("MatMul", List.of("x", "wf"), List.of("m"))
            .node("Cast", List.of("m"), List.of("y"), "to", DataType.FLOAT16.onnxCode())
            .toBytes();
        Map<String, Tensor> in = Map.of("x", Tensor.ofFloats(x, 4, 16));
        Output ort = OrtReference.run(model, in, OptLevel.NO_OPT).get("y");
        try (CompiledSession s = new CompiledSession(OnnxImporter.load(model))) {
            Output octet = Output.of(s.run(in).get("y"));
            assertEquals("float16", octet.type());
            assertArrayEquals(ort.bits(), octet.bits());
        }
    }
}
