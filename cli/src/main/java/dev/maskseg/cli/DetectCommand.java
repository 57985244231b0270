package dev.maskseg.cli;

import dev.maskseg.pipeline.data.ImageFiles;
import dev.maskseg.pipeline.maskrcnn.DetectStage;
import dev.maskseg.pipeline.maskrcnn.MaskRcnnConfig;
import dev.maskseg.pipeline.maskrcnn.MaskRcnnDetector;
import dev.maskseg.pipeline.train.ModelFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "detect", description = {"Instance candidates of a trained Mask R-CNN (docs/design.md §4b) for a folder of images, as a COCO "
        + "results file: per detection image_id (the file's stem), category_id, score, segmentation (RLE) and bbox (x, y, w, h), each "
        + "image's detections by descending score. Detection settings (test size, thresholds) come from the model file of "
        + "'train maskrcnn'; detectron2 weights without them use the official ones (shorter side 800, score > 0.05, NMS 0.5, 100 "
        + "detections, MoCo's RGB normalization) and category ids 0..C-1. An image that cannot be read is reported, recorded in "
        + "OUT.errors.json and skipped (--strict stops at the first); a killed run continues from OUT.partial/ (with the same model); "
        + "an existing OUT is replaced only with --overwrite."})
final class DetectCommand implements Callable<Integer> {
    @Mixin
    ConsoleOutput console = new ConsoleOutput();

    @Option(names = "--model", required = true, description = "model.safetensors of 'train maskrcnn', or detectron2 R50-C4 weights (.pth, .pkl).")
    Path model;

    @Option(names = "--images", required = true, description = "Folder of PNG/JPEG images.")
    Path images;

    @Option(names = "--out", required = true, description = "COCO results JSON to write.")
    Path out;

    @Option(names = "--strict", description = "Stop at the first image that cannot be read.")
    boolean strict;

    @Option(names = "--overwrite", description = "Replace an existing OUT (and drop partial results of an interrupted run).")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        ModelFiles.MaskRcnn loaded = ModelFiles.loadMaskRcnn(model, MaskRcnnConfig.official());
        String source = model.toAbsolutePath() + " (" + java.nio.file.Files.size(model) + " bytes, " + java.nio.file.Files.getLastModifiedTime(model) + ")";
        DetectStage.Summary s = new DetectStage(new MaskRcnnDetector(loaded), strict).run(ImageFiles.list(images), out, source, overwrite,
                console.listener("detect"));
        System.out.println(s.line());
        return 0;
    }
}
