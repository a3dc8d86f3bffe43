package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Dim;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** NonMaxSuppression: the greedy box selection detection heads end with. */
final class DetectionOps {
    private DetectionOps() {}

    private static final AttributeSpec<Long> CENTER_POINT_BOX =
        AttributeSpec.intAttr("center_point_box", 0).requiring(v -> v == 0 || v == 1, "0 or 1");

    static void register(OpRegistry.Builder r) {
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
        long limit = maxOut == null ? 0 : scalar(maxOut, DataType.INT64, "max_output_boxes_per_class").getLong(0);
        float iouThreshold = iouT == null ? 0f : scalar(iouT, DataType.FLOAT, "iou_threshold").floats()[0];
        Float scoreThreshold = scoreT == null ? null : scalar(scoreT, DataType.FLOAT, "score_threshold").floats()[0];
        int batches = bs[0];
        int n = bs[1];
        int classes = ss[1];
        float[] corners = corners(boxes.floats(), batches * n, center);
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

    private static Tensor scalar(Tensor t, DataType type, String what) {
        if (t.type() != type || t.size() != 1) {
            throw new OctetException(ErrorCode.INVALID_INPUT, "NonMaxSuppression " + what + " must be one " + type
                + " value, got " + t);
        }
        return t;
    }

    /** Each box as (ymin, xmin, ymax, xmax): corners in either order, or (x center, y center, width, height). */
    private static float[] corners(float[] boxes, int count, boolean center) {
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
