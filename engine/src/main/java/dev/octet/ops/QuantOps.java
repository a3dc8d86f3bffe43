package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.kernel.IntConv;
import dev.octet.kernel.IntGemm;
import dev.octet.kernel.Quantization;
import java.util.Arrays;

/**
 * The integer operators: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger,
 * QLinearMatMul, ConvInteger, QLinearConv. Arithmetic follows ONNX Runtime bit for bit (see
 * {@link Quantization}): exact int32 accumulation, float requantization with the scale computed as
 * {@code (x_scale * w_scale) / y_scale}.
 */
final class QuantOps {
    private QuantOps() {}

    static void register(OpRegistry.Builder r) {
        r.onnx("QuantizeLinear", 10, QuantOps::quantizeLinear);
        r.onnx("DequantizeLinear", 10, QuantOps::dequantizeLinear);
        r.onnx("DynamicQuantizeLinear", 11, ctx -> QuantOps::dynamicQuantizeLinear);
        r.onnx("MatMulInteger", 10, ctx -> in -> new Tensor[] {matMulInteger(in[0], in[1], in[2], in[3])});
        r.onnx("QLinearMatMul", 10, ctx -> QuantOps::qlinearMatMul);
        r.onnx("ConvInteger", 10, QuantOps::convInteger);
        r.onnx("QLinearConv", 10, QuantOps::qlinearConv);
        r.octet("QLinearConv", QuantOps::qlinearConv);
        r.microsoft("QLinearConv", ctx -> {
            if (ctx.getInt("channels_last", 0) != 0) {
                throw ctx.unsupported("channels_last=1 is not supported yet");
            }
            return qlinearConv(ctx);
        });
        r.microsoft("QGemm", QuantOps::qgemm);
        r.microsoft("QLinearAdd", ctx -> QuantOps::qlinearAdd);
        r.microsoft("QLinearGlobalAveragePool", QuantOps::qlinearGlobalAveragePool);
    }

    // ---- QuantizeLinear / DequantizeLinear ----------------------------------------------------------

    /** How a scale/zero-point tensor maps onto the elements of the data: per tensor, per axis or per block. */
    private record ParamLayout(int axis, int blockSize) {
        /** For each element of a tensor of {@code shape}, the index into the parameter tensor. */
        int[] indices(int[] shape, int[] paramShape, int paramSize) {
            int n = Tensor.checkedSize(shape);
            int[] idx = new int[n];
            if (paramSize == 1 && blockSize == 0) {
                return idx;
            }
            int ax = axis < 0 ? axis + shape.length : axis;
            if (ax < 0 || ax >= shape.length) {
                throw new OctetException(ErrorCode.INVALID_SHAPE, "axis " + axis + " is out of range for rank " + shape.length);
            }
            int inner = 1;
            for (int d = ax + 1; d < shape.length; d++) {
                inner *= shape[d];
            }
            int c = shape[ax];
            if (blockSize == 0) {
                if (paramShape.length != 1 || paramShape[0] != c) {
                    throw new OctetException(ErrorCode.INVALID_SHAPE, "per-axis scale shape " + Arrays.toString(paramShape)
                        + " does not match dimension " + c + " of axis " + ax);
                }
                for (int i = 0; i < n; i++) {
                    idx[i] = (i / inner) % c;
                }
                return idx;
            }
            // Blocked: the parameter tensor has the data's rank with dim[axis] = ceil(c / blockSize).
            int blocks = (c + blockSize - 1) / blockSize;
            if (paramShape.length != shape.length || paramShape[ax] != blocks) {
                throw new OctetException(ErrorCode.INVALID_SHAPE, "blocked scale shape " + Arrays.toString(paramShape)
                    + " does not match data shape " + Arrays.toString(shape) + " with block_size " + blockSize);
            }
            for (int i = 0; i < n; i++) {
                int outer = i / (inner * c);
                int a = (i / inner) % c;
                int in = i % inner;
                idx[i] = (outer * blocks + a / blockSize) * inner + in;
            }
            return idx;
        }
    }

    private static ParamLayout layout(OpContext ctx) {
        int blockSize = (int) ctx.getInt("block_size", 0);
        if (blockSize < 0) {
            throw ctx.fail("block_size must not be negative");
        }
        return new ParamLayout((int) ctx.getInt("axis", 1), blockSize);
    }

