package dev.octet.ops;

import dev.octet.api.Tensor;
import dev.octet.kernel.Parallel;
import dev.octet.kernel.PoolKernels;

/**
 * ONNX Runtime 1.23.2's CPU Resize kernels, reproduced bit for bit: Octet promises ORT's results, and dynamic
 * quantization downstream turns one ulp into whole quantization steps. All arithmetic is float in ORT's order (no
 * FMA); axes whose scale is 1 skip the coordinate transformation. Values are floats, or 8-bit values held in ints;
 * results go to a float array, or an int array of values C would convert (truncate) to 8 bits.
 */
final class ResizeKernels {
    private ResizeKernels() {}

    /** What one resize computes on: the input, the shapes, per-axis scales and the full-rank roi. */
    record Job(float[] xf, int[] xi, int[] in, int[] out, float[] scales, float[] roi, String ctm,
               boolean extrapolate, float extrapolation, float[] yf, int[] yi) {
        float value(int i) {
            return xf != null ? xf[i] : xi[i];
        }

        void store(int k, float v) {
            if (yf != null) {
                yf[k] = v;
            } else {
                yi[k] = (int) v; // C's float to integer conversion truncates; the 8-bit store wraps
            }
        }
    }

    /** The source coordinate of output index o along one axis. */
    static float original(String ctm, float o, float scale, float outLen, float inLen, float roiStart, float roiEnd) {
        return switch (ctm) {
            case "asymmetric" -> o / scale;
            case "pytorch_half_pixel" -> outLen > 1 ? (o + 0.5f) / scale - 0.5f : 0f;
            case "tf_half_pixel_for_nn" -> (o + 0.5f) / scale;
            case "align_corners" -> {
                // ORT divides by the integer output length minus 1; the ONNX spec (and its node test
                // resize_downsample_scales_linear_align_corners) by the unrounded scale * in minus 1. The spec wins.
                float width = scale * inLen;
                yield width == 1 ? 0f : o * (inLen - 1) / (width - 1);
            }
            case "tf_crop_and_resize" -> outLen > 1
                ? roiStart * (inLen - 1) + (o * (roiEnd - roiStart) * (inLen - 1)) / (outLen - 1)
                : (float) (0.5 * (roiStart + roiEnd) * (inLen - 1)); // ORT's 0.5 is a double here
            case "half_pixel_symmetric" -> {
                float outputWidth = scale * inLen;
                float adjustment = outLen / outputWidth;
                float center = inLen / 2; // ORT halves in integer arithmetic
                float offset = center * (1 - adjustment);
                yield (float) (offset + (o + 0.5) / scale - 0.5); // double from (o + 0.5) on, as in ORT
            }
            default -> ((o + 0.5f) / scale) - 0.5f;
        };
    }

    /** C's std::round: halves away from zero. */
    static long cRound(float x) {
        double a = Math.floor(Math.abs((double) x) + 0.5);
        return (long) (x < 0 ? -a : a);
    }

    private static long nearestIndex(String mode, float x) {
        return switch (mode) {
            case "round_prefer_ceil" -> cRound(x);
            case "floor" -> (long) Math.floor(x);
            case "ceil" -> (long) Math.ceil(x);
            default -> x == (float) (long) x + 0.5f ? (long) Math.floor(x) : cRound(x);
        };
    }

    /**
     * Nearest's source offset per output index along each axis (-1 where an extrapolated output lies outside); the
     * same for every call of one geometry, so {@link ResizeOp} keeps the last one.
     */
    static int[][] nearestMap(Job j, String mode) {
        int[] in = j.in, out = j.out;
        int r = in.length;
        int[] stride = new int[r];
        stride[r - 1] = 1;
        for (int d = r - 2; d >= 0; d--) {
            stride[d] = stride[d + 1] * in[d + 1];
        }
        int[][] map = new int[r][];
        for (int d = 0; d < r; d++) {
            map[d] = new int[out[d]];
            for (int o = 0; o < out[d]; o++) {
                if (j.scales[d] == 1f) {
                    map[d][o] = o * stride[d];
                    continue;
                }
                float orig = original(j.ctm, o, j.scales[d], out[d], in[d], j.roi[d], j.roi[r + d]);
                boolean outside = j.extrapolate && (orig < 0 || orig > in[d] - 1);
                long idx = Math.max(0, Math.min(nearestIndex(mode, orig), in[d] - 1));
                map[d][o] = outside ? -1 : (int) idx * stride[d];
            }
        }
        return map;
    }

