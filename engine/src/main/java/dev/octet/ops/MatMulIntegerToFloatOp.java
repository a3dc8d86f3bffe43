package dev.octet.ops;

import static dev.octet.ops.Shapes.matMulShape;
import static dev.octet.ops.Shapes.one;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.kernel.Parallel;
import dev.octet.kernel.QGemm;

/**
 * com.microsoft MatMulIntegerToFloat (ONNX Runtime's contrib op): inputs A, B, a_scale, b_scale, and optional
 * a_zero_point, b_zero_point, bias; output {@code (float) sum_k (A - a_zp)(B - b_zp) * (a_scale * b_scale[j])
 * + bias[j]}. a_scale and a_zero_point are per-tensor; b_scale, b_zero_point and bias per-tensor or
 * per-column (length N). The scale product is taken in float, then the GEMM's {@link QGemm.Output.Scaled}
 * epilogue applies it and the bias, so the result equals MatMulInteger, Cast, Mul and Add run one by one.
 * A constant 2-D B is packed once at load.
 */
final class MatMulIntegerToFloatOp {
    private MatMulIntegerToFloatOp() {}

    static void register(OpRegistry.Builder r) {
        r.microsoft("MatMulIntegerToFloat").inputs("rrrrooo").outputs("r")
            .shape(c -> one(DataType.FLOAT, matMulShape(c.shape(0), c.shape(1))))
            .factory(MatMulIntegerToFloatOp::create);
    }

    private static Op create(OpContext ctx) {
        QMatMulOps.RightOperand rhs = QMatMulOps.RightOperand.of(ctx, 1, 5);
        Parallel parallel = ctx.parallel();
        return Op.withBuffers((in, buffers) -> {
            Tensor a = in[0], b = in[1];
            QMatMulOps.require8Bit(a, "A");
            QMatMulOps.require8Bit(b, "B");
            QMatMulOps.MatMulShape sh = rhs.shape(a.shapeView(), b.shapeView());
            float aScale = QParams.scalarScale(requireFloat(in[2], "a_scale"), "a");
            float[] bScale = QParams.scales(requireFloat(in[3], "b_scale"), sh.n(), "b");
            int za = QParams.scalarZeroPoint(in.length > 4 ? in[4] : null, "a");
            int[] zb = rhs.zeroPoints().forColumns(in.length > 5 ? in[5] : null, sh.n(), "b");
            float[] bias = in.length > 6 && in[6] != null ? QParams.expandedBias(requireFloat(in[6], "bias"), sh.n(), "MatMulIntegerToFloat") : null;
            float[] scales = buffers.floats(bScale.length);
            for (int j = 0; j < scales.length; j++) {
                scales[j] = aScale * bScale[j];
            }
            float[] out = buffers.floats(sh.batch() * sh.m() * sh.n());
            QMatMulOps.batched(rhs, parallel, a, b, sh, za, zb, null, new QGemm.Output.Scaled(out, scales, bias));
            buffers.giveBack(scales);
            return new Tensor[] {Tensor.ofFloats(out, sh.outShape())};
        });
    }

    private static Tensor requireFloat(Tensor t, String what) {
        return QParams.requireFloat(t, "MatMulIntegerToFloat", what);
    }
}
