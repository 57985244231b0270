package dev.maskseg.engine.ops;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.Autograd;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.RoiAlignParams;
import dev.maskseg.engine.storage.HostStorage;

import java.util.ArrayList;
import java.util.List;

/**
 * RoIAlign over NCHW features (torchvision {@code roi_align}; detectron2's ROIAlignV2 is {@code aligned = true} with
 * sampling ratio 0, docs/methods.md §3.4): forward, and the gradient to the features (boxes get none, as in
 * detectron2, where proposals are constants).
 */
public final class RoiAlign {
    private RoiAlign() {}

    /** features [N,C,H,W]; rois [K,5] = (batch index, x1, y1, x2, y2) in input pixels → [K, C, outH, outW]. */
    public static Tensor roiAlign(Tensor features, Tensor rois, int outH, int outW, double spatialScale, int samplingRatio,
                                  boolean aligned) {
        return roiAlign(features, rois, new RoiAlignParams(outH, outW, spatialScale, samplingRatio, aligned));
    }

    public static Tensor roiAlign(Tensor features, Tensor rois, RoiAlignParams p) {
        Backend be = Pointwise.sameBackend("roi_align", features, rois);
        if (features.dim() != 4 || !features.dtype().isFloating()) {
            throw new IllegalArgumentException("roi_align: features must be a floating [N,C,H,W] tensor, got "
                    + features.dtype() + " " + features.shapeString());
        }
        if (rois.dim() != 2 || rois.size(1) != 5 || !rois.dtype().isFloating()) {
            throw new IllegalArgumentException("roi_align: rois must be a floating [K,5] tensor (batch index, x1, y1, x2, y2), got "
                    + rois.dtype() + " " + rois.shapeString() + " for features " + features.shapeString());
        }
        Tensor r = rois.detach().to(features.dtype()).contiguous();
        checkBatchIndices(r, features);
        Tensor f = features.contiguous().detach();
        Tensor out = Tensor.empty(be, features.dtype(), rois.size(0), features.size(1), p.outH(), p.outW());
        if (out.numel() > 0) be.roiAlign(f.view(), r.view(), p, out.view());
        return Autograd.record("roi_align", out, g -> {
            Tensor gf = Tensor.zeros(g.dtype(), features.shape()).to(g.backend());
            if (g.numel() > 0) g.backend().roiAlignBackward(g.contiguous().view(), r.view(), p, gf.view());
            return new Tensor[]{gf, null};
        }, features, rois);
    }

    private static void checkBatchIndices(Tensor rois, Tensor features) {
        HostStorage h = rois.toHost();
        int n = features.size(0);
        for (int k = 0; k < rois.size(0); k++) {
            double b = h.get(k * 5);
            if (b != Math.rint(b) || b < 0 || b >= n) {
                throw new IllegalArgumentException("roi_align: roi " + k + " has batch index " + b + ", features "
                        + features.shapeString() + " hold " + n + " images");
            }
            for (int c = 1; c < 5; c++) {
                if (!Double.isFinite(h.get(k * 5 + c))) throw new IllegalArgumentException("roi_align: roi " + k + " has a non-finite coordinate");
            }
        }
    }

    /**
     * The pooler's roi format: the boxes [R_i, 4] of each image i, concatenated image by image, with the image's
     * index in front → [ΣR_i, 5] (float32, on the boxes' backend; no gradient).
     */
    public static Tensor rois(List<Tensor> boxesPerImage) {
        List<Tensor> parts = new ArrayList<>();
        for (int i = 0; i < boxesPerImage.size(); i++) {
            Tensor b = boxesPerImage.get(i).detach();
            if (b.dim() != 2 || b.size(1) != 4) throw new IllegalArgumentException("roi_align: boxes of image " + i + " must be [R,4], got " + b.shapeString());
            Tensor idx = Tensor.full(DType.FLOAT32, i, b.size(0), 1).to(b.backend());
            parts.add(Index.cat(List.of(idx, b.to(DType.FLOAT32)), 1));
        }
        if (parts.isEmpty()) return Tensor.zeros(0, 5);
        return Index.cat(parts, 0);
    }
}
