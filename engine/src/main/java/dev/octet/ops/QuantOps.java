package dev.octet.ops;

import static dev.octet.ops.Shapes.broadcastInputs;
import static dev.octet.ops.Shapes.globalPoolShape;
import static dev.octet.ops.Shapes.one;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import dev.octet.kernel.PoolKernels;
import dev.octet.kernel.Quantization;
import dev.octet.kernel.QuantizeKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Quantization operators: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, and ORT's QLinearAdd and
 * QLinearGlobalAveragePool; registers the integer matmul ({@link QMatMulOps}) and conv ({@link QConvOps})
 * families too. Arithmetic follows ONNX Runtime bit for bit (see {@link Quantization}).
 */
final class QuantOps {
    private QuantOps() {}

    static void register(OpRegistry.Builder r) {
        r.onnx("QuantizeLinear", 10).inputs("rro").outputs("r").shape(c -> one(quantizeType(c), c.shape(0))).factory(QuantOps::quantizeLinear);
        r.onnx("DequantizeLinear", 10).inputs("rro").outputs("r").shape(c -> one(DataType.FLOAT, c.shape(0))).factory(QuantOps::dequantizeLinear);
        r.onnx("DynamicQuantizeLinear", 11).inputs("r").outputs("rrr")
            .shape(c -> new ShapeValue[] {ShapeValue.of(DataType.UINT8, c.shape(0)),
                ShapeValue.of(DataType.FLOAT, List.of()), ShapeValue.of(DataType.UINT8, List.of())})
            .factory(ctx -> {
                QuantizeKernels k = ctx.kernels().quantize();
                dev.octet.kernel.Parallel parallel = ctx.parallel();
                return Op.withBuffers((in, buffers) -> dynamicQuantizeLinear(k, parallel, 0, in, buffers));
            });
        // What ConcatQuantizeFusion makes of DynamicQuantizeLinear reading a Concat only it reads: the inputs quantized
        // straight into their places, without the float concatenation (the same bits: one range over all of them).
        r.octet("DynamicQuantizeLinear").inputs("r*").outputs("rrr")
            .shape(c -> {
                ShapeValue joined = ShapeOps.inferConcat(c)[0];
                return new ShapeValue[] {ShapeValue.of(DataType.UINT8, joined.shape()),
                    ShapeValue.of(DataType.FLOAT, List.of()), ShapeValue.of(DataType.UINT8, List.of())};
            })
            .factory(ctx -> {
                long axis = ctx.requireInt("axis");
                if (ctx.inputCount() == 0) {
                    throw ctx.fail("needs at least one input");
                }
                QuantizeKernels k = ctx.kernels().quantize();
                dev.octet.kernel.Parallel parallel = ctx.parallel();
                return Op.withBuffers((in, buffers) -> dynamicQuantizeLinear(k, parallel, axis, in, buffers));
            });
        QMatMulOps.register(r);
        QConvOps.register(r);
        r.microsoft("QLinearAdd").inputs("rrorrorro").outputs("r")
            .shape(c -> one(c.has(7) ? c.type(7) : c.type(0), broadcastInputs(c, 0, 3)))
            .traits(OpTrait.LAYOUT_AGNOSTIC_BINARY)
            .factory(ctx -> {
                QuantizeKernels k = ctx.kernels().quantize();
                dev.octet.kernel.Parallel parallel = ctx.parallel();
                return Op.withBuffers((in, buffers) -> qlinearAdd(k, parallel, in, buffers));
            });
        r.microsoft("QLinearMul").inputs("rrorrorro").outputs("r")
            .shape(c -> one(c.has(7) ? c.type(7) : c.type(0), broadcastInputs(c, 0, 3)))
            .traits(OpTrait.LAYOUT_AGNOSTIC_BINARY)
            .factory(ctx -> {
                QuantizeKernels k = ctx.kernels().quantize();
                dev.octet.kernel.Parallel parallel = ctx.parallel();
                return Op.withBuffers((in, buffers) -> qlinearMul(k, parallel, in, buffers));
            });
        r.microsoft("QLinearSigmoid").inputs("rrorro").outputs("r").traits(OpTrait.ELEMENTWISE)
            .shape(c -> one(c.has(4) ? c.type(4) : c.type(0), c.shape(0)))
            .factory(ctx -> lookupTable(ctx.kernels().quantize(), ctx.parallel(), dev.octet.kernel.FloatMath::sigmoid));
        r.microsoft("QLinearLeakyRelu").inputs("rrorro").outputs("r").traits(OpTrait.ELEMENTWISE)
            .shape(c -> one(c.has(4) ? c.type(4) : c.type(0), c.shape(0)))
            .factory(ctx -> {
                float alpha = ctx.getFloat("alpha", 0.01f);
                return lookupTable(ctx.kernels().quantize(), ctx.parallel(), v -> v >= 0 ? v : alpha * v);
            });
        // What QdqFusion makes of DequantizeLinear -> an elementwise op -> QuantizeLinear: 256 entries, indexed by
        // X's byte pattern.
        r.octet("LookupTable").inputs("rr").outputs("r").traits(OpTrait.ELEMENTWISE)
            .shape(c -> one(c.type(1), c.shape(0)))
            .factory(ctx -> {
                QuantizeKernels k = ctx.kernels().quantize();
                dev.octet.kernel.Parallel parallel = ctx.parallel();
                return Op.withBuffers((in, buffers) -> new Tensor[] {lookUp(k, parallel, in[0], in[1], buffers)});
            });
        r.microsoft("QLinearGlobalAveragePool").inputs("rrrrr").outputs("r")
            .shape(c -> one(c.type(4), globalPoolShape(c.shape(0))))
            .factory(ctx -> qlinearGlobalAveragePool(ctx, false));
        // What ChannelsLastLayout makes of it inside an NHWC region: [N, spatial..., C] -> [N, 1..., C], the same
        // sums and requantization.
        r.octet("QLinearGlobalAveragePool").inputs("rrrrr").outputs("r")
            .shape(c -> one(c.type(4), channelsLastGlobalPoolShape(c.shape(0))))
            .factory(ctx -> qlinearGlobalAveragePool(ctx, true));
    }

