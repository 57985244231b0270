package dev.maskseg.cli;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.zoo.Models;
import dev.maskseg.zoo.image.ImageTensors;
import dev.maskseg.zoo.vit.VisionTransformer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Per image: CLS, patch tokens and last-block attention of a DINO ViT, as safetensors. */
@Command(name = "features", description = {"Extract DINO ViT features per image: <stem>.safetensors with cls [D], "
        + "patches [h*w, D] (after the final norm), attn_last [heads, N+1, N+1] and grid [h, w].",
        "Images are ImageNet-normalized, optionally resized (shorter side), then zero-padded at the bottom/right "
                + "to a multiple of the patch size. Existing outputs are skipped, so an interrupted run resumes."})
final class FeaturesCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "vit_small_patch16", description = "A ViT: vit_small_patch16, vit_small_patch8, vit_base_patch16.")
    String model;

    @Option(names = "--weights", required = true, description = "ViT weights (.safetensors or .pth).")
    Path weights;

    @Option(names = "--images", required = true, description = "Folder of PNG/JPEG images.")
    Path images;

    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Option(names = "--resize", defaultValue = "0", description = "Resize the shorter side to this first (0 = full resolution).")
    int resize;

    @Override
    public Integer call() throws IOException {
        if (!model.startsWith("vit_")) throw new IllegalArgumentException("features needs a ViT model, got '" + model + "'");
        List<Path> files = ImageFiles.list(images);
        Files.createDirectories(out);
        VisionTransformer vit = (VisionTransformer) Models.load(model, weights).module();
        int patch = vit.config.patch();
        try (ProgressBar pb = new ProgressBarBuilder().setTaskName("features").setInitialMax(files.size())
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build();
             var ng = GradMode.noGrad()) {
            for (Path f : files) {
                String stem = ImageFiles.stem(f);
                Path target = out.resolve(stem + ".safetensors");
                if (!Files.exists(target)) {
                    Tensor x = ImageTensors.toTensor(ImageTensors.read(f));
                    if (resize > 0) x = ImageTensors.resizeShorter(x, resize);
                    x = ImageTensors.padTo(ImageTensors.normalize(x), patch);
                    VisionTransformer.Output o = vit.run(x);
                    int h = x.size(2) / patch, w = x.size(3) / patch;
                    Map<String, Tensor> t = new LinkedHashMap<>();
                    t.put("cls", o.cls().select(0, 0).contiguous());
                    t.put("patches", o.tokens().select(0, 0).narrow(0, 1, h * w).contiguous());
                    t.put("attn_last", o.attnLast().select(0, 0).contiguous());
                    t.put("grid", Tensor.ofLongs(new long[]{h, w}, 2));
                    SafeTensors.write(target, t, Map.of("model", model, "image", f.getFileName().toString()));
                }
                pb.step();
            }
        }
        System.out.println("wrote " + files.size() + " feature files to " + out);
        return 0;
    }
}