    static void nearest(Job j, int[][] map) {
        int[] out = j.out;
        int r = out.length;
        // A row of the last axis at a time: its source row found once, then a gather along the row.
        int n = j.yf != null ? j.yf.length : j.yi.length;
        int last = r - 1;
        int rowLength = out[last];
        int[] columns = map[last];
        // The last axis kept (channels last, its scale 1): each row is a copy of a source row.
        boolean rowCopies = j.scales[last] == 1f && j.in[last] == rowLength;
        int[] counter = new int[r];
        for (int i = 0; i < n; i += rowLength) {
            int base = 0;
            boolean outside = false;
            for (int d = 0; d < last; d++) {
                int m = map[d][counter[d]];
                outside |= m < 0;
                base += m;
            }
            if (rowCopies && !outside) {
                if (j.yf != null) {
                    System.arraycopy(j.xf, base, j.yf, i, rowLength);
                } else {
                    System.arraycopy(j.xi, base, j.yi, i, rowLength);
                }
                for (int d = last - 1; d >= 0 && ++counter[d] == out[d]; d--) {
                    counter[d] = 0;
                }
                continue;
            }
            for (int x = 0; x < rowLength; x++) {
                int m = columns[x];
                if (outside || m < 0) {
                    j.store(i + x, j.extrapolation);
                } else if (j.yf != null) {
                    j.yf[i + x] = j.xf[base + m];
                } else {
                    j.yi[i + x] = j.xi[base + m];
                }
            }
            for (int d = last - 1; d >= 0 && ++counter[d] == out[d]; d--) {
                counter[d] = 0;
            }
        }
    }

    /**
     * Linear interpolation's taps along every axis; the same for every call of one geometry, so {@link ResizeOp}
     * keeps the last ones.
     */
    static Taps[] linearTaps(Job j) {
        Taps[] taps = new Taps[j.in.length];
        for (int axis = 0; axis < taps.length; axis++) {
            taps[axis] = Taps.of(j, axis);
        }
        return taps;
    }

    /** One axis of linear interpolation: the raw coordinate, the two taps and their float and 10-bit weights. */
    record Taps(float[] orig, int[] i1, int[] i2, float[] d1, float[] d2, int[] q1, int[] q2) {
        static Taps of(Job j, int axis) {
            int inLen = j.in[axis], outLen = j.out[axis], r = j.in.length;
            float scale = j.scales[axis];
            Taps t = new Taps(new float[outLen], new int[outLen], new int[outLen], new float[outLen],
                new float[outLen], new int[outLen], new int[outLen]);
            for (int o = 0; o < outLen; o++) {
                float c = scale == 1 ? o : original(j.ctm, o, scale, outLen, inLen, j.roi[axis], j.roi[r + axis]);
                t.orig[o] = c;
                c = Math.max(0f, Math.min(c, (float) (inLen - 1)));
                int i1 = Math.min((int) c, inLen - 1);
                int i2 = Math.min(i1 + 1, inLen - 1);
                t.i1[o] = i1;
                t.i2[o] = i2;
                t.d1[o] = Math.abs(c - i1);
                t.d2[o] = Math.abs(c - i2);
                int q = (int) (c * 1024); // the 8-bit NHWC path's weights, in 1/1024
                t.q1[o] = Math.abs(q - i1 * 1024);
                t.q2[o] = Math.abs(q - i2 * 1024);
                if (i1 == i2) {
                    t.d1[o] = 0.5f;
                    t.d2[o] = 0.5f;
                    t.q1[o] = 512;
                    t.q2[o] = 512;
                }
            }
            return t;
        }

        boolean outside(int o, int inLen) {
            return orig[o] < 0 || orig[o] > inLen - 1;
        }
    }

    /** Whether ORT's linear kernel covers this layout: 2-D/3-D, or 4-D/5-D with two outer axes unscaled. */
    static boolean linearCovers(int[] in, float[] s) {
        int r = in.length;
        return r == 2 || r == 3 || r == 4 && s[0] == 1 && (s[1] == 1 || s[3] == 1) || r == 5 && s[0] == 1 && s[1] == 1;
    }

    /** Output elements below which the channels-last bilinear kernel runs on the caller alone; per task at least. */
    private static final int PARALLEL_MIN = 1 << 15;
    private static final int GRAIN = 1 << 14;