    // ---- QuantizeLinear / DequantizeLinear ----------------------------------------------------------

    /** How a scale/zero-point tensor maps onto the elements of the data: per tensor, per axis or per block. */
    private record ParamLayout(int axis, int blockSize) {
        /**
         * {count of distinct parameters, run length} when the elements form runs that share one parameter,
         * parameter index cycling with the run number (per-tensor: one run of everything; per-axis: runs of
         * the axis' inner size); null for blocked layouts, which take the general path.
         */
        int[] runs(int[] shape, int paramSize) {
            int n = Tensor.checkedSize(shape);
            if (blockSize != 0) {
                return null;
            }
            if (paramSize == 1) {
                return new int[] {1, Math.max(n, 1)};
            }
            int ax = axis < 0 ? axis + shape.length : axis;
            if (ax < 0 || ax >= shape.length || shape[ax] != paramSize) {
                return null; // the general path reports the mismatch
            }
            int inner = 1;
            for (int d = ax + 1; d < shape.length; d++) {
                inner *= shape[d];
            }
            return inner == 0 ? null : new int[] {paramSize, inner};
        }

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
            boolean otherDimsMatch = paramShape.length == shape.length;
            for (int d = 0; otherDimsMatch && d < shape.length; d++) {
                otherDimsMatch = d == ax || paramShape[d] == shape[d];
            }
            if (!otherDimsMatch || paramShape[ax] != blocks) {
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
        long blockSize = ctx.getInt("block_size", 0);
        if (blockSize < 0 || blockSize > Integer.MAX_VALUE) {
            throw ctx.fail("block_size " + blockSize + " is not a block length");
        }
        long axis = ctx.getInt("axis", 1);
        if (axis < Integer.MIN_VALUE || axis > Integer.MAX_VALUE) {
            throw ctx.fail("axis " + axis + " is out of range");
        }
        return new ParamLayout((int) axis, (int) blockSize);
    }

