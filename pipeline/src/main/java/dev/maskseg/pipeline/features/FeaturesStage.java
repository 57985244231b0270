package dev.maskseg.pipeline.features;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.pipeline.RunFolder;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.batch.BatchErrors;
import dev.maskseg.pipeline.batch.BatchOptions;
import dev.maskseg.pipeline.data.Folder;
import dev.maskseg.pipeline.data.ImageFiles;
import dev.maskseg.zoo.Models;
import dev.maskseg.zoo.image.ImageTensors;
import dev.maskseg.zoo.vit.VisionTransformer;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DINO ViT features per image: {@code <stem>.safetensors} with {@code cls} [D], {@code patches} [h*w, D] (after the
 * final norm), {@code attn_last} [heads, N+1, N+1] and {@code grid} [h, w]. Images are ImageNet-normalized, optionally
 * resized (shorter side), then zero-padded at the bottom/right to a multiple of the patch size. The output folder is
 * claimed through {@link RunFolder}: files of a continued run are skipped, so an interrupted run resumes; an image that
 * cannot be decoded or run through the ViT is that image's error ({@link BatchErrors}, recorded in {@code run.json}) and
 * the batch goes on. {@link #processImage} is the work of one image.
 */
public final class FeaturesStage {
    /** Images seen, how many of their files were already there, and how many failed. */
    public record Summary(int images, int alreadyDone, int failed) {}

    private final VisionTransformer vit;
    private final String model;
    private final int resize;

    /** {@code model} names the ViT in each file's metadata; {@code resize} > 0 resizes the shorter side first. */
    public FeaturesStage(VisionTransformer vit, String model, int resize) {
        this.vit = vit;
        this.model = model;
        this.resize = resize;
    }

    /** The stage with the named ViT ({@code vit_small_patch16}, {@code vit_small_patch8}, {@code vit_base_patch16}) loaded from {@code weights}. */
    public static FeaturesStage load(String model, Path weights, int resize) throws IOException {
        if (!model.startsWith("vit_")) throw new IllegalArgumentException("features needs a ViT model, got '" + model + "'");
        if (resize < 0) throw new IllegalArgumentException("resize must be >= 0 (0 keeps the size), got " + resize);
        return new FeaturesStage((VisionTransformer) Models.load(model, weights).module(), model, resize);
    }

    public Summary run(List<Path> images, Path outDir, StageListener listener) throws IOException {
        return run(images, outDir, BatchOptions.DEFAULT, listener);
    }

    public Summary run(List<Path> images, Path outDir, BatchOptions options, StageListener listener) throws IOException {
        RunFolder folder = RunFolder.claim(outDir, "features", Map.of("model", model, "resize", Integer.toString(resize), "images",
                ImageFiles.folderOf(images)), options.mode(), true);
        BatchErrors errors = new BatchErrors(options.strict(), listener);
        List<Path> todo = errors.uniqueStems(images);
        int done = 0;
        listener.start("features", images.size(), images.size() - todo.size(), "images");
        try {
            for (Path f : todo) {
                Path target = outDir.resolve(outputName(ImageFiles.stem(f)));
                if (folder.continued() && Files.exists(target)) {
                    done++;
                } else {
                    Map<String, Tensor> t;
                    try {
                        t = extract(f);
                    } catch (IOException | RuntimeException e) {
                        errors.record(ImageFiles.stem(f), f, e);
                        listener.advance(1, null);
                        continue;
                    }
                    SafeTensors.write(target, t, Map.of("model", model, "image", f.getFileName().toString())); // a write failure ends the run
                }
                listener.advance(1, null);
            }
        } finally {
            listener.end();
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("images", images.size());
        summary.put("already_done", done);
        summary.put("failed", errors.count());
        summary.put("errors", errors.all());
        folder.finish(summary);
        return new Summary(images.size(), done, errors.count());
    }

    /** Writes the image's file unless it is there; whether it wrote it. */
    public boolean processImage(Path image, Path outDir) throws IOException {
        if (Files.exists(outDir.resolve(outputName(ImageFiles.stem(image))))) return false;
        return processImage(ImageFiles.stem(image), image.getFileName().toString(), ImageTensors.read(image), Folder.local(outDir));
    }

    /**
     * One decoded image ({@code fileName} is recorded in the output's metadata) into {@code out}, unless its file is
     * there; whether it wrote it. The work of {@link #processImage(Path, Path)} for callers that read the files
     * themselves (a Spark task).
     */
    public boolean processImage(String stem, String fileName, BufferedImage image, Folder out) throws IOException {
        return processImage(stem, fileName, image, out, false);
    }

    /** As {@link #processImage(String, String, BufferedImage, Folder)}; with {@code replace} an existing file is written again (a run with --overwrite). */
    public boolean processImage(String stem, String fileName, BufferedImage image, Folder out, boolean replace) throws IOException {
        String name = outputName(stem);
        if (!replace && out.exists(name)) return false;
        out.write(name, SafeTensors.writer(extract(image), Map.of("model", model, "image", fileName)));
        return true;
    }

    /** The output file of the image with this stem. */
    public static String outputName(String stem) { return stem + ".safetensors"; }

    /** The image's {@code cls}, {@code patches}, {@code attn_last} and {@code grid}. */
    public Map<String, Tensor> extract(Path image) throws IOException { return extract(ImageTensors.read(image)); }

    /** A decoded image's {@code cls}, {@code patches}, {@code attn_last} and {@code grid}. */
    public Map<String, Tensor> extract(BufferedImage image) {
        int patch = vit.config.patch();
        try (var ng = GradMode.noGrad()) {
            Tensor x = ImageTensors.toTensor(image);
            if (resize > 0) x = ImageTensors.resizeShorter(x, resize);
            x = ImageTensors.padTo(ImageTensors.normalize(x), patch);
            VisionTransformer.Output o = vit.run(x);
            int h = x.size(2) / patch, w = x.size(3) / patch;
            Map<String, Tensor> t = new LinkedHashMap<>();
            t.put("cls", o.cls().select(0, 0).contiguous());
            t.put("patches", o.tokens().select(0, 0).narrow(0, 1, h * w).contiguous());
            t.put("attn_last", o.attnLast().select(0, 0).contiguous());
            t.put("grid", Tensor.ofLongs(new long[]{h, w}, 2));
            return t;
        }
    }
}
