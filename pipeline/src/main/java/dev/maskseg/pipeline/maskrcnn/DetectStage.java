package dev.maskseg.pipeline.maskrcnn;

import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.data.ImageFiles;
import dev.maskseg.pipeline.data.ImageSet;
import dev.maskseg.pipeline.data.JsonFiles;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.instances.CocoJson;
import dev.maskseg.pipeline.instances.CocoResult;
import dev.maskseg.pipeline.instances.ImageId;
import dev.maskseg.pipeline.instances.Rle;
import dev.maskseg.pipeline.instances.Segmentation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code maskseg detect} (docs/design.md §4b): a detector over images, written as a COCO results file (detectron2's
 * {@code instances_to_coco_json}: image id = the file's stem, category id, score, RLE segmentation, bbox x, y, w, h of
 * the detected box), each image's detections by descending score, images in file-name order. Each image's
 * detections go to {@code <out>.partial/<stem>.json} (atomically) as soon as they exist, so a killed run continues where
 * it stopped (the folder records which detector wrote it; another detector's partial results are an error); the results
 * file is written (atomically) at the end and the partial folder removed. An existing results file is an error unless
 * {@code overwrite}. An image that cannot
 * be read is one problem line naming it, recorded in {@code <out>.errors.json} and counted, and the batch goes on
 * ({@code strict} stops at the first).
 */
public final class DetectStage {
    /** What a run did. */
    public record Summary(int images, int detections, int failed, int alreadyDone, Path results) {
        public String line() {
            return String.format("detect: %d images, %d detections, %d failed, %d already done; %s", images, detections, failed, alreadyDone, results);
        }
    }

    private static final String SOURCE = "detector.txt";
    private final InstanceDetector detector;
    private final boolean strict;

    public DetectStage(InstanceDetector detector, boolean strict) {
        this.detector = detector;
        this.strict = strict;
    }

    /**
     * {@link #run(List, Path, StageListener)} after checking {@code out}: an existing results file is kept (an error) unless
     * {@code overwrite}, which also drops partial results; partial results of another detector than {@code source}
     * (e.g. the model file) are an error.
     */
    public Summary run(List<Path> images, Path out, String source, boolean overwrite, StageListener listener) throws IOException {
        Path partial = partial(out);
        if (Files.exists(out) && !overwrite) throw new IOException(out + " exists (results of an earlier run); give --overwrite to replace it");
        if (Files.isDirectory(partial)) {
            Path src = partial.resolve(SOURCE);
            String was = Files.exists(src) ? Files.readString(src).strip() : "";
            if (overwrite) {
                deleteTree(partial);
            } else if (!was.equals(source)) {
                throw new IOException(partial + " holds partial results of another detector (" + (was.isEmpty() ? "unknown" : was)
                        + "); give --overwrite to start over");
            } else {
                listener.info("detect: continuing the partial results in " + partial);
            }
        }
        Files.createDirectories(partial);
        dev.maskseg.engine.io.AtomicFiles.write(partial.resolve(SOURCE), o -> o.write(source.getBytes()));
        return run(images, out, listener);
    }

    private static Path partial(Path out) { return out.resolveSibling(out.getFileName() + ".partial"); }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) Files.delete(p);
        }
        Files.delete(dir);
    }

    /** Detects every image of {@code images} (task "detect", one step per image) into the results file {@code out}. */
    public Summary run(List<Path> images, Path out, StageListener listener) throws IOException {
        Path partial = partial(out), errorsFile = out.resolveSibling(out.getFileName() + ".errors.json");
        Files.createDirectories(partial);
        Map<String, String> errors = new LinkedHashMap<>();
        int done = 0;
        listener.start("detect", images.size(), 0);
        try {
            for (Path f : images) {
                String stem = ImageFiles.stem(f);
                Path part = partial.resolve(stem + ".json");
                if (Files.exists(part)) {
                    done++;
                } else {
                    try {
                        List<CocoResult> r = results(stem, ImageSet.imageOnly(f));
                        CocoJson.writeResults(part, r);
                        listener.advance(1, r.size() + " detections");
                        continue;
                    } catch (IOException e) {
                        if (strict) throw new IOException(e.getMessage() + " (--strict stops at the first bad file)", e);
                        errors.put(stem, e.getMessage());
                        listener.problem(e.getMessage() + "; skipped");
                    }
                }
                listener.advance(1, null);
            }
        } finally {
            listener.end();
        }
        List<CocoResult> all = new ArrayList<>();
        int images0 = 0;
        for (Path f : images) {
            Path part = partial.resolve(ImageFiles.stem(f) + ".json");
            if (!Files.exists(part)) continue;
            all.addAll(CocoJson.readResults(part));
            images0++;
        }
        CocoJson.writeResults(out, all);
        if (!errors.isEmpty()) JsonFiles.write(errorsFile, errors);
        else Files.deleteIfExists(errorsFile);
        deleteTree(partial);
        return new Summary(images0, all.size(), errors.size(), done, out);
    }

    /** One image's detections as COCO results (image id = {@code id}). */
    public List<CocoResult> results(String id, Sample image) {
        List<CocoResult> out = new ArrayList<>();
        for (InstanceDetector.Detection d : detector.detect(image)) {
            float[] b = d.box();
            Rle rle = Rle.encode(d.mask(), image.height(), image.width());
            out.add(new CocoResult(ImageId.of(id), detector.categoryId(d.classIndex()), d.score(), Segmentation.of(rle),
                    new double[]{b[0], b[1], b[2] - b[0], b[3] - b[1]}));
        }
        return out;
    }
}
