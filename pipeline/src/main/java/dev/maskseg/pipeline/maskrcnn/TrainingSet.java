package dev.maskseg.pipeline.maskrcnn;

import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.data.ImageSet;
import dev.maskseg.pipeline.data.PriorMasks;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.instances.CocoDataset;
import dev.maskseg.pipeline.instances.CocoJson;
import dev.maskseg.pipeline.instances.ImageId;
import dev.maskseg.pipeline.instances.Rle;
import dev.maskseg.pipeline.instances.Segmentation;
import dev.maskseg.pipeline.maskdistill.ClustersIndex;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Mask R-CNN's training set (docs/methods.md §3.3 → §3.4) in COCO instances format: one annotation per clustered mask
 * of a prior's folder (RLE segmentation, bbox and area from the mask, {@code category_id} = the label it is painted with
 * minus one: its cluster, or its class when the clusters are named, as MaskDistill stores its 0-based class index),
 * images keyed by id with their file name; masks with no pixel are left
 * out, as MaskDistill's export drops them. {@link #load} reads such a file (or any COCO instances file) back as
 * training images: categories mapped to contiguous classes in ascending id (detectron2's mapping), images without
 * an annotation left out (detectron2's FILTER_EMPTY_ANNOTATIONS).
 */
public final class TrainingSet {
    /** One object: its contiguous class, its box (x1, y1, x2, y2) in pixels, its mask. */
    public record Instance(int classIndex, double[] box, Rle mask) {}

    /** One training image and its objects. */
    public record Image(ImageId id, Path file, int width, int height, List<Instance> instances) {}

    /** The images, the category id of each class (index = class), and what was left out. */
    public record Loaded(List<Image> images, long[] categoryIds, List<String> problems) {
        public int classes() { return categoryIds.length; }
    }

    /** What {@link #fromClusters} wrote. */
    public record Summary(int images, int annotations, int emptyMasks, int skipped) {}

    private TrainingSet() {}

    /**
     * Writes {@code out} (COCO instances JSON) from the clustered masks of {@code clusters} (file names in {@code priorDir}).
     * An unreadable image or mask is reported to the listener and its image left out, or stops the stage when {@code strict}.
     */
    public static Summary fromClusters(ClustersIndex clusters, Path priorDir, Function<String, Path> imageFile, Path out, boolean strict,
                                       StageListener listener) throws IOException {
        List<CocoDataset.Image> images = new ArrayList<>();
        List<CocoDataset.Annotation> anns = new ArrayList<>();
        int empty = 0, skipped = 0;
        long next = 1;
        listener.start("training set", clusters.images().size(), 0);
        try {
            for (Map.Entry<String, List<ClustersIndex.Assignment>> e : clusters.images().entrySet()) {
                String id = e.getKey();
                Path file = imageFile.apply(id);
                List<CocoDataset.Annotation> mine = new ArrayList<>();
                int[] size;
                try {
                    size = imageSize(file);
                    for (ClustersIndex.Assignment a : e.getValue()) {
                        byte[] m = PriorMasks.read(priorDir.resolve(a.file()), size[0], size[1]);
                        Rle rle = Rle.encode(m, size[1], size[0]);
                        if (rle.area() == 0) {
                            empty++;
                            continue;
                        }
                        mine.add(new CocoDataset.Annotation(next++, ImageId.of(id), a.label() - 1, Segmentation.of(rle), rle.toBbox(), rle.area(), 0));
                    }
                } catch (IOException ex) {
                    if (strict) throw new IOException(ex.getMessage() + " (--strict)", ex);
                    listener.problem(ex.getMessage() + "; image " + id + " left out of the training set");
                    skipped++;
                    listener.advance(1, null);
                    continue;
                }
                images.add(new CocoDataset.Image(ImageId.of(id), size[0], size[1], file.getFileName().toString()));
                anns.addAll(mine);
                listener.advance(1, null);
            }
        } finally {
            listener.end();
        }
        List<CocoDataset.Category> cats = new ArrayList<>();
        String kind = clusters.naming().named() ? "class " : "cluster ";
        for (int c = 0; c < clusters.labels() - 1; c++) cats.add(new CocoDataset.Category(c, kind + c, ""));
        CocoJson.writeDataset(out, new CocoDataset(images, anns, cats));
        return new Summary(images.size(), anns.size(), empty, skipped);
    }

    /**
     * A COCO instances file as training images, their files in {@code imageDir} by {@code file_name}. Annotations without
     * a segmentation, crowd regions and empty masks are left out; a missing image file is a problem (its image left out).
     */
    public static Loaded load(Path json, Path imageDir) throws IOException {
        CocoDataset d = CocoJson.readDataset(json);
        TreeSet<Long> ids = new TreeSet<>();
        for (CocoDataset.Category c : d.categories()) ids.add(c.id());
        long[] categoryIds = ids.stream().mapToLong(Long::longValue).toArray();
        Map<ImageId, List<CocoDataset.Annotation>> byImage = d.annotationsByImage();
        List<Image> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (CocoDataset.Image im : d.images()) {
            List<Instance> inst = new ArrayList<>();
            for (CocoDataset.Annotation a : byImage.getOrDefault(im.id(), List.of())) {
                if (a.segmentation() == null || (a.iscrowd() != null && a.iscrowd() != 0)) continue;
                int cls = java.util.Arrays.binarySearch(categoryIds, a.categoryId());
                if (cls < 0) {
                    problems.add(json + ": annotation " + a.id() + " of image " + im.id() + " has category " + a.categoryId() + ", not in the categories; left out");
                    continue;
                }
                if (im.width() < 0 || im.height() < 0) throw new IOException(json + ": image " + im.id() + " has no width/height");
                Rle rle = a.segmentation().toRle(im.height(), im.width());
                if (rle.area() == 0) continue;
                double[] b = a.bbox() != null ? a.bbox() : rle.toBbox();
                inst.add(new Instance(cls, new double[]{b[0], b[1], b[0] + b[2], b[1] + b[3]}, rle));
            }
            if (inst.isEmpty()) continue;
            Path file = imageDir.resolve(im.fileName() != null ? im.fileName() : im.id().json().toString());
            if (!Files.isRegularFile(file)) {
                problems.add(file + ": missing image of " + im.id() + "; left out");
                continue;
            }
            out.add(new Image(im.id(), file, im.width(), im.height(), List.copyOf(inst)));
        }
        return new Loaded(out, categoryIds, problems);
    }

    /** Width and height from the file's header (without decoding its pixels), or a clear error naming it. */
    static int[] imageSize(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": missing image");
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) throw new IOException(file + ": unreadable image (not a PNG/JPEG)");
            ImageReader r = readers.next();
            try {
                r.setInput(in);
                return new int[]{r.getWidth(0), r.getHeight(0)};
            } finally {
                r.dispose();
            }
        } catch (IOException e) {
            throw e.getMessage() != null && e.getMessage().startsWith(file.toString()) ? e : new IOException(file + ": corrupt image (" + e.getMessage() + ")", e);
        }
    }

    /** The image decoded (RGB in [0, 1]); its size must be the one recorded. */
    static Sample decode(Image im) throws IOException {
        Sample s = ImageSet.imageOnly(im.file());
        if (s.width() != im.width() || s.height() != im.height()) {
            throw new IOException(im.file() + ": image of " + s.width() + "x" + s.height() + " but the training set says " + im.width() + "x" + im.height());
        }
        return s;
    }
}