    /** Linear interpolation with the taps of {@link #linearTaps}. */
    static void linear(Job j, PoolKernels kernels, Parallel parallel, Taps[] taps) {
        int[] in = j.in;
        int r = in.length;
        float[] s = j.scales;
        if (r == 2 || r == 4 && s[1] == 1) {
            bilinearNchw(j, taps);
        } else if (r == 4) {
            bilinearNhwc(j, kernels, parallel, taps);
        } else {
            trilinear(j, taps);
        }
    }

    private static void bilinearNchw(Job j, Taps[] taps) {
        int[] in = j.in, out = j.out;
        int r = in.length;
        int batch = r == 2 ? 1 : in[0] * in[1];
        int h = in[r - 2], w = in[r - 1], oh = out[r - 2], ow = out[r - 1];
        Taps ty = taps[r - 2], tx = taps[r - 1];
        for (int b = 0; b < batch; b++) {
            int base = b * h * w;
            for (int yo = 0; yo < oh; yo++) {
                for (int xo = 0; xo < ow; xo++) {
                    int k = (b * oh + yo) * ow + xo;
                    if (j.extrapolate && (ty.outside(yo, h) || tx.outside(xo, w))) {
                        j.store(k, j.extrapolation);
                        continue;
                    }
                    float x11 = j.value(base + ty.i1[yo] * w + tx.i1[xo]);
                    float x21 = j.value(base + ty.i1[yo] * w + tx.i2[xo]);
                    float x12 = j.value(base + ty.i2[yo] * w + tx.i1[xo]);
                    float x22 = j.value(base + ty.i2[yo] * w + tx.i2[xo]);
                    j.store(k, tx.d2[xo] * ty.d2[yo] * x11 + tx.d1[xo] * ty.d2[yo] * x21
                        + tx.d2[xo] * ty.d1[yo] * x12 + tx.d1[xo] * ty.d1[yo] * x22);
                }
            }
        }
    }

    /**
     * [N, H, W, C] with N and C unscaled: float weights for float (the pool kernels' channels-last resampling;
     * extrapolated pixels overwritten after), 10-bit fixed point for 8-bit values.
     */
    private static void bilinearNhwc(Job j, PoolKernels kernels, Parallel parallel, Taps[] taps) {
        int[] in = j.in, out = j.out;
        int n = in[0], h = in[1], w = in[2], ch = in[3], oh = out[1], ow = out[2];
        Taps ty = taps[1], tx = taps[2];
        if (j.xf != null) {
            // Bands of output rows over the threads: each output element is computed alone, so the same floats.
            int rows = n * oh;
            int tasks = Math.min(rows, parallel.split((long) rows * ow * ch, PARALLEL_MIN, GRAIN));
            if (tasks <= 1) {
                kernels.bilinearChannelsLast(j.xf, h, w, ch, ty.i1, ty.i2, ty.d1, ty.d2, tx.i1, tx.i2, tx.d1, tx.d2,
                    j.yf, 0, rows);
            } else {
                int band = (rows + tasks - 1) / tasks;
                parallel.forEach((rows + band - 1) / band, t -> kernels.bilinearChannelsLast(j.xf, h, w, ch, ty.i1,
                    ty.i2, ty.d1, ty.d2, tx.i1, tx.i2, tx.d1, tx.d2, j.yf, t * band, Math.min(rows, (t + 1) * band)));
            }
            if (!j.extrapolate) {
                return;
            }
        }
        for (int b = 0; b < n; b++) {
            for (int yo = 0; yo < oh; yo++) {
                for (int xo = 0; xo < ow; xo++) {
                    int pixel = ((b * oh + yo) * ow + xo) * ch;
                    if (j.extrapolate && (ty.outside(yo, h) || tx.outside(xo, w))) {
                        for (int c = 0; c < ch; c++) {
                            j.store(pixel + c, j.extrapolation);
                        }
                        continue;
                    }
                    if (j.xf != null) {
                        continue;
                    }
                    for (int c = 0; c < ch; c++) {
                        int base = b * h * w * ch + c;
                        int o11 = base + (ty.i1[yo] * w + tx.i1[xo]) * ch;
                        int o21 = base + (ty.i1[yo] * w + tx.i2[xo]) * ch;
                        int o12 = base + (ty.i2[yo] * w + tx.i1[xo]) * ch;
                        int o22 = base + (ty.i2[yo] * w + tx.i2[xo]) * ch;
                        int sum = tx.q2[xo] * ty.q2[yo] * j.xi[o11] + tx.q1[xo] * ty.q2[yo] * j.xi[o21]
                            + tx.q2[xo] * ty.q1[yo] * j.xi[o12] + tx.q1[xo] * ty.q1[yo] * j.xi[o22];
                        j.yi[pixel + c] = sum / (1 << 20); // C's integer division: toward zero
                    }
                }
            }
        }
    }

