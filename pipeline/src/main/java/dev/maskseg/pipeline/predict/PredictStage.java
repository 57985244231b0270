package dev.maskseg.pipeline.predict;

import java.util.Map;
import java.util.LinkedHashMap;
import dev.maskseg.zoo.image.ImageEncoder;
import dev.maskseg.zoo.image.ImageDecoder;
import dev.maskseg.pipeline.batch.BatchOptions;
import dev.maskseg.pipeline.batch.BatchErrors;
import dev.maskseg.pipeline.RunFolder;
import dev.maskseg.pipeline.Failures;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.crf.DenseCrf;
import dev.maskseg.pipeline.data.Folder;
import dev.maskseg.pipeline.data.ImageFiles;
import dev.maskseg.pipeline.data.LabelMaps;
import dev.maskseg.pipeline.data.Overlays;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.Transforms;
import dev.maskseg.pipeline.eval.EvalSplit;
import dev.maskseg.pipeline.eval.FrozenFeatures;
import dev.maskseg.pipeline.train.ModelFiles;
import dev.maskseg.zoo.LinearProbe;
import dev.maskseg.zoo.image.ImageTensors;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Segmenting images with a trained model: {@code <stem>.png} (8-bit labels) and {@code overlay/<stem>.png} (colour
 * overlay) per image. A MaskDistill model gives its arg-max labels (0 = background, 1..C = clusters or classes), a
 * model with a linear probe (MaskContrast's, or one trained on a MaskDistill model by {@code eval linear}) the probe's
 * classes, a MaskContrast model without one the saliency head's object mask (1 where the logit > 0.5, as the k-means
 * protocol). Class predictions are made at the working size and nearest-resized back, or with the dense CRF (§1.5)
 * refined at the image's size ({@link Labeller}). The output folder is claimed through {@link RunFolder} (its
 * {@code run.json} records the summary and each failed image); an image that cannot be decoded or labelled is that
 * image's error ({@link BatchErrors}) and the batch goes on. {@link #labels} is the work of one image.
 */
public final class PredictStage {
    /** Images labelled now, images that failed, images already done by the run continued, and the two output folders (overlays null when off). */
    public record Summary(int images, int failed, int alreadyDone, Path labels, Path overlays) {}

    private final Function<Sample, int[]> labeller;
    private boolean overlays = true;
    /** What a continued run must have been made with (run.json's inputs). */
    private final Map<String, String> inputs = new LinkedHashMap<>();

    private PredictStage(Function<Sample, int[]> labeller) { this.labeller = labeller; }

    /** {@link #load(Path, Path, DenseCrf.Params, int)} at each image's own size. */
    public static PredictStage load(Path model, Path probeFile, DenseCrf.Params crf) throws IOException { return load(model, probeFile, crf, 0); }

    /**
     * The model file of {@link ModelFiles} (MaskDistill or MaskContrast, or an official checkpoint), an optional probe,
     * the CRF parameters (null: none; needs class predictions) and the working size (0: each image's own; official 512).
     */
    public static PredictStage load(Path model, Path probeFile, DenseCrf.Params crf, int size) throws IOException {
        PredictStage stage = of(ModelFiles.loadAny(model), probeFile == null ? null : ModelFiles.loadProbe(probeFile), crf, size);
        stage.inputs.put("model", model.toAbsolutePath().normalize().toString());
        stage.inputs.put("probe", probeFile == null ? "" : probeFile.toAbsolutePath().normalize().toString());
        stage.inputs.put("crf", Boolean.toString(crf != null));
        stage.inputs.put("size", Integer.toString(size));
        return stage;
    }

    /** A loaded model (a MaskContrast model or a segmenter), an optional probe on its {@link FrozenFeatures}, CRF and working size. */
    public static PredictStage of(Module model, LinearProbe probe, DenseCrf.Params crf, int size) {
        model.eval();
        if (probe != null) {
            FrozenFeatures f = FrozenFeatures.of(model);
            if (probe.conv.weight.size(1) != f.channels()) {
                throw new IllegalArgumentException("the probe reads " + probe.conv.weight.size(1) + " channels but the model's features have " + f.channels());
            }
            return new PredictStage(s -> Labeller.labels(x -> probe.forward(f.of(x), x.size(2), x.size(3)), s, size, crf));
        }
        if (model instanceof MaskContrastModel m) {
            if (crf != null) throw new IllegalArgumentException("the CRF refines class predictions: give a MaskDistill model or a probe");
            return new PredictStage(s -> saliencyMask(m, s, size));
        }
        return new PredictStage(s -> Labeller.labels(model::forward, s, size, crf));
    }

