package dev.maskseg.pipeline.predict;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.pipeline.Failures;
import dev.maskseg.pipeline.RunFolder;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.batch.BatchErrors;
import dev.maskseg.pipeline.batch.BatchOptions;
import dev.maskseg.pipeline.crf.DenseCrf;
import dev.maskseg.pipeline.data.ImageFiles;
import dev.maskseg.pipeline.data.LabelMaps;
import dev.maskseg.pipeline.data.Overlays;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.eval.LinearProbes;
import dev.maskseg.pipeline.train.ModelFiles;
import dev.maskseg.zoo.LinearProbe;
import dev.maskseg.zoo.image.ImageDecoder;
import dev.maskseg.zoo.image.ImageEncoder;
import dev.maskseg.zoo.image.ImageTensors;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Segmenting images with a trained model: {@code <stem>.png} (8-bit labels) and {@code overlay/<stem>.png} (colour
 * overlay) per image. A MaskDistill model gives its arg-max labels (0 = background, 1..C = clusters), a MaskContrast
 * model with a linear probe the probe's classes, without one the saliency head's object mask (1 where the logit >
 * 0.5, as the k-means protocol); with the dense CRF (§1.5) class predictions are refined. The output folder is claimed
 * through {@link RunFolder} (its {@code run.json} records the summary and each failed image); an image that cannot be
 * decoded or labelled is that image's error ({@link BatchErrors}) and the batch goes on. {@link #labels} is the work of
 * one image.
 */
public final class PredictStage {
    /** Images labelled now, images that failed, images already done by the run continued, and the two output folders. */
    public record Summary(int images, int failed, int alreadyDone, Path labels, Path overlays) {}

    private final Function<Sample, int[]> labeller;
    private final Map<String, String> inputs;

    private PredictStage(Function<Sample, int[]> labeller, Map<String, String> inputs) {
        this.labeller = labeller;
        this.inputs = inputs;
    }

    /**
     * The model file of {@link ModelFiles} (MaskDistill or MaskContrast, or an official checkpoint of MaskContrast),
     * an optional probe for a MaskContrast model, and the CRF parameters (null: none; needs class predictions).
     */
    public static PredictStage load(Path model, Path probeFile, DenseCrf.Params crf) throws IOException {
        Map<String, String> inputs = new LinkedHashMap<>();
        inputs.put("model", model.toAbsolutePath().normalize().toString());
        inputs.put("probe", probeFile == null ? "" : probeFile.toAbsolutePath().normalize().toString());
        inputs.put("crf", Boolean.toString(crf != null));
        if (ModelFiles.MASKDISTILL.equals(ModelFiles.kind(model))) {
            if (probeFile != null) throw new IllegalArgumentException("a probe applies to MaskContrast models; " + model + " is a MaskDistill model");
            Module segmenter = ModelFiles.loadMaskDistill(model);
            return new PredictStage(s -> labels(segmenter, List.of(s), crf).get(0), inputs);
        }
        MaskContrastModel m = ModelFiles.loadMaskContrast(model);
        m.eval();
        LinearProbe probe = probeFile == null ? null : ModelFiles.loadProbe(probeFile);
        if (probe == null && crf != null) throw new IllegalArgumentException("the CRF refines class predictions: give a MaskDistill model or a probe");
        return new PredictStage(s -> maskContrastLabels(m, probe, s, crf), inputs);
    }

