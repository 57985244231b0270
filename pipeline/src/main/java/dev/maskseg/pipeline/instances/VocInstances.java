package dev.maskseg.pipeline.instances;

import dev.maskseg.pipeline.data.LabelMaps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * COCO instances ground truth from VOC's {@code SegmentationObject} (object ids) and {@code SegmentationClass}
 * (semantic labels) PNGs, as MaskDistill's {@code convert_voc.py}: one annotation per object id (0 and 255, the
 * boundary, are not objects), its class the majority semantic label of its pixels (ties to the lower class), RLE
 * segmentation, bbox and area from the mask, iscrowd 0; images keyed by file stem.
 *
 * <p>Differences from that script, on purpose: the segmentation is the exact mask (it stores polygons traced with
 * tolerance 2), categories are 1..K in the class list's order (it uses 0..K-1), annotation ids start at 1 (an id 0
 * is never counted as a match by pycocotools), and only class labels 1..K vote (there background votes too and can
 * win, giving category -1); an object without any class pixel is skipped and reported.
 */
public final class VocInstances {
    public static final List<String> VOC_CLASSES = List.of("aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
            "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor");

    /** The dataset and one line per image or object that could not be used. */
    public record Report(CocoDataset dataset, List<String> problems) {}

    /** One object of one image: its id in the object map, its class (1..K) and mask. */
    public record ObjectMask(int objectId, int category, Rle mask) {}

    private VocInstances() {}

    /**
     * @param stems      images to convert; null for every PNG in {@code SegmentationObject}
     * @param classNames class names for labels 1..K
     * @param strict     stop at the first problem instead of reporting it and going on
     */
    public static Report build(Path vocDir, List<String> stems, List<String> classNames, boolean strict) throws IOException {
        Path objDir = vocDir.resolve("SegmentationObject"), clsDir = vocDir.resolve("SegmentationClass");
        if (!Files.isDirectory(objDir)) throw new IOException(objDir + ": no SegmentationObject folder");
        if (stems == null) {
            try (Stream<Path> s = Files.list(objDir)) {
                stems = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png")).map(n -> n.substring(0, n.length() - 4)).sorted().toList();
            }
        }
        List<CocoDataset.Image> images = new ArrayList<>();
        List<CocoDataset.Annotation> anns = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        long nextId = 1;
        for (String stem : stems) {
            List<ObjectMask> objects;
            LabelMaps.LabelMap obj;
            try {
                obj = LabelMaps.read(objDir.resolve(stem + ".png"));
                LabelMaps.LabelMap cls = LabelMaps.read(clsDir.resolve(stem + ".png"));
                if (cls.width() != obj.width() || cls.height() != obj.height()) {
                    throw new IOException(stem + ": SegmentationObject is " + obj.width() + "x" + obj.height() + " but SegmentationClass is " + cls.width() + "x" + cls.height());
                }
                List<String> skipped = new ArrayList<>();
                objects = objects(obj.labels(), cls.labels(), obj.width(), obj.height(), classNames.size(), skipped);
                for (String s : skipped) {
                    if (strict) throw new IOException(stem + ": " + s);
                    problems.add(stem + ": " + s);
                }
            } catch (IOException e) {
                if (strict) throw e;
                problems.add(e.getMessage());
                continue;
            }
            ImageId id = ImageId.of(stem);
            images.add(new CocoDataset.Image(id, obj.width(), obj.height(), stem + ".jpg"));
            for (ObjectMask o : objects) {
                anns.add(new CocoDataset.Annotation(nextId++, id, o.category(), Segmentation.of(o.mask()), o.mask().toBbox(), o.mask().area(), 0));
            }
        }
        List<CocoDataset.Category> cats = new ArrayList<>();
        for (int c = 0; c < classNames.size(); c++) cats.add(new CocoDataset.Category(c + 1, classNames.get(c), ""));
        return new Report(new CocoDataset(images, anns, cats), problems);
    }

    /**
     * The objects of one image from row-major object ids and semantic labels, in ascending object id.
     * Objects without a pixel labelled 1..numClasses are left out, with a line in {@code skipped}.
     */
    public static List<ObjectMask> objects(int[] objectIds, int[] labels, int width, int height, int numClasses, List<String> skipped) {
        if (objectIds.length != (long) width * height || labels.length != objectIds.length) {
            throw new IllegalArgumentException("object and class maps must both hold " + width + "x" + height + " values");
        }
        boolean[] present = new boolean[256];
        for (int v : objectIds) present[v & 0xff] = true;
        List<ObjectMask> out = new ArrayList<>();
        for (int id = 1; id < 255; id++) {
            if (!present[id]) continue;
            boolean[] mask = new boolean[objectIds.length];
            long[] votes = new long[numClasses + 1];
            for (int i = 0; i < objectIds.length; i++) {
                if (objectIds[i] != id) continue;
                mask[i] = true;
                if (labels[i] >= 1 && labels[i] <= numClasses) votes[labels[i]]++;
            }
            int best = 0;
            for (int c = 1; c <= numClasses; c++) if (votes[c] > votes[best]) best = c;
            if (best == 0) {
                skipped.add("object " + id + " has no pixel of a class 1.." + numClasses + " in SegmentationClass; skipped");
                continue;
            }
            out.add(new ObjectMask(id, best, Rle.encode(mask, height, width)));
        }
        return out;
    }
}
