package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** NonMaxSuppression, the greedy box selection detection heads end with, and RoiAlign. */
final class DetectionOps {
    private DetectionOps() {}

    private static final AttributeSpec<Long> CENTER_POINT_BOX = AttributeSpec.flag("center_point_box", 0);

    private static final AttributeSpec<String> ROI_MODE = AttributeSpec.stringAttr("mode", "avg")
        .requiring(m -> m.equals("avg") || m.equals("max"), "avg or max");
    private static final AttributeSpec<String> ROI_COORDINATES = AttributeSpec.stringAttr(
        "coordinate_transformation_mode", "half_pixel").requiring(m -> m.equals("half_pixel")
            || m.equals("output_half_pixel"), "half_pixel or output_half_pixel");
    private static final AttributeSpec<Long> OUTPUT_HEIGHT = positive("output_height");
    private static final AttributeSpec<Long> OUTPUT_WIDTH = positive("output_width");
    private static final AttributeSpec<Long> SAMPLING_RATIO =
        AttributeSpec.intAttr("sampling_ratio", 0).requiring(v -> v >= 0 && v <= Integer.MAX_VALUE, "0 or more");
    private static final AttributeSpec<Float> SPATIAL_SCALE = AttributeSpec.floatAttr("spatial_scale", 1f);

    private static AttributeSpec<Long> positive(String name) {
        return AttributeSpec.intAttr(name, 1).requiring(v -> v > 0 && v <= Integer.MAX_VALUE, "positive");
    }

    private record RoiConfig(boolean max, boolean halfPixel, int height, int width, int samplingRatio,
                             double spatialScale) {}

    static void register(OpRegistry.Builder r) {
        // RoiAlign-16 added coordinate_transformation_mode (default half_pixel); 10 behaves as output_half_pixel.
        r.onnx("RoiAlign", 10).inputs("rrr").outputs("r").attribute(ROI_MODE).attribute(ROI_COORDINATES)
            .attribute(OUTPUT_HEIGHT).attribute(OUTPUT_WIDTH).attribute(SAMPLING_RATIO).attribute(SPATIAL_SCALE)
            .shape(c -> Shapes.one(DataType.FLOAT, ShapeDims.unknown(4))).factory(ctx -> {
                RoiConfig cfg = new RoiConfig(ctx.get(ROI_MODE).equals("max"), ctx.opset() >= 16
                    && ctx.get(ROI_COORDINATES).equals("half_pixel"), (int) (long) ctx.get(OUTPUT_HEIGHT),
                    (int) (long) ctx.get(OUTPUT_WIDTH), (int) (long) ctx.get(SAMPLING_RATIO), ctx.get(SPATIAL_SCALE));
                return in -> new Tensor[] {roiAlign(in[0], in[1], in[2], cfg)};
            });
        // NonMaxSuppression-11 only clarified the box formats of version 10.
        r.onnx("NonMaxSuppression", 10).inputs("rrooo").outputs("r").attribute(CENTER_POINT_BOX)
            .shape(c -> Shapes.one(DataType.INT64, List.of(Dim.UNKNOWN, Dim.of(3))))
            .factory(ctx -> {
                boolean center = ctx.get(CENTER_POINT_BOX) == 1;
                return in -> new Tensor[] {nonMaxSuppression(in[0], in[1], ShapeKernels.optional(in, 2),
                    ShapeKernels.optional(in, 3), ShapeKernels.optional(in, 4), center)};
            });
    }