    /** Labels every image not yet done into {@code outDir}. */
    public Summary run(List<Path> images, Path outDir, BatchOptions options, StageListener listener) throws IOException {
        Map<String, String> in = new LinkedHashMap<>(inputs);
        in.put("images", ImageFiles.folderOf(images));
        RunFolder folder = RunFolder.claim(outDir, "predict", in, options.mode(), true);
        Path overlays = Files.createDirectories(outDir.resolve("overlay"));
        BatchErrors errors = new BatchErrors(options.strict(), listener);
        List<Path> todo = errors.uniqueStems(images);
        int done = 0, already = 0;
        listener.start("predict", images.size(), images.size() - todo.size());
        try {
            for (Path f : todo) {
                String stem = ImageFiles.stem(f);
                if (folder.continued() && Files.exists(outDir.resolve(stem + ".png")) && Files.exists(overlays.resolve(stem + ".png"))) {
                    already++;
                } else {
                    Sample s;
                    int[] labels;
                    try {
                        s = blank(ImageDecoder.read(f));
                        labels = labels(s);
                    } catch (IOException | RuntimeException e) {
                        errors.record(stem, f, e);
                        listener.advance(1, null);
                        continue;
                    }
                    write(s, labels, stem, outDir); // a failure to write (a full disk) ends the run
                    done++;
                }
                listener.advance(1, null);
            }
        } finally {
            listener.end();
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("images", images.size());
        summary.put("labelled", done);
        summary.put("already_done", already);
        summary.put("failed", errors.count());
        summary.put("errors", errors.all());
        folder.finish(summary);
        return new Summary(done, errors.count(), already, outDir, overlays);
    }

    /** Labels one image and writes its label map and overlay; false (and the problem reported) when it cannot be decoded or labelled. */
    public boolean processImage(Path image, Path outDir, StageListener listener) throws IOException {
        Sample s;
        int[] labels;
        try {
            s = blank(ImageDecoder.read(image));
            labels = labels(s);
        } catch (IOException | RuntimeException e) {
            String line = Failures.describe(e);
            listener.problem((line.contains(image.toString()) ? line : image + ": " + line) + "; skipped");
            return false;
        }
        write(s, labels, ImageFiles.stem(image), outDir);
        return true;
    }

    private static Sample blank(BufferedImage img) { return Sample.of(img, new byte[img.getWidth() * img.getHeight()]); }

    private static void write(Sample s, int[] labels, String stem, Path outDir) throws IOException {
        LabelMaps.write(outDir.resolve(stem + ".png"), s.width(), s.height(), labels);
        ImageEncoder.writePng(outDir.resolve("overlay").resolve(stem + ".png"), Overlays.image(s, labels));
    }

    /** The label map of one image at its size. */
    public int[] labels(Sample image) { return labeller.apply(image); }

    /** A segmentation network's arg-max label map per image, at the image's size, in eval mode; with {@code crf}, the logits refined by the dense CRF first. */
    public static List<int[]> labels(Module model, List<Sample> images, DenseCrf.Params crf) {
        model.eval();
        List<int[]> out = new ArrayList<>();
        try (var ng = GradMode.noGrad()) {
            for (Sample s : images) {
                Tensor logits = model.forward(ImageTensors.normalize(Tensor.of(s.rgb(), 1, 3, s.height(), s.width())));
                if (crf != null) {
                    out.add(DenseCrf.refine(logits, s, crf));
                    continue;
                }
                long[] a = logits.argmax(1, false).to(DType.INT64).toLongArray();
                int[] m = new int[a.length];
                for (int i = 0; i < a.length; i++) m[i] = (int) a[i];
                out.add(m);
            }
        }
        return out;
    }

    private static int[] maskContrastLabels(MaskContrastModel m, LinearProbe probe, Sample s, DenseCrf.Params crf) {
        try (var ng = GradMode.noGrad()) {
            Tensor x = ImageTensors.normalize(Tensor.of(s.rgb(), 1, 3, s.height(), s.width()));
            if (probe != null) return LinearProbes.predict(probe, List.of(m.features(x)), List.of(s), crf).get(0);
            float[] logit = m.run(x).saliency().contiguous().toFloatArray();
            int[] labels = new int[logit.length];
            for (int i = 0; i < labels.length; i++) labels[i] = logit[i] > 0.5f ? 1 : 0;
            return labels;
        }
    }
}
