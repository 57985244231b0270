package dev.maskseg.prior.saliency;

import dev.maskseg.prior.PriorParam;
import dev.maskseg.prior.PriorParams;
import dev.maskseg.prior.SaliencyMasks;

/** The parameter both saliency priors share: how MaskContrast's post-processing (docs/methods.md §2.2) treats holes. */
final class SaliencyPriors {
    static final PriorParam HOLES = new PriorParam("holes", "keep",
            "keep: the official rule (holes stay, contours under 1% of the image zeroed); fill: fill each region's holes");

    private SaliencyPriors() {}

    static SaliencyMasks.Holes holes(PriorParams p, String prior) {
        try {
            return SaliencyMasks.Holes.parse(p.string("holes"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("prior " + prior + ": " + e.getMessage());
        }
    }
}