    private static Op quantizeLinear(OpContext ctx) {
        ParamLayout layout = layout(ctx);
        if (ctx.getInt("saturate", 1) != 1) {
            throw ctx.unsupported("saturate=0 applies to float8 outputs, which Octet does not support");
        }
        long outputDtype = ctx.getInt("output_dtype", 0);
        DataType declared = outputDtype == 0 ? null : DataType.fromOnnx(outputDtype);
        if (outputDtype != 0 && (declared == null || !declared.isQuantized())) {
            throw ctx.unsupported("output_dtype " + DataType.onnxName(outputDtype) + " is not supported (uint8 and int8 are)");
        }
        QuantizeKernels kernels = ctx.kernels().quantize();
        dev.octet.kernel.Parallel parallel = ctx.parallel();
        return Op.withBuffers((in, buffers) -> {
            Tensor x = in[0];
            Tensor scale = in[1];
            Tensor zp = in.length > 2 ? in[2] : null;
            requireZeroPointLikeScale(scale, zp);
            DataType outType = zp != null ? zp.type() : declared != null ? declared : DataType.UINT8;
            if (!outType.isQuantized()) {
                throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, "QuantizeLinear to " + outType + " is not supported");
            }
            float[] s = scale.floats();
            int qmin = outType.qmin();
            int qmax = outType.qmax();
            byte[] out = buffers.bytes(x.size());
            int[] runs = layout.runs(x.shapeView(), scale.size());
            int tasks = runs != null && runs[0] == 1 ? chunkTasks(parallel, out.length) : 1;
            if (x.type() == DataType.FLOAT && tasks > 1) {
                // One scale and zero point for all: chunks on the threads (a CNN's input image).
                int z = zp == null ? 0 : (int) zp.getLong(0);
                float[] xs = x.floats();
                inChunks(parallel, out.length, tasks, (off, m) -> kernels.quantize(xs, off, m, m, 1, s[0], z, qmin,
                    qmax, out, off, m));
                return new Tensor[] {Tensor.of(outType, x.shape(), out)};
            }
            if (runs != null && x.type() == DataType.FLOAT) {
                // Contiguous runs share one scale and zero point: the vector kernel takes each run.
                for (int r = 0, off = 0; off < out.length; r++, off += runs[1]) {
                    int p = runs[0] == 1 ? 0 : r % runs[0];
                    int z = zp == null ? 0 : (int) zp.getLong(p);
                    kernels.quantize(x.floats(), off, runs[1], runs[1], 1, s[p], z, qmin, qmax, out, off, runs[1]);
                }
                return new Tensor[] {Tensor.of(outType, x.shape(), out)};
            }
            int[] pIdx = layout.indices(x.shapeView(), scale.shapeView(), scale.size());
            for (int i = 0; i < out.length; i++) {
                int p = pIdx[i];
                int z = zp == null ? 0 : (int) zp.getLong(p);
                out[i] = (byte) Quantization.quantize((float) x.getDouble(i), s[p], z, qmin, qmax);
            }
            return new Tensor[] {Tensor.of(outType, x.shape(), out)};
        });
    }