    private static void trilinear(Job j, Taps[] taps) {
        int[] in = j.in, out = j.out;
        int r = in.length;
        int batch = r == 3 ? 1 : in[0] * in[1];
        int dd = in[r - 3], h = in[r - 2], w = in[r - 1], od = out[r - 3], oh = out[r - 2], ow = out[r - 1];
        Taps tz = taps[r - 3], ty = taps[r - 2], tx = taps[r - 1];
        for (int b = 0; b < batch; b++) {
            for (int zo = 0; zo < od; zo++) {
                for (int yo = 0; yo < oh; yo++) {
                    for (int xo = 0; xo < ow; xo++) {
                        int k = ((b * od + zo) * oh + yo) * ow + xo;
                        if (j.extrapolate && (tz.outside(zo, dd) || ty.outside(yo, h) || tx.outside(xo, w))) {
                            j.store(k, j.extrapolation);
                            continue;
                        }
                        int z1 = b * dd * h * w + tz.i1[zo] * h * w, z2 = b * dd * h * w + tz.i2[zo] * h * w;
                        int y1 = ty.i1[yo] * w, y2 = ty.i2[yo] * w, x1 = tx.i1[xo], x2 = tx.i2[xo];
                        float dx1 = tx.d1[xo], dx2 = tx.d2[xo], dy1 = ty.d1[yo], dy2 = ty.d2[yo];
                        float dz1 = tz.d1[zo], dz2 = tz.d2[zo];
                        j.store(k, dx2 * dy2 * dz2 * j.value(z1 + y1 + x1)
                            + dx1 * dy2 * dz2 * j.value(z1 + y1 + x2)
                            + dx2 * dy1 * dz2 * j.value(z1 + y2 + x1)
                            + dx1 * dy1 * dz2 * j.value(z1 + y2 + x2)
                            + dx2 * dy2 * dz1 * j.value(z2 + y1 + x1)
                            + dx1 * dy2 * dz1 * j.value(z2 + y1 + x2)
                            + dx2 * dy1 * dz1 * j.value(z2 + y2 + x1)
                            + dx1 * dy1 * dz1 * j.value(z2 + y2 + x2));
                    }
                }
            }
        }
    }

    /** Whether ORT's bicubic kernel covers this layout: 2-D, or 4-D with N and C unscaled. */
    static boolean cubicCovers(int[] in, float[] s) {
        return in.length == 2 || in.length == 4 && s[0] == 1 && s[1] == 1;
    }

    /** Keys' cubic coefficients for the fraction s, in float. */
    private static float[] cubicCoefficients(float s, float a) {
        float t = Math.abs(s);
        return new float[] {
            ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
            ((a + 2) * t - (a + 3)) * t * t + 1,
            ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1,
            ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a};
    }

    /** ORT's bicubic of float data: rows of four taps summed, then the rows, each weight divided by its sum. */
    static void cubic(Job j, float a, boolean excludeOutside) {
        int[] in = j.in, out = j.out;
        int r = in.length;
        int batch = r == 2 ? 1 : in[0] * in[1];
        int h = in[r - 2], w = in[r - 1], oh = out[r - 2], ow = out[r - 1];
        float[] ys = coordinates(j, r - 2), xs = coordinates(j, r - 1);
        for (int b = 0; b < batch; b++) {
            int base = b * h * w;
            for (int yo = 0; yo < oh; yo++) {
                float iy = ys[yo];
                for (int xo = 0; xo < ow; xo++) {
                    int k = (b * oh + yo) * ow + xo;
                    float ix = xs[xo];
                    if (j.extrapolate && (iy < 0 || iy > h - 1 || ix < 0 || ix > w - 1)) {
                        j.yf[k] = j.extrapolation;
                        continue;
                    }
                    long yInt = (long) Math.floor(iy), xInt = (long) Math.floor(ix);
                    float[] cy = cubicCoefficients(iy - yInt, a), cx = cubicCoefficients(ix - xInt, a);
                    float ySum = excludeOutside ? excludeOutside(cy, yInt, h) : 1;
                    float xSum = excludeOutside ? excludeOutside(cx, xInt, w) : 1;
                    float result = 0;
                    for (int i = 0; i < 4; i++) {
                        long row = Math.max(0, Math.min(yInt - 1 + i, h - 1));
                        float rowResult = 0;
                        for (int t = 0; t < 4; t++) {
                            long col = Math.max(0, Math.min(xInt - 1 + t, w - 1));
                            rowResult += cx[t] / xSum * j.xf[base + (int) (row * w + col)];
                        }
                        result += rowResult * cy[i] / ySum;
                    }
                    j.yf[k] = result;
                }
            }
        }
    }

