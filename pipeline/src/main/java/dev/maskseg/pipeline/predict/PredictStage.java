package dev.maskseg.pipeline.predict;

import dev.maskseg.engine.DType;
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
import dev.maskseg.pipeline.eval.LinearProbes;
import dev.maskseg.pipeline.train.ModelFiles;
import dev.maskseg.zoo.LinearProbe;
import dev.maskseg.zoo.image.ImageTensors;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Segmenting images with a trained model: {@code <stem>.png} (8-bit labels) and {@code overlay/<stem>.png} (colour
 * overlay) per image. A MaskDistill model gives its arg-max labels (0 = background, 1..C = clusters), a MaskContrast
 * model with a linear probe the probe's classes, without one the saliency head's object mask (1 where the logit >
 * 0.5, as the k-means protocol); with the dense CRF (§1.5) class predictions are refined. An unreadable image is
 * reported and skipped. {@link #labels} is the work of one image.
 */
public final class PredictStage {
    /** Images labelled and the two output folders. */
    public record Summary(int images, int skipped, Path labels, Path overlays) {}

    private final Function<Sample, int[]> labeller;

    private PredictStage(Function<Sample, int[]> labeller) { this.labeller = labeller; }

    /**
     * The model file of {@link ModelFiles} (MaskDistill or MaskContrast, or an official checkpoint of MaskContrast),
     * an optional probe for a MaskContrast model, and the CRF parameters (null: none; needs class predictions).
     */
    public static PredictStage load(Path model, Path probeFile, DenseCrf.Params crf) throws IOException {
        if (ModelFiles.MASKDISTILL.equals(ModelFiles.kind(model))) {
            if (probeFile != null) throw new IllegalArgumentException("a probe applies to MaskContrast models; " + model + " is a MaskDistill model");
            Module segmenter = ModelFiles.loadMaskDistill(model);
            return new PredictStage(s -> labels(segmenter, List.of(s), crf).get(0));
        }
        MaskContrastModel m = ModelFiles.loadMaskContrast(model);
        m.eval();
        LinearProbe probe = probeFile == null ? null : ModelFiles.loadProbe(probeFile);
        if (probe == null && crf != null) throw new IllegalArgumentException("the CRF refines class predictions: give a MaskDistill model or a probe");
        return new PredictStage(s -> maskContrastLabels(m, probe, s, crf));
    }

    public Summary run(List<Path> images, Path outDir, StageListener listener) throws IOException {
        Path overlays = Files.createDirectories(outDir.resolve("overlay"));
        int done = 0, skipped = 0;
        for (Path f : images) {
            if (processImage(f, outDir, listener)) done++;
            else skipped++;
        }
        return new Summary(done, skipped, outDir, overlays);
    }

    /** Writes the image's label map and overlay; false (and a problem reported) when the image is unreadable. */
    public boolean processImage(Path image, Path outDir, StageListener listener) throws IOException {
        BufferedImage img = ImageIO.read(image.toFile());
        if (img == null) {
            listener.problem(image + ": unreadable image; skipped");
            return false;
        }
        processImage(ImageFiles.stem(image), img, Folder.local(outDir));
        return true;
    }

    /**
     * One decoded image: {@code <stem>.png} and {@code overlay/<stem>.png} written into {@code out}. The work of
     * {@link #processImage(Path, Path, StageListener)} for callers that read the files themselves (a Spark task).
     */
    public void processImage(String stem, BufferedImage img, Folder out) throws IOException {
        Sample s = Sample.of(img, new byte[img.getWidth() * img.getHeight()]);
        int[] labels = labels(s);
        out.write(stem + ".png", LabelMaps.png(s.width(), s.height(), labels));
        BufferedImage ov = Overlays.image(s, labels);
        out.write("overlay/" + stem + ".png", o -> ImageIO.write(ov, "png", o));
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
