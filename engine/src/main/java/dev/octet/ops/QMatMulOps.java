package dev.octet.ops;

import static dev.octet.ops.Shapes.gemmShape;
import static dev.octet.ops.Shapes.matMulShape;
import static dev.octet.ops.Shapes.one;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.kernel.IntGemm;
import dev.octet.kernel.PackedB;
import dev.octet.kernel.Parallel;
import dev.octet.kernel.QGemm;
import dev.octet.kernel.QGemmKernel;
import dev.octet.kernel.Quantization;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Integer matrix products: MatMulInteger, QLinearMatMul and com.microsoft QGemm. A constant 2-D B is packed
 * once at load by the session's GEMM kernel; the product runs through {@link QGemm} with the requantization
 * fused into its epilogue. Per-row activation parameters (rare) take the scalar reference path.
 */
final class QMatMulOps {
    private QMatMulOps() {}

    static void register(OpRegistry.Builder r) {
        r.onnx("MatMulInteger", 10).inputs("rroo").outputs("r")
            .shape(c -> one(DataType.INT32, matMulShape(c.shape(0), c.shape(1))))
            .factory(QMatMulOps::matMulInteger);
        r.onnx("QLinearMatMul", 10).inputs("rrrrrrrr").outputs("r")
            .shape(c -> one(c.type(7), matMulShape(c.shape(0), c.shape(3))))
            .factory(QMatMulOps::qlinearMatMul);
        r.microsoft("QGemm").inputs("rrorroooo").outputs("r")
            .shape(c -> one(c.has(7) ? (c.has(8) ? c.type(8) : null) : DataType.FLOAT,
                gemmShape(c.shape(0), c.shape(3), false, c.getInt("transB", 0) != 0)))
            .factory(QMatMulOps::qgemm);
    }

    /** Shapes of a numpy-style batched matmul. */
    record MatMulShape(int m, int k, int n, int[] outShape, int[] aBatchMap, int[] bBatchMap, int batch) {
        static MatMulShape of(int[] a, int[] b) {
            int[] as = a.length == 1 ? new int[] {1, a[0]} : a;
            int[] bs = b.length == 1 ? new int[] {b[0], 1} : b;
            if (as.length < 2 || bs.length < 2) {
                throw new OctetException(ErrorCode.INVALID_SHAPE, "matmul of scalars: " + Arrays.toString(a)
                    + " x " + Arrays.toString(b));
            }
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
            return new MatMulShape(m, k, n, out, Broadcast.indexMap(aBatch, batchShape),
                Broadcast.indexMap(bBatch, batchShape), batch);
        }

        int aOffset(int batchIndex) {
            return (aBatchMap == null ? batchIndex : aBatchMap[batchIndex]) * m * k;
        }

        int bOffset(int batchIndex) {
            return (bBatchMap == null ? batchIndex : bBatchMap[batchIndex]) * k * n;
        }

        /** True when every batch uses the same B (B is 2-D or broadcast). */
        boolean sharedB() {
            if (batch == 1) {
                return true;
            }
            if (bBatchMap == null) {
                return false;
            }
            for (int i : bBatchMap) {
                if (i != 0) {
                    return false;
                }
            }
            return true;
        }
    }

    /** B as the kernel wants it: packed at load when constant, else per call; and its zero points. */
    record RightOperand(QGemmKernel kernel, PackedB packed, QParams.ConstantZeroPoints zeroPoints,
                        AtomicReference<ShapesSeen> lastShapes) {
        static RightOperand of(OpContext ctx, int input, int zeroPointInput) {
            QGemmKernel kernel = ctx.kernels().qgemm();
            Tensor b = ctx.constantInput(input);
            PackedB packed = null;
            if (b != null && b.rank() == 2 && b.type().isQuantized()) {
                packed = packedB(ctx, kernel, b, false);
            }
            return new RightOperand(kernel, packed, QParams.ConstantZeroPoints.of(ctx, zeroPointInput),
                new AtomicReference<>());
        }

        /** The shape of {@code a x b}; the op's last one while its calls see the same shapes, as they mostly do. */
        MatMulShape shape(int[] a, int[] b) {
            ShapesSeen last = lastShapes.get();
            if (last != null && Arrays.equals(last.a, a) && Arrays.equals(last.b, b)) {
                return last.shape;
            }
            MatMulShape sh = MatMulShape.of(a, b);
            lastShapes.set(new ShapesSeen(a.clone(), b.clone(), sh));
            return sh;
        }

        PackedB forBatch(Tensor b, MatMulShape sh, int batchIndex) {
            if (packed != null) {
                return packed;
            }
            return kernel.packB(b.bytes(), sh.bOffset(batchIndex), sh.k, sh.n, b.type() == DataType.UINT8, false);
        }
    }

