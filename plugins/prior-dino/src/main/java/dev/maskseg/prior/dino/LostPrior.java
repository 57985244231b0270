package dev.maskseg.prior.dino;

import com.google.auto.service.AutoService;
import dev.maskseg.prior.MaskPrior;
import dev.maskseg.prior.PriorContext;
import dev.maskseg.prior.PriorParam;
import dev.maskseg.prior.PriorParams;
import dev.maskseg.prior.PriorResult;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * LOST (docs/methods.md §4.3): on the last block's keys (heads concatenated), the seed is the patch with the fewest
 * positive correlations; among the k lowest-degree patches, those positively correlated with the seed vote; the
 * 4-connected component of the positive votes holding the seed is the mask (LOST draws its box from it).
 */
@AutoService(MaskPrior.class)
public final class LostPrior implements MaskPrior {
    @Override public String name() { return "lost"; }

    @Override public String description() { return "LOST seed expansion on DINO ViT keys"; }

    @Override
    public List<PriorParam> params() { return VitSession.with(new PriorParam("k", "100", "number of lowest-degree patches considered")); }

    @Override
    public PriorResult run(BufferedImage image, PriorParams p, PriorContext ctx) throws Exception {
        int k = p.integer("k");
        if (k < 1) throw new IllegalArgumentException("k must be >= 1, got " + k);
        VitSession.Forward f = VitSession.forward(VitSession.load(p, ctx), image, 0);
        boolean[] grid = patchMask(VitSession.patchKeys(f), f.rows(), f.cols(), k);
        return PriorResult.of(PatchMasks.mask(grid, f.cols(), f.patch(), image.getWidth(), image.getHeight()));
    }

    static boolean[] patchMask(float[][] keys, int rows, int cols, int k) {
        int n = keys.length;
        float[] a = PatchMasks.gram(keys);
        float[] degree = new float[n];
        for (int i = 0; i < n; i++) {
            int d = 0;
            for (int j = 0; j < n; j++) if (j != i && a[i * n + j] > 0) d++;
            degree[i] = d;
        }
        Integer[] order = PatchMasks.ascending(degree);
        int seed = order[0];
        float[] votes = new float[n];
        for (int t = 0; t < Math.min(k, n); t++) {
            int q = order[t];
            if (a[seed * n + q] > 0) for (int j = 0; j < n; j++) votes[j] += a[q * n + j];
        }
        boolean[] positive = new boolean[n];
        for (int j = 0; j < n; j++) positive[j] = votes[j] > 0;
        return PatchMasks.componentOf(positive, rows, cols, seed);
    }
}
