package dev.maskseg.prior.superpixels;

import com.google.auto.service.AutoService;
import dev.maskseg.prior.MaskPrior;
import dev.maskseg.prior.PriorContext;
import dev.maskseg.prior.PriorParam;
import dev.maskseg.prior.PriorParams;
import dev.maskseg.prior.PriorResult;
import dev.maskseg.prior.image.Rgb;

import java.awt.image.BufferedImage;
import java.util.List;

/** Felzenszwalb–Huttenlocher graph segmentation as masks (docs/methods.md §4.5), scikit-image's parameter meanings. */
@AutoService(MaskPrior.class)
public final class FelzenszwalbPrior implements MaskPrior {
    @Override public String name() { return "felzenszwalb"; }

    @Override public String description() { return "Felzenszwalb-Huttenlocher graph segmentation, one mask per region"; }

    @Override
    public List<PriorParam> params() {
        return List.of(new PriorParam("scale", "300", "k: larger gives larger regions (scikit-image 'scale')"),
                new PriorParam("sigma", "0.8", "Gaussian pre-smoothing"),
                new PriorParam("min_size", "20", "regions smaller than this are merged into a neighbour"),
                new PriorParam("min_area", "0", "keep regions covering at least this fraction of the image (0 = all)"));
    }

    @Override
    public PriorResult run(BufferedImage image, PriorParams p, PriorContext ctx) {
        int w = image.getWidth(), h = image.getHeight();
        int[] labels = Felzenszwalb.segment(Rgb.pixels(image), w, h, p.number("scale"), p.number("sigma"), p.integer("min_size"));
        return Regions.masks(labels, w, h, p.number("min_area"));
    }
}