    private static float[] coordinates(Job j, int axis) {
        int r = j.in.length, outLen = j.out[axis];
        float[] c = new float[outLen];
        for (int o = 0; o < outLen; o++) {
            c[o] = j.scales[axis] == 1 ? o
                : original(j.ctm, o, j.scales[axis], outLen, j.in[axis], j.roi[axis], j.roi[r + axis]);
        }
        return c;
    }

    /** Zeroes the taps outside [0, len) and returns the sum of the rest, accumulated in order. */
    private static float excludeOutside(float[] coeffs, long start, int len) {
        float sum = 0;
        for (int i = 0; i < 4; i++) {
            long p = start - 1 + i;
            if (p < 0 || p >= len) {
                coeffs[i] = 0f;
            }
            sum += coeffs[i];
        }
        return sum;
    }

    /** Whether ORT's antialias resampler covers this layout: 2-D/3-D, or 4-D/5-D with N and C (or H-W-C) unscaled. */
    static boolean antialiasCovers(int[] in, float[] s) {
        int r = in.length;
        return r == 2 || r == 3 || (r == 4 || r == 5) && s[0] == 1 && (s[1] == 1 || s[r - 1] == 1);
    }

    /** One axis of the antialias resampler: per output index, the input range [min, max) and its weights. */
    private record Window(int[] min, int[] max, float[][] weights, int[][] fixed, boolean[] outside) {}

    private static Window window(Job j, int axis, boolean cubic, float a, boolean exclude) {
        int inLen = j.in[axis], outLen = j.out[axis], r = j.in.length;
        float rscale = j.scales[axis];
        float scale = 1.0f / rscale;
        float supportSize = cubic ? 4.0f : 2.0f;
        float support = scale >= 1.0f ? (supportSize * 0.5f) * scale : supportSize * 0.5f;
        int windowSize = (int) Math.ceil(support) * 2 + 1;
        float invScale = scale >= 1.0f ? 1.0f / scale : 1.0f;
        Window w = new Window(new int[outLen], new int[outLen], new float[outLen][], new int[outLen][],
            new boolean[outLen]);
        for (int i = 0; i < outLen; i++) {
            float center = 0.5f + (scale == 1.0f ? i
                : original(j.ctm, i, rscale, outLen, inLen, j.roi[axis], j.roi[r + axis]));
            w.outside[i] = center - 0.5f < 0 || center - 0.5f > inLen - 1;
            long minReal = (long) Math.floor(center - support + 0.5f);
            long maxReal = (long) Math.floor(center + support + 0.5f);
            maxReal = minReal + Math.clamp(maxReal - minReal, 0, windowSize);
            long minCut = Math.clamp(minReal, 0, inLen), maxCut = Math.clamp(maxReal, 0, inLen);
            long min = exclude ? minCut : minReal;
            long count = (exclude ? maxCut : maxReal) - min;
            float[] buf = new float[windowSize];
            float total = 0f;
            for (int x = 0; x < count; x++) {
                float v = filter((x + min - center + 0.5f) * invScale, cubic, a);
                buf[x] = v;
                total += v;
            }
            if (!exclude && minCut < maxCut) {
                // Taps outside the input fold onto the edge taps; the total keeps them.
                int neg = (int) Math.clamp(-min, 0, count - 1);
                for (int x = 0; x < neg; x++) {
                    buf[neg] += buf[x];
                }
                int beyond = (int) Math.clamp(count + min - inLen, 0, count - 1);
                for (int x = (int) count - beyond; x < count; x++) {
                    buf[(int) count - beyond - 1] += buf[x];
                }
                for (int x = 0; (neg | beyond) > 0 && x < maxCut - minCut; x++) {
                    buf[x] = buf[x + neg];
                }
            }
            float inv = total == 0.0f ? 1.0f : 1.0f / total;
            int taps = (int) (maxCut - minCut);
            w.weights[i] = new float[taps];
            w.fixed[i] = new int[taps];
            for (int x = 0; x < taps; x++) {
                w.weights[i][x] = buf[x] * inv;
                w.fixed[i][x] = (int) cRound(w.weights[i][x] * (1 << 22)); // 8-bit weights in 1/2^22
            }
            w.min[i] = (int) minCut;
            w.max[i] = (int) maxCut;
        }
        return w;
    }

