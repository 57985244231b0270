package dev.maskseg.prior.dino;

import com.google.auto.service.AutoService;
import dev.maskseg.engine.Tensor;
import dev.maskseg.prior.MaskPrior;
import dev.maskseg.prior.PriorContext;
import dev.maskseg.prior.PriorParam;
import dev.maskseg.prior.PriorParams;
import dev.maskseg.prior.PriorResult;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * DINO attention-mass thresholding (docs/methods.md §4.2): the last block's CLS attention over the patches, keeping the
 * smallest set of patches that holds {@code fraction} of the mass; heads summed (or averaged, the same mask),
 * thresholded one by one and united ({@code each}), or a single head. Full resolution, zero-padded (LOST style).
 */
@AutoService(MaskPrior.class)
public final class DinoAttentionPrior implements MaskPrior {
    @Override public String name() { return "dino-attention"; }

    @Override public String description() { return "DINO ViT last-block CLS attention, attention-mass threshold"; }

    @Override
    public List<PriorParam> params() {
        return VitSession.with(new PriorParam("fraction", "0.6", "attention mass kept"),
                new PriorParam("heads", "sum", "sum | mean | each | <head index>"));
    }

    @Override
    public PriorResult run(BufferedImage image, PriorParams p, PriorContext ctx) throws Exception {
        double fraction = p.number("fraction");
        if (!(fraction > 0 && fraction <= 1)) throw new IllegalArgumentException("fraction must be in (0, 1], got " + fraction);
        VitSession.Forward f = VitSession.forward(VitSession.load(p, ctx), image, 0);
        boolean[] grid = patchMask(clsAttention(f.out().attnLast()), p.string("heads"), fraction);
        return PriorResult.of(PatchMasks.mask(grid, f.cols(), f.patch(), image.getWidth(), image.getHeight()));
    }

    /** [heads][N]: the CLS row of the softmax attention without the CLS column. */
    static float[][] clsAttention(Tensor attn) {
        int heads = attn.size(1), n = attn.size(2) - 1;
        float[] a = attn.select(0, 0).select(1, 0).contiguous().toFloatArray();   // [heads, N+1]
        float[][] out = new float[heads][n];
        for (int h = 0; h < heads; h++) System.arraycopy(a, h * (n + 1) + 1, out[h], 0, n);
        return out;
    }

    static boolean[] patchMask(float[][] a, String heads, double fraction) {
        int n = a[0].length;
        switch (heads) {
            case "sum", "mean" -> {
                float[] s = new float[n];
                for (float[] h : a) for (int j = 0; j < n; j++) s[j] += h[j];
                return PatchMasks.massThreshold(s, fraction);
            }
            case "each" -> {
                boolean[] u = new boolean[n];
                for (float[] h : a) {
                    boolean[] m = PatchMasks.massThreshold(h, fraction);
                    for (int j = 0; j < n; j++) u[j] |= m[j];
                }
                return u;
            }
            default -> {
                int h;
                try {
                    h = Integer.parseInt(heads);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("heads must be sum, mean, each or a head index, got '" + heads + "'");
                }
                if (h < 0 || h >= a.length) throw new IllegalArgumentException("head " + h + " out of range 0.." + (a.length - 1));
                return PatchMasks.massThreshold(a[h], fraction);
            }
        }
    }
}
