package dev.maskseg.pipeline.instances;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A COCO instances file: images, annotations, categories. Image ids are all numbers or all strings, and image,
 * annotation and category ids are unique (pycocotools indexes them by id, so duplicates would silently alias).
 */
public record CocoDataset(List<Image> images, List<Annotation> annotations, List<Category> categories) {
    /** Width and height are -1 when the file does not give them (they are needed only to rasterise polygons). */
    public record Image(ImageId id, int width, int height, String fileName) {}

    /**
     * One object. {@code segmentation} and {@code bbox} may be null when absent; {@code area} is NaN when absent;
     * {@code iscrowd} is null when absent. Evaluation asks for what it needs and names what is missing.
     */
    public record Annotation(long id, ImageId imageId, long categoryId, Segmentation segmentation, double[] bbox, double area, Integer iscrowd) {
        public Annotation withCategory(long category) { return new Annotation(id, imageId, category, segmentation, bbox, area, iscrowd); }
    }

    public record Category(long id, String name, String supercategory) {}

    public CocoDataset {
        images = List.copyOf(images);
        annotations = List.copyOf(annotations);
        categories = List.copyOf(categories);
        Set<ImageId> seen = new HashSet<>();
        Boolean text = null;
        for (Image im : images) {
            if (text == null) text = im.id().isText();
            else if (text != im.id().isText()) throw new IllegalArgumentException("image ids mix numbers and strings (" + images.get(0).id() + ", " + im.id() + ")");
            if (!seen.add(im.id())) throw new IllegalArgumentException("image id " + im.id() + " appears twice");
        }
        Set<Long> ids = new HashSet<>();
        for (Annotation a : annotations) if (!ids.add(a.id())) throw new IllegalArgumentException("annotation id " + a.id() + " appears twice");
        Set<Long> cats = new HashSet<>();
        for (Category c : categories) if (!cats.add(c.id())) throw new IllegalArgumentException("category id " + c.id() + " appears twice");
    }

    public Map<ImageId, Image> imagesById() {
        Map<ImageId, Image> m = new LinkedHashMap<>();
        for (Image im : images) m.put(im.id(), im);
        return m;
    }

    /** Annotations of each image id, in file order (pycocotools' {@code imgToAnns}); includes ids with no image entry. */
    public Map<ImageId, List<Annotation>> annotationsByImage() {
        Map<ImageId, List<Annotation>> m = new HashMap<>();
        for (Annotation a : annotations) m.computeIfAbsent(a.imageId(), k -> new ArrayList<>()).add(a);
        return m;
    }

    /** Every annotation in one category {@code id}, and that category alone (MaskDistill's class-agnostic files). */
    public CocoDataset classAgnostic(long id, String name) {
        List<Annotation> anns = new ArrayList<>(annotations.size());
        for (Annotation a : annotations) anns.add(a.withCategory(id));
        return new CocoDataset(images, anns, List.of(new Category(id, name, "")));
    }
}
