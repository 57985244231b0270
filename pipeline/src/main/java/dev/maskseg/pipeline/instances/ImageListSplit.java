package dev.maskseg.pipeline.instances;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A dataset split given as a text file of images, one per line, selecting images of a COCO instances file: the
 * COCO20k list of LOST/MaskDistill ({@code coco_20k_filenames.txt}, lines such as
 * {@code train2014/COCO_train2014_000000000009.jpg}), whose image id is the number after the last underscore of the
 * file name, as their {@code select_coco_20k}/{@code get_coco20k}. A line may also be a bare id or a file stem; it is
 * matched to an image by that number (numeric ids), else by id text or by the stem of {@code file_name}. The result
 * keeps the list's image order, each image's annotations in file order, and all categories.
 */
public final class ImageListSplit {
    private static final Pattern COCO_NUMBER = Pattern.compile("^(?:.*_)?(\\d+)$");

    private ImageListSplit() {}

    /** The non-blank lines of a list file, trimmed. */
    public static List<String> read(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String s = line.strip();
            if (!s.isEmpty()) out.add(s);
        }
        if (out.isEmpty()) throw new IOException(file + ": the image list is empty");
        return out;
    }

    /** The images named by {@code lines} and their annotations; every line must name exactly one image, once. */
    public static CocoDataset select(CocoDataset all, List<String> lines) {
        Map<ImageId, CocoDataset.Image> byId = all.imagesById();
        Map<String, CocoDataset.Image> byStem = new HashMap<>();
        for (CocoDataset.Image im : all.images()) if (im.fileName() != null) byStem.putIfAbsent(stem(im.fileName()), im);
        boolean numeric = !all.images().isEmpty() && !all.images().get(0).id().isText();
        Set<ImageId> chosen = new LinkedHashSet<>();
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String stem = stem(lines.get(i));
            CocoDataset.Image im = null;
            Matcher m = COCO_NUMBER.matcher(stem);
            if (numeric && m.matches() && m.group(1).length() < 19) im = byId.get(ImageId.of(Long.parseLong(m.group(1))));
            if (im == null && !numeric) im = byId.get(ImageId.of(stem));
            if (im == null) im = byStem.get(stem);
            if (im == null) {
                missing.add("line " + (i + 1) + " '" + lines.get(i) + "'");
                continue;
            }
            if (!chosen.add(im.id())) throw new IllegalArgumentException("image list: line " + (i + 1) + " '" + lines.get(i) + "' names image " + im.id() + " again");
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("image list: " + missing.size() + " line(s) name no image of the instances file, first: "
                    + String.join(", ", missing.subList(0, Math.min(5, missing.size()))));
        }
        Map<ImageId, List<CocoDataset.Annotation>> anns = all.annotationsByImage();
        List<CocoDataset.Image> images = new ArrayList<>(chosen.size());
        List<CocoDataset.Annotation> kept = new ArrayList<>();
        for (ImageId id : chosen) {
            images.add(byId.get(id));
            kept.addAll(anns.getOrDefault(id, List.of()));
        }
        return new CocoDataset(images, kept, all.categories());
    }

    /** The file name without folders and extension. */
    static String stem(String name) {
        String base = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        int dot = base.lastIndexOf('.');
        return dot > 0 ? base.substring(0, dot) : base;
    }
}
