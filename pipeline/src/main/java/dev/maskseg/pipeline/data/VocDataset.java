package dev.maskseg.pipeline.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A PASCAL VOC 2012 layout (design.md §5): {@code JPEGImages/<id>.jpg|.png}, labels in {@code SegmentationClass/}
 * (or {@code SegmentationClassAug/} for train_aug), ids in {@code ImageSets/Segmentation/<split>.txt}. A missing
 * or unreadable file, or a label of the wrong size, is one clear message to {@code problems}; that image is
 * skipped, or the load stops when {@code strict}.
 */
public final class VocDataset {
    private final Path root;
    private final boolean strict;
    private final Consumer<String> problems;

    public VocDataset(Path root, boolean strict, Consumer<String> problems) {
        this.root = root;
        this.strict = strict;
        this.problems = problems;
    }

    public Path root() { return root; }

    public List<String> ids(String split) throws IOException {
        Path f = root.resolve("ImageSets/Segmentation/" + split + ".txt");
        if (!Files.exists(f)) throw new IOException(root + ": no split file " + f);
        return Files.readAllLines(f).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public Path imageFile(String id) {
        Path jpg = root.resolve("JPEGImages/" + id + ".jpg");
        return Files.exists(jpg) ? jpg : root.resolve("JPEGImages/" + id + ".png");
    }

    /** Image plus the byte map read from {@code maskDir/<id>.png}: labels (as stored) or a 0/255 mask turned into 0/1. */
    public record Item(String id, BufferedImage image, Sample sample) {}

    /** Items with their ground truth from {@code SegmentationClass} (or Aug when that folder exists and the split is train_aug). */
    public List<Item> withLabels(String split) throws IOException {
        Path labels = root.resolve(split.equals("train_aug") || split.equals("trainaug") ? "SegmentationClassAug" : "SegmentationClass");
        return load(split, labels, false);
    }

    /** Items that have a mask in {@code maskDir}; images without one are excluded silently (as MaskContrast's list). */
    public List<Item> withMasks(String split, Path maskDir) throws IOException {
        return load(split, maskDir, true);
    }

    private List<Item> load(String split, Path dir, boolean binary) throws IOException {
        List<Item> out = new ArrayList<>();
        for (String id : ids(split)) {
            Path img = imageFile(id), lab = dir.resolve(id + ".png");
            if (!Files.exists(lab)) {
                if (!binary) report(lab + ": missing label map for image " + id);
                continue;
            }
            BufferedImage image = read(img, "image");
            if (image == null) continue;
            BufferedImage label = read(lab, binary ? "mask" : "label map");
            if (label == null) continue;
            if (label.getWidth() != image.getWidth() || label.getHeight() != image.getHeight()) {
                report(lab + ": " + label.getWidth() + "x" + label.getHeight() + " but its image " + img.getFileName() + " is "
                        + image.getWidth() + "x" + image.getHeight());
                continue;
            }
            int[] px = label.getRaster().getPixels(0, 0, label.getWidth(), label.getHeight(), (int[]) null);
            int bands = label.getRaster().getNumBands();
            byte[] map = new byte[label.getWidth() * label.getHeight()];
            for (int i = 0; i < map.length; i++) {
                int v = px[i * bands];
                map[i] = (byte) (binary ? (v > 127 ? 1 : 0) : v);
            }
            out.add(new Item(id, image, Sample.of(image, map)));
        }
        return out;
    }

    private BufferedImage read(Path f, String what) throws IOException {
        if (!Files.exists(f)) {
            report(f + ": missing " + what);
            return null;
        }
        try {
            BufferedImage img = ImageIO.read(f.toFile());
            if (img == null) report(f + ": unreadable " + what + " (not a PNG/JPEG)");
            return img;
        } catch (IOException | RuntimeException e) {
            report(f + ": corrupt " + what + " (" + e.getMessage() + ")");
            return null;
        }
    }

    private void report(String message) throws IOException {
        if (strict) throw new IOException(message + " (--strict)");
        problems.accept(message + "; skipped");
    }
}
