package dev.maskseg.cli;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.pipeline.data.LabelMaps;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.maskcontrast.Evaluation;
import dev.maskseg.pipeline.maskcontrast.MaskContrastTrainer;
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

@Command(name = "predict", description = {"Segment a folder of images with a trained MaskContrast model: OUT/<stem>.png (8-bit labels) and "
        + "OUT/overlay/<stem>.png (colour overlay). With --probe (from 'eval linear --save-probe'), labels are the probe's classes; "
        + "without, the saliency head's object mask (1 where the logit > 0.5, as the k-means protocol)."})
final class PredictCommand implements Callable<Integer> {
    @Option(names = {"--model", "--checkpoint"}, required = true, description = "MaskContrast model (model.safetensors of 'train maskcontrast').")
    Path model;

    @Option(names = "--probe", description = "Linear probe weights (safetensors with weight, bias).")
    Path probeFile;

    @Option(names = "--images", required = true, description = "Folder of PNG/JPEG images.")
    Path images;

    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Override
    public Integer call() throws Exception {
        MaskContrastModel m = MaskContrastTrainer.loadModel(model);
        m.eval();
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
            int[] labels = new int[s.width() * s.height()];
            try (var ng = GradMode.noGrad()) {
                Tensor x = ImageTensors.normalize(Tensor.of(s.rgb(), 1, 3, s.height(), s.width()));
                if (probe != null) {
                    labels = Evaluation.probePredictions(probe, List.of(m.features(x)), List.of(s)).get(0);
                } else {
                    float[] logit = m.run(x).saliency().contiguous().toFloatArray();
                    for (int i = 0; i < labels.length; i++) labels[i] = logit[i] > 0.5f ? 1 : 0;
                }
            }
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
}
