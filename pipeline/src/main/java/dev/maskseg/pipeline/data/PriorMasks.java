package dev.maskseg.pipeline.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A prior's output folder (docs/design.md §5, as {@link dev.maskseg.pipeline.mining.MaskMiningStage} writes it):
 * {@code <id>.png} (0/255) for one mask, {@code <id>_<k>.png} for several, and {@link MasksIndex masks.json} with
 * each mask's score. Without {@code masks.json} (masks from another tool) the files are found by name and every mask
 * scores 1.
 */
public final class PriorMasks {
    /** One candidate mask file of an image and its score. */
    public record Candidate(Path file, double score) {}

    private final Path dir;
    private final MasksIndex index;

    private PriorMasks(Path dir, MasksIndex index) {
        this.dir = dir;
        this.index = index;
    }

    public static PriorMasks open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": no such mask folder");
        return new PriorMasks(dir, MasksIndex.exists(dir) ? MasksIndex.read(dir) : null);
    }

    public Path dir() { return dir; }

    /** The image's candidates in the prior's order; empty when the prior gave none. */
    public List<Candidate> candidates(String id) {
        List<Candidate> out = new ArrayList<>();
        if (index != null) {
            MasksIndex.Entry e = index.entry(id);
            if (e != null) for (MasksIndex.MaskFile m : e.masks()) out.add(new Candidate(dir.resolve(m.file()), m.score()));
            return out;
        }
        Path single = dir.resolve(id + ".png");
        if (Files.exists(single)) return List.of(new Candidate(single, 1.0));
        for (int k = 0; Files.exists(dir.resolve(id + "_" + k + ".png")); k++) out.add(new Candidate(dir.resolve(id + "_" + k + ".png"), 1.0));
        return out;
    }

    /** A mask file binarized (> 127 → 1); it must have the image's size. */
    public static byte[] read(Path file, int width, int height) throws IOException {
        BufferedImage img = ImageSet.read(file, "mask");
        if (img.getWidth() != width || img.getHeight() != height) {
            throw new IOException(file + ": mask of " + img.getWidth() + "x" + img.getHeight() + " for an image of " + width + "x" + height);
        }
        return ImageSet.firstBand(img, true);
    }
}