    /**
     * For each batch entry and class: the boxes scoring above score_threshold (all of them without it), taken by
     * descending score (ties by index), each kept unless its IoU with a box already kept exceeds iou_threshold,
     * until max_output_boxes_per_class are kept (none when it is absent or 0). Rows of (batch, class, box), in
     * that order. The IoU is computed in float, as ONNX Runtime does; a box of no area suppresses nothing.
     */
    static Tensor nonMaxSuppression(Tensor boxes, Tensor scores, Tensor maxOut, Tensor iouT, Tensor scoreT,
                                    boolean center) {
        if (boxes.type() != DataType.FLOAT || scores.type() != DataType.FLOAT) {
            throw ElementwiseBinary.unsupportedType("NonMaxSuppression", boxes.type() != DataType.FLOAT
                ? boxes.type() : scores.type());
        }
        int[] bs = boxes.shapeView();
        int[] ss = scores.shapeView();
        if (bs.length != 3 || bs[2] != 4 || ss.length != 3 || ss[0] != bs[0] || ss[2] != bs[1]) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "NonMaxSuppression needs boxes [B, N, 4] and scores "
                + "[B, C, N], got " + Arrays.toString(bs) + " and " + Arrays.toString(ss));
        }
        long limit = maxOut == null ? 0
            : ShapeKernels.oneValue(maxOut, "NonMaxSuppression max_output_boxes_per_class", DataType.INT64).getLong(0);
        float iouThreshold = iouT == null ? 0f
            : ShapeKernels.oneValue(iouT, "NonMaxSuppression iou_threshold", DataType.FLOAT).floats()[0];
        Float scoreThreshold = scoreT == null ? null
            : ShapeKernels.oneValue(scoreT, "NonMaxSuppression score_threshold", DataType.FLOAT).floats()[0];
        int batches = bs[0];
        int n = bs[1];
        int classes = ss[1];
        float[] corners = boxCorners(boxes.floats(), batches * n, center);
        float[] sc = scores.floats();
        List<long[]> selected = new ArrayList<>();
        Integer[] order = new Integer[n];
        for (int b = 0; b < batches; b++) {
            for (int c = 0; c < classes; c++) {
                int base = (b * classes + c) * n;
                int candidates = 0;
                for (int i = 0; i < n; i++) {
                    if (scoreThreshold == null || sc[base + i] > scoreThreshold) {
                        order[candidates++] = i;
                    }
                }
                Arrays.sort(order, 0, candidates, (p, q) -> Float.compare(sc[base + q], sc[base + p]));
                List<Integer> kept = new ArrayList<>();
                for (int k = 0; k < candidates && kept.size() < limit; k++) {
                    int box = b * n + order[k];
                    boolean suppressed = false;
                    for (int other : kept) {
                        if (iou(corners, box, other) > iouThreshold) {
                            suppressed = true;
                            break;
                        }
                    }
                    if (!suppressed) {
                        kept.add(box);
                        selected.add(new long[] {b, c, order[k]});
                    }
                }
            }
        }
        long[] out = new long[selected.size() * 3];
        for (int i = 0; i < selected.size(); i++) {
            System.arraycopy(selected.get(i), 0, out, i * 3, 3);
        }
        return Tensor.ofLongs(out, selected.size(), 3);
    }

    /**
     * Each region of interest (x1, y1, x2, y2, scaled) of its batch image cut into output_height x
     * output_width bins, each the average (or the maximum) of a grid of bilinear samples, as ONNX Runtime and
     * ONNX's reference compute them (max mode takes the largest weighted corner, not the interpolated value).
     */
    static Tensor roiAlign(Tensor xT, Tensor roisT, Tensor batchT, RoiConfig cfg) {
        if (xT.type() != DataType.FLOAT || roisT.type() != DataType.FLOAT) {
            throw ElementwiseBinary.unsupportedType("RoiAlign", xT.type() != DataType.FLOAT ? xT.type()
                : roisT.type());
        }
        int[] xs = xT.shapeView();
        int n = batchT.size();
        if (xs.length != 4 || roisT.rank() != 2 || roisT.dim(1) != 4 || roisT.dim(0) != n || batchT.rank() != 1) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "RoiAlign needs X (N, C, H, W), rois (R, 4) and "
                + "batch_indices (R), got " + xT + ", " + roisT + " and " + batchT);
        }
        int channels = xs[1], height = xs[2], width = xs[3];
        int ph = cfg.height, pw = cfg.width;
        float[] x = xT.floats();
        float[] rois = roisT.floats();
        float[] y = new float[Tensor.checkedSize(new int[] {n, channels, ph, pw})];
        double offset = cfg.halfPixel ? 0.5 : 0;
        for (int r = 0; r < n; r++) {
            int batch = ShapeKernels.checkIndex(batchT.getLong(r), xs[0], "RoiAlign batch");
            double startW = rois[4 * r] * cfg.spatialScale - offset;
            double startH = rois[4 * r + 1] * cfg.spatialScale - offset;
            double roiW = rois[4 * r + 2] * cfg.spatialScale - offset - startW;
            double roiH = rois[4 * r + 3] * cfg.spatialScale - offset - startH;
            if (!cfg.halfPixel) {
                roiW = Math.max(roiW, 1);
                roiH = Math.max(roiH, 1);
            }
            double binH = roiH / ph;
            double binW = roiW / pw;
            // The adaptive grid grows with the region's size, not the tensors': capped as work, not allocation.
            long gridH = cfg.samplingRatio > 0 ? cfg.samplingRatio : (long) Math.ceil(roiH / ph);
            long gridW = cfg.samplingRatio > 0 ? cfg.samplingRatio : (long) Math.ceil(roiW / pw);
            ShapeKernels.checkWork("RoiAlign sampling of region " + r, channels, ph, pw, gridH, gridW);
            long count = Math.max(gridH * gridW, 1);
            for (int c = 0; c < channels; c++) {
                int plane = (batch * channels + c) * height * width;
                for (int i = 0; i < ph; i++) {
                    for (int j = 0; j < pw; j++) {
                        double acc = 0;
                        boolean first = true;
                        for (long iy = 0; iy < gridH; iy++) {
                            double yy = startH + i * binH + (iy + 0.5) * binH / gridH;
                            for (long ix = 0; ix < gridW; ix++) {
                                double xx = startW + j * binW + (ix + 0.5) * binW / gridW;
                                double[] corner = bilinearCorners(x, plane, height, width, yy, xx);
                                if (cfg.max) {
                                    double v = Math.max(Math.max(corner[0], corner[1]), Math.max(corner[2], corner[3]));
                                    acc = first ? v : Math.max(acc, v);
                                    first = false;
                                } else {
                                    acc += corner[0] + corner[1] + corner[2] + corner[3];
                                }
                            }
                        }
                        y[((r * channels + c) * ph + i) * pw + j] = (float) (cfg.max ? acc : acc / count);
                    }
                }
            }
        }
        return Tensor.ofFloats(y, n, channels, ph, pw);
    }

    /** The four weighted corner values of a bilinear sample at (yy, xx); all 0 well outside the image. */
    private static double[] bilinearCorners(float[] x, int plane, int height, int width, double yy, double xx) {
        if (yy < -1 || yy > height || xx < -1 || xx > width) {
            return new double[4];
        }
        double yv = Math.max(yy, 0);
        double xv = Math.max(xx, 0);
        int yLow = (int) yv;
        int xLow = (int) xv;
        int yHigh;
        int xHigh;
        if (yLow >= height - 1) {
            yHigh = yLow = height - 1;
            yv = yLow;
        } else {
            yHigh = yLow + 1;
        }
        if (xLow >= width - 1) {
            xHigh = xLow = width - 1;
            xv = xLow;
        } else {
            xHigh = xLow + 1;
        }
        double ly = yv - yLow, lx = xv - xLow, hy = 1 - ly, hx = 1 - lx;
        return new double[] {hy * hx * x[plane + yLow * width + xLow], hy * lx * x[plane + yLow * width + xHigh],
            ly * hx * x[plane + yHigh * width + xLow], ly * lx * x[plane + yHigh * width + xHigh]};
    }

    /** Each box as (ymin, xmin, ymax, xmax): corners in either order, or (x center, y center, width, height). */
    private static float[] boxCorners(float[] boxes, int count, boolean center) {
        float[] c = new float[count * 4];
        for (int i = 0; i < count; i++) {
            float a = boxes[4 * i], b = boxes[4 * i + 1], d = boxes[4 * i + 2], e = boxes[4 * i + 3];
            if (center) {
                c[4 * i] = b - e / 2;
                c[4 * i + 1] = a - d / 2;
                c[4 * i + 2] = b + e / 2;
                c[4 * i + 3] = a + d / 2;
            } else {
                c[4 * i] = Math.min(a, d);
                c[4 * i + 1] = Math.min(b, e);
                c[4 * i + 2] = Math.max(a, d);
                c[4 * i + 3] = Math.max(b, e);
            }
        }
        return c;
    }

    private static float iou(float[] c, int i, int j) {
        float ymin = Math.max(c[4 * i], c[4 * j]);
        float xmin = Math.max(c[4 * i + 1], c[4 * j + 1]);
        float ymax = Math.min(c[4 * i + 2], c[4 * j + 2]);
        float xmax = Math.min(c[4 * i + 3], c[4 * j + 3]);
        if (ymax <= ymin || xmax <= xmin) {
            return 0f;
        }
        float inter = (ymax - ymin) * (xmax - xmin);
        float areaI = (c[4 * i + 2] - c[4 * i]) * (c[4 * i + 3] - c[4 * i + 1]);
        float areaJ = (c[4 * j + 2] - c[4 * j]) * (c[4 * j + 3] - c[4 * j + 1]);
        float union = areaI + areaJ - inter;
        return areaI <= 0 || areaJ <= 0 || union <= 0 ? 0f : inter / union;
    }
}