    /** Operand shapes and their product's shape. */
    record ShapesSeen(int[] a, int[] b, MatMulShape shape) {}

    /**
     * Runs every batch of a matmul through the GEMM driver into outputs laid out [batch][m][n]; {@code output}
     * is the epilogue (it is applied at offset batch * m * n).
     */
    static void batched(RightOperand rhs, Parallel parallel, Tensor a, Tensor b, MatMulShape sh, int za, int[] zb,
                        int[] bias, QGemm.Output output) {
        boolean aUnsigned = a.type() == DataType.UINT8;
        boolean bUnsigned = b.type() == DataType.UINT8;
        if (sh.sharedB() && sh.aBatchMap == null) {
            // All batches share B and A's batches are contiguous: one GEMM over every row.
            QGemm.run(rhs.kernel, parallel, sh.batch * sh.m, a.bytes(), 0, sh.k, aUnsigned, za, rhs.forBatch(b, sh, 0),
                bUnsigned, zb, bias, output, 0);
            return;
        }
        for (int bi = 0; bi < sh.batch; bi++) {
            QGemm.run(rhs.kernel, parallel, sh.m, a.bytes(), sh.aOffset(bi), sh.k, aUnsigned, za, rhs.forBatch(b, sh, bi),
                bUnsigned, zb, bias, output, bi * sh.m * sh.n);
        }
    }

