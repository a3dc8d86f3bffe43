package dev.octet.bench;

import dev.octet.api.DataType;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * ONNX Runtime 1.23.2's CPU Resize arithmetic as /work/wt/resize-spec.md writes it down, in plain Java float
 * arithmetic (no FMA, the operations in ORT's order), for {@link OrtResizeParityTest} to check the spec against ORT
 * itself: a case the model covers must come out bit for bit as ORT's. It is a test oracle, not an implementation:
 * no speed, no validation beyond what a case needs; {@link #compute} returns null for what it does not cover.
 */
final class OrtResizeModel {
    private OrtResizeModel() {}

    /** The output shape and elements (raw float bits, or 8-bit values) ORT computes, or null where not modelled. */
    record Result(int[] shape, long[] values) {}

    static Result compute(OrtResizeParityTest.Case c, float[] xf, int[] xi) {
        Map<String, Object> a = c.attrs();
        boolean antialias = ((Number) a.getOrDefault("antialias", 0)).intValue() != 0;
        int[] in = c.shape();
        int r = in.length;
        String mode = (String) a.getOrDefault("mode", "nearest");
        String ctm = (String) a.getOrDefault("coordinate_transformation_mode", "half_pixel");
        String nearestMode = (String) a.getOrDefault("nearest_mode", "round_prefer_floor");
        float cubicA = ((Number) a.getOrDefault("cubic_coeff_a", -0.75f)).floatValue();
        boolean exclude = ((Number) a.getOrDefault("exclude_outside", 0)).intValue() != 0;
        float extrapolation = ((Number) a.getOrDefault("extrapolation_value", 0f)).floatValue();
        boolean extrapolate = ctm.equals("tf_crop_and_resize");
        long[] axesAttr = (long[]) a.get("axes");
        int[] axes = axesAttr == null ? null : Arrays.stream(axesAttr).mapToInt(v -> (int) v).toArray();

        float[] scales = new float[r];
        int[] out = in.clone();
        Arrays.fill(scales, 1f);
        if (c.scales() != null) {
            for (int i = 0; i < c.scales().length; i++) {
                scales[axes == null ? i : axes[i]] = c.scales()[i];
            }
            for (int d = 0; d < r; d++) {
                out[d] = (int) (scales[d] * in[d]); // float product, truncated
            }
        } else {
            for (int i = 0; i < c.sizes().length; i++) {
                out[axes == null ? i : axes[i]] = (int) c.sizes()[i];
            }
            for (int d = 0; d < r; d++) {
                scales[d] = (float) out[d] / (float) in[d];
            }
            String policy = (String) a.getOrDefault("keep_aspect_ratio_policy", "stretch");
            if (!policy.equals("stretch")) {
                Set<Integer> listed = new HashSet<>();
                if (axes != null) {
                    Arrays.stream(axes).forEach(listed::add);
                }
                float s = policy.equals("not_larger") ? Float.MAX_VALUE : Float.MIN_VALUE;
                for (int d = 0; d < r; d++) {
                    if (listed.isEmpty() || listed.contains(d)) {
                        s = policy.equals("not_larger") ? Math.min(s, scales[d]) : Math.max(s, scales[d]);
                    }
                }
                for (int d = 0; d < r; d++) {
                    boolean resized = listed.isEmpty() || listed.contains(d);
                    scales[d] = resized ? s : 1f;
                    out[d] = resized ? (int) cRound(s * in[d]) : in[d];
                }
            }
        }
        float[] roi = new float[2 * r];
        Arrays.fill(roi, r, 2 * r, 1f);
        if (c.roi() != null && extrapolate) {
            for (int i = 0; i < c.roi().length / 2; i++) {
                int d = axes == null ? i : axes[i];
                roi[d] = c.roi()[i];
                roi[r + d] = c.roi()[c.roi().length / 2 + i];
            }
        }
        boolean isFloat = c.type() == DataType.FLOAT;
        long[] y;
        if (Arrays.equals(in, out)) {
            y = copy(isFloat, xf, xi);
        } else if (antialias || mode.equals("cubic") && r == 4 && scales[1] != 1) {
            // ORT's antialias resampler; it also serves cubic with NHWC-shaped scales (upsampling only).
            if (!(r == 2 || r == 3 || (r == 4 || r == 5) && scales[0] == 1 && (scales[1] == 1 || scales[3] == 1))) {
                return null;
            }
            boolean nhwc = r == 4 && scales[1] != 1;
            y = separable(in, out, scales, roi, ctm, mode.equals("cubic"), cubicA, exclude, extrapolate,
                extrapolation, nhwc, c.type(), xf, xi);
        } else if (mode.equals("nearest")) {
            y = nearest(in, out, scales, roi, ctm, nearestMode, extrapolate, extrapolation, isFloat, xf, xi, c.type());
        } else if (mode.equals("linear")) {
            y = linear(in, out, scales, roi, ctm, extrapolate, extrapolation, c.type(), xf, xi);
        } else {
            if (!isFloat || !(r == 2 || r == 4 && scales[0] == 1 && scales[1] == 1)) {
                return null;
            }
            y = cubic(in, out, scales, roi, ctm, cubicA, exclude, extrapolate, extrapolation, xf);
        }
        return y == null ? null : new Result(out, y);
    }

    private static long[] copy(boolean isFloat, float[] xf, int[] xi) {
        int n = isFloat ? xf.length : xi.length;
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = isFloat ? Float.floatToRawIntBits(xf[i]) : xi[i];
        }
        return y;
    }

    /** The source coordinate of output index o along one axis: float arithmetic except where noted. */
    static float original(String ctm, float o, float scale, float outLen, float inLen, float roiStart, float roiEnd) {
        return switch (ctm) {
            case "asymmetric" -> o / scale;
            case "pytorch_half_pixel" -> outLen > 1 ? (o + 0.5f) / scale - 0.5f : 0f;
            case "tf_half_pixel_for_nn" -> (o + 0.5f) / scale;
            case "align_corners" -> outLen == 1 ? 0f : o * (inLen - 1) / (outLen - 1);
            case "tf_crop_and_resize" -> outLen > 1
                ? roiStart * (inLen - 1) + (o * (roiEnd - roiStart) * (inLen - 1)) / (outLen - 1)
                : (float) (0.5 * (roiStart + roiEnd) * (inLen - 1)); // 0.5 is a double: this branch is double
            case "half_pixel_symmetric" -> {
                float outputWidth = scale * inLen;
                float adjustment = outLen / outputWidth;
                float center = inLen / 2;
                float offset = center * (1 - adjustment);
                yield (float) (offset + (o + 0.5) / scale - 0.5); // double from (o + 0.5) on
            }
            default -> ((o + 0.5f) / scale) - 0.5f;
        };
    }

    /** C's std::round: halves away from zero. */
    static long cRound(float x) {
        double a = Math.floor(Math.abs((double) x) + 0.5);
        return (long) (x < 0 ? -a : a);
    }

    static long nearestIndex(String mode, float x) {
        return switch (mode) {
            case "round_prefer_ceil" -> cRound(x);
            case "floor" -> (long) Math.floor(x);
            case "ceil" -> (long) Math.ceil(x);
            default -> x == (float) (long) x + 0.5f ? (long) Math.floor(x) : cRound(x);
        };
    }

    private static long[] nearest(int[] in, int[] out, float[] scales, float[] roi, String ctm, String mode,
                                  boolean extrapolate, float extrapolation, boolean isFloat, float[] xf, int[] xi,
                                  DataType type) {
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
                if (scales[d] == 1f) {
                    map[d][o] = o * stride[d]; // no transformation, no roi, no extrapolation on this axis
                    continue;
                }
                float orig = original(ctm, o, scales[d], out[d], in[d], roi[d], roi[r + d]);
                boolean outside = extrapolate && (orig < 0 || orig > in[d] - 1);
                long idx = Math.max(0, Math.min(nearestIndex(mode, orig), in[d] - 1));
                map[d][o] = outside ? -1 : (int) idx * stride[d];
            }
        }
        int n = Arrays.stream(out).reduce(1, (p, q) -> p * q);
        long[] y = new long[n];
        int[] counter = new int[r];
        long fill = isFloat ? Float.floatToRawIntBits(extrapolation) : castTo(type, extrapolation);
        for (int i = 0; i < n; i++) {
            int src = 0;
            boolean outside = false;
            for (int d = 0; d < r; d++) {
                int m = map[d][counter[d]];
                outside |= m < 0;
                src += m;
            }
            y[i] = outside ? fill : isFloat ? Float.floatToRawIntBits(xf[src]) : xi[src];
            for (int d = r - 1; d >= 0 && ++counter[d] == out[d]; d--) {
                counter[d] = 0;
            }
        }
        return y;
    }

    /** One axis of linear interpolation: the raw coordinate, the two taps and their weights. */
    private record Taps(float[] orig, int[] i1, int[] i2, float[] d1, float[] d2, int[] q1, int[] q2) {
        static Taps of(String ctm, int inLen, int outLen, float scale, float roiStart, float roiEnd) {
            Taps t = new Taps(new float[outLen], new int[outLen], new int[outLen], new float[outLen],
                new float[outLen], new int[outLen], new int[outLen]);
            for (int o = 0; o < outLen; o++) {
                float c = scale == 1 ? o : original(ctm, o, scale, outLen, inLen, roiStart, roiEnd);
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

    private static long[] linear(int[] in, int[] out, float[] scales, float[] roi, String ctm, boolean extrapolate,
                                 float extrapolation, DataType type, float[] xf, int[] xi) {
        int r = in.length;
        boolean isFloat = type == DataType.FLOAT;
        if (r == 2 || r == 4 && scales[0] == 1 && scales[1] == 1) {
            int batch = r == 2 ? 1 : in[0] * in[1];
            int h = in[r - 2], w = in[r - 1], oh = out[r - 2], ow = out[r - 1];
            Taps ty = Taps.of(ctm, h, oh, scales[r - 2], roi[r - 2], roi[2 * r - 2]);
            Taps tx = Taps.of(ctm, w, ow, scales[r - 1], roi[r - 1], roi[2 * r - 1]);
            long[] y = new long[batch * oh * ow];
            for (int b = 0; b < batch; b++) {
                for (int yo = 0; yo < oh; yo++) {
                    for (int xo = 0; xo < ow; xo++) {
                        int k = (b * oh + yo) * ow + xo;
                        if (extrapolate && (ty.outside(yo, h) || tx.outside(xo, w))) {
                            y[k] = store(type, extrapolation);
                            continue;
                        }
                        int base = b * h * w;
                        float x11 = value(xf, xi, base + ty.i1[yo] * w + tx.i1[xo]);
                        float x21 = value(xf, xi, base + ty.i1[yo] * w + tx.i2[xo]);
                        float x12 = value(xf, xi, base + ty.i2[yo] * w + tx.i1[xo]);
                        float x22 = value(xf, xi, base + ty.i2[yo] * w + tx.i2[xo]);
                        float v = tx.d2[xo] * ty.d2[yo] * x11 + tx.d1[xo] * ty.d2[yo] * x21
                            + tx.d2[xo] * ty.d1[yo] * x12 + tx.d1[xo] * ty.d1[yo] * x22;
                        y[k] = store(type, v);
                    }
                }
            }
            return y;
        }
        if (r == 4 && scales[0] == 1 && scales[3] == 1) {
            int n = in[0], h = in[1], w = in[2], ch = in[3], oh = out[1], ow = out[2];
            Taps ty = Taps.of(ctm, h, oh, scales[1], roi[1], roi[r + 1]);
            Taps tx = Taps.of(ctm, w, ow, scales[2], roi[2], roi[r + 2]);
            long[] y = new long[n * oh * ow * ch];
            for (int b = 0; b < n; b++) {
                for (int yo = 0; yo < oh; yo++) {
                    for (int xo = 0; xo < ow; xo++) {
                        for (int c = 0; c < ch; c++) {
                            int k = ((b * oh + yo) * ow + xo) * ch + c;
                            if (extrapolate && (ty.outside(yo, h) || tx.outside(xo, w))) {
                                y[k] = store(type, extrapolation);
                                continue;
                            }
                            int base = b * h * w * ch + c;
                            int o11 = base + (ty.i1[yo] * w + tx.i1[xo]) * ch;
                            int o21 = base + (ty.i1[yo] * w + tx.i2[xo]) * ch;
                            int o12 = base + (ty.i2[yo] * w + tx.i1[xo]) * ch;
                            int o22 = base + (ty.i2[yo] * w + tx.i2[xo]) * ch;
                            if (isFloat) {
                                float c11 = tx.d2[xo] * ty.d2[yo], c21 = tx.d1[xo] * ty.d2[yo];
                                float c12 = tx.d2[xo] * ty.d1[yo], c22 = tx.d1[xo] * ty.d1[yo];
                                y[k] = store(type, c11 * xf[o11] + c21 * xf[o21] + c12 * xf[o12] + c22 * xf[o22]);
                            } else {
                                int sum = tx.q2[xo] * ty.q2[yo] * xi[o11] + tx.q1[xo] * ty.q2[yo] * xi[o21]
                                    + tx.q2[xo] * ty.q1[yo] * xi[o12] + tx.q1[xo] * ty.q1[yo] * xi[o22];
                                y[k] = sum / (1 << 20); // C's integer division: toward zero
                            }
                        }
                    }
                }
            }
            return y;
        }
        if (r == 3 || r == 5 && scales[0] == 1 && scales[1] == 1) {
            int batch = r == 3 ? 1 : in[0] * in[1];
            int dd = in[r - 3], h = in[r - 2], w = in[r - 1], od = out[r - 3], oh = out[r - 2], ow = out[r - 1];
            Taps tz = Taps.of(ctm, dd, od, scales[r - 3], roi[r - 3], roi[2 * r - 3]);
            Taps ty = Taps.of(ctm, h, oh, scales[r - 2], roi[r - 2], roi[2 * r - 2]);
            Taps tx = Taps.of(ctm, w, ow, scales[r - 1], roi[r - 1], roi[2 * r - 1]);
            long[] y = new long[batch * od * oh * ow];
            for (int b = 0; b < batch; b++) {
                for (int zo = 0; zo < od; zo++) {
                    for (int yo = 0; yo < oh; yo++) {
                        for (int xo = 0; xo < ow; xo++) {
                            int k = ((b * od + zo) * oh + yo) * ow + xo;
                            if (extrapolate && (tz.outside(zo, dd) || ty.outside(yo, h) || tx.outside(xo, w))) {
                                y[k] = store(type, extrapolation);
                                continue;
                            }
                            int z1 = b * dd * h * w + tz.i1[zo] * h * w, z2 = b * dd * h * w + tz.i2[zo] * h * w;
                            int y1 = ty.i1[yo] * w, y2 = ty.i2[yo] * w, x1 = tx.i1[xo], x2 = tx.i2[xo];
                            float dx1 = tx.d1[xo], dx2 = tx.d2[xo], dy1 = ty.d1[yo], dy2 = ty.d2[yo];
                            float dz1 = tz.d1[zo], dz2 = tz.d2[zo];
                            float v = dx2 * dy2 * dz2 * value(xf, xi, z1 + y1 + x1)
                                + dx1 * dy2 * dz2 * value(xf, xi, z1 + y1 + x2)
                                + dx2 * dy1 * dz2 * value(xf, xi, z1 + y2 + x1)
                                + dx1 * dy1 * dz2 * value(xf, xi, z1 + y2 + x2)
                                + dx2 * dy2 * dz1 * value(xf, xi, z2 + y1 + x1)
                                + dx1 * dy2 * dz1 * value(xf, xi, z2 + y1 + x2)
                                + dx2 * dy1 * dz1 * value(xf, xi, z2 + y2 + x1)
                                + dx1 * dy1 * dz1 * value(xf, xi, z2 + y2 + x2);
                            y[k] = store(type, v);
                        }
                    }
                }
            }
            return y;
        }
        return null;
    }

    /** Keys' cubic coefficients for the fraction s, in float. */
    static float[] cubicCoefficients(float s, float a) {
        float t = Math.abs(s);
        return new float[] {
            ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
            ((a + 2) * t - (a + 3)) * t * t + 1,
            ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1,
            ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a};
    }

    private static long[] cubic(int[] in, int[] out, float[] scales, float[] roi, String ctm, float a,
                                boolean exclude, boolean extrapolate, float extrapolation, float[] x) {
        int r = in.length;
        int batch = r == 2 ? 1 : in[0] * in[1];
        int h = in[r - 2], w = in[r - 1], oh = out[r - 2], ow = out[r - 1];
        float[] ys = new float[oh], xs = new float[ow];
        for (int o = 0; o < oh; o++) {
            ys[o] = scales[r - 2] == 1 ? o : original(ctm, o, scales[r - 2], oh, h, roi[r - 2], roi[2 * r - 2]);
        }
        for (int o = 0; o < ow; o++) {
            xs[o] = scales[r - 1] == 1 ? o : original(ctm, o, scales[r - 1], ow, w, roi[r - 1], roi[2 * r - 1]);
        }
        long[] y = new long[batch * oh * ow];
        long fill = Float.floatToRawIntBits(extrapolation);
        for (int b = 0; b < batch; b++) {
            int base = b * h * w;
            for (int yo = 0; yo < oh; yo++) {
                float iy = ys[yo];
                for (int xo = 0; xo < ow; xo++) {
                    int k = (b * oh + yo) * ow + xo;
                    float ix = xs[xo];
                    if (extrapolate && (iy < 0 || iy > h - 1 || ix < 0 || ix > w - 1)) {
                        y[k] = fill;
                        continue;
                    }
                    long yInt = (long) Math.floor(iy), xInt = (long) Math.floor(ix);
                    float[] cy = cubicCoefficients(iy - yInt, a), cx = cubicCoefficients(ix - xInt, a);
                    float ySum = 1, xSum = 1;
                    if (exclude) {
                        ySum = excludeOutside(cy, yInt, h);
                        xSum = excludeOutside(cx, xInt, w);
                    }
                    float result = 0;
                    for (int i = 0; i < 4; i++) {
                        long row = Math.max(0, Math.min(yInt - 1 + i, h - 1));
                        float rowResult = 0;
                        for (int j = 0; j < 4; j++) {
                            long col = Math.max(0, Math.min(xInt - 1 + j, w - 1));
                            rowResult += cx[j] / xSum * x[base + (int) (row * w + col)];
                        }
                        result += rowResult * cy[i] / ySum;
                    }
                    y[k] = Float.floatToRawIntBits(result);
                }
            }
        }
        return y;
    }

    /** Zeroes the taps outside [0, len) and returns the sum of the rest, accumulated in order from 0. */
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

    /** One axis of the antialias resampler: per output index, the input range [min, max) and its weights. */
    private record Window(int[] min, int[] max, float[][] weights, boolean[] outside) {}

    private static Window window(int inLen, int outLen, float rscale, float roiStart, float roiEnd, String ctm,
                                 boolean cubic, float a, boolean exclude) {
        float scale = 1.0f / rscale;
        float supportSize = cubic ? 4.0f : 2.0f;
        float support = scale >= 1.0f ? (supportSize * 0.5f) * scale : supportSize * 0.5f;
        int windowSize = (int) Math.ceil(support) * 2 + 1;
        float invScale = scale >= 1.0f ? 1.0f / scale : 1.0f;
        Window w = new Window(new int[outLen], new int[outLen], new float[outLen][], new boolean[outLen]);
        for (int i = 0; i < outLen; i++) {
            float center = 0.5f + (scale == 1.0f ? i : original(ctm, i, rscale, outLen, inLen, roiStart, roiEnd));
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
            w.weights[i] = new float[(int) (maxCut - minCut)];
            for (int x = 0; x < maxCut - minCut; x++) {
                w.weights[i][x] = buf[x] * inv;
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
     * The antialias resampler: the width pass into a buffer of the input type, then the height pass. Float sums
     * weight times value in order; 8-bit inputs use weights round(w * 2^22), start the sum at 2^21, shift right by 22
     * and clip to [0, 255] (also for int8) after each pass.
     */
    private static long[] separable(int[] in, int[] out, float[] scales, float[] roi, String ctm, boolean cubic,
                                    float a, boolean exclude, boolean extrapolate, float extrapolation, boolean nhwc,
                                    DataType type, float[] xf, int[] xi) {
        int r = in.length;
        boolean depth = r == 3 || r == 5;
        int hAxis = nhwc ? 1 : r - 2, wAxis = nhwc ? 2 : r - 1, dAxis = r - 3;
        int planes = nhwc ? in[0] : r <= 3 ? 1 : in[0] * in[1];
        int ch = nhwc ? in[3] : 1;
        int d = depth ? in[dAxis] : 1, od = depth ? out[dAxis] : 1;
        int h = in[hAxis], w = in[wAxis], oh = out[hAxis], ow = out[wAxis];
        Window wx = window(w, ow, scales[wAxis], roi[wAxis], roi[r + wAxis], ctm, cubic, a, exclude);
        Window wy = window(h, oh, scales[hAxis], roi[hAxis], roi[r + hAxis], ctm, cubic, a, exclude);
        Window wz = depth ? window(d, od, scales[dAxis], roi[dAxis], roi[r + dAxis], ctm, cubic, a, exclude) : null;
        boolean isFloat = type == DataType.FLOAT;
        double[] data = new double[xf != null ? xf.length : xi.length];
        for (int i = 0; i < data.length; i++) {
            data[i] = xf != null ? xf[i] : xi[i];
        }
        data = pass(data, planes * d * h, w, ch, ow, wx, isFloat ? null : quantize(wx.weights), type);
        data = pass(data, planes * d, h, ow * ch, oh, wy, isFloat ? null : quantize(wy.weights), type);
        if (depth) {
            data = pass(data, planes, d, oh * ow, od, wz, isFloat ? null : quantize(wz.weights), type);
        }
        long[] y = new long[data.length];
        for (int k = 0; k < y.length; k++) {
            int xo = k / ch % ow, yo = k / (ch * ow) % oh, zo = k / (ch * ow * oh) % od;
            boolean outside = extrapolate && (wx.outside[xo] || wy.outside[yo] || depth && wz.outside[zo]);
            y[k] = outside ? store(type, extrapolation)
                : isFloat ? Float.floatToRawIntBits((float) data[k]) : (long) data[k];
        }
        return y;
    }

    private static int[][] quantize(float[][] weights) {
        int[][] q = new int[weights.length][];
        for (int i = 0; i < weights.length; i++) {
            q[i] = new int[weights[i].length];
            for (int j = 0; j < q[i].length; j++) {
                q[i][j] = (int) cRound(weights[i][j] * (1 << 22));
            }
        }
        return q;
    }

    /** One pass over data laid out [outer][len][inner], resampling len to outLen; an unchanged length is copied. */
    private static double[] pass(double[] src, int outer, int len, int inner, int outLen, Window win, int[][] quant,
                                 DataType type) {
        if (len == outLen) {
            return src.clone();
        }
        double[] dst = new double[outer * outLen * inner];
        for (int p = 0; p < outer; p++) {
            for (int o = 0; o < outLen; o++) {
                for (int q = 0; q < inner; q++) {
                    float acc = 0f;
                    int accInt = 1 << 21;
                    for (int t = win.min[o]; t < win.max[o]; t++) {
                        double v = src[(p * len + t) * inner + q];
                        if (quant == null) {
                            acc += (float) v * win.weights[o][t - win.min[o]];
                        } else {
                            accInt += (int) v * quant[o][t - win.min[o]];
                        }
                    }
                    int k = (p * outLen + o) * inner + q;
                    if (quant == null) {
                        dst[k] = acc;
                    } else {
                        int clipped = Math.clamp(accInt >> 22, 0, 255);
                        dst[k] = type == DataType.UINT8 ? clipped : (byte) clipped;
                    }
                }
            }
        }
        return dst;
    }

    private static float value(float[] xf, int[] xi, int i) {
        return xf != null ? xf[i] : xi[i];
    }

    /** A float result stored in the output type: float bits, or C's conversion (truncation) to 8 bits. */
    private static long store(DataType type, float v) {
        return type == DataType.FLOAT ? Float.floatToRawIntBits(v) : castTo(type, v);
    }

    private static long castTo(DataType type, float v) {
        int t = (int) v;
        return type == DataType.UINT8 ? (t & 0xFF) : (byte) t;
    }
}
