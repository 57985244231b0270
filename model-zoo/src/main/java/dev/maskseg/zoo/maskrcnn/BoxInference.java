package dev.maskseg.zoo.maskrcnn;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.ops.Boxes;
import dev.maskseg.engine.ops.MaskPaste;
import dev.maskseg.engine.ops.Nms;
import dev.maskseg.engine.ops.Norm;
import dev.maskseg.zoo.maskrcnn.MaskRcnnConfig.DetectionParams;

/**
 * Test-time box inference and post-processing of one image (docs/methods.md §3.4): detectron2's
 * fast_rcnn_inference_single_image (softmax, class-specific decoding with weights 10,10,5,5, non-finite rows dropped,
 * boxes clipped, candidates with score strictly above the threshold enumerated row-major, exact per-class NMS, the
 * first max detections) and detector_postprocess (boxes scaled to the output size and clipped, empty ones dropped,
 * masks pasted). The small per-detection work runs on the host in float32, as detectron2 computes it.
 */
public final class BoxInference {
    private BoxInference() {}

    /** Detections by descending score: boxes [D,4], scores [D], classes (0-based), and the proposal row of each. */
    public record Detections(Tensor boxes, Tensor scores, long[] classes, long[] proposalIndex) {
        public int size() { return classes.length; }

        public Tensor classTensor() { return Tensor.ofLongs(classes, classes.length).to(boxes.backend()); }
    }

    /** The final instances at the output size: boxes [D,4], scores [D], classes INT64 [D], masks UINT8 [D, H, W]. */
    public record Instances(Tensor boxes, Tensor scores, Tensor classes, Tensor masks, long[] detectionIndex) {}

    /** logits [R, C+1], deltas [R, 4C] on proposals [R, 4] of an imageH x imageW image. */
    public static Detections detect(Tensor logits, Tensor deltas, Tensor proposals, int imageH, int imageW, DetectionParams p) {
        try (var ng = GradMode.noGrad()) {
            int r = logits.size(0), c = logits.size(1) - 1;
            if (deltas.size(0) != r || deltas.size(1) != 4 * c || proposals.size(0) != r) {
                throw new IllegalArgumentException("box inference: logits " + logits.shapeString() + ", deltas " + deltas.shapeString()
                        + ", proposals " + proposals.shapeString());
            }
            float[] prob = Norm.softmax(logits, -1).toFloatArray();
            float[] box = Boxes.decode(deltas, proposals, MaskRcnnConfig.ROI_BOX_WEIGHTS, Boxes.SCALE_CLAMP).toFloatArray();
            float thresh = (float) p.scoreThreshold();
            int n = 0;
            int[] candRow = new int[r * c], candClass = new int[r * c];
            double[] candBox = new double[4 * r * c], candScore = new double[r * c];
            for (int i = 0; i < r; i++) {
                boolean finite = true;
                for (int j = 0; j < 4 * c; j++) finite &= Float.isFinite(box[i * 4 * c + j]);
                for (int j = 0; j <= c; j++) finite &= Float.isFinite(prob[i * (c + 1) + j]);
                if (!finite) continue;
                for (int k = 0; k < c; k++) {
                    float s = prob[i * (c + 1) + k];
                    if (!(s > thresh)) continue;
                    int at = i * 4 * c + 4 * k;
                    candBox[4 * n] = RpnProposals.clamp(box[at], imageW);
                    candBox[4 * n + 1] = RpnProposals.clamp(box[at + 1], imageH);
                    candBox[4 * n + 2] = RpnProposals.clamp(box[at + 2], imageW);
                    candBox[4 * n + 3] = RpnProposals.clamp(box[at + 3], imageH);
                    candScore[n] = s;
                    candRow[n] = i;
                    candClass[n] = k;
                    n++;
                }
            }
            long[] groups = new long[n];
            for (int i = 0; i < n; i++) groups[i] = candClass[i];
            long[] keep = Nms.batchedNms(java.util.Arrays.copyOf(candBox, 4 * n), java.util.Arrays.copyOf(candScore, n), groups, true,
                    p.nmsThreshold());
            int d = Math.min(keep.length, p.maxDetections());
            float[] outBox = new float[4 * d], outScore = new float[d];
            long[] cls = new long[d], rows = new long[d];
            for (int i = 0; i < d; i++) {
                int j = (int) keep[i];
                for (int q = 0; q < 4; q++) outBox[4 * i + q] = (float) candBox[4 * j + q];
                outScore[i] = (float) candScore[j];
                cls[i] = candClass[j];
                rows[i] = candRow[j];
            }
            return new Detections(Tensor.of(outBox, d, 4).to(logits.backend()), Tensor.of(outScore, d).to(logits.backend()), cls, rows);
        }
    }

    /**
     * detector_postprocess: boxes scaled from the network input (imageH x imageW) to the output size and clipped to it,
     * detections with an empty box dropped, mask probabilities [D, M, M] pasted at the threshold.
     */
    public static Instances postprocess(Detections det, Tensor maskProbs, int imageH, int imageW, int outH, int outW, double maskThreshold) {
        try (var ng = GradMode.noGrad()) {
            float sx = (float) ((double) outW / imageW), sy = (float) ((double) outH / imageH);
            float[] b = det.boxes().toFloatArray(), s = det.scores().toFloatArray();
            int d = det.size(), kept = 0;
            float[] kb = new float[4 * d], ks = new float[d];
            long[] kc = new long[d], idx = new long[d];
            for (int i = 0; i < d; i++) {
                float x1 = RpnProposals.clamp(b[4 * i] * sx, outW), y1 = RpnProposals.clamp(b[4 * i + 1] * sy, outH);
                float x2 = RpnProposals.clamp(b[4 * i + 2] * sx, outW), y2 = RpnProposals.clamp(b[4 * i + 3] * sy, outH);
                if (!(x2 - x1 > 0 && y2 - y1 > 0)) continue;
                kb[4 * kept] = x1;
                kb[4 * kept + 1] = y1;
                kb[4 * kept + 2] = x2;
                kb[4 * kept + 3] = y2;
                ks[kept] = s[i];
                kc[kept] = det.classes()[i];
                idx[kept++] = i;
            }
            var backend = det.boxes().backend();
            Tensor boxes = Tensor.of(java.util.Arrays.copyOf(kb, 4 * kept), kept, 4).to(backend);
            Tensor probs = maskProbs;
            if (kept < d) probs = dev.maskseg.engine.ops.Index.indexSelect(maskProbs, 0, Tensor.ofLongs(java.util.Arrays.copyOf(idx, kept), kept).to(maskProbs.backend()));
            Tensor masks = MaskPaste.paste(probs, boxes, outH, outW, maskThreshold);
            return new Instances(boxes, Tensor.of(java.util.Arrays.copyOf(ks, kept), kept).to(backend),
                    Tensor.ofLongs(java.util.Arrays.copyOf(kc, kept), kept).to(backend), masks, java.util.Arrays.copyOf(idx, kept));
        }
    }
}