    static void require8Bit(Tensor t, String what) {
        if (!t.type().isQuantized()) {
            throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, what + " must be uint8 or int8, got " + t.type());
        }
    }

    private static Op matMulInteger(OpContext ctx) {
        RightOperand rhs = RightOperand.of(ctx, 1, 3);
        Parallel parallel = ctx.parallel();
        return Op.withBuffers((in, buffers) -> {
            Tensor a = in[0], b = in[1];
            require8Bit(a, "A");
            require8Bit(b, "B");
            MatMulShape sh = rhs.shape(a.shapeView(), b.shapeView());
            int[] za = QParams.zeroPoints(in.length > 2 ? in[2] : null, sh.m, "A");
            int[] zb = rhs.zeroPoints().forColumns(in.length > 3 ? in[3] : null, sh.n, "B");
            int[] c = buffers.ints(sh.batch * sh.m * sh.n);
            if (za.length == 1) {
                batched(rhs, parallel, a, b, sh, za[0], zb, null, new QGemm.Output.Int32(c));
            } else {
                referenceMatMul(a, b, za, zb, sh, c);
            }
            return new Tensor[] {Tensor.ofInts(c, sh.outShape)};
        });
    }

    private static Op qlinearMatMul(OpContext ctx) {
        RightOperand rhs = RightOperand.of(ctx, 3, 5);
        Parallel parallel = ctx.parallel();
        return Op.withBuffers((in, buffers) -> {
            Tensor a = in[0], b = in[3];
            require8Bit(a, "a");
            require8Bit(b, "b");
            MatMulShape sh = rhs.shape(a.shapeView(), b.shapeView());
            float[] sa = QParams.scales(in[1], sh.m, "a");
            int[] za = QParams.zeroPoints(in[2], sh.m, "a");
            float[] sb = QParams.scales(in[4], sh.n, "b");
            int[] zb = rhs.zeroPoints().forColumns(in[5], sh.n, "b");
            float sy = QParams.scalarScale(in[6], "y");
            DataType outType = in[7] == null ? DataType.UINT8 : in[7].type();
            int zy = QParams.scalarZeroPoint(in[7], "y");
            byte[] out = buffers.bytes(sh.batch * sh.m * sh.n);
            if (sa.length == 1 && za.length == 1) {
                // ORT's order: (a_scale * b_scale[j]) / y_scale, in float.
                float[] scales = new float[sb.length];
                for (int j = 0; j < sb.length; j++) {
                    scales[j] = sa[0] * sb[j] / sy;
                }
                batched(rhs, parallel, a, b, sh, za[0], zb, null,
                    new QGemm.Output.Requantized(out, scales, zy, outType.qmin(), outType.qmax()));
            } else {
                int[] acc = new int[out.length];
                referenceMatMul(a, b, za, zb, sh, acc);
                for (int bi = 0; bi < sh.batch; bi++) {
                    for (int i = 0; i < sh.m; i++) {
                        float rowScale = sa.length == 1 ? sa[0] : sa[i];
                        for (int j = 0; j < sh.n; j++) {
                            int o = (bi * sh.m + i) * sh.n + j;
                            float scale = rowScale * (sb.length == 1 ? sb[0] : sb[j]) / sy;
                            out[o] = (byte) Quantization.requantize(acc[o], scale, zy, outType.qmin(), outType.qmax());
                        }
                    }
                }
            }
            return new Tensor[] {Tensor.of(outType, sh.outShape, out)};
        });
    }

    /**
     * com.microsoft QGemm: int32 GEMM plus int32 bias C, requantized with scale
     * {@code (alpha * a_scale * b_scale[n]) / y_scale} (ORT's order), or scaled to float without y_scale.
     */
    private static Op qgemm(OpContext ctx) {
        boolean transA = ctx.getInt("transA", 0) != 0;
        boolean transB = ctx.getInt("transB", 0) != 0;
        float alpha = ctx.getFloat("alpha", 1f);
        if (transA) {
            throw ctx.unsupported("transA=1 is not supported");
        }
        QGemmKernel kernel = ctx.kernels().qgemm();
        Tensor bConst = ctx.constantInput(3);
        PackedB packed = bConst == null || bConst.rank() != 2 ? null : packedB(ctx, kernel, bConst, transB);
        QParams.ConstantZeroPoints constantZb = QParams.ConstantZeroPoints.of(ctx, 5);
        Parallel parallel = ctx.parallel();
        return Op.withBuffers((in, buffers) -> {
            Tensor a = in[0], b = in[3];
            require8Bit(a, "A");
            require8Bit(b, "B");
            if (a.rank() != 2 || b.rank() != 2) {
                throw new OctetException(ErrorCode.INVALID_SHAPE, "QGemm needs 2-D A and B, got " + a + " and " + b);
            }
            int m = a.dim(0), k = a.dim(1);
            int n = transB ? b.dim(0) : b.dim(1);
            if ((transB ? b.dim(1) : b.dim(0)) != k) {
                throw new OctetException(ErrorCode.INVALID_SHAPE, "QGemm inner dimensions differ: " + a + " x " + b);
            }
            PackedB pb = packed != null ? packed : packGemmB(kernel, b, transB);
            int za = QParams.scalarZeroPoint(in[2], "a");
            int[] zb = constantZb.forColumns(in[5], n, "b");
            float[] sb = QParams.scales(in[4], n, "b");
            float sa = QParams.scalarScale(in[1], "a");
            Tensor c = in.length > 6 ? in[6] : null;
            Tensor yScale = in.length > 7 ? in[7] : null;
            float[] scale = new float[sb.length];
            for (int j = 0; j < sb.length; j++) {
                scale[j] = alpha * sa * sb[j];
                if (yScale != null) {
                    scale[j] /= QParams.scalarScale(yScale, "y");
                }
            }
            int[] bias = c == null ? null : columnBias(c, m, n);
            boolean aUnsigned = a.type() == DataType.UINT8;
            boolean bUnsigned = b.type() == DataType.UINT8;
            if (c != null && bias == null) {
                // A bias that varies by row: add it to exact int32 sums, then convert.
                int[] acc = new int[m * n];
                QGemm.run(kernel, parallel, m, a.bytes(), 0, k, aUnsigned, za, pb, bUnsigned, zb, null,
                    new QGemm.Output.Int32(acc), 0);
                int[] map = Broadcast.indexMap(c.shapeView(), Broadcast.shape(c.shapeView(), new int[] {m, n}));
                int[] cb = c.ints();
                for (int i = 0; i < acc.length; i++) {
                    acc[i] += cb[map == null ? i : map[i]];
                }
                return new Tensor[] {convert(acc, m, n, scale, yScale == null ? null : in[8])};
            }
            if (yScale == null) {
                float[] out = buffers.floats(m * n);
                QGemm.run(kernel, parallel, m, a.bytes(), 0, k, aUnsigned, za, pb, bUnsigned, zb, bias,
                    new QGemm.Output.Scaled(out, scale, null), 0);
                return new Tensor[] {Tensor.ofFloats(out, m, n)};
            }
            DataType outType = in[8].type();
            byte[] out = buffers.bytes(m * n);
            QGemm.run(kernel, parallel, m, a.bytes(), 0, k, aUnsigned, za, pb, bUnsigned, zb, bias,
                new QGemm.Output.Requantized(out, scale, QParams.scalarZeroPoint(in[8], "y"), outType.qmin(),
                    outType.qmax()), 0);
            return new Tensor[] {Tensor.of(outType, new int[] {m, n}, out)};
        });
    }

    /** A constant 2-D B (transposed: N x K), packed once per session: the one key and packing every matmul uses. */
    private static PackedB packedB(OpContext ctx, QGemmKernel kernel, Tensor b, boolean transB) {
        return ctx.packed(b, "B" + (transB ? "^T" : "") + " for " + kernel.id(), () -> packGemmB(kernel, b, transB));
    }

    private static PackedB packGemmB(QGemmKernel kernel, Tensor b, boolean transB) {
        int k = transB ? b.dim(1) : b.dim(0);
        int n = transB ? b.dim(0) : b.dim(1);
        return kernel.packB(b.bytes(), 0, k, n, b.type() == DataType.UINT8, transB);
    }

    /** C as a per-column bias when it is a scalar, [N] or [1, N]; null when it varies by row. */
    private static int[] columnBias(Tensor c, int m, int n) {
        int[] v = c.ints();
        if (c.size() == 1) {
            int[] r = new int[n];
            Arrays.fill(r, v[0]);
            return r;
        }
        if (c.size() == n && (c.rank() == 1 || c.dim(0) == 1)) {
            return v;
        }
        return null;
    }

    private static Tensor convert(int[] acc, int m, int n, float[] scale, Tensor yZp) {
        if (yZp == null) {
            float[] out = new float[acc.length];
            for (int i = 0; i < acc.length; i++) {
                out[i] = (float) acc[i] * scale[scale.length == 1 ? 0 : i % n];
            }
            return Tensor.ofFloats(out, m, n);
        }
        DataType t = yZp.type();
        byte[] out = new byte[acc.length];
        int zp = (int) yZp.getLong(0);
        for (int i = 0; i < acc.length; i++) {
            out[i] = (byte) Quantization.requantize(acc[i], scale[scale.length == 1 ? 0 : i % n], zp, t.qmin(), t.qmax());
        }
        return Tensor.of(t, new int[] {m, n}, out);
    }

    /** The scalar reference for the cases the GEMM path does not take (per-row activation parameters). */
    private static void referenceMatMul(Tensor a, Tensor b, int[] za, int[] zb, MatMulShape sh, int[] c) {
        for (int bi = 0; bi < sh.batch; bi++) {
            IntGemm.gemm(sh.m, sh.n, sh.k, a.bytes(), sh.aOffset(bi), sh.k, a.type() == DataType.UINT8, za,
                b.bytes(), sh.bOffset(bi), sh.n, b.type() == DataType.UINT8, zb, c, bi * sh.m * sh.n, sh.n);
        }
    }
}
