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

/** SLIC superpixels as masks (docs/methods.md §4.5). */
@AutoService(MaskPrior.class)
public final class SlicPrior implements MaskPrior {
    @Override public String name() { return "slic"; }

    @Override public String description() { return "SLIC superpixels (Lab, grid seeds, 2S window, connectivity enforced), one mask per region"; }

    @Override
    public List<PriorParam> params() {
        return List.of(new PriorParam("segments", "100", "approximate number of superpixels K (grid step sqrt(HW/K))"),
                new PriorParam("compactness", "10", "m: weight of the spatial distance against the Lab distance"),
                new PriorParam("iterations", "10", "assignment/update rounds"),
                new PriorParam("min_area", "0", "keep regions covering at least this fraction of the image (0 = all)"));
    }

    @Override
    public PriorResult run(BufferedImage image, PriorParams p, PriorContext ctx) {
        int w = image.getWidth(), h = image.getHeight();
        int[] labels = Slic.segment(Rgb.pixels(image), w, h, p.integer("segments"), p.number("compactness"), p.integer("iterations"));
        return Regions.masks(labels, w, h, p.number("min_area"));
    }
}
