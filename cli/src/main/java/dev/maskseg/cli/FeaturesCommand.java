package dev.maskseg.cli;

import dev.maskseg.pipeline.data.ImageFiles;
import dev.maskseg.pipeline.features.FeaturesStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Per image: CLS, patch tokens and last-block attention of a DINO ViT, as safetensors ({@link FeaturesStage}). */
@Command(name = "features", description = {"Extract DINO ViT features per image: <stem>.safetensors with cls [D], "
        + "patches [h*w, D] (after the final norm), attn_last [heads, N+1, N+1] and grid [h, w].",
        "Images are ImageNet-normalized, optionally resized (shorter side), then zero-padded at the bottom/right "
                + "to a multiple of the patch size.",
        "An image that cannot be decoded or run is reported, recorded in OUT/run.json and skipped (--strict stops instead); an "
                + "interrupted run continues when run again (existing files are kept), a finished one needs --resume (or --overwrite)."})
final class FeaturesCommand implements Callable<Integer> {
    @Mixin
    ConsoleOutput console = new ConsoleOutput();

    @Option(names = "--model", defaultValue = "vit_small_patch16", description = "A ViT: vit_small_patch16, vit_small_patch8, vit_base_patch16.")
    String model;

    @Option(names = "--weights", required = true, description = "ViT weights (.safetensors or .pth).")
    Path weights;

    @Option(names = "--images", required = true, description = "Folder of PNG/JPEG images.")
    Path images;

    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Option(names = "--resize", defaultValue = "0", converter = Ranges.OptionalSide.class, description = "Resize the shorter side to this first (0 = full resolution).")
    int resize;

    @Mixin
    BatchFlags batch = new BatchFlags();

    @Override
    public Integer call() throws IOException {
        if (!model.startsWith("vit_")) throw new IllegalArgumentException("features needs a ViT model, got '" + model + "'");
        var files = ImageFiles.list(images);
        FeaturesStage.Summary s = FeaturesStage.load(model, weights, resize).run(files, out, batch.options(), console.listener("features"));
        System.out.printf("features: %d images, %d written, %d already there, %d failed (reported above); %s%n", s.images(),
                s.images() - s.alreadyDone() - s.failed(), s.alreadyDone(), s.failed(), out);
        return 0;
    }
}
