package dev.maskseg.prior.dino;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.prior.PriorContext;
import dev.maskseg.prior.PriorParam;
import dev.maskseg.prior.PriorParams;
import dev.maskseg.prior.image.PillowResize;
import dev.maskseg.zoo.Models;
import dev.maskseg.zoo.image.ImageTensors;
import dev.maskseg.zoo.vit.VisionTransformer;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The ViT part shared by the DINO priors (docs/methods.md §4.1): weights from {@code weights=FILE} loaded once per run,
 * optional shorter-side resize with Pillow's bilinear on the 8-bit image (as torchvision's Resize on a PIL image),
 * ImageNet normalisation, zero padding at the bottom/right to the patch size, one forward.
 */
final class VitSession {
    static final PriorParam WEIGHTS = new PriorParam("weights", null, "DINO ViT-S weights (.pth or .safetensors)");
    static final PriorParam PATCH = new PriorParam("patch", "16", "patch size: 16 (vit_small_patch16) or 8 (vit_small_patch8)");

    /** The forward of one image: grid rows x cols, the size the image was resized to, and the ViT outputs. */
    record Forward(int rows, int cols, int patch, int resizedW, int resizedH, VisionTransformer.Output out) {
        int patches() { return rows * cols; }
    }

    private VitSession() {}

    static List<PriorParam> with(PriorParam... own) {
        List<PriorParam> l = new java.util.ArrayList<>(List.of(own));
        l.add(WEIGHTS);
        l.add(PATCH);
        return l;
    }

    static VisionTransformer load(PriorParams p, PriorContext ctx) throws Exception {
        String weights = p.string("weights");
        int patch = p.integer("patch");
        if (patch != 16 && patch != 8) throw new IllegalArgumentException("patch must be 16 or 8, got " + patch);
        Path file = Path.of(weights);
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("ViT weights '" + weights + "' not found (give --param weights=FILE)");
        return ctx.shared("vit:" + patch + ":" + file.toAbsolutePath(),
                () -> ((VisionTransformer) Models.load(patch == 16 ? "vit_small_patch16" : "vit_small_patch8", file).module()).freeze());
    }

    /** shorter = 0: no resize. */
    static Forward forward(VisionTransformer vit, BufferedImage image, int shorter) {
        int w = image.getWidth(), h = image.getHeight();
        BufferedImage src = image;
        if (shorter > 0) {
            int[] size = ImageTensors.shorterSideSize(w, h, shorter);
            src = pillowResizeRgb(image, size[0], size[1]);
        }
        int patch = vit.config.patch();
        Tensor x = ImageTensors.padTo(ImageTensors.normalize(ImageTensors.toTensor(src)), patch);
        try (var ng = GradMode.noGrad()) {
            return new Forward(x.size(2) / patch, x.size(3) / patch, patch, src.getWidth(), src.getHeight(), vit.run(x));
        }
    }

    private static BufferedImage pillowResizeRgb(BufferedImage img, int nw, int nh) {
        int w = img.getWidth(), h = img.getHeight();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w), planes = new int[w * h * 3];
        for (int i = 0; i < w * h; i++) {
            planes[3 * i] = (argb[i] >> 16) & 0xFF;
            planes[3 * i + 1] = (argb[i] >> 8) & 0xFF;
            planes[3 * i + 2] = argb[i] & 0xFF;
        }
        int[] r = PillowResize.resize(planes, w, h, 3, nw, nh, PillowResize.Filter.BILINEAR);
        BufferedImage out = new BufferedImage(nw, nh, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < nw * nh; i++) out.setRGB(i % nw, i / nw, r[3 * i] << 16 | r[3 * i + 1] << 8 | r[3 * i + 2]);
        return out;
    }

    /** Keys of the last block for the patches, heads concatenated: [N][heads * headDim] (LOST's features). */
    static float[][] patchKeys(Forward f) {
        Tensor k = f.out().kLast().select(0, 0);                   // [heads, N+1, d]
        int heads = k.size(0), n = k.size(1) - 1, d = k.size(2);
        float[] all = k.contiguous().toFloatArray();
        float[][] out = new float[n][heads * d];
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < n; j++) System.arraycopy(all, (h * (n + 1) + j + 1) * d, out[j], h * d, d);
        }
        return out;
    }
}