    private static float filter(float x, boolean cubic, float a) {
        x = Math.abs(x);
        if (!cubic) {
            return x < 1.0f ? 1.0f - x : 0.0f;
        }
        if (x < 1.0f) {
            return ((a + 2.0f) * x - (a + 3.0f)) * x * x + 1;
        }
        return x < 2.0f ? (((x - 5.0f) * x + 8.f) * x - 4.f) * a : 0.0f;
    }

    /**
     * ORT's antialias resampler (which also runs cubic with NHWC-shaped upsampling scales): the width pass, then
     * height, then depth. Floats sum weight times value in order; 8-bit values use 2^22 fixed point, rounded, and
     * are clipped after each pass to their type's range. ORT clips int8 to [0, 255] and wraps, which is plainly a
     * bug: Octet clips int8 to [-128, 127].
     */
    static void antialias(Job j, boolean cubic, float a, boolean exclude, boolean unsigned) {
        int[] in = j.in, out = j.out;
        int r = in.length;
        boolean nhwc = r == 4 && j.scales[1] != 1;
        boolean depth = r == 3 || r == 5;
        int hAxis = nhwc ? 1 : r - 2, wAxis = nhwc ? 2 : r - 1, dAxis = r - 3;
        int planes = nhwc ? in[0] : r <= 3 ? 1 : in[0] * in[1];
        int ch = nhwc ? in[3] : 1;
        int d = depth ? in[dAxis] : 1, od = depth ? out[dAxis] : 1;
        int h = in[hAxis], w = in[wAxis], oh = out[hAxis], ow = out[wAxis];
        Window wx = window(j, wAxis, cubic, a, exclude);
        Window wy = window(j, hAxis, cubic, a, exclude);
        Window wz = depth ? window(j, dAxis, cubic, a, exclude) : null;
        boolean isFloat = j.xf != null;
        float[] data = new float[isFloat ? j.xf.length : j.xi.length];
        for (int i = 0; i < data.length; i++) {
            data[i] = j.value(i);
        }
        data = pass(data, planes * d * h, w, ch, ow, wx, isFloat, unsigned);
        data = pass(data, planes * d, h, ow * ch, oh, wy, isFloat, unsigned);
        if (depth) {
            data = pass(data, planes, d, oh * ow * ch, od, wz, isFloat, unsigned);
        }
        for (int k = 0; k < data.length; k++) {
            int xo = k / ch % ow, yo = k / (ch * ow) % oh, zo = k / (ch * ow * oh) % od;
            boolean outside = j.extrapolate && (wx.outside[xo] || wy.outside[yo] || depth && wz.outside[zo]);
            j.store(k, outside ? j.extrapolation : data[k]);
        }
    }

    /** One pass over data laid out [outer][len][inner], resampling len to outLen; an unchanged length is kept. */
    private static float[] pass(float[] src, int outer, int len, int inner, int outLen, Window win, boolean isFloat,
                                boolean unsigned) {
        if (len == outLen) {
            return src;
        }
        float[] dst = new float[Tensor.checkedSize(new int[] {outer, outLen, inner})];
        for (int p = 0; p < outer; p++) {
            for (int o = 0; o < outLen; o++) {
                for (int q = 0; q < inner; q++) {
                    float acc = 0f;
                    int accFixed = 1 << 21; // rounds the 2^22 fixed-point sum to nearest
                    for (int t = win.min[o]; t < win.max[o]; t++) {
                        float v = src[(p * len + t) * inner + q];
                        if (isFloat) {
                            acc += v * win.weights[o][t - win.min[o]];
                        } else {
                            accFixed += (int) v * win.fixed[o][t - win.min[o]];
                        }
                    }
                    dst[(p * outLen + o) * inner + q] = isFloat ? acc
                        : unsigned ? Math.clamp(accFixed >> 22, 0, 255) : Math.clamp(accFixed >> 22, -128, 127);
                }
            }
        }
        return dst;
    }
}