    private static Op quantizeLinear(OpContext ctx) {
        ParamLayout layout = layout(ctx);
        if (ctx.getInt("saturate", 1) != 1) {
            throw ctx.unsupported("saturate=0 applies to float8 outputs, which Octet does not support");
        }
        long outputDtype = ctx.getInt("output_dtype", 0);
        DataType declared = outputDtype == 0 ? null : DataType.fromOnnx((int) outputDtype);
        if (outputDtype != 0 && (declared == null || !declared.isQuantized())) {
            throw ctx.unsupported("output_dtype " + DataType.onnxName((int) outputDtype) + " is not supported (uint8 and int8 are)");
        }
        return in -> {
            Tensor x = in[0];
            Tensor scale = in[1];
            Tensor zp = in.length > 2 ? in[2] : null;
            DataType outType = zp != null ? zp.type() : declared != null ? declared : DataType.UINT8;
            if (!outType.isQuantized()) {
                throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, "QuantizeLinear to " + outType + " is not supported");
            }
            float[] s = scale.floats();
            int[] pIdx = layout.indices(x.shapeView(), scale.shapeView(), scale.size());
            int qmin = outType.qmin();
            int qmax = outType.qmax();
            byte[] out = new byte[x.size()];
            for (int i = 0; i < out.length; i++) {
                int p = pIdx[i];
                int z = zp == null ? 0 : (int) zp.getLong(p);
                out[i] = (byte) Quantization.quantize((float) x.getDouble(i), s[p], z, qmin, qmax);
            }
            return new Tensor[] {Tensor.of(outType, x.shape(), out)};
        };
    }

    private static Op dequantizeLinear(OpContext ctx) {
        ParamLayout layout = layout(ctx);
        return in -> {
            Tensor x = in[0];
            Tensor scale = in[1];
            Tensor zp = in.length > 2 ? in[2] : null;
            if (x.type() == DataType.FLOAT) {
                throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, "DequantizeLinear of a float tensor");
            }
            float[] s = scale.floats();
            int[] pIdx = layout.indices(x.shapeView(), scale.shapeView(), scale.size());
            float[] out = new float[x.size()];
            for (int i = 0; i < out.length; i++) {
                int p = pIdx[i];
                long z = zp == null ? 0 : zp.getLong(p);
                out[i] = (float) (x.getLong(i) - z) * s[p];
            }
            return new Tensor[] {Tensor.ofFloats(out, x.shape())};
        };
    }

    private static Tensor[] dynamicQuantizeLinear(Tensor[] in) {
        float[] x = in[0].floats();
        float[] p = Quantization.dynamicUint8Params(x, 0, x.length);
        float scale = p[0];
        int zp = (int) p[1];
        byte[] out = new byte[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (byte) Quantization.quantize(x[i], scale, zp, 0, 255);
        }
        return new Tensor[] {
            Tensor.ofUint8(out, in[0].shape()),
            Tensor.ofFloats(new float[] {scale}),
            Tensor.ofUint8(new byte[] {(byte) zp})
        };
    }

    // ---- MatMulInteger / QLinearMatMul ------------------------------------------------------------------

    /** Shapes of a numpy-style batched matmul of two 8-bit tensors. */
    private record MatMulShape(int m, int k, int n, int[] outShape, int[] aBatchMap, int[] bBatchMap, int batch) {
        static MatMulShape of(int[] a, int[] b) {
            int[] as = a.length == 1 ? new int[] {1, a[0]} : a;
            int[] bs = b.length == 1 ? new int[] {b[0], 1} : b;
            int m = as[as.length - 2], k = as[as.length - 1];
            int kb = bs[bs.length - 2], n = bs[bs.length - 1];
            if (k != kb) {
                throw new OctetException(ErrorCode.INVALID_SHAPE, "matmul inner dimensions differ: "
                    + Arrays.toString(a) + " x " + Arrays.toString(b));
            }
            int[] aBatch = Arrays.copyOf(as, as.length - 2);
            int[] bBatch = Arrays.copyOf(bs, bs.length - 2);
            int[] batchShape = Broadcast.shape(aBatch, bBatch);
            int batch = Tensor.checkedSize(batchShape);
            int[] aMap = Broadcast.indexMap(aBatch, batchShape);
            int[] bMap = Broadcast.indexMap(bBatch, batchShape);
            int[] out = Arrays.copyOf(batchShape, batchShape.length + 2);
            out[batchShape.length] = m;
            out[batchShape.length + 1] = n;
            if (a.length == 1 || b.length == 1) {
                // A 1-D operand's inserted dimension is removed from the result.
                int[] trimmed = new int[out.length - (a.length == 1 && b.length == 1 ? 2 : 1)];
                int t = 0;
                for (int i = 0; i < out.length; i++) {
                    boolean drop = (a.length == 1 && i == out.length - 2) || (b.length == 1 && i == out.length - 1);
                    if (!drop) {
                        trimmed[t++] = out[i];
                    }
                }
                out = trimmed;
            }
            return new MatMulShape(m, k, n, out, aMap, bMap, batch);
        }

        int aOffset(int batchIndex) {
            return (aBatchMap == null ? batchIndex : aBatchMap[batchIndex]) * m * k;
        }

        int bOffset(int batchIndex) {
            return (bBatchMap == null ? batchIndex : bBatchMap[batchIndex]) * k * n;
        }
    }

    /** Zero points as ints: per-tensor (length 1) or a 1-D vector of the expected length. */
    private static int[] zeroPoints(Tensor zp, int expected, String what) {
        if (zp == null) {
            return new int[] {0};
        }
        if (zp.size() != 1 && zp.size() != expected) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, what + " zero point has " + zp.size()
                + " values, expected 1 or " + expected);
        }
        int[] r = new int[zp.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = (int) zp.getLong(i);
        }
        return r;
    }

    private static float[] scales(Tensor s, int expected, String what) {
        if (s.size() != 1 && s.size() != expected) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, what + " scale has " + s.size()
                + " values, expected 1 or " + expected);
        }
        return s.floats();
    }

    private static int[] int32MatMul(Tensor a, Tensor b, int[] za, int[] zb, MatMulShape sh) {
        int[] c = new int[sh.batch * sh.m * sh.n];
        for (int bi = 0; bi < sh.batch; bi++) {
            IntGemm.gemm(sh.m, sh.n, sh.k, a.bytes(), sh.aOffset(bi), sh.k, a.type() == DataType.UINT8, za,
                b.bytes(), sh.bOffset(bi), sh.n, b.type() == DataType.UINT8, zb, c, bi * sh.m * sh.n, sh.n);
        }
        return c;
    }

    private static Tensor matMulInteger(Tensor a, Tensor b, Tensor aZp, Tensor bZp) {
        MatMulShape sh = MatMulShape.of(a.shapeView(), b.shapeView());
        int[] za = zeroPoints(aZp, sh.m, "A");
        int[] zb = zeroPoints(bZp, sh.n, "B");
        return Tensor.ofInts(int32MatMul(a, b, za, zb, sh), sh.outShape);
    }

    private static Tensor[] qlinearMatMul(Tensor[] in) {
        Tensor a = in[0], b = in[3];
        MatMulShape sh = MatMulShape.of(a.shapeView(), b.shapeView());
        float[] sa = scales(in[1], sh.m, "a");
        int[] za = zeroPoints(in[2], sh.m, "a");
        float[] sb = scales(in[4], sh.n, "b");
        int[] zb = zeroPoints(in[5], sh.n, "b");
        float sy = in[6].floats()[0];
        Tensor yZp = in[7];
        DataType outType = yZp.type();
        int zy = (int) yZp.getLong(0);
        int[] acc = int32MatMul(a, b, za, zb, sh);
        byte[] out = new byte[acc.length];
        int qmin = outType.qmin(), qmax = outType.qmax();
        for (int bi = 0; bi < sh.batch; bi++) {
            for (int i = 0; i < sh.m; i++) {
                float rowScale = sa.length == 1 ? sa[0] : sa[i];
                for (int j = 0; j < sh.n; j++) {
                    float scale = rowScale * (sb.length == 1 ? sb[0] : sb[j]) / sy;
                    int o = (bi * sh.m + i) * sh.n + j;
                    out[o] = (byte) Quantization.requantize(acc[o], scale, zy, qmin, qmax);
                }
            }
        }
        return new Tensor[] {Tensor.of(outType, sh.outShape, out)};
    }

    // ---- ConvInteger / QLinearConv ------------------------------------------------------------------------

    /** The validated shapes of one integer convolution call. */
    private record ConvCall(ConvGeometry geo, int batch, int cin, int[] inSpatial, int cout, int[] kernel, int[] pads, int[] outSpatial,
                            int[] outShape) {}

    private static ConvCall convCall(ConvGeometry geo, int group, Tensor x, Tensor w) {
        int[] xs = x.shapeView();
        int[] ws = w.shapeView();
        if (ws.length < 3) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, "conv weights " + Arrays.toString(ws) + " need rank 3 or more");
        }
        int r = ws.length - 2;
        if (xs.length != r + 2 || ws.length != r + 2) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, "conv input " + Arrays.toString(xs) + " and weights "
                + Arrays.toString(ws) + " must both have rank " + (r + 2));
        }
        int cin = xs[1], cout = ws[0];
        if (cin % group != 0 || cout % group != 0 || ws[1] != cin / group) {
            throw new OctetException(ErrorCode.INVALID_SHAPE, "conv weights " + Arrays.toString(ws) + " do not fit input "
                + Arrays.toString(xs) + " with group " + group);
        }
        int[] inSpatial = Arrays.copyOfRange(xs, 2, xs.length);
        int[] kernel = Arrays.copyOfRange(ws, 2, ws.length);
        if (geo.isDeferred() || !Arrays.equals(kernel, geo.kernel())) {
            geo = geo.withKernel(kernel);
        }
        int[] outSpatial = geo.outputSpatial(inSpatial, false);
        int[] outShape = new int[xs.length];
        outShape[0] = xs[0];
        outShape[1] = cout;
        System.arraycopy(outSpatial, 0, outShape, 2, r);
        return new ConvCall(geo, xs[0], cin, inSpatial, cout, kernel, geo.pads(inSpatial), outSpatial, outShape);
    }

    private static ConvGeometry convGeometry(OpContext ctx, int weightsInput) {
        Tensor w = ctx.constantInput(weightsInput);
        int[] k = w == null ? null : Arrays.copyOfRange(w.shapeView(), 2, w.rank());
        return ConvGeometry.read(ctx, k);
    }

    /** Input bytes minus a per-tensor zero point, as ints. */
    private static int[] centered(Tensor t, int zp) {
        byte[] b = t.bytes();
        int[] r = new int[b.length];
        boolean unsigned = t.type() == DataType.UINT8;
        for (int i = 0; i < b.length; i++) {
            r[i] = (unsigned ? b[i] & 0xFF : b[i]) - zp;
        }
        return r;
    }

    /** Weight bytes minus a per-output-channel (or per-tensor) zero point, as ints. */
    private static int[] centeredWeights(Tensor w, int[] zp) {
        byte[] b = w.bytes();
        int[] r = new int[b.length];
        int perChannel = b.length / w.dim(0);
        boolean unsigned = w.type() == DataType.UINT8;
        for (int i = 0; i < b.length; i++) {
            int z = zp.length == 1 ? zp[0] : zp[i / perChannel];
            r[i] = (unsigned ? b[i] & 0xFF : b[i]) - z;
        }
        return r;
    }

    private static int[] int32Conv(int group, ConvCall c, int[] x, int[] w) {
        int[] acc = new int[Tensor.checkedSize(c.outShape)];
        IntConv.conv(x, c.batch, c.cin, c.inSpatial, w, c.cout, group, c.kernel, c.geo.strides(), c.geo.dilations(),
            c.pads, c.outSpatial, acc);
        return acc;
    }

    private static Op convInteger(OpContext ctx) {
        ConvGeometry geo = convGeometry(ctx, 1);
        int group = (int) ctx.getInt("group", 1);
        return in -> {
            Tensor x = in[0], w = in[1];
            ConvCall c = convCall(geo, group, x, w);
            int xzp = in.length > 2 && in[2] != null ? (int) in[2].getLong(0) : 0;
            int[] wzp = zeroPoints(in.length > 3 ? in[3] : null, c.cout, "w");
            int[] acc = int32Conv(group, c, centered(x, xzp), centeredWeights(w, wzp));
            return new Tensor[] {Tensor.ofInts(acc, c.outShape)};
        };
    }

    /** QLinearConv; Octet's fused form adds y_min/y_max, the quantized output clamp of a folded Relu. */
    private static Op qlinearConv(OpContext ctx) {
        ConvGeometry geo = convGeometry(ctx, 3);
        int group = (int) ctx.getInt("group", 1);
        long yMin = ctx.getInt("y_min", Long.MIN_VALUE);
        long yMax = ctx.getInt("y_max", Long.MAX_VALUE);
        return in -> {
            Tensor x = in[0], w = in[3];
            ConvCall c = convCall(geo, group, x, w);
            float xs = in[1].floats()[0];
            int xzp = (int) in[2].getLong(0);
            float[] ws = scales(in[4], c.cout, "w");
            int[] wzp = zeroPoints(in[5], c.cout, "w");
            float ys = in[6].floats()[0];
            Tensor yZp = in[7];
            int[] bias = in.length > 8 && in[8] != null ? in[8].ints() : null;
            if (bias != null && bias.length != c.cout) {
                throw new OctetException(ErrorCode.INVALID_SHAPE, "bias has " + bias.length + " values for "
                    + c.cout + " output channels");
            }
            int[] acc = int32Conv(group, c, centered(x, xzp), centeredWeights(w, wzp));
            float[] scale = new float[c.cout];
            for (int oc = 0; oc < c.cout; oc++) {
                scale[oc] = xs * ws[ws.length == 1 ? 0 : oc] / ys;
            }
            DataType outType = yZp.type();
            int zy = (int) yZp.getLong(0);
            int qmin = (int) Math.max(outType.qmin(), yMin);
            int qmax = (int) Math.min(outType.qmax(), yMax);
            int plane = acc.length / (c.batch * c.cout);
            byte[] out = new byte[acc.length];
            for (int i = 0; i < acc.length; i++) {
                int oc = (i / plane) % c.cout;
                int v = acc[i] + (bias == null ? 0 : bias[oc]);
                out[i] = (byte) Quantization.requantize(v, scale[oc], zy, qmin, qmax);
            }
            return new Tensor[] {Tensor.of(outType, c.outShape, out)};
        };
    }

    // ---- com.microsoft QGemm, QLinearAdd, QLinearGlobalAveragePool ------------------------------------

    /**
     * QGemm: int32 GEMM plus int32 bias C, requantized with scale {@code (alpha * a_scale * b_scale[n]) / y_scale}
     * (ORT's order), or scaled to float when y_scale is absent.
     */
    private static Op qgemm(OpContext ctx) {
        boolean transA = ctx.getInt("transA", 0) != 0;
        boolean transB = ctx.getInt("transB", 0) != 0;
        float alpha = ctx.getFloat("alpha", 1f);
        if (transA) {
            throw ctx.unsupported("transA=1 is not supported yet");
        }
        return in -> {
            Tensor a = in[0], b = in[3];
            if (a.rank() != 2 || b.rank() != 2) {
                throw new OctetException(ErrorCode.INVALID_SHAPE, "QGemm needs 2-D A and B, got " + a + " and " + b);
            }
            int m = a.dim(0), k = a.dim(1);
            int n = transB ? b.dim(0) : b.dim(1);
            if ((transB ? b.dim(1) : b.dim(0)) != k) {
                throw new OctetException(ErrorCode.INVALID_SHAPE, "QGemm inner dimensions differ: " + a + " x " + b);
            }
            byte[] bData = transB ? transpose(b.bytes(), n, k) : b.bytes();
            int[] za = zeroPoints(in[2], 1, "a");
            int[] zb = zeroPoints(in[5], n, "b");
            float[] sb = scales(in[4], n, "b");
            float sa = in[1].floats()[0];
            int[] acc = new int[m * n];
            IntGemm.gemm(m, n, k, a.bytes(), 0, k, a.type() == DataType.UINT8, za, bData, 0, n,
                b.type() == DataType.UINT8, zb, acc, 0, n);
            Tensor c = in.length > 6 ? in[6] : null;
            if (c != null) {
                int[] bias = c.ints();
                int[] map = Broadcast.indexMap(c.shapeView(), Broadcast.shape(c.shapeView(), new int[] {m, n}));
                for (int i = 0; i < acc.length; i++) {
                    acc[i] += bias[map == null ? i : map[i]];
                }
            }
            Tensor yScale = in.length > 7 ? in[7] : null;
            float[] scale = new float[sb.length];
            for (int j = 0; j < sb.length; j++) {
                scale[j] = alpha * sa * sb[j];
                if (yScale != null) {
                    scale[j] /= yScale.floats()[0];
                }
            }
            if (yScale == null) {
                float[] out = new float[acc.length];
                for (int i = 0; i < acc.length; i++) {
                    out[i] = (float) acc[i] * scale[scale.length == 1 ? 0 : i % n];
                }
                return new Tensor[] {Tensor.ofFloats(out, m, n)};
            }
            Tensor yZp = in[8];
            DataType outType = yZp.type();
            byte[] out = new byte[acc.length];
            Quantization.requantizeRows(acc, 0, n, m, n, null, scale, (int) yZp.getLong(0), outType.qmin(),
                outType.qmax(), out, 0, n);
            return new Tensor[] {Tensor.of(outType, new int[] {m, n}, out)};
        };
    }

    private static byte[] transpose(byte[] src, int rows, int cols) {
        byte[] t = new byte[src.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = src[i * cols + j];
            }
        }
        return t;
    }

    /**
     * QLinearAdd with ORT's x86 (AVX2) arithmetic: {@code ((a - za) * sa + (b - zb) * sb) / sc}, rounded half
     * to even, clamped, plus zc. ORT's NEON build uses fixed point and may differ by 1.
     */
    private static Tensor[] qlinearAdd(Tensor[] in) {
        Tensor a = in[0], b = in[3];
        float sa = in[1].floats()[0], sb = in[4].floats()[0], sc = in[6].floats()[0];
        int za = in[2] == null ? 0 : (int) in[2].getLong(0);
        int zb = in[5] == null ? 0 : (int) in[5].getLong(0);
        Tensor cZp = in.length > 7 ? in[7] : null;
        DataType outType = cZp != null ? cZp.type() : a.type();
        int zc = cZp == null ? 0 : (int) cZp.getLong(0);
        int[] shape = Broadcast.shape(a.shapeView(), b.shapeView());
        int[] aMap = Broadcast.indexMap(a.shapeView(), shape);
        int[] bMap = Broadcast.indexMap(b.shapeView(), shape);
        byte[] out = new byte[Tensor.checkedSize(shape)];
        float lo = outType.qmin() - zc, hi = outType.qmax() - zc;
        for (int i = 0; i < out.length; i++) {
            long av = a.getLong(aMap == null ? i : aMap[i]);
            long bv = b.getLong(bMap == null ? i : bMap[i]);
            float v = ((float) (av - za) * sa + (float) (bv - zb) * sb) / sc;
            float r = (float) Math.rint(v);
            r = r < lo ? lo : Math.min(r, hi);
            out[i] = (byte) ((int) r + zc);
        }
        return new Tensor[] {Tensor.of(outType, shape, out)};
    }

    /**
     * QLinearGlobalAveragePool with ORT's x86 arithmetic: the integer sum over the image minus
     * {@code zp_in * size}, times {@code s_in / (s_out * (float) size)}, requantized.
     */
    private static Op qlinearGlobalAveragePool(OpContext ctx) {
        if (ctx.getInt("channels_last", 0) != 0) {
            throw ctx.unsupported("channels_last=1 is not supported yet");
        }
        return in -> {
            Tensor x = in[0];
            if (x.rank() < 3) {
                throw new OctetException(ErrorCode.INVALID_SHAPE, "QLinearGlobalAveragePool needs rank >= 3, got " + x);
            }
            float sx = in[1].floats()[0], sy = in[3].floats()[0];
            int zx = (int) in[2].getLong(0);
            Tensor yZp = in[4];
            DataType outType = yZp.type();
            int zy = (int) yZp.getLong(0);
            int planes = x.dim(0) * x.dim(1);
            int size = x.size() / Math.max(1, planes);
            float scale = sx / (sy * (float) size);
            byte[] data = x.bytes();
            boolean unsigned = x.type() == DataType.UINT8;
            byte[] out = new byte[planes];
            for (int p = 0; p < planes; p++) {
                int sum = -zx * size;
                for (int i = p * size; i < (p + 1) * size; i++) {
                    sum += unsigned ? data[i] & 0xFF : data[i];
                }
                out[p] = (byte) Quantization.requantize(sum, scale, zy, outType.qmin(), outType.qmax());
            }
            int[] shape = x.shape();
            for (int d = 2; d < shape.length; d++) {
                shape[d] = 1;
            }
            return new Tensor[] {Tensor.of(outType, shape, out)};
        };
    }
}
