package dev.maskseg.cli;

import dev.maskseg.pipeline.crf.DenseCrf;
import dev.maskseg.pipeline.data.ImageFiles;
import dev.maskseg.pipeline.predict.PredictStage;
import dev.maskseg.pipeline.train.ModelFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "predict", description = {"Segment a folder of images with a trained model: OUT/<stem>.png (8-bit labels) and "
        + "OUT/overlay/<stem>.png (colour overlay). A MaskDistill model gives its arg-max labels (0 = background, 1..C = clusters; "
        + "match them to classes with 'eval miou --matching hungarian'). A MaskContrast model with --probe (from 'eval linear "
        + "--save-probe') gives the probe's classes; without, the saliency head's object mask (1 where the logit > 0.5, as the "
        + "k-means protocol). --crf refines class predictions with the dense CRF (§1.5).",
        "An image that cannot be decoded or labelled is reported, recorded in OUT/run.json and skipped (--strict stops instead); "
                + "an interrupted run continues when run again, a finished one needs --resume (or --overwrite)."})
final class PredictCommand implements Callable<Integer> {
    @Mixin
    ConsoleOutput console = new ConsoleOutput();

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

    @Mixin
    BatchFlags batch = new BatchFlags();

    @Override
    public Integer call() throws Exception {
        boolean distill = ModelFiles.MASKDISTILL.equals(ModelFiles.kind(model));
        if (distill && probeFile != null) throw new IllegalArgumentException("--probe applies to MaskContrast models; " + model + " is a MaskDistill model");
        if (crf && !distill && probeFile == null) throw new IllegalArgumentException("--crf refines class predictions: give a MaskDistill model or --probe");
        PredictStage stage = PredictStage.load(model, probeFile, crf ? DenseCrf.Params.official() : null);
        PredictStage.Summary s = stage.run(ImageFiles.list(images), out, batch.options(), console.listener("predict"));
        System.out.printf("predict: %d images labelled, %d failed (reported above), %d already done; labels in %s, overlays in %s%n", s.images(),
                s.failed(), s.alreadyDone(), s.labels(), s.overlays());
        return 0;
    }
}
