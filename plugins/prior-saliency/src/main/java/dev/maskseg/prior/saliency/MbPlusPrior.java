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

/** MB+ minimum-barrier saliency (Zhang et al. 2015), post-processed as MaskContrast's saliency (docs/methods.md §2.2); no mask when the image is dropped. */
@AutoService(MaskPrior.class)
public final class MbPlusPrior implements MaskPrior {
    @Override public String name() { return "mbplus"; }

    @Override public String description() { return "MB+ minimum-barrier saliency (Zhang et al. 2015); binarized at 0.5, contours (regions and holes) under 1% zeroed, images under 1% dropped"; }

    @Override public List<PriorParam> params() { return List.of(SaliencyPriors.HOLES); }

    @Override
    public PriorResult run(BufferedImage image, PriorParams p, PriorContext ctx) {
        int w = image.getWidth(), h = image.getHeight();
        PriorResult.Mask m = SaliencyMasks.postprocess(MbPlus.saliency(Rgb.pixels(image), w, h), w, h, SaliencyPriors.holes(p, name()));
        return m == null ? new PriorResult(List.of()) : PriorResult.of(m);
    }
}