    private static Op dequantizeLinear(OpContext ctx) {
        ParamLayout layout = layout(ctx);
        long outputDtype = ctx.getInt("output_dtype", 0);
        if (outputDtype != 0 && outputDtype != DataType.FLOAT.onnxCode()) {
            throw ctx.unsupported("output_dtype " + DataType.onnxName(outputDtype) + " is not supported (float is)");
        }
        QuantizeKernels kernels = ctx.kernels().quantize();
        return Op.withBuffers((in, buffers) -> {
            Tensor x = in[0];
            Tensor scale = in[1];
            Tensor zp = in.length > 2 ? in[2] : null;
            requireZeroPointLikeScale(scale, zp);
            if (x.type() == DataType.FLOAT) {
                throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, "DequantizeLinear of a float tensor");
            }
            float[] s = scale.floats();
            int[] runs = layout.runs(x.shapeView(), scale.size());
            if (runs != null && x.type().isQuantized()) {
                float[] out = buffers.floats(x.size());
                boolean unsigned = x.type() == DataType.UINT8;
                for (int r = 0, off = 0; off < out.length; r++, off += runs[1]) {
                    int p = runs[0] == 1 ? 0 : r % runs[0];
                    int z = zp == null ? 0 : (int) zp.getLong(p);
                    kernels.dequantize(x.bytes(), off, runs[1], unsigned, z, s[p], out, off);
                }
                return new Tensor[] {Tensor.ofFloats(out, x.shape())};
            }
            int[] pIdx = layout.indices(x.shapeView(), scale.shapeView(), scale.size());
            float[] out = buffers.floats(x.size());
            for (int i = 0; i < out.length; i++) {
                int p = pIdx[i];
                long z = zp == null ? 0 : zp.getLong(p);
                out[i] = (float) (x.getLong(i) - z) * s[p];
            }
            return new Tensor[] {Tensor.ofFloats(out, x.shape())};
        });
    }

    /**
     * Elements below which an element-wise quantization runs on the caller alone (DynamicQuantizeLinear of a 128 x 384
     * activation, 49K elements, gains from two threads); per task once split, at least.
     */
    private static final int PARALLEL_MIN_ELEMENTS = 32768;
    private static final int PARALLEL_GRAIN = 16384;

    /**
     * DynamicQuantizeLinear of the inputs concatenated along {@code axis} (one input: the operator itself). The range
     * is a min and a max, the same in any grouping, and quantizing is element-wise, so both passes split over chunks
     * and each input's slices go straight to their places in the output without changing a bit.
     */
    private static Tensor[] dynamicQuantizeLinear(QuantizeKernels kernels, dev.octet.kernel.Parallel parallel,
                                                  long axis, Tensor[] in, Buffers buffers) {
        for (Tensor t : in) {
            if (t.type() != DataType.FLOAT) {
                throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, "DynamicQuantizeLinear needs float input, got "
                    + t.type());
            }
        }
        int[] shape = in[0].shapeView();
        int a = in.length == 1 ? 0 : ShapeKernels.normalizeAxis(axis, shape.length, "Concat axis");
        if (in.length > 1) {
            shape = ShapeOps.concatShape(in, a);
        }
        float lo = 0f;
        float hi = 0f;
        for (Tensor t : in) {
            float[] r = range(kernels, parallel, t.floats());
            lo = Math.min(lo, r[0]);
            hi = Math.max(hi, r[1]);
        }
        float[] p = Quantization.dynamicUint8Params(lo, hi);
        float scale = p[0];
        int zp = (int) p[1];
        byte[] out = buffers.bytes(Tensor.checkedSize(shape));
        // Rows: the dims before the axis; each input's row is its slice of an output row.
        int rows = in.length == 1 ? 1 : ShapeKernels.product(shape, 0, a);
        int inner = in.length == 1 ? out.length : ShapeKernels.product(shape, a + 1, shape.length);
        int outRow = in.length == 1 ? out.length : shape[a] * inner;
        for (int i = 0, at = 0; i < in.length; i++) {
            int n = in.length == 1 ? out.length : in[i].dim(a) * inner;
            quantizeRows(kernels, parallel, in[i].floats(), n, rows, scale, zp, out, at, outRow);
            at += n;
        }
        // The scalars from the pool as well: a run then allocates no arrays here.
        float[] scaleOut = buffers.floats(1);
        scaleOut[0] = scale;
        byte[] zpOut = buffers.bytes(1);
        zpOut[0] = (byte) zp;
        return new Tensor[] {Tensor.ofUint8(out, shape), Tensor.ofFloats(scaleOut), Tensor.ofUint8(zpOut)};
    }

    /** {min(0, min x), max(0, max x)}, over chunks on the threads when x is large. */
    private static float[] range(QuantizeKernels kernels, dev.octet.kernel.Parallel parallel, float[] x) {
        int n = x.length;
        int tasks = parallel.split(n, PARALLEL_MIN_ELEMENTS, PARALLEL_GRAIN);
        if (tasks == 1) {
            return kernels.rangeWithZero(x, 0, n);
        }
        int chunk = ((n + tasks - 1) / tasks + 63) / 64 * 64;
        int chunks = (n + chunk - 1) / chunk;
        float[] ranges = new float[2 * chunks];
        parallel.forEach(chunks, t -> {
            int off = t * chunk;
            float[] r = kernels.rangeWithZero(x, off, Math.min(chunk, n - off));
            ranges[2 * t] = r[0];
            ranges[2 * t + 1] = r[1];
        });
        float lo = 0f;
        float hi = 0f;
        for (int t = 0; t < chunks; t++) {
            lo = Math.min(lo, ranges[2 * t]);
            hi = Math.max(hi, ranges[2 * t + 1]);
        }
        return new float[] {lo, hi};
    }

    /** Elements [off, off + length) of an element-wise operation. */
    @FunctionalInterface
    private interface Chunk {
        void run(int off, int length);
    }

    /**
     * Tasks for an element-wise operation over n elements: 1 below {@link #PARALLEL_MIN_ELEMENTS} (the caller then
     * runs it directly, building no task body), else a multiple of the thread count.
     */
    private static int chunkTasks(dev.octet.kernel.Parallel parallel, int n) {
        return parallel.split(n, PARALLEL_MIN_ELEMENTS, PARALLEL_GRAIN);
    }

    /**
     * An element-wise operation over n elements in about {@code tasks} chunks of whole 64-element blocks on the
     * threads. Each element's result does not depend on the cut, so neither do the bits.
     */
    private static void inChunks(dev.octet.kernel.Parallel parallel, int n, int tasks, Chunk body) {
        int chunk = ((n + tasks - 1) / tasks + 63) / 64 * 64;
        parallel.forEach((n + chunk - 1) / chunk, t -> {
            int off = t * chunk;
            body.run(off, Math.min(chunk, n - off));
        });
    }

    /**
     * Quantizes {@code rows} rows of n contiguous floats of x to uint8 rows {@code outStride} apart from
     * {@code outOff}, over chunks on the threads when there are many: a single row is cut into pieces, several rows
     * are split by row.
     */
    private static void quantizeRows(QuantizeKernels kernels, dev.octet.kernel.Parallel parallel, float[] x, int n,
                                     int rows, float scale, int zp, byte[] out, int outOff, int outStride) {
        int tasks = chunkTasks(parallel, (int) Math.min(Integer.MAX_VALUE, (long) n * rows));
        if (tasks == 1) {
            kernels.quantize(x, 0, n, n, rows, scale, zp, 0, 255, out, outOff, outStride);
        } else if (rows == 1) {
            inChunks(parallel, n, tasks, (off, m) -> kernels.quantize(x, off, m, m, 1, scale, zp, 0, 255, out,
                outOff + off, m));
        } else {
            int perTask = (rows + tasks - 1) / tasks;
            parallel.forEach((rows + perTask - 1) / perTask, t -> {
                int r0 = t * perTask;
                kernels.quantize(x, r0 * n, n, n, Math.min(perTask, rows - r0), scale, zp, 0, 255, out,
                    outOff + r0 * outStride, outStride);
            });
        }
    }

    // ---- com.microsoft QGemm, QLinearAdd, QLinearGlobalAveragePool ------------------------------------

    /** QLinearMul runs shorter than this take the general broadcast loop (a kernel call per few elements gains nothing). */
    private static final int MIN_RUN = 8;

    /**
     * The runs of a QLinearAdd/QLinearMul output for the kernels (see {@link Broadcast#runs}), or null for the
     * general loop: operands of different or non-8-bit types, a non-8-bit output, or runs shorter than minRun.
     */
    private static Broadcast.Runs kernelRuns(Tensor a, Tensor b, DataType outType, int[] shape, int minRun) {
        if (!a.type().isQuantized() || b.type() != a.type() || !outType.isQuantized()) {
            return null;
        }
        Broadcast.Runs runs = Broadcast.runs(a.shapeView(), b.shapeView(), shape);
        return runs.count() == 1 || runs.length() >= minRun ? runs : null;
    }

    /**
     * QLinearAdd with ORT's x86 arithmetic (its AVX2 kernel, {@link Quantization#qlinearAddConstant}): a constant term
     * and FMAs on the raw codes, whose bits depend on which operand is constant over a run, as ORT's broadcast spans
     * do. So every 8-bit broadcast goes to {@link QuantizeKernels#qlinearAdd} run by run, short runs included; other
     * types take the general loop with the two-array form. ORT's ARM build uses fixed point and may differ by a step.
     */
    private static Tensor[] qlinearAdd(QuantizeKernels kernels, dev.octet.kernel.Parallel parallel, Tensor[] in,
                                      Buffers buffers) {
        Tensor a = in[0], b = in[3];
        float sa = QParams.scalarScale(in[1], "A"), sb = QParams.scalarScale(in[4], "B");
        float sc = QParams.scalarScale(in[6], "C");
        int za = QParams.scalarZeroPoint(in[2], "A");
        int zb = QParams.scalarZeroPoint(in[5], "B");
        Tensor cZp = in.length > 7 ? in[7] : null;
        DataType outType = cZp != null ? cZp.type() : a.type();
        int zc = QParams.scalarZeroPoint(cZp, "C");
        int[] shape = Broadcast.shape(a.shapeView(), b.shapeView());
        byte[] out = buffers.bytes(Tensor.checkedSize(shape));
        Broadcast.Runs runs = out.length == 0 ? null : kernelRuns(a, b, outType, shape, 1);
        if (runs != null) {
            qlinearRuns(parallel, runs, kernels, false, a, b, sa, za, sb, zb, sc, zc, outType, out);
            return new Tensor[] {Tensor.of(outType, shape, out)};
        }
        int[] aMap = Broadcast.indexMap(a.shapeView(), shape);
        int[] bMap = Broadcast.indexMap(b.shapeView(), shape);
        float ra = sa / sc;
        float rb = sb / sc;
        float c = Quantization.qlinearAddConstant(ra, za, rb, zb, zc);
        for (int i = 0; i < out.length; i++) {
            long av = a.getLong(aMap == null ? i : aMap[i]);
            long bv = b.getLong(bMap == null ? i : bMap[i]);
            out[i] = (byte) Quantization.qlinearAdd((int) av, ra, (int) bv, rb, c, outType.qmin(), outType.qmax());
        }
        return new Tensor[] {Tensor.of(outType, shape, out)};
    }

    /**
     * QLinearMul's kernel (mul) or QLinearAdd's over each run of the output; one large run (same shapes, or a scalar
     * operand) in chunks on the threads.
     */
    private static void qlinearRuns(dev.octet.kernel.Parallel parallel, Broadcast.Runs runs, QuantizeKernels kernels,
                                    boolean mul, Tensor a, Tensor b, float sa, int za, float sb, int zb, float sc,
                                    int zc, DataType outType, byte[] out) {
        boolean unsigned = a.type() == DataType.UINT8;
        byte[] ab = a.bytes();
        byte[] bb = b.bytes();
        boolean aConstant = runs.aConstant();
        boolean bConstant = runs.bConstant();
        int qmin = outType.qmin();
        int qmax = outType.qmax();
        int tasks = runs.count() == 1 ? chunkTasks(parallel, runs.length()) : 1;
        if (tasks > 1) {
            int aStart = runs.aStarts()[0];
            int bStart = runs.bStarts()[0];
            inChunks(parallel, runs.length(), tasks, (off, m) -> qlinear(kernels, mul, ab,
                aStart + (aConstant ? 0 : off), aConstant, bb, bStart + (bConstant ? 0 : off), bConstant, m, unsigned,
                sa, za, sb, zb, sc, zc, qmin, qmax, out, off));
            return;
        }
        for (int j = 0; j < runs.count(); j++) {
            qlinear(kernels, mul, ab, runs.aStarts()[j], aConstant, bb, runs.bStarts()[j], bConstant, runs.length(),
                unsigned, sa, za, sb, zb, sc, zc, qmin, qmax, out, j * runs.length());
        }
    }

    /** {@link QuantizeKernels#qlinearMul} when mul, else {@link QuantizeKernels#qlinearAdd}: the same arguments. */
    private static void qlinear(QuantizeKernels kernels, boolean mul, byte[] a, int aOff, boolean aScalar, byte[] b,
                                int bOff, boolean bScalar, int n, boolean unsigned, float sa, int za, float sb, int zb,
                                float sc, int zc, int qmin, int qmax, byte[] out, int outOff) {
        if (mul) {
            kernels.qlinearMul(a, aOff, aScalar, b, bOff, bScalar, n, unsigned, sa, za, sb, zb, sc, zc, qmin, qmax, out,
                outOff);
        } else {
            kernels.qlinearAdd(a, aOff, aScalar, b, bOff, bScalar, n, unsigned, sa, za, sb, zb, sc, zc, qmin, qmax, out,
                outOff);
        }
    }

    /**
     * QLinearMul with ORT's x86 (SSE2) arithmetic ({@link Quantization#qlinearMul}): the exact integer product
     * {@code (a - za) * (b - zb)}, times {@code ratio = (sa * sb) / sc}, plus {@code (float) zc}, rounded half to
     * even, saturated. The zero point is added in float before rounding, which can differ from adding it after.
     * Broadcasts as in {@link #qlinearAdd}.
     */
    private static Tensor[] qlinearMul(QuantizeKernels kernels, dev.octet.kernel.Parallel parallel, Tensor[] in,
                                      Buffers buffers) {
        Tensor a = in[0], b = in[3];
        float sa = QParams.scalarScale(in[1], "A"), sb = QParams.scalarScale(in[4], "B");
        float sc = QParams.scalarScale(in[6], "C");
        int za = QParams.scalarZeroPoint(in[2], "A");
        int zb = QParams.scalarZeroPoint(in[5], "B");
        Tensor cZp = in.length > 7 ? in[7] : null;
        DataType outType = cZp != null ? cZp.type() : a.type();
        int zc = QParams.scalarZeroPoint(cZp, "C");
        int[] shape = Broadcast.shape(a.shapeView(), b.shapeView());
        byte[] out = buffers.bytes(Tensor.checkedSize(shape));
        Broadcast.Runs runs = out.length == 0 ? null : kernelRuns(a, b, outType, shape, MIN_RUN);
        if (runs != null) {
            qlinearRuns(parallel, runs, kernels, true, a, b, sa, za, sb, zb, sc, zc, outType, out);
            return new Tensor[] {Tensor.of(outType, shape, out)};
        }
        float ratio = Quantization.qlinearMulRatio(sa, sb, sc);
        int[] aMap = Broadcast.indexMap(a.shapeView(), shape);
        int[] bMap = Broadcast.indexMap(b.shapeView(), shape);
        for (int i = 0; i < out.length; i++) {
            long av = a.getLong(aMap == null ? i : aMap[i]);
            long bv = b.getLong(bMap == null ? i : bMap[i]);
            out[i] = (byte) Quantization.qlinearMul((int) av, za, (int) bv, zb, ratio, zc, outType.qmin(),
                outType.qmax());
        }
        return new Tensor[] {Tensor.of(outType, shape, out)};
    }

    /** Bytes below which a table lookup stays on one thread; above, tasks of at least half that. */
    private static final long PARALLEL_LOOKUP_BYTES = 1 << 18;

    /** {@code y[i] = table[x[i] & 0xFF]}: X and the 256-entry table 8-bit, Y of the table's type. */
    private static Tensor lookUp(QuantizeKernels kernels, dev.octet.kernel.Parallel parallel, Tensor x, Tensor table,
                                 Buffers buffers) {
        if (!x.type().isQuantized() || !table.type().isQuantized() || table.size() != 256) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "LookupTable needs 8-bit X and a 256-entry 8-bit table, got "
                + x.type() + " and " + table.size() + " " + table.type() + " values");
        }
        byte[] src = x.bytes();
        byte[] entries = table.bytes();
        byte[] out = buffers.bytes(src.length);
        int n = src.length;
        int tasks = parallel.split(n, PARALLEL_LOOKUP_BYTES, PARALLEL_LOOKUP_BYTES / 2);
        if (tasks == 1) {
            kernels.lookUp(entries, src, 0, n, out, 0);
        } else {
            parallel.forEach(tasks, t -> {
                int from = (int) ((long) n * t / tasks);
                kernels.lookUp(entries, src, from, (int) ((long) n * (t + 1) / tasks) - from, out, from);
            });
        }
        return Tensor.of(table.type(), x.shapeView(), out);
    }

    /** A table with the quantization it was built for. */
    private record Table(boolean unsigned, float xs, int xzp, float ys, int yzp, DataType outType, Tensor entries) {
        boolean builtFor(boolean u, float xScale, int xZp, float yScale, int yZp, DataType type) {
            return unsigned == u && Float.compare(xs, xScale) == 0 && xzp == xZp && Float.compare(ys, yScale) == 0
                && yzp == yZp && outType == type;
        }
    }

    /**
     * com.microsoft QLinearSigmoid / QLinearLeakyRelu: {@code y = table[x]}, a unary quantized op as a 256-entry
     * table built the way ORT builds it: every code is dequantized ({@code x_scale * (q - x_zp)}), transformed in
     * float, and quantized with {@link Quantization#quantize}. Inputs: X, X_scale, X_zero_point, Y_scale,
     * Y_zero_point (per-tensor). The table is built on the first call and again only when the scales or zero points
     * change (they are constants in every exported model), and the output comes from the run's buffers, so a steady
     * run allocates nothing here.
     */
    private static Op lookupTable(QuantizeKernels kernels, dev.octet.kernel.Parallel parallel,
                                  java.util.function.Function<Float, Float> f) {
        java.util.concurrent.atomic.AtomicReference<Table> last = new java.util.concurrent.atomic.AtomicReference<>();
        return Op.withBuffers((in, buffers) -> {
            Tensor x = in[0];
            if (!x.type().isQuantized()) {
                throw new OctetException(ErrorCode.UNSUPPORTED_TYPE, "quantized lookup op needs 8-bit X, got " + x.type());
            }
            Tensor yZp = in.length > 4 ? in[4] : null;
            DataType outType = yZp != null ? yZp.type() : x.type();
            boolean unsigned = x.type() == DataType.UINT8;
            float xs = QParams.scalarScale(in[1], "X");
            int xzp = QParams.scalarZeroPoint(in.length > 2 ? in[2] : null, "X");
            float ys = QParams.scalarScale(in[3], "Y");
            int yzp = QParams.scalarZeroPoint(yZp, "Y");
            Table t = last.get();
            if (t == null || !t.builtFor(unsigned, xs, xzp, ys, yzp, outType)) {
                t = new Table(unsigned, xs, xzp, ys, yzp, outType,
                    Tensor.of(outType, new int[] {256}, table(f, unsigned, xs, xzp, ys, yzp, outType)));
                last.set(t);
            }
            return new Tensor[] {lookUp(kernels, parallel, x, t.entries(), buffers)};
        });
    }

    /** table[code & 0xFF] for every 8-bit code of the input type. */
    private static byte[] table(java.util.function.Function<Float, Float> f, boolean unsigned, float xs, int xzp,
                                float ys, int yzp, DataType outType) {
        byte[] t = new byte[256];
        for (int code = 0; code < 256; code++) {
            int q = unsigned ? code : (byte) code;
            float v = f.apply(xs * (q - xzp));
            t[code] = (byte) Quantization.quantize(v, ys, yzp, outType.qmin(), outType.qmax());
        }
        return t;
    }

    /**
     * QLinearGlobalAveragePool with ORT's x86 arithmetic: the integer sum over the image minus
     * {@code zp_in * size}, times {@code s_in / (s_out * (float) size)}, requantized. The sums come from
     * {@link PoolKernels#planeSums} (channels last: {@link PoolKernels#pixelSums}), the requantization from
     * {@link QuantizeKernels#requantize} (int32 sums are exact in any order; the requantization is the scalar one,
     * bit for bit).
     */
    private static Op qlinearGlobalAveragePool(OpContext ctx, boolean channelsLast) {
        if (!channelsLast && ctx.getInt("channels_last", 0) != 0) {
            throw ctx.unsupported("channels_last=1 is not supported yet");
        }
        PoolKernels pool = ctx.kernels().pool();
        QuantizeKernels quantize = ctx.kernels().quantize();
        return Op.withBuffers((in, buffers) -> {
            Tensor x = in[0];
            if (x.rank() < 3) {
                throw new OctetException(ErrorCode.INVALID_SHAPE, "QLinearGlobalAveragePool needs rank >= 3, got " + x);
            }
            float sx = in[1].floats()[0], sy = in[3].floats()[0];
            int zx = (int) in[2].getLong(0);
            Tensor yZp = in[4];
            DataType outType = yZp.type();
            int zy = (int) yZp.getLong(0);
            int channels = x.dim(channelsLast ? x.rank() - 1 : 1);
            int planes = x.dim(0) * channels;
            int size = x.size() / Math.max(1, planes);
            float scale = sx / (sy * (float) size);
            byte[] out = buffers.bytes(planes);
            int[] sums = buffers.ints(planes);
            int[] bias = buffers.ints(planes);
            if (channelsLast) {
                for (int b = 0; b < x.dim(0); b++) {
                    pool.pixelSums(x.bytes(), b * size * channels, size, channels, x.type() == DataType.UINT8, sums,
                        b * channels);
                }
            } else {
                pool.planeSums(x.bytes(), 0, planes, size, x.type() == DataType.UINT8, sums, 0);
            }
            Arrays.fill(bias, -zx * size);
            quantize.requantize(sums, 0, bias, 0, new float[] {scale}, 0, false, zy, outType.qmin(), outType.qmax(),
                out, 0, planes);
            buffers.giveBack(sums);
            buffers.giveBack(bias);
            int[] shape = x.shape();
            for (int d = channelsLast ? 1 : 2; d < shape.length - (channelsLast ? 1 : 0); d++) {
                shape[d] = 1;
            }
            return new Tensor[] {Tensor.of(outType, shape, out)};
        });
    }

    /** [N, spatial..., C] -> [N, 1..., C]. */
    private static List<Dim> channelsLastGlobalPoolShape(List<Dim> s) {
        if (s == null) {
            return null;
        }
        List<Dim> out = new ArrayList<>(globalPoolShape(s));
        out.set(1, Dim.of(1));
        out.set(s.size() - 1, s.get(s.size() - 1));
        return out;
    }

    /** The spec gives the zero point the scale's shape; the ops index both with the scale's positions. */
    private static void requireZeroPointLikeScale(Tensor scale, Tensor zp) {
        if (zp != null && !Arrays.equals(zp.shapeView(), scale.shapeView())) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "zero point shape "
                + Arrays.toString(zp.shapeView()) + " differs from the scale's " + Arrays.toString(scale.shapeView()));
        }
    }

    // ---- shape rules ----------------------------------------------------------------------------------

    private static DataType quantizeType(ShapeContext c) {
        if (c.has(2)) {
            return c.type(2);
        }
        long declared = c.getInt("output_dtype", 0);
        return declared == 0 ? DataType.UINT8 : DataType.fromOnnx(declared);
    }
}
