package dev.octet.kernel.scalar;

import dev.octet.kernel.WinogradKernels;

/** The reference Winograd transforms: plain loops over channels; also the vector kernels' channel tails. */
public final class ScalarWinogradKernels implements WinogradKernels {
    @Override
    public void inputTile(byte[] src, int[] offsets, int flip, int channels, float[][] v, int at, int groupStride) {
        input(src, offsets, flip, 0, channels, v, at, groupStride);
    }

    @Override
    public void outputTile(int[] m, int at, int xiStride, int cout, int[] y) {
        output(m, at, xiStride, 0, cout, y);
    }

    /**
     * {@code V = B^T d B} of one tile for channels [c0, channels) (see {@link WinogradKernels#inputTile}).
     * One pass over the channels with the 16 inputs in locals, so C2 can vectorize it.
     */
    public static void input(byte[] src, int[] o, int flip, int c0, int channels, float[][] v, int at,
                             int groupStride) {
        int o0 = o[0], o1 = o[1], o2 = o[2], o3 = o[3], o4 = o[4], o5 = o[5], o6 = o[6], o7 = o[7];
        int o8 = o[8], o9 = o[9], o10 = o[10], o11 = o[11], o12 = o[12], o13 = o[13], o14 = o[14], o15 = o[15];
        float[] v0 = v[0], v1 = v[1], v2 = v[2], v3 = v[3], v4 = v[4], v5 = v[5], v6 = v[6], v7 = v[7];
        float[] v8 = v[8], v9 = v[9], v10 = v[10], v11 = v[11], v12 = v[12], v13 = v[13], v14 = v[14], v15 = v[15];
        for (int c = c0; c < channels; c++) {
            // t = B^T d, row by row: t0 = d0 - d2, t1 = d1 + d2, t2 = d2 - d1, t3 = d1 - d3 (each of 4 columns).
            int d20 = (byte) (src[o8 + c] ^ flip), d21 = (byte) (src[o9 + c] ^ flip);
            int d22 = (byte) (src[o10 + c] ^ flip), d23 = (byte) (src[o11 + c] ^ flip);
            int d10 = (byte) (src[o4 + c] ^ flip), d11 = (byte) (src[o5 + c] ^ flip);
            int d12 = (byte) (src[o6 + c] ^ flip), d13 = (byte) (src[o7 + c] ^ flip);
            int t00 = (byte) (src[o0 + c] ^ flip) - d20, t01 = (byte) (src[o1 + c] ^ flip) - d21;
            int t02 = (byte) (src[o2 + c] ^ flip) - d22, t03 = (byte) (src[o3 + c] ^ flip) - d23;
            int t10 = d10 + d20, t11 = d11 + d21, t12 = d12 + d22, t13 = d13 + d23;
            int t20 = d20 - d10, t21 = d21 - d11, t22 = d22 - d12, t23 = d23 - d13;
            int t30 = d10 - (byte) (src[o12 + c] ^ flip), t31 = d11 - (byte) (src[o13 + c] ^ flip);
            int t32 = d12 - (byte) (src[o14 + c] ^ flip), t33 = d13 - (byte) (src[o15 + c] ^ flip);
            // V = t B, column by column with the same pattern.
            int p = at + (c >> 4) * groupStride + (c & 15);
            v0[p] = t00 - t02;
            v1[p] = t01 + t02;
            v2[p] = t02 - t01;
            v3[p] = t01 - t03;
            v4[p] = t10 - t12;
            v5[p] = t11 + t12;
            v6[p] = t12 - t11;
            v7[p] = t11 - t13;
            v8[p] = t20 - t22;
            v9[p] = t21 + t22;
            v10[p] = t22 - t21;
            v11[p] = t21 - t23;
            v12[p] = t30 - t32;
            v13[p] = t31 + t32;
            v14[p] = t32 - t31;
            v15[p] = t31 - t33;
        }
    }

    /**
     * {@code Y = (A^T M A) / 4} of one tile for output channels [oc0, cout) (see {@link WinogradKernels#outputTile}).
     */
    public static void output(int[] m, int at, int xiStride, int oc0, int cout, int[] y) {
        for (int oc = oc0; oc < cout; oc++) {
            int p = at + oc;
            // s = A^T M: s0 = M0 + M1 + M2, s1 = M1 - M2 - M3 (rows), for each of 4 columns.
            int m10 = m[p + 4 * xiStride], m11 = m[p + 5 * xiStride];
            int m12 = m[p + 6 * xiStride], m13 = m[p + 7 * xiStride];
            int m20 = m[p + 8 * xiStride], m21 = m[p + 9 * xiStride];
            int m22 = m[p + 10 * xiStride], m23 = m[p + 11 * xiStride];
            int s00 = m[p] + m10 + m20, s01 = m[p + xiStride] + m11 + m21;
            int s02 = m[p + 2 * xiStride] + m12 + m22, s03 = m[p + 3 * xiStride] + m13 + m23;
            int s10 = m10 - m20 - m[p + 12 * xiStride], s11 = m11 - m21 - m[p + 13 * xiStride];
            int s12 = m12 - m22 - m[p + 14 * xiStride], s13 = m13 - m23 - m[p + 15 * xiStride];
            y[oc] = (s00 + s01 + s02) >> 2;
            y[cout + oc] = (s01 - s02 - s03) >> 2;
            y[2 * cout + oc] = (s10 + s11 + s12) >> 2;
            y[3 * cout + oc] = (s11 - s12 - s13) >> 2;
        }
    }
}
