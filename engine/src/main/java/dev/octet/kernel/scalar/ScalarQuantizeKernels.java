package dev.octet.kernel.scalar;

import dev.octet.kernel.ByteTranspose;
import dev.octet.kernel.Quantization;
import dev.octet.kernel.QuantizeKernels;

/** The reference quantization loops. */
public final class ScalarQuantizeKernels implements QuantizeKernels {
    @Override
    public void quantize(float[] x, int xOff, int xStride, int n, int rows, float scale, int zp, int qmin, int qmax,
                         byte[] out, int outOff, int outStride) {
        for (int r = 0; r < rows; r++) {
            int xRow = xOff + r * xStride;
            int outRow = outOff + r * outStride;
            for (int i = 0; i < n; i++) {
                out[outRow + i] = (byte) Quantization.quantize(x[xRow + i], scale, zp, qmin, qmax);
            }
        }
    }

    @Override
    public void dequantize(byte[] q, int qOff, int n, boolean unsigned, int zp, float scale, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            int v = unsigned ? q[qOff + i] & 0xFF : q[qOff + i];
            out[outOff + i] = (float) (v - zp) * scale;
        }
    }

    @Override
    public void requantize(int[] acc, int accOff, int[] add, int addOff, float[] scales, int scaleOff, boolean perColumn,
                           int zp, int qmin, int qmax, byte[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            float scale = scales[scaleOff + (perColumn ? i : 0)];
            out[outOff + i] = (byte) Quantization.requantize(acc[accOff + i] + add[addOff + i], scale, zp, qmin, qmax);
        }
    }

    @Override
    public void scale(int[] acc, int accOff, int[] add, int addOff, float[] scales, int scaleOff, boolean perColumn,
                      float[] bias, int biasOff, boolean relu, float[] out, int outOff, int n, int rows) {
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < n; i++) {
                float v = (float) (acc[accOff + r * n + i] + add[addOff + i]) * scales[scaleOff + (perColumn ? i : 0)];
                if (bias != null) {
                    v += bias[biasOff + i];
                }
                out[outOff + r * n + i] = relu && v < 0 ? 0f : v;
            }
        }
    }

    @Override
    public void qlinearAdd(byte[] a, int aOff, boolean aScalar, byte[] b, int bOff, boolean bScalar, int n,
                           boolean unsigned, float sa, int za, float sb, int zb, float sc, int zc, int qmin, int qmax,
                           byte[] out, int outOff) {
        if (n <= 0) {
            return; // a scalar operand is not read
        }
        // ORT's kernel takes a constant operand second (a constant a also when both are): exchange them there.
        byte[] x = aScalar ? b : a;
        byte[] y = aScalar ? a : b;
        int xOff = aScalar ? bOff : aOff;
        int yOff = aScalar ? aOff : bOff;
        boolean xScalar = aScalar && bScalar;
        boolean yScalar = aScalar || bScalar;
        float rx = (aScalar ? sb : sa) / sc;
        float ry = (aScalar ? sa : sb) / sc;
        float c = Quantization.qlinearAddConstant(rx, aScalar ? zb : za, ry, aScalar ? za : zb, zc);
        int mask = unsigned ? 0xFF : -1;
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (byte) Quantization.qlinearAdd(x[xOff + (xScalar ? 0 : i)] & mask, rx,
                y[yOff + (yScalar ? 0 : i)] & mask, ry, c, qmin, qmax);
        }
    }

    @Override
    public void qlinearMul(byte[] a, int aOff, boolean aScalar, byte[] b, int bOff, boolean bScalar, int n,
                           boolean unsigned, float sa, int za, float sb, int zb, float sc, int zc, int qmin, int qmax,
                           byte[] out, int outOff) {
        float ratio = Quantization.qlinearMulRatio(sa, sb, sc);
        int mask = unsigned ? 0xFF : -1;
        for (int i = 0; i < n; i++) {
            int av = a[aOff + (aScalar ? 0 : i)] & mask;
            int bv = b[bOff + (bScalar ? 0 : i)] & mask;
            out[outOff + i] = (byte) Quantization.qlinearMul(av, za, bv, zb, ratio, zc, qmin, qmax);
        }
    }

    @Override
    public float[] rangeWithZero(float[] x, int off, int n) {
        float min = 0f;
        float max = 0f;
        for (int i = off; i < off + n; i++) {
            float v = x[i];
            // NaN compares false both ways and is skipped, as MLAS's min/max scan skips it.
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
        }
        return new float[] {min, max};
    }

    @Override
    public void lookUp(byte[] table, byte[] x, int xOff, int n, byte[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = table[x[xOff + i] & 0xFF];
        }
    }

    @Override
    public void interleave(byte[] x, int xOff, int xStride, int planes, int n, byte[] out, int outOff) {
        if (planes < 1 || planes > MAX_INTERLEAVED) {
            throw new IllegalArgumentException("planes " + planes);
        }
        ByteTranspose.transpose(x, xOff, xStride, planes, n, out, outOff, planes);
    }
}
