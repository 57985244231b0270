package dev.maskseg.pipeline.maskrcnn;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.storage.HostStorage;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.train.ModelFiles;
import dev.maskseg.zoo.maskrcnn.BoxInference;
import dev.maskseg.zoo.maskrcnn.MaskRcnnC4;
import dev.maskseg.zoo.maskrcnn.MaskRcnnConfig.DetectionParams;
import dev.maskseg.zoo.maskrcnn.MaskRcnnConfig.ProposalParams;

import java.util.ArrayList;
import java.util.List;

/**
 * A trained Mask R-CNN as an {@link InstanceDetector} (docs/methods.md §3.4, detectron2's inference): the image resized to
 * the test size ({@link DetectionInputs#test}), proposals (top {@code rpnPreNmsTest} logits, NMS, top
 * {@code rpnPostNmsTest}), class scores above {@code scoreThreshold}, per-class NMS, at most {@code detections}, boxes
 * scaled back to the image and masks pasted at its own size (threshold 0.5).
 */
public final class MaskRcnnDetector implements InstanceDetector {
    private final MaskRcnnC4 model;
    private final MaskRcnnConfig cfg;
    private final long[] categoryIds;
    private final ProposalParams proposals;
    private final DetectionParams detection;

    public MaskRcnnDetector(MaskRcnnC4 model, MaskRcnnConfig cfg, long[] categoryIds) {
        if (categoryIds.length != model.numClasses()) {
            throw new IllegalArgumentException("detector: " + categoryIds.length + " category ids for " + model.numClasses() + " classes");
        }
        this.model = model;
        this.cfg = cfg;
        this.categoryIds = categoryIds.clone();
        proposals = new ProposalParams(cfg.rpnPreNmsTest(), cfg.rpnPostNmsTest(), cfg.rpnNms(), 0.0, false);
        detection = new DetectionParams(cfg.scoreThreshold(), cfg.nms(), cfg.detections(), 0.5);
    }

    public MaskRcnnDetector(ModelFiles.MaskRcnn loaded) { this(loaded.model(), loaded.cfg(), loaded.categoryIds()); }

    @Override
    public List<Detection> detect(Sample image) {
        model.eval();
        DetectionInputs.View v = DetectionInputs.test(image, cfg);
        Tensor input = DetectionInputs.batch(List.of(v)).input();
        BoxInference.Instances inst = model.infer(input, image.height(), image.width(), proposals, detection).instances();
        int d = inst.scores().size(0), px = image.width() * image.height();
        float[] boxes = inst.boxes().toFloatArray(), scores = inst.scores().toFloatArray();
        long[] classes = inst.classes().toLongArray();
        byte[] masks = d == 0 ? new byte[0] : ((HostStorage.U8) inst.masks().toHost()).data;  // UINT8 [D, H, W]
        List<Detection> out = new ArrayList<>(d);
        for (int i = 0; i < d; i++) {
            byte[] m = new byte[px];
            System.arraycopy(masks, i * px, m, 0, px);
            out.add(new Detection(new float[]{boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]}, scores[i], (int) classes[i], m));
        }
        return out;
    }

    @Override
    public long categoryId(int classIndex) { return categoryIds[classIndex]; }
}
