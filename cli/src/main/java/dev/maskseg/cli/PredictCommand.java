package dev.maskseg.cli;

import dev.maskseg.pipeline.crf.DenseCrf;
import dev.maskseg.pipeline.data.ImageFiles;
import dev.maskseg.pipeline.predict.PredictStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "predict", description = {"Segment a folder of images with a trained model: OUT/<stem>.png (8-bit labels) and "
        + "OUT/overlay/<stem>.png (colour overlay). A MaskDistill model gives its arg-max labels (0 = background, 1..C = clusters; "
        + "match them to classes with 'eval miou --matching hungarian'). A model with --probe (from 'eval linear --save-probe' on "
        + "that model) gives the probe's classes; a MaskContrast model without one the saliency head's object mask (1 where the "
        + "logit > 0.5, as the k-means protocol). With --size S the network sees each image resized to SxS and its labels are "
        + "nearest-resized back (the official 512). --crf refines class predictions with the dense CRF (§1.5) at the image's size.",
        "An image that cannot be decoded or labelled is reported, recorded in OUT/run.json and skipped (--strict stops instead); "
                + "an interrupted run continues when run again, a finished one needs --resume (or --overwrite)."})
final class PredictCommand implements Callable<Integer> {
    @Mixin
    ConsoleOutput console = new ConsoleOutput();

    @Option(names = {"--model", "--checkpoint"}, required = true, description = "model.safetensors of 'demo', 'train maskcontrast' or 'train maskdistill' (not their checkpoint.safetensors), "
            + "or an official MaskContrast/MaskDistill checkpoint.")
    Path model;

    @Option(names = "--probe", description = "Linear probe weights (safetensors with weight, bias).")
    Path probeFile;

    @Option(names = "--crf", description = "Refine class predictions (MaskDistill labels, probe classes) with the dense CRF (§1.5).")
    boolean crf;

    @Option(names = "--size", defaultValue = "0", converter = Ranges.OptionalSide.class, description = "Working size SxS of the network (0: each image's own; official 512).")
    int size;

    @Option(names = "--images", required = true, description = "Folder of PNG/JPEG images.")
    Path images;

    @Option(names = "--split", paramLabel = "FILE", description = "Only the images whose stems FILE lists (e.g. ImageSets/Segmentation/val.txt).")
    Path split;

    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Mixin
    BatchFlags batch = new BatchFlags();

    @Override
    public Integer call() throws Exception {
        PredictStage stage = PredictStage.load(model, probeFile, crf ? DenseCrf.Params.official() : null, size);
        PredictStage.Summary s = stage.run(split == null ? ImageFiles.list(images) : ImageFiles.list(images, split), out, batch.options(), console.listener("predict"));
        System.out.printf("predict: %d images labelled, %d failed (reported above), %d already done; labels in %s, overlays in %s%n", s.images(),
                s.failed(), s.alreadyDone(), s.labels(), s.overlays());
        return 0;
    }
}
