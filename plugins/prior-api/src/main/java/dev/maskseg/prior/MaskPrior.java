package dev.maskseg.prior;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A pixel-grouping prior (docs/methods.md §4): one RGB image in, one or more binary masks at image resolution out.
 * Implementations are found by ServiceLoader (register with {@code @AutoService(MaskPrior.class)}); a jar
 * dropped into the plugins folder is picked up. Implementations must be thread-safe: {@code mine-masks}
 * calls {@link #run} from several threads, sharing heavy resources through the {@link PriorContext}.
 */
public interface MaskPrior {
    /** The {@code --prior} name, e.g. {@code maskdistill}. */
    String name();

    String description();

    /** Every parameter this prior accepts, with its default. */
    List<PriorParam> params();

    PriorResult run(BufferedImage image, PriorParams params, PriorContext context) throws Exception;
}
