package dev.maskseg.pipeline.data;

import dev.maskseg.pipeline.StageListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * A PASCAL VOC 2012 layout (docs/design.md §5): {@code JPEGImages/<id>.jpg|.png}, labels in {@code SegmentationClass/}
 * (or {@code SegmentationClassAug/} for train_aug), ids in {@code ImageSets/Segmentation/<split>.txt}. A missing
 * or unreadable file, or a label of the wrong size, is one clear message to {@code problems}; that image is
 * skipped, or the load stops when {@code strict}.
 */
public final class VocDataset {
    private final Path root;
    private final boolean strict;
    private final Consumer<String> problems;
    private final StageListener progress;

    public VocDataset(Path root, boolean strict, Consumer<String> problems) {
        this.root = root;
        this.strict = strict;
        this.problems = problems;
        this.progress = StageListener.NONE;
    }

    /** Problems go to the listener, and checking or decoding a split is a task of it ("check SPLIT", "decode SPLIT"). */
    public VocDataset(Path root, boolean strict, StageListener listener) {
        this.root = root;
        this.strict = strict;
        this.problems = listener::problem;
        this.progress = listener;
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

    /** Images with their ground truth from {@code SegmentationClass} (or Aug for train_aug). */
    public ImageSet withLabels(String split) throws IOException {
        return open(split, labelDir(split), false, true, 256);
    }

    /** Where the split's ground truth lives: {@code SegmentationClassAug} for train_aug, {@code SegmentationClass} otherwise. */
    public Path labelDir(String split) {
        return root.resolve(split.equals("train_aug") || split.equals("trainaug") ? "SegmentationClassAug" : "SegmentationClass");
    }

    /**
     * The split's images with ground truth, decoded into memory; with {@code size} > 0 resized to size x size (images
     * bicubic, labels nearest, as the official 512x512 evaluation). A split without a usable image is an error.
     */
    public List<Sample> labelledSamples(String split, int size) throws IOException {
        List<Sample> out = new ArrayList<>();
        ImageSet set = withLabels(split);
        try (StageListener.Task task = progress.task("decode " + split, set.size(), "images")) {
            for (Sample s : set) {
                out.add(size > 0 ? Transforms.resizeBicubic(s, size, size) : s);
                task.step();
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException(root + ": no usable images in split " + split);
        return out;
    }

    /** Images that have a mask in {@code maskDir}; images without one are excluded silently (as MaskContrast's list). */
    public ImageSet withMasks(String split, Path maskDir) throws IOException {
        return open(split, maskDir, true, false, 256);
    }

    /** Images with label maps from {@code mapDir} (e.g. pseudo labels); images without one are excluded silently. */
    public ImageSet withLabelMaps(String split, Path mapDir) throws IOException {
        return open(split, mapDir, false, false, 256);
    }

    /**
     * Images with label maps from {@code mapDir} whose values are labels 0..labels-1 or 255 (ignore): a map with any other
     * value is reported (and skipped, or stops the load when strict), as is one that is not an 8-bit gray or palette PNG.
     */
    public ImageSet withLabelMaps(String split, Path mapDir, int labels) throws IOException {
        if (labels < 1 || labels > 255) throw new IllegalArgumentException("label maps: " + labels + " labels; must be 1..255 (255 = ignore)");
        return open(split, mapDir, false, false, labels);
    }

    /**
     * Every pair is decoded once here (in parallel) so that a corrupt file or a size mismatch is reported before
     * training starts, once, in list order; the pixels are not kept.
     */
    private ImageSet open(String split, Path dir, boolean binary, boolean everyImageHasOne, int labels) throws IOException {
        List<String> ids = ids(split);
        String[] problem = new String[ids.size()];
        boolean[] present = new boolean[ids.size()];
        try (StageListener.Task task = progress.task("check " + split, ids.size(), "images")) {
            IntStream.range(0, ids.size()).parallel().forEach(i -> {
                check(ids.get(i), dir, binary, everyImageHasOne, labels, i, problem, present);
                task.step();
            });
        }
        List<ImageSet.Entry> out = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            if (problem[i] != null) report(problem[i]);
            if (present[i]) out.add(new ImageSet.Entry(ids.get(i), imageFile(ids.get(i)), dir.resolve(ids.get(i) + ".png")));
        }
        return new ImageSet(out, binary);
    }

    /** Whether image {@code i}'s pair is there, decodes and (labels < 256) holds labels below {@code labels} or 255; sets {@code present[i]} or {@code problem[i]}. */
    private void check(String id, Path dir, boolean binary, boolean everyImageHasOne, int labels, int i, String[] problem, boolean[] present) {
        Path img = imageFile(id), map = dir.resolve(id + ".png");
        if (!Files.exists(map)) {
            if (everyImageHasOne) problem[i] = map + ": missing label map for image " + id;
            return;
        }
        if (!Files.exists(img)) {
            problem[i] = img + ": missing image";
            return;
        }
        try {
            Sample s = ImageSet.decode(img, map, binary);
            if (labels < 256) {
                for (byte b : s.mask()) {
                    int v = b & 255;
                    if (v >= labels && v != 255) throw new IOException(map + ": label " + v + " outside 0.." + (labels - 1) + " (255 = ignore)");
                }
            }
            present[i] = true;
        } catch (IOException e) {
            problem[i] = e.getMessage();
        }
    }

    private void report(String message) throws IOException {
        if (strict) throw new IOException(message + " (--strict)");
        problems.accept(message + "; skipped");
    }
}