    /** Whether {@link #run} also writes {@code overlay/<stem>.png} (default true). */
    public PredictStage overlays(boolean on) {
        overlays = on;
        return this;
    }

    public Summary run(List<Path> images, Path outDir, StageListener listener) throws IOException {
        return run(images, outDir, BatchOptions.DEFAULT, listener);
    }

    /** Labels every image not yet done into {@code outDir}. */
    public Summary run(List<Path> images, Path outDir, BatchOptions options, StageListener listener) throws IOException {
        Map<String, String> in = new LinkedHashMap<>(inputs);
        in.put("images", ImageFiles.folderOf(images));
        in.put("overlays", Boolean.toString(overlays));
        RunFolder folder = RunFolder.claim(outDir, "predict", in, options.mode(), true);
        Path overlayDir = overlays ? Files.createDirectories(outDir.resolve("overlay")) : null;
        BatchErrors errors = new BatchErrors(options.strict(), listener);
        List<Path> todo = errors.uniqueStems(images);
        int done = 0, already = 0;
        listener.start("predict", images.size(), images.size() - todo.size(), "images");
        try {
            for (Path f : todo) {
                String stem = ImageFiles.stem(f);
                if (folder.continued() && Files.exists(outDir.resolve(stem + ".png")) && (!overlays || Files.exists(overlayDir.resolve(stem + ".png")))) {
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
                    write(s, labels, stem, Folder.local(outDir)); // a failure to write (a full disk) ends the run
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
        return new Summary(done, errors.count(), already, outDir, overlayDir);
    }

    /** Labels one image and writes its label map (and overlay); false (and the problem reported) when it cannot be decoded or labelled. */
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
        write(s, labels, ImageFiles.stem(image), Folder.local(outDir));
        return true;
    }

    /**
     * One decoded image: {@code <stem>.png} (and {@code overlay/<stem>.png}) written into {@code out}. The work of
     * {@link #processImage(Path, Path, StageListener)} for callers that read the files themselves (a Spark task).
     */
    public void processImage(String stem, BufferedImage img, Folder out) throws IOException {
        Sample s = blank(img);
        write(s, labels(s), stem, out);
    }

    private static Sample blank(BufferedImage img) { return Sample.of(img, new byte[img.getWidth() * img.getHeight()]); }

    private void write(Sample s, int[] labels, String stem, Folder out) throws IOException {
        out.write(stem + ".png", LabelMaps.png(s.width(), s.height(), labels));
        if (overlays) out.write("overlay/" + stem + ".png", ImageEncoder.png(Overlays.image(s, labels)));
    }

    /** The label map of one image at its size. */
    public int[] labels(Sample image) { return labeller.apply(image); }

    /** A segmentation network's arg-max label map per image, at the image's size, in eval mode; with {@code crf}, the logits refined by the dense CRF first. */
    public static List<int[]> labels(Module model, List<Sample> images, DenseCrf.Params crf) { return labels(model, images, crf, StageListener.NONE); }

    /** As {@link #labels(Module, List, DenseCrf.Params)}, one step of the task "predict" per image. */
    public static List<int[]> labels(Module model, List<Sample> images, DenseCrf.Params crf, StageListener listener) {
        model.eval();
        List<int[]> out = new ArrayList<>();
        try (StageListener.Task task = listener.task("predict", images.size(), "images")) {
            for (Sample s : images) {
                out.add(Labeller.labels(model::forward, s, 0, crf));
                task.step();
            }
        }
        return out;
    }

    private static int[] saliencyMask(MaskContrastModel m, Sample stored, int size) {
        Sample s = size > 0 ? Transforms.resizeBicubic(stored, size, size) : stored;
        try (var ng = GradMode.noGrad()) {
            float[] logit = m.run(ImageTensors.normalize(Tensor.of(s.rgb(), 1, 3, s.height(), s.width()))).saliency().contiguous().toFloatArray();
            int[] labels = new int[logit.length];
            for (int i = 0; i < labels.length; i++) labels[i] = logit[i] > 0.5f ? 1 : 0;
            return EvalSplit.resizeNearest(labels, s.width(), s.height(), stored.width(), stored.height());
        }
    }
}
