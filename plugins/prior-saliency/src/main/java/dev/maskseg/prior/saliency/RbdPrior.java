package dev.maskseg.prior.saliency;

import com.google.auto.service.AutoService;
import dev.maskseg.prior.MaskPrior;
import dev.maskseg.prior.PriorContext;
import dev.maskseg.prior.PriorParam;
import dev.maskseg.prior.PriorParams;
import dev.maskseg.prior.PriorResult;
import dev.maskseg.prior.SaliencyMasks;
import dev.maskseg.prior.image.Rgb;

import java.awt.image.BufferedImage;
import java.util.List;

/** RBD robust-background saliency optimization (Zhu et al. 2014), post-processed as MaskContrast's saliency (docs/methods.md §2.2); no mask when the image is dropped. */
@AutoService(MaskPrior.class)
public final class RbdPrior implements MaskPrior {
    @Override public String name() { return "rbd"; }

    @Override public String description() { return "RBD robust-background saliency optimization (Zhu et al. 2014); binarized at 0.5, contours (regions and holes) under 1% zeroed, images under 1% dropped"; }

    @Override public List<PriorParam> params() { return List.of(SaliencyPriors.HOLES); }

    @Override
    public PriorResult run(BufferedImage image, PriorParams p, PriorContext ctx) {
        int w = image.getWidth(), h = image.getHeight();
        PriorResult.Mask m = SaliencyMasks.postprocess(Rbd.saliency(Rgb.pixels(image), w, h), w, h, SaliencyPriors.holes(p, name()));
        return m == null ? new PriorResult(List.of()) : PriorResult.of(m);
    }
}
