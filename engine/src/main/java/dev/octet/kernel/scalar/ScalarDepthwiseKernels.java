package dev.octet.kernel.scalar;

import dev.octet.kernel.DepthwiseKernels;
import dev.octet.kernel.DepthwiseWeights;
import dev.octet.kernel.QGemm;
import dev.octet.kernel.Quantization;

/** The reference depthwise convolution: the definition, one output value at a time. */
public final class ScalarDepthwiseKernels implements DepthwiseKernels {
    @Override
    public String id() {
        return "qs8-dwconv-1x1/scalar";
    }

    @Override
    public void run(DepthwiseWeights w, Shape s, byte[] x, int xOffset, boolean xUnsigned, int xzp, int[] bias,
                    QGemm.Output output, int yOffset, int oy0, int oy1) {
        int channels = s.channels();
        int[] wp = w.ints();
        for (int oy = oy0; oy < oy1; oy++) {
            for (int ox = 0; ox < s.outW(); ox++) {
                int yPixel = yOffset + (oy * s.outW() + ox) * channels;
                for (int c = 0; c < channels; c++) {
                    int acc = bias == null ? 0 : bias[c];
                    for (int ky = 0; ky < s.kernelH(); ky++) {
                        int iy = oy * s.strideH() - s.padTop() + ky * s.dilationH();
                        if (iy < 0 || iy >= s.inH()) {
                            continue;
                        }
                        for (int kx = 0; kx < s.kernelW(); kx++) {
                            int ix = ox * s.strideW() - s.padLeft() + kx * s.dilationW();
                            if (ix < 0 || ix >= s.inW()) {
                                continue;
                            }
                            byte b = x[xOffset + (iy * s.inW() + ix) * channels + c];
                            acc += ((xUnsigned ? b & 0xFF : b) - xzp) * wp[(ky * s.kernelW() + kx) * channels + c];
                        }
                    }
                    store(output, yPixel + c, c, acc);
                }
            }
        }
    }

    private static void store(QGemm.Output output, int index, int c, int acc) {
        switch (output) {
            case QGemm.Output.Int32 o -> o.out()[index] = acc;
            case QGemm.Output.Requantized o -> o.out()[index] = (byte) Quantization.requantize(acc,
                o.scales()[o.scales().length == 1 ? 0 : c], o.zeroPoint(), o.qmin(), o.qmax());
            case QGemm.Output.Scaled o -> throw new UnsupportedOperationException("depthwise has no float output");
        }
    }
}
