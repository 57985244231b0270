package dev.maskseg.cli;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.pipeline.crf.DenseCrf;
import dev.maskseg.pipeline.data.LabelMaps;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.maskcontrast.Evaluation;
import dev.maskseg.pipeline.maskcontrast.MaskContrastTrainer;
import dev.maskseg.pipeline.maskdistill.MaskDistillTrainer;
import dev.maskseg.zoo.LinearProbe;
import dev.maskseg.zoo.image.ImageTensors;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "predict", description = {"Segment a folder of images with a trained model: OUT/<stem>.png (8-bit labels) and "
        + "OUT/overlay/<stem>.png (colour overlay). A MaskDistill model gives its arg-max labels (0 = background, 1..C = clusters; "
        + "match them to classes with 'eval miou --matching hungarian'). A MaskContrast model with --probe (from 'eval linear "
        + "--save-probe') gives the probe's classes; without, the saliency head's object mask (1 where the logit > 0.5, as the "
        + "k-means protocol). --crf refines class predictions with the dense CRF (§1.5)."})
final class PredictCommand implements Callable<Integer> {
    @Option(names = {"--model", "--checkpoint"}, required = true, description = "model.safetensors of 'train maskcontrast' or 'train maskdistill'.")
    Path model;

    @Option(names = "--probe", description = "Linear probe weights (safetensors with weight, bias).")
    Path probeFile;

    @Option(names = "--crf", description = "Refine class predictions (MaskDistill labels, probe classes) with the dense CRF (§1.5).")
    boolean crf;

    @Option(names = "--images", required = true, description = "Folder of PNG/JPEG images.")
    Path images;

    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Override
    public Integer call() throws Exception {
        boolean distill = MaskDistillTrainer.isModel(model);
        if (distill && probeFile != null) throw new IllegalArgumentException("--probe applies to MaskContrast models; " + model + " is a MaskDistill model");
        if (crf && !distill && probeFile == null) throw new IllegalArgumentException("--crf refines class predictions: give a MaskDistill model or --probe");
        DenseCrf.Params crfParams = crf ? DenseCrf.Params.official() : null;
        MaskContrastModel m = distill ? null : MaskContrastTrainer.loadModel(model);
        Module segmenter = distill ? MaskDistillTrainer.loadModel(model) : null;
        if (m != null) m.eval();
        LinearProbe probe = null;
        if (probeFile != null) {
            Map<String, Tensor> w = SafeTensors.read(probeFile);
            if (!w.containsKey("weight") || !w.containsKey("bias")) throw new IllegalArgumentException(probeFile + ": not a linear probe (needs weight and bias)");
            probe = new LinearProbe(w.get("weight").size(1), w.get("weight").size(0), new dev.maskseg.engine.Generator(0));
            probe.loadStateDict(w, true);
        }
        Path overlays = Files.createDirectories(out.resolve("overlay"));
        int done = 0;
        for (Path f : ImageFiles.list(images)) {
            BufferedImage img = ImageIO.read(f.toFile());
            if (img == null) {
                System.err.println("predict: " + f + ": unreadable image; skipped");
                continue;
            }
            Sample s = Sample.of(img, new byte[img.getWidth() * img.getHeight()]);
            int[] labels = distill ? MaskDistillTrainer.predict(segmenter, List.of(s), crfParams).get(0) : maskContrastLabels(m, probe, s, crfParams);
            String stem = ImageFiles.stem(f);
            LabelMaps.write(out.resolve(stem + ".png"), s.width(), s.height(), labels);
            BufferedImage ov = new BufferedImage(s.width(), s.height(), BufferedImage.TYPE_INT_RGB);
            for (int i = 0; i < labels.length; i++) ov.setRGB(i % s.width(), i / s.width(), DemoReport.overlayRgb(s, i, labels[i]));
            AtomicFiles.write(overlays.resolve(stem + ".png"), o -> ImageIO.write(ov, "png", o));
            done++;
        }
        System.out.printf("predict: %d images, labels in %s, overlays in %s%n", done, out, overlays);
        return 0;
    }

    private static int[] maskContrastLabels(MaskContrastModel m, LinearProbe probe, Sample s, DenseCrf.Params crf) {
        try (var ng = GradMode.noGrad()) {
            Tensor x = ImageTensors.normalize(Tensor.of(s.rgb(), 1, 3, s.height(), s.width()));
            if (probe != null && crf != null) return Evaluation.probePredictionsWithCrf(probe, List.of(m.features(x)), List.of(s), crf).get(0);
            if (probe != null) return Evaluation.probePredictions(probe, List.of(m.features(x)), List.of(s)).get(0);
            float[] logit = m.run(x).saliency().contiguous().toFloatArray();
            int[] labels = new int[logit.length];
            for (int i = 0; i < labels.length; i++) labels[i] = logit[i] > 0.5f ? 1 : 0;
            return labels;
        }
    }
}
